"""View factor of a flat radiator plate to a spherical Earth."""

from __future__ import annotations

import jax.numpy as jnp

from thermal.constants import EARTH_MEAN_RADIUS_KM


def plate_earth_view_factor(altitude_km, tilt_rad, earth_radius_km=EARTH_MEAN_RADIUS_KM):
    """View factor from one face of a small flat plate to a spherical Earth.

    ``tilt_rad`` is the angle between the face's outward normal and nadir: 0 faces the Earth, pi/2 faces the
    horizon (the plate is vertical, "edge-on" to the Earth), pi faces the zenith.

    Formula: differential planar element of arbitrary tilt to a sphere, as tabulated in section B ("factors from
    differential elements to finite areas") of Howell's "A Catalog of Radiation Heat Transfer Configuration
    Factors" (thermalradiation.net), with H = distance from the sphere's centre / sphere radius:
      full view, tilt <= acos(1/H):            F = cos(tilt) / H^2
      partial view, acos(1/H) < tilt < pi - acos(1/H):
        F = 1/2 - asin(sqrt(H^2-1) / (H sin t)) / pi
            + [cos t * acos(-sqrt(H^2-1) cot t) - sqrt(H^2-1) * sqrt(1 - H^2 cos^2 t)] / (pi H^2)
      no view otherwise:                       F = 0.
    Limits: tilt 0 gives (R/(R+h))^2; tilt pi/2 gives (beta - sin beta cos beta)/pi with sin beta = 1/H. The
    whole formula is checked against a direct quadrature over the visible Earth cap in the tests.
    """
    h_ratio = (earth_radius_km + altitude_km) / earth_radius_km
    cos_t = jnp.cos(tilt_rad)
    sin_t = jnp.sin(tilt_rad)
    inv_h = 1.0 / h_ratio
    root = jnp.sqrt(jnp.maximum(h_ratio**2 - 1.0, 0.0))  # altitude > 0 keeps this positive
    full = cos_t >= inv_h
    none = cos_t <= -inv_h
    partial = ~(full | none)
    # Inside the partial band sin t > sqrt(H^2-1)/H > 0; outside it substitute harmless values so that no branch
    # (and no gradient) evaluates asin/acos/sqrt at a singular point.
    safe_sin = jnp.where(partial, sin_t, 1.0)
    safe_cos = jnp.where(partial, cos_t, 0.0)
    asin_arg = jnp.clip(root / (h_ratio * safe_sin), -1.0, 1.0 - 1e-15)
    acos_arg = jnp.clip(-root * safe_cos / safe_sin, -1.0 + 1e-15, 1.0 - 1e-15)
    sqrt_arg = jnp.maximum(1.0 - h_ratio**2 * safe_cos**2, 1e-300)
    f_partial = (
        0.5
        - jnp.arcsin(asin_arg) / jnp.pi
        + (safe_cos * jnp.arccos(acos_arg) - root * jnp.sqrt(sqrt_arg)) / (jnp.pi * h_ratio**2)
    )
    f_full = cos_t * inv_h**2
    return jnp.where(full, f_full, jnp.where(partial, f_partial, 0.0))


def radiator_earth_view_factor(altitude_km, tilt_rad, sides, earth_radius_km=EARTH_MEAN_RADIUS_KM):
    """Earth view factor summed over a plate's radiating faces: the first face's normal is ``tilt_rad`` from
    nadir, the second (``sides = 2``) points the opposite way (tilt pi - t)."""
    front = plate_earth_view_factor(altitude_km, tilt_rad, earth_radius_km)
    back = plate_earth_view_factor(altitude_km, jnp.pi - tilt_rad, earth_radius_km)
    return front + jnp.clip(sides - 1.0, 0.0, 1.0) * back
