"""Heat pump between the electronics' cold plate and the radiator: COP a fixed fraction of Carnot's."""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp

# Below this cold-side temperature a heat pump's COP model is meaningless; the kernel clamps to keep it finite.
MIN_COLD_SIDE_K = 1.0


class HeatPump(NamedTuple):
    """Operating point of a heat pump lifting ``heat_w`` from a cold side to a radiator ``lift_k`` hotter."""

    hot_temperature_k: object  # radiator (condenser) side
    cop: object  # heat lifted per unit of electrical power; +inf at zero lift
    power_w: object  # electrical (compressor) power
    rejected_w: object  # heat the radiator must reject: heat_w + power_w


def heat_pump(heat_w, cold_temperature_k, lift_k, carnot_fraction):
    """COP = carnot_fraction * T_cold / lift; power = heat / COP; the radiator rejects heat + power.

    The power is written as heat * lift / (carnot_fraction * T_cold) so that zero lift (no heat pump) gives zero
    power with finite gradients; only the reported COP is infinite there.
    """
    cold = jnp.maximum(cold_temperature_k, MIN_COLD_SIDE_K)
    power = heat_w * lift_k / (carnot_fraction * cold)
    has_lift = lift_k > 0.0
    cop = jnp.where(has_lift, carnot_fraction * cold / jnp.where(has_lift, lift_k, 1.0), jnp.inf)
    return HeatPump(cold_temperature_k + lift_k, cop, power, heat_w + power)


def compressor_power_w(heat_w, radiator_temperature_k, lift_k, carnot_fraction):
    """Compressor power and its derivative with respect to the radiator temperature (cold side = T_rad - lift)."""
    cold = radiator_temperature_k - lift_k
    above = cold > MIN_COLD_SIDE_K
    safe_cold = jnp.where(above, cold, MIN_COLD_SIDE_K)
    power = heat_w * lift_k / (carnot_fraction * safe_cold)
    d_power = jnp.where(above, -power / safe_cold, 0.0)
    return power, d_power
