"""Interop with poliastro-style ``Orbit`` objects (hapsira, the maintained poliastro fork).

Orbits come in duck-typed (``.a``, ``.ecc``, ``.inc``, ``.raan``, ``.argp``, ``.nu``, ``.epoch``, ``.rv()``,
``.attractor``), so no import is needed to accept them. Their GCRS states are rotated to the mean equator and
equinox of date (IAU 2006 bias-precession, ERFA ``pmat06``) that our kernels use, and back on the way out.
"""

from __future__ import annotations

import functools

import numpy as np
from astropy.time import Time

from orbital._validate import host64
from orbital.core import orbits
from orbital.core.constants import EARTH_MU_KM3_S2, EARTH_RADIUS_KM
from orbital.fleet import Fleet
from orbital.geometry import MIN_ALTITUDE_KM
from orbital.timescales import time_grid

# Orbits more eccentric than this are not circular enough for the circular mean-element propagator.
MAX_ECCENTRICITY = 0.01


def _gcrs_to_date(epoch: Time) -> np.ndarray:
    import erfa

    tt = epoch.tt
    return erfa.pmat06(tt.jd1, tt.jd2)


def import_hapsira():
    """Import hapsira (or poliastro), restoring astropy's removed ``matrix_product`` first if missing."""
    import astropy.coordinates.matrix_utilities as matrix_utilities

    if not hasattr(matrix_utilities, "matrix_product"):
        matrix_utilities.matrix_product = lambda *matrices: functools.reduce(np.matmul, matrices)
    try:
        import hapsira.bodies as bodies
        import hapsira.twobody as twobody
    except ImportError:
        try:
            import poliastro.bodies as bodies
            import poliastro.twobody as twobody
        except ImportError:
            raise ImportError(
                "neither hapsira nor poliastro is installed: pip install --no-deps hapsira "
                "numba astroquery jplephem pyerfa plotly (see README)"
            ) from None
    return bodies, twobody


def fleet_from_orbits(orbit_list, *, name: str = "orbits", j2: bool = True) -> Fleet:
    """A circular-orbit Fleet from poliastro/hapsira ``Orbit`` objects (eccentricity <= 0.01, Earth-centred)."""
    orbit_list = list(orbit_list)
    if not orbit_list:
        raise ValueError("orbits: give at least one Orbit")
    epoch = Time(orbit_list[0].epoch).utc
    parts = []
    for number, orbit in enumerate(orbit_list):
        attractor = getattr(getattr(orbit, "attractor", None), "name", "Earth")
        if attractor != "Earth":
            raise ValueError(f"orbits[{number}]: attractor={attractor!r}; only Earth orbits are supported")
        ecc = float(orbit.ecc.to_value("")) if hasattr(orbit.ecc, "to_value") else float(orbit.ecc)
        if not 0.0 <= ecc <= MAX_ECCENTRICITY:
            raise ValueError(
                f"orbits[{number}]: ecc={ecc:g} is outside the allowed range [0, {MAX_ECCENTRICITY}] "
                "(the fleet propagator models circular orbits)"
            )
        position, velocity = (np.asarray(x.to_value(unit)) for x, unit in zip(orbit.rv(), ("km", "km/s")))
        rotation = _gcrs_to_date(Time(orbit.epoch))
        position, velocity = rotation @ position, rotation @ velocity
        momentum = np.cross(position, velocity)
        inclination = np.arccos(momentum[2] / np.linalg.norm(momentum))
        raan = np.arctan2(momentum[0], -momentum[1])
        node = np.array([np.cos(raan), np.sin(raan), 0.0])
        ahead = np.cross(momentum / np.linalg.norm(momentum), node)
        arg_latitude = np.arctan2(position @ ahead, position @ node)
        semi_major_axis_km = float(orbit.a.to_value("km"))
        if semi_major_axis_km - EARTH_RADIUS_KM < MIN_ALTITUDE_KM:
            raise ValueError(
                f"orbits[{number}]: altitude {semi_major_axis_km - EARTH_RADIUS_KM:g} km is below the "
                f"allowed minimum {MIN_ALTITUDE_KM:g} km"
            )
        elements = orbits.CircularElements(
            *host64(
                functools.partial(orbits.circular_elements, j2=j2),
                np.array([semi_major_axis_km]),
                np.array([inclination]),
                np.array([raan]),
                np.array([arg_latitude]),
            )
        )
        shift_s = float((epoch - Time(orbit.epoch)).to_value("s"))
        parts.append(orbits.advance(elements, shift_s, xp=np))
    elements = orbits.CircularElements(*(np.concatenate(field) for field in zip(*parts)))
    names = [f"{name}-{i}" for i in range(len(orbit_list))]
    return Fleet(names=names, shell_index=np.zeros(len(names)), shell_names=[name], epoch=epoch, elements=elements)


def fleet_to_orbits(fleet: Fleet, time=None) -> list:
    """hapsira (or poliastro) ``Orbit`` objects for every satellite at ``time`` (default: the fleet's epoch), in
    GCRS. Circular fleets give their mean circular orbit; SGP4 fleets their osculating TEME state."""
    import astropy.units as u

    bodies, twobody = import_hapsira()
    instant = fleet.epoch if time is None else time
    grid = time_grid("time", instant)
    epoch = Time(grid.utc_jd1, grid.utc_jd2, format="jd", scale="utc")
    if fleet.kind == "circular":
        now = fleet.elements_at(grid)
        axis_p, axis_q = host64(orbits.orbit_axes, now.inclination_rad, now.raan_rad)
        u_rad = now.arg_latitude_rad[:, None]
        a_km = now.semi_major_axis_km[:, None]
        position = a_km * (np.cos(u_rad) * axis_p + np.sin(u_rad) * axis_q)
        velocity = np.sqrt(EARTH_MU_KM3_S2 / a_km) * (-np.sin(u_rad) * axis_p + np.cos(u_rad) * axis_q)
    else:
        position, velocity, _ = fleet.sgp4_states(grid, [0.0])
        position, velocity = position[:, 0], velocity[:, 0]
    to_gcrs = _gcrs_to_date(epoch).T
    position, velocity = position @ to_gcrs.T, velocity @ to_gcrs.T
    return [
        twobody.Orbit.from_vectors(bodies.Earth, r * u.km, v * u.km / u.s, epoch=epoch)
        for r, v in zip(position, velocity)
    ]
