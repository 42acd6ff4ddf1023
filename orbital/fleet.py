"""Shells and fleets: the satellites whose geometry the kernels evaluate.

A ``Shell`` is a set of circular orbits at one altitude and inclination (Walker or sun-synchronous). A ``Fleet``
holds either the mean elements of circular orbits (from shells or poliastro/hapsira orbits) or SGP4 element sets
(from TLEs). Angles are stored in radians and lengths in km, in the mean equator and equinox of date (the frame
of SGP4's TEME output to within about an arcsecond). ``Fleet.from_orbits`` and ``Fleet.to_orbits`` convert
through ``orbital.interop``, which knows nothing of fleets.
"""

from __future__ import annotations

import dataclasses
import warnings
from functools import partial
from pathlib import Path

import numpy as np
from astropy.time import Time
from sgp4.api import Satrec, SatrecArray

from launch.validation import check_range, host64, to_array
from orbital import interop
from orbital.core import orbits
from orbital.core.constants import EARTH_MU_KM3_S2, EARTH_RADIUS_KM, M_PER_KM, SECONDS_PER_DAY
from orbital.core.sun import sun_epoch
from orbital.geometry import check_altitude_km, sso_inclination_deg
from orbital.timescales import TimeGrid, time_grid

DEFAULT_EPOCH = "2027-01-01T00:00:00Z"


def mean_sun_right_ascension_rad(epoch: Time) -> float:
    """Right ascension of the fictitious mean Sun (its mean longitude, Astronomical Almanac C5): local mean
    solar time, the usual reference of LTAN."""
    return float(np.deg2rad(sun_epoch(epoch.tt.jd1 + epoch.tt.jd2).mean_longitude_deg))


