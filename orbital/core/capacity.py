"""Shell capacity: how many satellites an altitude band holds at a minimum separation (pure JAX, km).

A geometric slotting bound (docs/environment-debris.md): satellites on a triangular (hexagonal) lattice of
spacing d cover the sphere of radius r = R_E + h with one cell of area (sqrt(3)/2) d^2 each, so one layer holds
4 pi r^2 / ((sqrt(3)/2) d^2) slots; a band of thickness dh holds floor(dh / d_v) + 1 layers d_v apart. It bounds
from above what an orbit design (for example a 2-D lattice flower constellation, Arnas et al. 2021) can realise.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from orbital.core.constants import EARTH_RADIUS_KM

HEX_CELL_FACTOR = math.sqrt(3.0) / 2.0  # area of a triangular-lattice cell per point, in units of d^2


def slots_per_layer(altitude_km, min_separation_km):
    """Satellites one spherical layer at ``altitude_km`` holds on a hexagonal lattice of spacing d (continuous)."""
    radius_km = EARTH_RADIUS_KM + altitude_km
    return 4.0 * math.pi * radius_km**2 / (HEX_CELL_FACTOR * min_separation_km**2)


def layers_in_band(thickness_km, layer_separation_km):
    """Layers ``layer_separation_km`` apart that fit in a band ``thickness_km`` thick: floor(dh / d_v) + 1."""
    return jnp.floor(thickness_km / layer_separation_km) + 1.0


def shell_capacity(altitude_km, thickness_km, min_separation_km, layer_separation_km):
    """Satellites a band centred at ``altitude_km`` holds: slots per layer (at the band's centre) x layers."""
    return slots_per_layer(altitude_km, min_separation_km) * layers_in_band(thickness_km, layer_separation_km)


def shells_needed(n_satellites, capacity):
    """Whole bands of ``capacity`` a fleet of ``n_satellites`` needs: ceil(N / capacity) (0 for no fleet)."""
    return jnp.ceil(n_satellites / capacity)


def fill_fraction(n_satellites, capacity):
    """N / capacity, the continuous (differentiable) form of the occupancy of one band."""
    return n_satellites / capacity
