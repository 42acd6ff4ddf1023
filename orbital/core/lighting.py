"""Illumination kernels: the Sun's direction and shadow cones over a chunk, and for each satellite at each
instant the illuminated fraction of the solar disc, the beta angle's sine (the array cosine for arrays fixed
normal to the orbit plane) and the Sun-distance flux factor.

Written for one satellite at one instant and vmapped to time-major (time, sat) arrays: the satellites are the
vector lanes of the hot loop and of the scans that reduce it. Circular orbits never form positions: the fraction
needs only r . s_hat (closed form: ``orbital.core.orbits.sun_terms``), so it can run inside a statistics scan.
SGP4 fleets give (sat, time, 3) states instead (the ``vector_*`` kernels).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from orbital.core import orbits, shadow, sun
from orbital.core.constants import AU_KM


def sun_geometry(sun_epoch_angles, dt_s):
    """(time, 3) unit vectors to the Sun and the shadow cones at ``dt_s`` after the chunk's epoch."""
    position = sun.sun_position_km(sun.SunEpoch(*sun_epoch_angles), dt_s)
    distance = jnp.linalg.norm(position, axis=-1)
    return position / distance[..., None], shadow.shadow_cones(distance)


def flux_factor(sun_epoch_angles, dt_s):
    """(1 AU / r)^2: the +/-3.4 % seasonal swing of the solar flux."""
    position = sun.sun_position_km(sun.SunEpoch(*sun_epoch_angles), dt_s)
    return AU_KM**2 / jnp.sum(position**2, axis=-1)


def over_times_and_sats(one, per_sat, per_time):
    """vmap a single-satellite, single-instant kernel to a time-major (time, sat) array."""
    over_sats = jax.vmap(one, in_axes=(0, None))
    return jax.vmap(over_sats, in_axes=(None, 0))(per_sat, per_time)


def sat_major(kernel):
    """(sat, time[, ...]) view of a time-major kernel, for the full-array API."""
    return lambda *args: jnp.swapaxes(kernel(*args), 0, 1)


# --- circular orbits ---------------------------------------------------------------------------------------
def fraction_kernel(terms: orbits.PlaneTerms, seconds, sun_unit, cones):
    """Illuminated fraction of one satellite at one instant."""
    projection = orbits.sun_terms(terms, seconds, sun_unit).sun_projection_km
    return shadow.illuminated_fraction(projection, terms.semi_major_axis_km**2, cones)


def sun_terms_kernel(terms: orbits.PlaneTerms, seconds, sun_unit, cones):
    """(illuminated fraction, sin beta) of one satellite at one instant."""
    now = orbits.sun_terms(terms, seconds, sun_unit)
    return shadow.illuminated_fraction(now.sun_projection_km, terms.semi_major_axis_km**2, cones), now.sin_beta


def fractions_now(plane, instant):
    """(sat,) fractions of a block at one instant ``(seconds, sun_unit, cones)``."""
    return jax.vmap(fraction_kernel, in_axes=(0, None, None, None))(plane, *instant)


def sun_terms_now(plane, instant):
    """(sat,) fractions and sin beta of a block at one instant ``(seconds, sun_unit, cones)``."""
    return jax.vmap(sun_terms_kernel, in_axes=(0, None, None, None))(plane, *instant)


def circular_fraction(elements, dt_s, sun_epoch_angles):
    sun_unit, cones = sun_geometry(sun_epoch_angles, dt_s)
    plane = orbits.plane_terms(elements)
    return jax.vmap(fractions_now, in_axes=(None, 0))(plane, (dt_s, sun_unit, cones))


def circular_beta(elements, dt_s, sun_epoch_angles):
    sun_unit, _ = sun_geometry(sun_epoch_angles, dt_s)

    def one(element, instant):
        seconds, unit = instant
        now = orbits.advance(element, seconds)
        normal = orbits.orbit_normal(now.inclination_rad, now.raan_rad)
        return jnp.arcsin(jnp.clip(jnp.dot(normal, unit), -1.0, 1.0))

    return over_times_and_sats(one, elements, (dt_s, sun_unit))


def circular_position(elements, dt_s, sun_epoch_angles):
    del sun_epoch_angles
    return over_times_and_sats(orbits.position_km, elements, dt_s)


# --- SGP4 states: (sat, time, 3) positions and velocities --------------------------------------------------
def vector_fraction(position_km, dt_s, sun_epoch_angles):
    """Time-major (time, sat) fraction from (sat, time, 3) positions."""
    sun_unit, cones = sun_geometry(sun_epoch_angles, dt_s)
    projection = jnp.einsum("stx,tx->ts", position_km, sun_unit)
    radius_sq = jnp.sum(position_km**2, axis=-1).T
    return shadow.illuminated_fraction(projection, radius_sq, jax.tree.map(lambda c: c[:, None], cones))


def vector_sin_beta(position_km, velocity_km_s, dt_s, sun_epoch_angles):
    """Time-major (time, sat) sin beta = n_hat . s_hat from (sat, time, 3) states, n_hat along r x v."""
    sun_unit, _ = sun_geometry(sun_epoch_angles, dt_s)
    normal = jnp.cross(position_km, velocity_km_s)
    normal = normal / jnp.linalg.norm(normal, axis=-1, keepdims=True)
    return jnp.einsum("stx,tx->ts", normal, sun_unit)


def vector_sun_terms(position_km, velocity_km_s, dt_s, sun_epoch_angles):
    """Time-major (time, sat) fraction and sin beta from (sat, time, 3) states."""
    return (
        vector_fraction(position_km, dt_s, sun_epoch_angles),
        vector_sin_beta(position_km, velocity_km_s, dt_s, sun_epoch_angles),
    )


def vector_beta(position_km, velocity_km_s, dt_s, sun_epoch_angles):
    return jnp.arcsin(jnp.clip(vector_sin_beta(position_km, velocity_km_s, dt_s, sun_epoch_angles), -1.0, 1.0))


def vector_position(position_km, dt_s, sun_epoch_angles):
    del dt_s, sun_epoch_angles
    return jnp.swapaxes(position_km, 0, 1)
