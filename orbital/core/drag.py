"""Drag, station keeping, propellant, natural decay and disposal of a satellite in a circular orbit, pure JAX.

Units: km, s, kg, m^2, W; densities in kg/m^3, velocities change in m/s. One satellite at a time (vmap for more).

- drag acceleration ``a = rho v^2 C_D A / (2 m)`` with ``v = sqrt(mu / r)``;
- station keeping: thrust equal to the drag, so the delta-v per year is ``a`` x one year and the propellant the
  drag impulse over the exhaust velocity (``F t / (g0 Isp)``: a constant-force burn, whatever the mass);
- thruster power ``P = T g0 Isp / (2 eta)`` (jet power over the thruster's total efficiency);
- decay without thrust ``da/dt = -sqrt(mu a) rho C_D A / m`` (King-Hele's circular-orbit decay), its lifetime
  the integral of ``da / |da/dt|`` from the orbit down to a re-entry altitude;
- disposal: one Hohmann-type burn from the circular orbit to an ellipse with the disposal perigee,
  ``v_c - v_apogee``, and its propellant by the rocket equation.
"""

import jax
import jax.numpy as jnp

from orbital.core import atmosphere
from orbital.core.constants import (
    EARTH_MU_KM3_S2,
    EARTH_RADIUS_KM,
    M_PER_KM,
    SECONDS_PER_JULIAN_YEAR,
    STANDARD_GRAVITY_M_S2,
)

REENTRY_ALTITUDE_KM = 180.0  # below ~180 km a satellite re-enters within days: the end of the natural lifetime
LIFETIME_STEPS = 100


def orbital_speed_km_s(altitude_km):
    return jnp.sqrt(EARTH_MU_KM3_S2 / (EARTH_RADIUS_KM + altitude_km))


def drag_force_n(density_kg_m3, altitude_km, drag_coefficient, area_m2):
    """``rho v^2 C_D A / 2`` (N) at circular speed."""
    v_m_s = orbital_speed_km_s(altitude_km) * M_PER_KM
    return 0.5 * density_kg_m3 * v_m_s**2 * drag_coefficient * area_m2


def drag_acceleration_m_s2(density_kg_m3, altitude_km, drag_coefficient, area_m2, mass_kg):
    return drag_force_n(density_kg_m3, altitude_km, drag_coefficient, area_m2) / mass_kg


def station_keeping_dv_m_s_per_yr(density_kg_m3, altitude_km, drag_coefficient, area_m2, mass_kg):
    """Delta-v (m/s) a year to hold the altitude against a constant drag."""
    return drag_acceleration_m_s2(density_kg_m3, altitude_km, drag_coefficient, area_m2, mass_kg) * (
        SECONDS_PER_JULIAN_YEAR
    )


def exhaust_velocity_m_s(isp_s):
    return isp_s * STANDARD_GRAVITY_M_S2


def impulse_propellant_kg(force_n, duration_s, isp_s):
    """Propellant (kg) for a thrust ``force_n`` held for ``duration_s``: ``F t / (g0 Isp)``."""
    return force_n * duration_s / exhaust_velocity_m_s(isp_s)


def rocket_propellant_kg(dv_m_s, final_mass_kg, isp_s):
    """Tsiolkovsky: propellant (kg) for ``dv_m_s`` ending at ``final_mass_kg``: ``m_f (exp(dv / (g0 Isp)) - 1)``."""
    return final_mass_kg * jnp.expm1(dv_m_s / exhaust_velocity_m_s(isp_s))


def thruster_power_w(thrust_n, isp_s, efficiency):
    """Electrical power (W) for ``thrust_n`` at ``isp_s``: ``T g0 Isp / (2 eta)``."""
    return thrust_n * exhaust_velocity_m_s(isp_s) / (2.0 * efficiency)


def decay_rate_km_s(density_kg_m3, altitude_km, drag_coefficient, area_m2, mass_kg):
    """``da/dt`` (km/s, negative) of a circular orbit: ``-sqrt(mu a) rho C_D A / m``; rho and A converted to km."""
    a_km = EARTH_RADIUS_KM + altitude_km
    rho_kg_km3 = density_kg_m3 * M_PER_KM**3
    area_km2 = area_m2 / M_PER_KM**2
    return -jnp.sqrt(EARTH_MU_KM3_S2 * a_km) * rho_kg_km3 * drag_coefficient * area_km2 / mass_kg


def decay_heights_km(altitude_km, reentry_altitude_km=REENTRY_ALTITUDE_KM, steps=LIFETIME_STEPS, xp=jnp):
    """Midpoints and width (km) of the equal altitude steps from the re-entry altitude up to ``altitude_km``
    (``xp=np`` on the host)."""
    step = xp.maximum(altitude_km - reentry_altitude_km, 0.0) / steps
    return reentry_altitude_km + (xp.arange(steps) + 0.5) * step, step


def decay_time_s(density_kg_m3, heights_km, step_km, drag_coefficient, area_m2, mass_kg):
    """``sum step / |da/dt|`` over the steps (midpoint rule of ``integral da / |da/dt|``)."""
    rate = -decay_rate_km_s(density_kg_m3, heights_km, drag_coefficient, area_m2, mass_kg)
    return jnp.sum(step_km / rate)


def natural_lifetime_s(
    table: atmosphere.DensityTable,
    altitude_km,
    f107_sfu,
    ap,
    drag_coefficient,
    area_m2,
    mass_kg,
    reentry_altitude_km=REENTRY_ALTITUDE_KM,
):
    """Time (s) for drag alone to bring a circular orbit from ``altitude_km`` down to ``reentry_altitude_km`` at
    constant solar activity: ``integral da / |da/dt|`` by the midpoint rule over ``LIFETIME_STEPS`` equal altitude
    steps (~4 km at 600 km, a sixth of the shortest scale height), on the table's log density. Zero at or below
    the re-entry altitude."""
    heights, step = decay_heights_km(altitude_km, reentry_altitude_km)
    log_density = jax.vmap(atmosphere.log_density, in_axes=(None, 0, None, None))(table, heights, f107_sfu, ap)
    return decay_time_s(jnp.exp(log_density), heights, step, drag_coefficient, area_m2, mass_kg)


def hohmann_deorbit_dv_m_s(altitude_km, perigee_km):
    """Delta-v (m/s) of one burn from a circular orbit to an ellipse with apogee there and perigee ``perigee_km``:
    ``v_c (1 - sqrt(2 r_p / (r_a + r_p)))``; 0 when the perigee is not below the orbit."""
    r_a = EARTH_RADIUS_KM + altitude_km
    r_p = jnp.minimum(EARTH_RADIUS_KM + perigee_km, r_a)
    v_c = jnp.sqrt(EARTH_MU_KM3_S2 / r_a)
    return v_c * (1.0 - jnp.sqrt(2.0 * r_p / (r_a + r_p))) * M_PER_KM
