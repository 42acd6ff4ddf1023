"""Interop with poliastro-style ``Orbit`` objects (hapsira, the maintained poliastro fork).

Orbits come in duck-typed (``.a``, ``.ecc``, ``.inc``, ``.raan``, ``.argp``, ``.nu``, ``.epoch``, ``.rv()``,
``.attractor``), so no import is needed to accept them. Their GCRS states are rotated to the mean equator and
equinox of date (IAU 2006 bias-precession, ERFA ``pmat06``) that our kernels use, and back on the way out.

This module works on arrays and ``Orbit`` objects only; ``Fleet.from_orbits`` and ``Fleet.to_orbits``
(``orbital.fleet``) build on it, so the dependency runs one way: fleet -> interop.
"""

from __future__ import annotations

import contextlib
import functools

import numpy as np
from astropy.time import Time

from launch.validation import host64
from orbital.core import orbits
from orbital.core.constants import EARTH_RADIUS_KM
from orbital.geometry import MIN_ALTITUDE_KM

# Orbits more eccentric than this are not circular enough for the circular mean-element propagator.
MAX_ECCENTRICITY = 0.01


def gcrs_to_date(epoch: Time) -> np.ndarray:
    """Rotation matrix from GCRS to the mean equator and equinox of ``epoch`` (IAU 2006, ERFA ``pmat06``)."""
    import erfa

    tt = epoch.tt
    return erfa.pmat06(tt.jd1, tt.jd2)


@contextlib.contextmanager
def astropy_matrix_product():
    """Lend astropy the ``matrix_product`` it removed in 6.0 (hapsira still imports it), for the block only.

    The function is taken away again on exit, so nothing outside the block sees a patched astropy; modules imported
    inside it keep the reference they bound.
    """
    import astropy.coordinates.matrix_utilities as matrix_utilities

    if hasattr(matrix_utilities, "matrix_product"):
        yield
        return
    matrix_utilities.matrix_product = lambda *matrices: functools.reduce(np.matmul, matrices)
    try:
        yield
    finally:
        del matrix_utilities.matrix_product


def import_hapsira():
    """Import hapsira (or poliastro) and return its ``bodies`` and ``twobody`` modules.

    hapsira binds astropy's ``matrix_product`` at import, which astropy 6 removed: it is lent for the import only
    (``astropy_matrix_product``). Once imported, the modules need nothing more.
    """
    with astropy_matrix_product():
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


def circular_elements_from_orbits(orbit_list, *, j2: bool = True) -> tuple[orbits.CircularElements, Time]:
    """Circular mean elements (float64 numpy, one per orbit) of poliastro/hapsira ``Orbit`` objects
    (eccentricity <= 0.01, Earth-centred), all referred to the first orbit's epoch, and that epoch (UTC)."""
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
        rotation = gcrs_to_date(Time(orbit.epoch))
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
    return orbits.CircularElements(*(np.concatenate(field) for field in zip(*parts))), epoch


def orbits_from_states(position_km, velocity_km_s, epoch: Time) -> list:
    """hapsira (or poliastro) ``Orbit`` objects in GCRS from (n, 3) states in the mean equator and equinox of
    ``epoch`` (km, km/s)."""
    import astropy.units as u

    bodies, twobody = import_hapsira()
    to_gcrs = gcrs_to_date(epoch).T
    position, velocity = np.asarray(position_km) @ to_gcrs.T, np.asarray(velocity_km_s) @ to_gcrs.T
    return [
        twobody.Orbit.from_vectors(bodies.Earth, r * u.km, v * u.km / u.s, epoch=epoch)
        for r, v in zip(position, velocity)
    ]