@dataclasses.dataclass(frozen=True, eq=False)
class Shell:
    """Circular orbits of one altitude and inclination; per-satellite RAAN and argument of latitude at ``epoch``."""

    name: str
    altitude_km: float
    inclination_deg: float
    raan_deg: np.ndarray
    arg_latitude_deg: np.ndarray
    epoch: Time

    def __post_init__(self):
        check_altitude_km(self.altitude_km)
        check_range("inclination_deg", self.inclination_deg, 0.0, 180.0, unit="deg")
        if np.shape(self.raan_deg) != np.shape(self.arg_latitude_deg):
            raise ValueError(
                f"raan_deg and arg_latitude_deg must have one entry per satellite, got shapes "
                f"{np.shape(self.raan_deg)} and {np.shape(self.arg_latitude_deg)}"
            )

    def __len__(self) -> int:
        return int(np.size(self.raan_deg))

    @classmethod
    def walker(
        cls,
        altitude_km,
        inclination_deg,
        planes,
        sats_per_plane,
        phasing=0,
        raan0_deg=0.0,
        *,
        epoch=DEFAULT_EPOCH,
        raan_spread_deg=360.0,
        name=None,
    ) -> Shell:
        """Walker delta pattern i:t/p/f with t = planes * sats_per_plane.

        Plane k has RAAN raan0 + k * raan_spread / planes; satellite j of plane k has argument of latitude
        360 j / sats_per_plane + 360 phasing k / t at the epoch. ``raan_spread_deg=180`` gives a Walker star.
        """
        # Numbers or astropy Quantities, converted once here; strings and out-of-range values are refused.
        altitude_km = float(check_altitude_km(altitude_km))
        inclination_deg = float(
            check_range("inclination_deg", to_array("inclination_deg", inclination_deg, "deg"), 0.0, 180.0, unit="deg")
        )
        raan0_deg = float(to_array("raan0_deg", raan0_deg, "deg"))
        raan_spread_deg = float(to_array("raan_spread_deg", raan_spread_deg, "deg"))
        planes = _positive_int("planes", planes)
        sats_per_plane = _positive_int("sats_per_plane", sats_per_plane)
        if not float(phasing).is_integer() or not 0 <= phasing < planes:
            raise ValueError(
                f"phasing={phasing!r} is outside the allowed range: an integer in [0, planes-1] = [0, {planes - 1}]"
            )
        total = planes * sats_per_plane
        plane, slot = np.divmod(np.arange(total), sats_per_plane)
        raan = np.mod(float(raan0_deg) + plane * float(raan_spread_deg) / planes, 360.0)
        arg_latitude = np.mod(360.0 * slot / sats_per_plane + 360.0 * int(phasing) * plane / total, 360.0)
        label = name or f"walker-{float(altitude_km):g}km-{float(inclination_deg):g}deg"
        return cls(label, float(altitude_km), float(inclination_deg), raan, arg_latitude, epoch_time(epoch))

    @classmethod
    def sun_synchronous(
        cls, altitude_km, ltan_hours, planes=1, sats_per_plane=1, *, epoch=DEFAULT_EPOCH, phasing=0, name=None
    ) -> Shell:
        """Sun-synchronous circular orbits: inclination from J2, RAAN from the local time of the ascending node.

        ``ltan_hours`` is in local mean solar time at the epoch (6 or 18 for dawn-dusk). A scalar with several
        planes spreads them evenly over 24 h starting at that LTAN; a sequence gives one LTAN per plane.
        """
        altitude_km = float(check_altitude_km(altitude_km))
        planes = _positive_int("planes", planes)
        inclination_deg = sso_inclination_deg(altitude_km)  # raises above the highest sun-synchronous altitude
        ltan = np.atleast_1d(to_array("ltan_hours", ltan_hours, "h"))
        check_range("ltan_hours", ltan, 0.0, 24.0, unit="h")
        if ltan.size == 1:
            ltan = ltan[0] + 24.0 * np.arange(planes) / planes
        elif ltan.size != planes:
            raise ValueError(f"ltan_hours has {ltan.size} entries; give one, or one per plane (planes={planes})")
        epoch_instant = epoch_time(epoch)
        shell = cls.walker(
            altitude_km,
            inclination_deg,
            planes,
            sats_per_plane,
            phasing,
            0.0,
            epoch=epoch_instant,
            name=name or f"sso-{altitude_km:g}km-ltan{float(ltan[0]):g}h",
        )
        plane = np.arange(len(shell)) // _positive_int("sats_per_plane", sats_per_plane)
        raan_rad = mean_sun_right_ascension_rad(epoch_instant) + np.deg2rad(15.0 * (ltan[plane] - 12.0))
        return dataclasses.replace(shell, raan_deg=np.mod(np.rad2deg(raan_rad), 360.0))

    @classmethod
    def cluster(cls, formation, planes=1, clusters_per_plane=1, *, epoch=DEFAULT_EPOCH, phasing=0, name=None) -> Shell:
        """Every member of ``planes x clusters_per_plane`` clusters (``orbital.formation.ClusterFormation``, one per
        plane slot) whose centres form a Walker pattern at the formation's orbit (sun-synchronous with its
        ``ltan_h`` when its inclination is None: planes spread over 24 h of LTAN).

        Each member is a circular orbit at its centre's, shifted along the track by its offset at the epoch: right
        for illumination, eclipses and drag (a kilometre moves a shadow crossing by ~0.13 s), not for the relative
        motion, which ``orbital.formation`` gives to the metre."""
        from orbital.formation import ClusterFormation, lattice, relative_positions_m

        if not isinstance(formation, ClusterFormation):
            raise TypeError(f"formation: expected a ClusterFormation, got {type(formation).__name__}")
        altitude_km = float(formation.altitude_km)
        label = name or f"cluster-{altitude_km:g}km"
        if formation.inclination_deg is None:
            centres = cls.sun_synchronous(
                altitude_km,
                float(formation.ltan_h),
                planes,
                clusters_per_plane,
                epoch=epoch,
                phasing=phasing,
                name=label,
            )
        else:
            inclination_deg = float(formation.inclination_deg)
            centres = cls.walker(
                altitude_km, inclination_deg, planes, clusters_per_plane, phasing, epoch=epoch, name=label
            )
        members = lattice(formation).plane_m.shape[0]
        # Along-track offsets at the epoch (cluster, member), as angles of the centre's orbit.
        along_m = relative_positions_m(formation, [0.0], np.deg2rad(centres.arg_latitude_deg))[:, 0, :, 1]
        offset_deg = np.rad2deg(along_m / ((EARTH_RADIUS_KM + altitude_km) * M_PER_KM))
        return dataclasses.replace(
            centres,
            raan_deg=np.repeat(centres.raan_deg, members),
            arg_latitude_deg=np.mod(centres.arg_latitude_deg[:, None] + offset_deg, 360.0).ravel(),
        )


