"""The satellites the planner evaluates: a scenario's representative sample per shell, and the built-in fleet of
``orbital illumination``."""

from __future__ import annotations

from orbital.fleet import Fleet, Shell


def representative_shells(scenario, sample_sats: int | None = None) -> list:
    """A small sample of each of the scenario's shells (``study.sample_sats_per_shell`` satellites by default).

    A sun-synchronous shell is one plane of its LTAN, satellites spread in argument of latitude. A Walker shell
    is one satellite per plane over planes spread around 360 deg of RAAN: the beta-angle history, which sets the
    eclipses, depends on the RAAN, not on the phase within a plane. A cluster shell is sampled at its reference
    orbit (members stay within a few km of it, so they share its illumination, eclipses and drag).
    """
    n = sample_sats or scenario.study.sample_sats_per_shell
    epoch = scenario.study.geometry_start
    out = []
    for s in scenario.shells:
        if s.ltan_hours is not None:
            out.append(
                Shell.sun_synchronous(s.altitude_km, s.ltan_hours, planes=1, sats_per_plane=n, epoch=epoch, name=s.name)
            )
        else:
            out.append(Shell.walker(s.altitude_km, s.inclination_deg, n, 1, 0, epoch=epoch, name=s.name))
    return out


def default_shells(epoch: str) -> list:
    """A small built-in mix: an AI1-class dawn-dusk shell, a Starlink-like Walker shell, a high Walker shell."""
    return [
        Shell.sun_synchronous(600.0, 18.0, planes=1, sats_per_plane=200, epoch=epoch, name="sso-600km-dawn-dusk"),
        Shell.walker(550.0, 53.0, 72, 22, phasing=17, epoch=epoch, name="walker-550km-53deg"),
        Shell.walker(1200.0, 70.0, 24, 20, phasing=1, epoch=epoch, name="walker-1200km-70deg"),
    ]


DEFAULT_WINDOW_START = "2027-01-01"


def illumination_fleet(tle=None, start: str | None = None) -> Fleet:
    """The fleet of ``orbital illumination``: a TLE file's satellites (SGP4), else ``default_shells(start)``."""
    if tle is not None:
        return Fleet.from_tle(tle)
    return Fleet.from_shells(default_shells(start or DEFAULT_WINDOW_START))


def default_window_start(fleet: Fleet) -> str:
    """Where ``orbital illumination`` starts without ``--start``: a TLE fleet's median element epoch (SGP4 is
    most accurate near its element sets' epochs, and a window years away loses decayed satellites), else
    ``DEFAULT_WINDOW_START``."""
    return fleet.epoch.utc.isot[:19] if fleet.kind == "sgp4" else DEFAULT_WINDOW_START
