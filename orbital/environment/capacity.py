"""Shell capacity: the most satellites an altitude band holds at a minimum separation, and the bands a fleet
needs (checked public API over ``orbital.core.capacity``; method and sources in docs/environment-debris.md)."""

from __future__ import annotations

from launch.validation import check_range, evaluate, to_array
from orbital.core import capacity as core

__all__ = ["fill_fraction", "layers_in_band", "shell_capacity", "shells_needed", "slots_per_layer"]


def _altitude(altitude_km):
    return check_range("altitude_km", to_array("altitude_km", altitude_km, "km"), 0.0, 100_000.0, unit="km")


def _separation(name, value):
    return check_range(name, to_array(name, value, "km"), 0.0, low_open=True, unit="km")


def _thickness(thickness_km):
    return check_range("thickness_km", to_array("thickness_km", thickness_km, "km"), 0.0, unit="km")


def slots_per_layer(altitude_km, min_separation_km):
    """Satellites one spherical layer holds on a hexagonal lattice of spacing ``min_separation_km``:
    4 pi r^2 / ((sqrt(3)/2) d^2), r = R_E + h."""
    return evaluate(core.slots_per_layer, _altitude(altitude_km), _separation("min_separation_km", min_separation_km))


def layers_in_band(thickness_km, layer_separation_km):
    """Layers ``layer_separation_km`` apart in a band ``thickness_km`` thick: floor(dh / d_v) + 1."""
    return evaluate(
        core.layers_in_band, _thickness(thickness_km), _separation("layer_separation_km", layer_separation_km)
    )


def shell_capacity(altitude_km, thickness_km, min_separation_km, layer_separation_km):
    """Satellites a band holds at these separations: slots per layer x layers."""
    return evaluate(
        core.shell_capacity,
        _altitude(altitude_km),
        _thickness(thickness_km),
        _separation("min_separation_km", min_separation_km),
        _separation("layer_separation_km", layer_separation_km),
    )


def shells_needed(n_satellites, capacity):
    """Whole bands of ``capacity`` satellites a fleet of ``n_satellites`` needs: ceil(N / capacity)."""
    n_satellites = check_range("n_satellites", to_array("n_satellites", n_satellites), 0.0)
    capacity = check_range("capacity", to_array("capacity", capacity), 0.0, low_open=True)
    return evaluate(core.shells_needed, n_satellites, capacity)


def fill_fraction(n_satellites, capacity):
    """N / capacity: the occupancy of one band, continuous (for gradients)."""
    n_satellites = check_range("n_satellites", to_array("n_satellites", n_satellites), 0.0)
    capacity = check_range("capacity", to_array("capacity", capacity), 0.0, low_open=True)
    return evaluate(core.fill_fraction, n_satellites, capacity)