def _positive_int(name: str, value) -> int:
    """``value`` as an int, if it is a whole number >= 1 (counts of planes and satellites)."""
    if isinstance(value, bool) or not float(value).is_integer() or value < 1:
        raise ValueError(f"{name}={value!r} is outside the allowed range: an integer >= 1")
    return int(value)


def epoch_time(epoch) -> Time:
    """A single instant in any form ``orbital.timescales`` accepts, as an astropy Time in UTC."""
    grid = time_grid("epoch", epoch)
    if grid.offsets_s.size != 1:
        raise ValueError("epoch: expected a single instant")
    return Time(grid.utc_jd1, grid.utc_jd2, format="jd", scale="utc")


class Fleet:
    """Satellites to evaluate: circular J2 orbits (``kind == "circular"``) or SGP4 element sets (``"sgp4"``)."""

    def __init__(self, *, names, shell_index, shell_names, epoch: Time, elements=None, satrecs=None):
        self.names = np.asarray(names, dtype=object)
        self.shell_index = np.asarray(shell_index, dtype=np.int32)
        self.shell_names = list(shell_names)
        self.epoch = epoch
        self.elements = elements
        self.satrecs = satrecs
        self.kind = "circular" if elements is not None else "sgp4"
        self._satrec_array = SatrecArray(satrecs) if satrecs is not None else None

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"Fleet({len(self)} satellites, {self.kind}, shells={self.shell_names})"

    def __getitem__(self, index) -> Fleet:
        """A sub-fleet: a slice, an integer array or a boolean mask over satellites."""
        picked = np.arange(len(self))[index]
        picked = np.atleast_1d(picked)
        elements = (
            None
            if self.elements is None
            else orbits.CircularElements(*(np.asarray(field)[picked] for field in self.elements))
        )
        satrecs = None if self.satrecs is None else [self.satrecs[i] for i in picked]
        return Fleet(
            names=self.names[picked],
            shell_index=self.shell_index[picked],
            shell_names=self.shell_names,
            epoch=self.epoch,
            elements=elements,
            satrecs=satrecs,
        )

    # --- construction -------------------------------------------------------------------------------------
    @classmethod
    def from_shells(cls, shells, *, j2: bool = True) -> Fleet:
        """Concatenate shells; their elements are all referred to the first shell's epoch (J2 drift applied).

        ``j2=False`` propagates two-body circular orbits (for checks against two-body references only)."""
        shells = list(shells) if not isinstance(shells, Shell) else [shells]
        if not shells:
            raise ValueError("shells: give at least one Shell")
        epoch = shells[0].epoch
        parts, names, index = [], [], []
        for number, shell in enumerate(shells):
            if not isinstance(shell, Shell):
                raise TypeError(f"shells[{number}]: expected orbital.Shell, got {type(shell).__name__}")
            n = len(shell)
            inclination = np.full(n, np.deg2rad(shell.inclination_deg))
            elements = host64(
                partial(orbits.circular_elements, j2=j2),
                np.full(n, EARTH_RADIUS_KM + shell.altitude_km),
                inclination,
                np.deg2rad(shell.raan_deg),
                np.deg2rad(shell.arg_latitude_deg),
            )
            shift_s = float((epoch - shell.epoch).to_value("s"))
            parts.append(orbits.advance(orbits.CircularElements(*elements), shift_s, xp=np))
            names += [f"{shell.name}-{i}" for i in range(n)]
            index.append(np.full(n, number))
        elements = orbits.CircularElements(*(np.concatenate(field) for field in zip(*parts)))
        return cls(
            names=names,
            shell_index=np.concatenate(index),
            shell_names=[s.name for s in shells],
            epoch=epoch,
            elements=elements,
        )

    @classmethod
    def from_tle(cls, path) -> Fleet:
        """Read three-line (name, line 1, line 2) or two-line element sets; propagated with SGP4 (WGS-72)."""
        path = Path(path)
        try:
            text = path.read_text()
        except OSError as err:
            raise ValueError(f"path={str(path)!r}: cannot read the TLE file ({err.strerror})") from None
        except UnicodeDecodeError as err:
            raise ValueError(
                f"path={str(path)!r}: not a text file (byte {err.object[err.start]:#04x} at offset {err.start} is "
                "not UTF-8); expected two- or three-line element sets (TLE text)"
            ) from None
        names, satrecs = parse_tle(text, source=str(path))
        names, satrecs = _drop_duplicate_satellites(names, satrecs, source=str(path))
        jd = np.array([s.jdsatepoch for s in satrecs]) + np.array([s.jdsatepochF for s in satrecs])
        epoch = Time(float(np.median(jd)), format="jd", scale="utc")
        return cls(names=names, shell_index=np.zeros(len(names)), shell_names=[path.stem], epoch=epoch, satrecs=satrecs)

    @classmethod
    def from_orbits(cls, orbit_list, *, name: str = "orbits", j2: bool = True) -> Fleet:
        """From poliastro/hapsira ``Orbit`` objects (near-circular, eccentricity <= 0.01, Earth-centred), referred
        to the first orbit's epoch; see ``orbital.interop``."""
        elements, epoch = interop.circular_elements_from_orbits(orbit_list, j2=j2)
        names = [f"{name}-{i}" for i in range(len(elements.raan_rad))]
        return cls(names=names, shell_index=np.zeros(len(names)), shell_names=[name], epoch=epoch, elements=elements)

    def to_orbits(self, time=None) -> list:
        """hapsira (or poliastro) ``Orbit`` objects for every satellite at ``time`` (default: the epoch), in GCRS.
        Circular fleets give their mean circular orbit; SGP4 fleets their osculating TEME state."""
        grid = time_grid("time", self.epoch if time is None else time)
        epoch = Time(grid.utc_jd1, grid.utc_jd2, format="jd", scale="utc")
        if self.kind == "circular":
            now = self.elements_at(grid)
            axis_p, axis_q = host64(orbits.orbit_axes, now.inclination_rad, now.raan_rad)
            u_rad = now.arg_latitude_rad[:, None]
            a_km = now.semi_major_axis_km[:, None]
            position = a_km * (np.cos(u_rad) * axis_p + np.sin(u_rad) * axis_q)
            velocity = np.sqrt(EARTH_MU_KM3_S2 / a_km) * (-np.sin(u_rad) * axis_p + np.cos(u_rad) * axis_q)
        else:
            position, velocity, _ = self.sgp4_states(grid, [0.0])
            position, velocity = position[:, 0], velocity[:, 0]
        return interop.orbits_from_states(position, velocity, epoch)

    # --- geometry on the host (for tests, plots and interop; the kernels do the fleet-wide work) ------------
    def elements_at(self, grid: TimeGrid, offset_s=0.0) -> orbits.CircularElements:
        """Circular mean elements (float64 numpy) at ``grid``'s reference plus ``offset_s`` seconds (a number, or
        an array that broadcasts against the satellites: (instant, 1) gives (instant, sat) angles)."""
        if self.elements is None:
            raise ValueError("elements_at: this fleet is propagated with SGP4 and has no circular elements")
        since_epoch_s = ((grid.tt_jd1 - self.epoch.tt.jd1) + (grid.tt_jd2 - self.epoch.tt.jd2)) * SECONDS_PER_DAY
        return orbits.advance(self.elements, since_epoch_s + offset_s, xp=np)

    def sgp4_states(self, grid: TimeGrid, offsets_s=None):
        """SGP4 TEME position and velocity, (sat, time, 3) km and km/s, and error codes (sat, time)."""
        if self._satrec_array is None:
            raise ValueError("sgp4_states: this fleet holds circular elements, not SGP4 element sets")
        shifted = grid if offsets_s is None else grid._replace(offsets_s=np.asarray(offsets_s, dtype=float))
        whole, fraction = shifted.utc_jd_parts()
        error, position, velocity = self._satrec_array.sgp4(whole, fraction)
        return position, velocity, error


