"""Conical Earth shadow (umbra and penumbra) in projection form, pure JAX.

Only the satellite's projection on the Sun direction ``p = r . s_hat`` and its squared distance from Earth's
centre are needed, so no (sat, time, 3) array is formed in the hot path. The umbra and penumbra
are the cones tangent to a spherical Earth (radius R_E) and the solar disc (radius R_S) at distance D. The
illuminated fraction of the solar disc varies linearly across the penumbra between the two cones; it is 0.5
where the Earth's limb crosses the centre of the solar disc, the point at which a line to the Sun's centre
(skyfield's ``is_sunlit``) grazes the Earth.
"""

import jax.numpy as jnp

from orbital.core.constants import EARTH_RADIUS_KM, SUN_RADIUS_KM


def shadow_cones(sun_distance_km):
    """(umbra radius, penumbra radius) at the Earth's centre plane, and their slopes along the anti-Sun axis."""
    sin_umbra = (SUN_RADIUS_KM - EARTH_RADIUS_KM) / sun_distance_km
    sin_penumbra = (SUN_RADIUS_KM + EARTH_RADIUS_KM) / sun_distance_km
    cos_umbra = jnp.sqrt(1.0 - sin_umbra**2)
    cos_penumbra = jnp.sqrt(1.0 - sin_penumbra**2)
    return (
        EARTH_RADIUS_KM / cos_umbra,
        sin_umbra / cos_umbra,
        EARTH_RADIUS_KM / cos_penumbra,
        sin_penumbra / cos_penumbra,
    )


def illuminated_fraction(sun_projection_km, radius_sq_km2, cones):
    """Fraction of the solar disc visible from a satellite, in [0, 1].

    ``sun_projection_km``: r . s_hat (negative on the night side); ``radius_sq_km2``: |r|^2;
    ``cones``: ``shadow_cones(sun_distance_km)`` for the same instant.
    """
    umbra0_km, umbra_slope, penumbra0_km, penumbra_slope = cones
    behind_km = -sun_projection_km
    axis_distance_sq = radius_sq_km2 - sun_projection_km**2
    # where-safe sqrt: the gradient of sqrt at 0 (a satellite on the shadow axis) would be infinite.
    on_axis = axis_distance_sq <= 0.0
    axis_distance_km = jnp.where(on_axis, 0.0, jnp.sqrt(jnp.where(on_axis, 1.0, axis_distance_sq)))
    umbra_km = umbra0_km - behind_km * umbra_slope
    penumbra_km = penumbra0_km + behind_km * penumbra_slope
    # The day side (where the cones' width can pass through zero) is folded into the ratio as 1/1 so that the
    # divide is the last costly op: XLA's CPU fusion materialises a divide once, but recomputes a chain of cheap
    # ops (here the whole projection and its sin/cos) in every consumer of a trailing select; 3.5x measured on
    # the statistics' time scan.
    night = behind_km > 0.0
    above_umbra_km = jnp.where(night, axis_distance_km - umbra_km, 1.0)
    width_km = jnp.where(night, penumbra_km - umbra_km, 1.0)
    return jnp.clip(above_umbra_km / width_km, 0.0, 1.0)
