"""Circular orbits with secular J2 drift: mean elements advanced in time, pure JAX (or numpy on the host)."""

from typing import NamedTuple

import jax.numpy as jnp

from orbital.core.constants import SECONDS_PER_DAY, TWO_PI
from orbital.core.geometry import j2_rates_rad_s, mean_motion_rad_s
from orbital.core.trig import sincos


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
    return CircularElements(
        xp.asarray(semi_major_axis_km),
        xp.asarray(inclination_rad),
        xp.asarray(raan_rad),
        xp.asarray(arg_latitude_rad),
        xp.asarray(raan_rate),
        xp.asarray(arg_latitude_rate),
    )


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
    axis_q = jnp.stack([-cos_inc * sin_raan, cos_inc * cos_raan, jnp.broadcast_to(sin_inc, cos_raan.shape)], axis=-1)
    return axis_p, axis_q


def position_km(elements: CircularElements, seconds):
    """Position (..., 3) of one satellite ``seconds`` after the elements' instant (mean-of-date frame)."""
    now = advance(elements, seconds)
    axis_p, axis_q = orbit_axes(now.inclination_rad, now.raan_rad)
    u = now.arg_latitude_rad
    return now.semi_major_axis_km * (jnp.cos(u) * axis_p + jnp.sin(u) * axis_q)


def _small_angle_cos_sin(angle_rad):
    """cos and sin by their Taylor series, much cheaper than a range-reduced cos/sin in the hot loop. float64
    keeps terms to x^6 / x^7: at 0.2 rad (a day of nodal drift at 150 km) the truncation error is 6.4e-11
    (cos, x^8/8!) and 1.4e-12 (sin); float32 stops at x^4 / x^5, 9e-8 and 2.5e-9, about one float32 ulp."""
    angle_sq = angle_rad * angle_rad
    if jnp.result_type(angle_rad) == jnp.float32:
        cos_angle = 1.0 + angle_sq * (-0.5 + angle_sq * (1.0 / 24.0))
        sin_angle = angle_rad * (1.0 + angle_sq * (-1.0 / 6.0 + angle_sq * (1.0 / 120.0)))
        return cos_angle, sin_angle
    cos_angle = 1.0 + angle_sq * (-0.5 + angle_sq * (1.0 / 24.0 - angle_sq / 720.0))
    sin_angle = angle_rad * (1.0 + angle_sq * (-1.0 / 6.0 + angle_sq * (1.0 / 120.0 - angle_sq / 5040.0)))
    return cos_angle, sin_angle


# Offsets the hot kernel accepts from its elements' instant: the nodal drift stays below ~0.2 rad per day for any
# orbit above 150 km, where the small-angle series is accurate to 1e-8.
MAX_KERNEL_OFFSET_S = SECONDS_PER_DAY


class PlaneTerms(NamedTuple):
    """Per-satellite factors of r . s_hat that stay fixed over a chunk: evaluated once per chunk, outside the time
    loop, so the loop body carries no trigonometry of the plane's orientation."""

    semi_major_axis_km: object
    arg_latitude_rad: object
    arg_latitude_rate_rad_s: object
    raan_rate_rad_s: object
    cos_raan: object
    sin_raan: object
    cos_inc: object
    sin_inc: object


def plane_terms(elements: CircularElements) -> PlaneTerms:
    return PlaneTerms(
        elements.semi_major_axis_km,
        elements.arg_latitude_rad,
        elements.arg_latitude_rate_rad_s,
        elements.raan_rate_rad_s,
        jnp.cos(elements.raan_rad),
        jnp.sin(elements.raan_rad),
        jnp.cos(elements.inclination_rad),
        jnp.sin(elements.inclination_rad),
    )


class SunTerms(NamedTuple):
    """What the shadow and power kernels need of one satellite at one instant."""

    sun_projection_km: object  # r . s_hat
    sin_beta: object  # n_hat . s_hat: the Sun's elevation above the orbit plane


def sun_terms(terms: PlaneTerms, seconds, sun_unit) -> SunTerms:
    """r . s_hat = a (cos u P.s + sin u Q.s) without forming r, and sin beta, of one satellite ``seconds`` after
    its elements' instant.

    ``|seconds|`` must stay within ``MAX_KERNEL_OFFSET_S`` of that instant (callers advance the elements per chunk
    on the host): the node's turn since then, d = Omega_dot t, enters through small-angle series.
    """
    sin_u, cos_u = sincos(terms.arg_latitude_rad + terms.arg_latitude_rate_rad_s * seconds)
    cos_drift, sin_drift = _small_angle_cos_sin(terms.raan_rate_rad_s * seconds)
    cos_raan = terms.cos_raan * cos_drift - terms.sin_raan * sin_drift
    sin_raan = terms.sin_raan * cos_drift + terms.cos_raan * sin_drift
    node_dot_s = cos_raan * sun_unit[0] + sin_raan * sun_unit[1]
    across_dot_s = cos_raan * sun_unit[1] - sin_raan * sun_unit[0]
    q_dot_s = terms.cos_inc * across_dot_s + terms.sin_inc * sun_unit[2]
    return SunTerms(
        terms.semi_major_axis_km * (cos_u * node_dot_s + sin_u * q_dot_s),
        terms.cos_inc * sun_unit[2] - terms.sin_inc * across_dot_s,
    )


def sun_projection_km(elements: CircularElements, seconds, sun_unit):
    """r . s_hat of one satellite at one instant (``sun_terms`` for a whole chunk)."""
    return sun_terms(plane_terms(elements), seconds, sun_unit).sun_projection_km


def orbit_normal(inclination_rad, raan_rad):
    """Unit angular-momentum vector: (sin i sin Omega, -sin i cos Omega, cos i)."""
    sin_inc = jnp.sin(inclination_rad)
    return jnp.stack(
        [
            sin_inc * jnp.sin(raan_rad),
            -sin_inc * jnp.cos(raan_rad),
            jnp.broadcast_to(jnp.cos(inclination_rad), jnp.shape(raan_rad)),
        ],
        axis=-1,
    )
