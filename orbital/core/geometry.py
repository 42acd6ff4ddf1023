"""Closed-form geometry of circular orbits: pure JAX, internal units (km, s, rad)."""

import jax.numpy as jnp

from orbital.core.constants import EARTH_J2, EARTH_MU_KM3_S2, EARTH_RADIUS_KM, SUN_SYNC_RAAN_RATE_RAD_S


def mean_motion_rad_s(semi_major_axis_km):
    return jnp.sqrt(EARTH_MU_KM3_S2 / semi_major_axis_km**3)


def period_s(semi_major_axis_km):
    return 2.0 * jnp.pi / mean_motion_rad_s(semi_major_axis_km)


def j2_rates_rad_s(semi_major_axis_km, inclination_rad):
    """Secular J2 rates of a circular orbit (Vallado, Fundamentals of Astrodynamics, 4th ed., eq. 9-41).

    Returns (RAAN rate, argument-of-latitude rate) where the latter is the mean motion plus the J2 drifts
    of perigee and mean anomaly (for e = 0).
    """
    n = mean_motion_rad_s(semi_major_axis_km)
    k = 1.5 * EARTH_J2 * (EARTH_RADIUS_KM / semi_major_axis_km) ** 2 * n
    cos_i = jnp.cos(inclination_rad)
    raan_rate = -k * cos_i
    arg_perigee_rate = 0.5 * k * (5.0 * cos_i**2 - 1.0)
    mean_anomaly_rate = n + 0.5 * k * (3.0 * cos_i**2 - 1.0)
    return raan_rate, arg_perigee_rate + mean_anomaly_rate


def sso_cos_inclination(semi_major_axis_km):
    """cos i of the J2 sun-synchronous orbit: cos i = -Omega_dot_sun / (1.5 J2 n (R_E/a)^2)."""
    n = mean_motion_rad_s(semi_major_axis_km)
    return -SUN_SYNC_RAAN_RATE_RAD_S / (1.5 * EARTH_J2 * n * (EARTH_RADIUS_KM / semi_major_axis_km) ** 2)


def critical_beta_rad(altitude_km):
    """Beta angle above which a circular orbit never enters the cylindrical shadow: asin(R_E / (R_E + h))."""
    return jnp.arcsin(EARTH_RADIUS_KM / (EARTH_RADIUS_KM + altitude_km))


def eclipse_fraction(altitude_km, beta_rad):
    """Fraction of a circular orbit in the cylindrical shadow.

    f = acos(sqrt(h^2 + 2 R_E h) / ((R_E + h) cos beta)) / pi for |beta| < beta*, else 0.
    The argument of acos is clipped to [0, 1] through a safe branch so that gradients stay finite.
    """
    radius_km = EARTH_RADIUS_KM + altitude_km
    cos_beta = jnp.cos(beta_rad)
    in_shadow_band = jnp.abs(beta_rad) < critical_beta_rad(altitude_km)
    safe_cos_beta = jnp.where(in_shadow_band, cos_beta, 1.0)
    ratio = jnp.sqrt(altitude_km**2 + 2.0 * EARTH_RADIUS_KM * altitude_km) / (radius_km * safe_cos_beta)
    safe_ratio = jnp.where(in_shadow_band, jnp.clip(ratio, 0.0, 1.0 - 1e-15), 0.5)
    return jnp.where(in_shadow_band, jnp.arccos(safe_ratio) / jnp.pi, 0.0)


def beta_rad(inclination_rad, raan_rad, sun_ra_rad, sun_dec_rad):
    """Beta angle: sin b = cos d_s sin i sin(Omega - a_s) + sin d_s cos i."""
    sin_beta = jnp.cos(sun_dec_rad) * jnp.sin(inclination_rad) * jnp.sin(raan_rad - sun_ra_rad) + jnp.sin(
        sun_dec_rad
    ) * jnp.cos(inclination_rad)
    return jnp.arcsin(jnp.clip(sin_beta, -1.0, 1.0))
