"""Heat pumps between the electronics' cold plate and the radiator, unit-aware public API.

A heat pump lifts the heat from a cold plate at T_cold to a radiator at T_hot = T_cold + lift, with
COP = carnot_fraction * T_cold / lift (a fixed fraction of the Carnot COP). It draws power = heat / COP, and the
radiator rejects heat + power. Because the radiator's capacity grows as T^4, a lift of a few tens of kelvin can
shrink it by more than the extra power costs; see docs/thermal.md.
"""

from __future__ import annotations

import math

import jax

from thermal import core
from thermal.constants import DEFAULT_CARNOT_FRACTION
from thermal.core import HeatPump
from thermal.validation import checked


def heat_pump(heat_w, cold_temperature_k, lift_k, carnot_fraction=DEFAULT_CARNOT_FRACTION) -> HeatPump:
    """Operating point of a heat pump: ``HeatPump(hot_temperature_k, cop, power_w, rejected_w)``.

    ``lift_k = 0`` means no heat pump: COP +inf, zero power. Arrays broadcast; outputs are jax arrays.
    """
    heat_w = checked("heat_w", heat_w, 0.0, math.inf, high_open=True, unit="W", unit_label="W")
    cold_temperature_k = checked(
        "cold_temperature_k", cold_temperature_k, 0.0, math.inf, low_open=True, high_open=True, unit="K", unit_label="K"
    )
    lift_k = checked("lift_k", lift_k, 0.0, math.inf, high_open=True, unit="K", unit_label="K")
    carnot_fraction = checked("carnot_fraction", carnot_fraction, 0.0, 1.0, low_open=True)
    return _heat_pump(heat_w, cold_temperature_k, lift_k, carnot_fraction)


_heat_pump = jax.jit(core.heat_pump)
