"""Closed forms for circular orbits, unit-aware public API (floats in the named units, or astropy Quantities).

Concrete inputs are validated and evaluated in float64; traced inputs (inside jit, grad, vmap) go straight to
the kernels, whose ``where`` guards keep results finite.
"""

from __future__ import annotations

import functools

import jax.numpy as jnp
import numpy as np

from launch.validation import check_range, evaluate, host64, is_traced, to_array
from orbital.core import geometry
from orbital.core.constants import EARTH_RADIUS_KM, SECONDS_PER_DAY, SECONDS_PER_MINUTE

# Below ~150 km drag brings a satellite down within days: there is no steady orbit to plan for.
MIN_ALTITUDE_KM = 150.0
# Well beyond geostationary; the circular-orbit and shadow models need a bound to reject unit mistakes (m vs km).
MAX_ALTITUDE_KM = 100_000.0


def check_altitude_km(altitude_km):
    altitude_km = to_array("altitude_km", altitude_km, "km")
    return check_range("altitude_km", altitude_km, MIN_ALTITUDE_KM, MAX_ALTITUDE_KM, unit="km")


def _check_beta_deg(beta_deg):
    beta_deg = to_array("beta_deg", beta_deg, "deg")
    return check_range("beta_deg", beta_deg, -90.0, 90.0, unit="deg")


def period_min(altitude_km):
    """Two-body period (minutes) of a circular orbit."""
    altitude_km = check_altitude_km(altitude_km)
    return evaluate(lambda h: geometry.period_s(EARTH_RADIUS_KM + h) / SECONDS_PER_MINUTE, altitude_km)


@functools.cache  # a constant of the Earth model, found by bisection (0.02 s a call): every shell checks it
def max_sun_synchronous_altitude_km() -> float:
    """Altitude above which J2 precession is too slow for any sun-synchronous circular orbit (cos i < -1)."""
    low, high = 1000.0, 20000.0
    for _ in range(60):
        mid = 0.5 * (low + high)
        if host64(geometry.sso_cos_inclination, EARTH_RADIUS_KM + mid) >= -1.0:
            low = mid
        else:
            high = mid
    return low


def sso_inclination_deg(altitude_km):
    """J2 sun-synchronous inclination (deg): cos i = -Omega_dot_sun / (1.5 J2 n (R_E/a)^2)."""
    altitude_km = check_altitude_km(altitude_km)
    if not is_traced(altitude_km):
        limit_km = max_sun_synchronous_altitude_km()
        if np.any(np.asarray(altitude_km) > limit_km):
            raise ValueError(
                f"altitude_km={np.max(altitude_km):g} km is outside the allowed range "
                f"[{MIN_ALTITUDE_KM:g}, {limit_km:.0f}] km for a sun-synchronous circular orbit: above "
                "it J2 cannot precess the node as fast as the mean Sun"
            )

    def kernel(h):
        cos_inc = geometry.sso_cos_inclination(EARTH_RADIUS_KM + h)
        return jnp.rad2deg(jnp.arccos(jnp.clip(cos_inc, -1.0, 1.0)))

    return evaluate(kernel, altitude_km)


def critical_beta_deg(altitude_km):
    """Beta angle (deg) above which a circular orbit sees no (cylindrical) eclipse: asin(R_E / (R_E + h))."""
    altitude_km = check_altitude_km(altitude_km)
    return evaluate(lambda h: jnp.rad2deg(geometry.critical_beta_rad(h)), altitude_km)


def eclipse_fraction(altitude_km, beta_deg):
    """Fraction of a circular orbit in Earth's cylindrical shadow (closed form), for beta in [-90, 90] deg."""
    altitude_km = check_altitude_km(altitude_km)
    beta_deg = _check_beta_deg(beta_deg)
    return evaluate(lambda h, b: geometry.eclipse_fraction(h, jnp.deg2rad(b)), altitude_km, beta_deg)


def eclipse_duration_min(altitude_km, beta_deg):
    """Longest eclipse per orbit (minutes) in the cylindrical shadow: eclipse_fraction x period."""
    altitude_km = check_altitude_km(altitude_km)
    beta_deg = _check_beta_deg(beta_deg)

    def kernel(h, b):
        fraction = geometry.eclipse_fraction(h, jnp.deg2rad(b))
        return fraction * geometry.period_s(EARTH_RADIUS_KM + h) / SECONDS_PER_MINUTE

    return evaluate(kernel, altitude_km, beta_deg)


def j2_raan_rate_deg_day(altitude_km, inclination_deg):
    """Secular J2 nodal precession (deg/day) of a circular orbit."""
    altitude_km = check_altitude_km(altitude_km)
    inclination_deg = check_range(
        "inclination_deg", to_array("inclination_deg", inclination_deg, "deg"), 0.0, 180.0, unit="deg"
    )

    def kernel(h, i):
        raan_rate, _ = geometry.j2_rates_rad_s(EARTH_RADIUS_KM + h, jnp.deg2rad(i))
        return jnp.rad2deg(raan_rate) * SECONDS_PER_DAY

    return evaluate(kernel, altitude_km, inclination_deg)


__all__ = [
    "period_min",
    "sso_inclination_deg",
    "critical_beta_deg",
    "eclipse_fraction",
    "eclipse_duration_min",
    "j2_raan_rate_deg_day",
    "max_sun_synchronous_altitude_km",
]