def _drop_duplicate_satellites(names: list, satrecs: list, source: str):
    """Keep the first element set of each catalogue number; warn how many later ones were dropped."""
    seen, keep, duplicates = set(), [], []
    for index, satrec in enumerate(satrecs):
        if satrec.satnum in seen:
            duplicates.append(satrec.satnum)
        else:
            seen.add(satrec.satnum)
            keep.append(index)
    if duplicates:
        warnings.warn(
            f"{source}: dropped {len(duplicates)} duplicate element set(s) (same catalogue number as an earlier "
            f"one, e.g. {duplicates[0]}); the first of each is kept",
            UserWarning,
            stacklevel=3,
        )
    return [names[i] for i in keep], [satrecs[i] for i in keep]


def _tle_checksum(line: str) -> int:
    return sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68]) % 10


def parse_tle(text: str, source: str = "TLE text"):
    """Names and ``Satrec`` objects from two- or three-line element sets; errors name the line number."""
    lines = [(number, line.rstrip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    names, satrecs, pending_name, i = [], [], None, 0
    while i < len(lines):
        number, line = lines[i]
        if line.startswith("1 ") and i + 1 < len(lines) and lines[i + 1][1].startswith("2 "):
            number2, line2 = lines[i + 1]
            for n, candidate in ((number, line), (number2, line2)):
                if len(candidate) < 69:
                    raise ValueError(
                        f"{source}, line {n}: TLE line has {len(candidate)} characters, expected 69: {candidate!r}"
                    )
                if not candidate[68].isdigit() or int(candidate[68]) != _tle_checksum(candidate):
                    raise ValueError(
                        f"{source}, line {n}: TLE checksum mismatch (last digit {candidate[68]!r}, "
                        f"computed {_tle_checksum(candidate)}): {candidate!r}"
                    )
            try:
                satrec = Satrec.twoline2rv(line, line2)
            except Exception as err:
                raise ValueError(f"{source}, lines {number}-{number2}: unreadable TLE ({err})") from None
            satrecs.append(satrec)
            names.append(pending_name or f"NORAD {satrec.satnum}")
            pending_name, i = None, i + 2
            continue
        if line.startswith(("1 ", "2 ")):
            raise ValueError(f"{source}, line {number}: TLE line {line[0]} without its partner line: {line!r}")
        if pending_name is not None:
            raise ValueError(
                f"{source}, line {number}: expected TLE line 1 (starting '1 ') after the name "
                f"line {pending_name!r}, got {line!r}"
            )
        pending_name = line[2:].strip() if line.startswith("0 ") else line.strip()
        i += 1
    if pending_name is not None:
        raise ValueError(f"{source}: the file ends after the name line {pending_name!r} with no element lines")
    if not satrecs:
        raise ValueError(f"{source}: no TLE element sets found")
    return names, satrecs
