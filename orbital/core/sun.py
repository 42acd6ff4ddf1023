"""Low-precision solar ephemeris, pure JAX.

Astronomical Almanac (2015 and later editions), section C5 "Low precision formulas for the Sun": apparent
ecliptic longitude, obliquity and distance, accurate to 0.01 deg in direction and 1e-4 AU in distance
between 1950 and 2050 (checked against skyfield + DE421 in the tests). Directions are in the mean equator
and equinox of date, the frame SGP4's TEME output and our J2 circular orbits are expressed in (TEME and
mean-of-date differ by the equation of the equinoxes, about 1 arcsecond).

Time enters as (epoch angles computed once in float64 on the host, seconds since that epoch) so that float32
kernels never hold days since J2000.
"""

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from orbital.core.constants import AU_KM, J2000_JD, SECONDS_PER_DAY

_MEAN_LONGITUDE_RATE_DEG_DAY = 0.9856474
_MEAN_ANOMALY_RATE_DEG_DAY = 0.9856003
_OBLIQUITY_RATE_DEG_DAY = -4.0e-7


class SunEpoch(NamedTuple):
    """The Sun's slowly varying angles at an epoch, reduced to [0, 360) in float64 on the host."""

    mean_longitude_deg: float
    mean_anomaly_deg: float
    obliquity_deg: float


def sun_epoch(jd_tt: float) -> SunEpoch:
    days = float(jd_tt) - J2000_JD
    return SunEpoch(
        mean_longitude_deg=float(np.mod(280.460 + _MEAN_LONGITUDE_RATE_DEG_DAY * days, 360.0)),
        mean_anomaly_deg=float(np.mod(357.528 + _MEAN_ANOMALY_RATE_DEG_DAY * days, 360.0)),
        obliquity_deg=23.439 + _OBLIQUITY_RATE_DEG_DAY * days,
    )


def sun_position_km(epoch: SunEpoch, seconds):
    """Geocentric Sun vector (..., 3) in km at ``seconds`` after the epoch."""
    days = seconds / SECONDS_PER_DAY
    mean_longitude = jnp.deg2rad(epoch.mean_longitude_deg + _MEAN_LONGITUDE_RATE_DEG_DAY * days)
    mean_anomaly = jnp.deg2rad(epoch.mean_anomaly_deg + _MEAN_ANOMALY_RATE_DEG_DAY * days)
    obliquity = jnp.deg2rad(epoch.obliquity_deg + _OBLIQUITY_RATE_DEG_DAY * days)
    longitude = mean_longitude + jnp.deg2rad(1.915 * jnp.sin(mean_anomaly) + 0.020 * jnp.sin(2.0 * mean_anomaly))
    distance_km = AU_KM * (1.00014 - 0.01671 * jnp.cos(mean_anomaly) - 0.00014 * jnp.cos(2.0 * mean_anomaly))
    cos_lon, sin_lon = jnp.cos(longitude), jnp.sin(longitude)
    return jnp.stack(
        [distance_km * cos_lon, distance_km * jnp.cos(obliquity) * sin_lon, distance_km * jnp.sin(obliquity) * sin_lon],
        axis=-1,
    )
