"""Circular orbits with secular J2 drift: mean elements advanced in time, pure JAX (or numpy on the host)."""

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from orbital.core.geometry import j2_rates_rad_s, mean_motion_rad_s

TWO_PI = 2.0 * np.pi


class CircularElements(NamedTuple):
    """Mean elements of circular orbits at a reference instant; any leading shape (usually ``(sat,)``)."""

    semi_major_axis_km: object
    inclination_rad: object
    raan_rad: object
    arg_latitude_rad: object
    raan_rate_rad_s: object
    arg_latitude_rate_rad_s: object


def circular_elements(semi_major_axis_km, inclination_rad, raan_rad, arg_latitude_rad, xp=jnp, j2=True):
    """Elements with their secular rates: J2 drift, or two-body (``j2=False``, for checks against two-body
    references)."""
    if j2:
        raan_rate, arg_latitude_rate = j2_rates_rad_s(semi_major_axis_km, inclination_rad)
    else:
        raan_rate = xp.zeros_like(xp.asarray(raan_rad))
        arg_latitude_rate = mean_motion_rad_s(semi_major_axis_km) + raan_rate
    return CircularElements(xp.asarray(semi_major_axis_km), xp.asarray(inclination_rad), xp.asarray(raan_rad),
                            xp.asarray(arg_latitude_rad), xp.asarray(raan_rate), xp.asarray(arg_latitude_rate))


def advance(elements: CircularElements, seconds, xp=jnp) -> CircularElements:
    """Elements ``seconds`` later. Call with ``xp=np`` in float64 on the host to move a long way (a year) without
    losing the phase, then with ``jnp`` inside a kernel over short offsets (float32-safe)."""
    return elements._replace(
        raan_rad=xp.mod(elements.raan_rad + elements.raan_rate_rad_s * seconds, TWO_PI),
        arg_latitude_rad=xp.mod(elements.arg_latitude_rad + elements.arg_latitude_rate_rad_s * seconds, TWO_PI),
    )


def orbit_axes(inclination_rad, raan_rad):
    """Unit vectors (P, Q) of the orbit plane: P towards the ascending node, Q 90 deg ahead of it."""
    cos_raan, sin_raan = jnp.cos(raan_rad), jnp.sin(raan_rad)
    cos_inc, sin_inc = jnp.cos(inclination_rad), jnp.sin(inclination_rad)
    zero = jnp.zeros_like(cos_raan)
    axis_p = jnp.stack([cos_raan, sin_raan, zero], axis=-1)
    axis_q = jnp.stack([-cos_inc * sin_raan, cos_inc * cos_raan, jnp.broadcast_to(sin_inc, cos_raan.shape)],
                       axis=-1)
    return axis_p, axis_q


def position_km(elements: CircularElements, seconds):
    """Position (..., 3) of one satellite ``seconds`` after the elements' instant (mean-of-date frame)."""
    now = advance(elements, seconds)
    axis_p, axis_q = orbit_axes(now.inclination_rad, now.raan_rad)
    u = now.arg_latitude_rad
    return now.semi_major_axis_km * (jnp.cos(u) * axis_p + jnp.sin(u) * axis_q)


def sun_projection_km(elements: CircularElements, seconds, sun_unit):
    """r . s_hat of one satellite at one instant without forming r: a (cos u P.s + sin u Q.s)."""
    now = advance(elements, seconds)
    cos_raan, sin_raan = jnp.cos(now.raan_rad), jnp.sin(now.raan_rad)
    cos_inc, sin_inc = jnp.cos(now.inclination_rad), jnp.sin(now.inclination_rad)
    p_dot_s = cos_raan * sun_unit[0] + sin_raan * sun_unit[1]
    q_dot_s = cos_inc * (cos_raan * sun_unit[1] - sin_raan * sun_unit[0]) + sin_inc * sun_unit[2]
    u = now.arg_latitude_rad
    return now.semi_major_axis_km * (jnp.cos(u) * p_dot_s + jnp.sin(u) * q_dot_s)


def orbit_normal(inclination_rad, raan_rad):
    """Unit angular-momentum vector: (sin i sin Omega, -sin i cos Omega, cos i)."""
    sin_inc = jnp.sin(inclination_rad)
    return jnp.stack([sin_inc * jnp.sin(raan_rad), -sin_inc * jnp.cos(raan_rad),
                      jnp.broadcast_to(jnp.cos(inclination_rad), jnp.shape(raan_rad))], axis=-1)
