"""Steady heat balance of a radiator plate with a 0 K sink: emitted and absorbed flux, the area that rejects a
load at a temperature, and the equilibrium temperature of an area."""

from __future__ import annotations

import jax.numpy as jnp

from thermal.constants import STEFAN_BOLTZMANN_W_M2_K4
from thermal.core.environment import RadiatorEnvironment, ir_absorptivity_or_emissivity


def emitted_w_m2(temperature_k, emissivity, sides):
    """Power a plate radiates to a 0 K sink per m² of plate: sides * epsilon * sigma * T^4."""
    return sides * emissivity * STEFAN_BOLTZMANN_W_M2_K4 * temperature_k**4


def absorbed_w_m2(environment: RadiatorEnvironment, emissivity, illuminated_fraction=1.0):
    """Environmental power absorbed per m² of plate: direct sun + albedo + Earth IR.

    ``illuminated_fraction`` (0 in umbra, 1 in full sun) scales the direct sun and the albedo; the Earth's IR
    does not depend on where the satellite is in its orbit (to first order).
    """
    env = environment
    sunlight = (
        env.solar_absorptivity
        * env.solar_flux_w_m2
        * (env.sun_view_factor + env.albedo * env.earth_view_factor)
        * illuminated_fraction
    )
    earth_ir = ir_absorptivity_or_emissivity(env, emissivity) * env.earth_ir_w_m2 * env.earth_view_factor
    return sunlight + earth_ir


def net_flux_w_m2(temperature_k, emissivity, sides, environment: RadiatorEnvironment):
    """Net heat a plate at ``temperature_k`` rejects per m² of plate (negative: it heats up)."""
    return emitted_w_m2(temperature_k, emissivity, sides) - absorbed_w_m2(environment, emissivity)


def radiator_area_m2(heat_w, temperature_k, emissivity, sides, environment: RadiatorEnvironment):
    """(area_m2, feasible): A = Q / (sides eps sigma T^4 - absorbed); +inf where the net flux is not positive."""
    net = net_flux_w_m2(temperature_k, emissivity, sides, environment)
    feasible = net > 0.0
    safe_net = jnp.where(feasible, net, 1.0)
    return jnp.where(feasible, heat_w / safe_net, jnp.inf), feasible


def safe_fourth_root(x):
    """x^(1/4) for x >= 0 with a finite gradient everywhere (zero gradient at x = 0, where the true one is
    infinite; only a plate with no heat and no load in deep space reaches it)."""
    positive = x > 0.0
    return jnp.where(positive, jnp.where(positive, x, 1.0) ** 0.25, 0.0)


def radiator_temperature_k(heat_w, area_m2, emissivity, sides, environment: RadiatorEnvironment):
    """Equilibrium temperature: T = ((Q/A + absorbed) / (sides eps sigma))^(1/4)."""
    absorbed = absorbed_w_m2(environment, emissivity)
    return safe_fourth_root((heat_w / area_m2 + absorbed) / (sides * emissivity * STEFAN_BOLTZMANN_W_M2_K4))
