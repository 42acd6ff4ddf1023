"""Steady radiator heat balance, unit-aware public API.

    q_net = sides * eps * sigma * T^4 - alpha_s * S * (sun_view_factor + albedo * F_E) - alpha_IR * E_IR * F_E

per m² of plate, with a 0 K sink. Inputs may be numbers, numpy/jax arrays (broadcast together) or astropy
Quantities (converted once here); outputs are jax arrays in the unit the function's name says. Concrete inputs
are validated eagerly; traced ones (under jit/grad/vmap) are left to the kernels' guards.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from thermal import core
from thermal.environment import make_environment
from thermal.validation import any_traced, checked

# The public functions validate, then call one jitted kernel: an eager call costs one dispatch (and one compilation
# per input shape) instead of one per primitive. Inside the caller's jit/grad/vmap these simply inline.
_absorbed = jax.jit(core.absorbed_w_m2)
_net_flux = jax.jit(core.net_flux_w_m2)
_area = jax.jit(core.radiator_area_m2)
_temperature_kernel = jax.jit(core.radiator_temperature_k)
_emitted = jax.jit(core.emitted_w_m2)


class RadiatorSizing(NamedTuple):
    """Result of ``size_radiator``: never raises for an infeasible case, flags it instead."""

    area_m2: object  # +inf where infeasible
    feasible: object  # bool: the plate rejects net heat at this temperature (net flux > 0)
    net_flux_w_m2: object
    emitted_w_m2: object
    absorbed_w_m2: object


def _common(emissivity, sides, environment):
    emissivity = checked("emissivity", emissivity, 0.0, 1.0, low_open=True)
    sides = checked("sides", sides, 0.0, 2.0, low_open=True)
    return emissivity, sides, make_environment(environment)


def _temperature(name, value):
    return checked(name, value, 0.0, math.inf, low_open=True, high_open=True, unit="K", unit_label="K")


def _heat(value):
    return checked("heat_w", value, 0.0, math.inf, high_open=True, unit="W", unit_label="W")


def absorbed_flux_w_m2(emissivity, illuminated_fraction=1.0, **environment):
    """Environmental heat absorbed per m² of plate (W/m²); ``illuminated_fraction`` scales sun and albedo."""
    emissivity, _, env = _common(emissivity, 1.0, environment)
    illuminated_fraction = checked("illuminated_fraction", illuminated_fraction, 0.0, 1.0)
    return _absorbed(env, emissivity, illuminated_fraction)


def net_flux_w_m2(temperature_k, emissivity, sides=2, **environment):
    """Net heat rejected per m² of plate at ``temperature_k`` (W/m²; negative means the plate is heated)."""
    temperature_k = _temperature("temperature_k", temperature_k)
    emissivity, sides, env = _common(emissivity, sides, environment)
    return _net_flux(temperature_k, emissivity, sides, env)


def size_radiator(heat_w, temperature_k, emissivity, sides=2, **environment) -> RadiatorSizing:
    """Area needed to reject ``heat_w`` at ``temperature_k``, with an explicit ``feasible`` flag.

    Infeasible (absorbed >= emitted at that temperature): ``area_m2 = +inf``, ``feasible = False``. Use this form
    inside ``jit``/``vmap`` where raising is impossible.
    """
    heat_w = _heat(heat_w)
    temperature_k = _temperature("temperature_k", temperature_k)
    emissivity, sides, env = _common(emissivity, sides, environment)
    return _sizing(heat_w, temperature_k, emissivity, sides, env)


@jax.jit
def _sizing(heat_w, temperature_k, emissivity, sides, env):
    area, feasible = core.radiator_area_m2(heat_w, temperature_k, emissivity, sides, env)
    emitted = core.emitted_w_m2(temperature_k, emissivity, sides)
    absorbed = jnp.broadcast_to(core.absorbed_w_m2(env, emissivity), jnp.shape(emitted))
    return RadiatorSizing(area, feasible, emitted - absorbed, emitted, absorbed)


def radiator_area_m2(heat_w, temperature_k, emissivity, sides=2, **environment):
    """Plate area (m²) that rejects ``heat_w`` at ``temperature_k``: A = Q / (sides eps sigma T^4 - absorbed).

    If the absorbed environmental load is at least what the plate emits at that temperature, no area works:
    concrete inputs raise ``ValueError``; traced inputs return +inf (use ``size_radiator`` for a flag).
    """
    heat_w = _heat(heat_w)
    temperature_k = _temperature("temperature_k", temperature_k)
    emissivity, sides, env = _common(emissivity, sides, environment)
    area, feasible = _area(heat_w, temperature_k, emissivity, sides, env)
    if not any_traced(heat_w, temperature_k, emissivity, sides, env) and not np.all(np.asarray(feasible)):
        emitted = np.broadcast_to(np.asarray(_emitted(temperature_k, emissivity, sides)), np.shape(feasible))
        absorbed = np.broadcast_to(np.asarray(_absorbed(env, emissivity)), np.shape(feasible))
        where = np.argwhere(~np.asarray(feasible))
        index = tuple(where[0]) if where.size else ()
        temperatures = np.broadcast_to(np.asarray(temperature_k, dtype=float), np.shape(feasible))
        raise ValueError(
            f"infeasible radiator: at temperature_k={temperatures[index]:g} K the plate emits "
            f"{emitted[index]:.6g} W/m² but absorbs {absorbed[index]:.6g} W/m² from the environment, so it cannot "
            "reject any heat; raise temperature_k or emissivity, or reduce the Sun/Earth loads "
            "(size_radiator returns area_m2=inf and feasible=False instead of raising)"
        )
    return area


def radiator_temperature_k(heat_w, area_m2, emissivity, sides=2, *, max_temperature_k=None, **environment):
    """Equilibrium plate temperature (K): T = ((Q/A + absorbed) / (sides eps sigma))^(1/4).

    ``max_temperature_k``: optional limit (e.g. what the coolant or the electronics allow). A radiator that can
    only reject the load above it is infeasible: concrete inputs raise ``ValueError``, traced inputs return +inf.
    """
    heat_w = _heat(heat_w)
    area_m2 = checked("area_m2", area_m2, 0.0, math.inf, low_open=True, high_open=True, unit="m2", unit_label="m²")
    emissivity, sides, env = _common(emissivity, sides, environment)
    temperature = _temperature_kernel(heat_w, area_m2, emissivity, sides, env)
    if max_temperature_k is None:
        return temperature
    limit = _temperature("max_temperature_k", max_temperature_k)
    too_hot = temperature > limit
    if not any_traced(heat_w, area_m2, emissivity, sides, env, limit) and np.any(np.asarray(too_hot)):
        hottest = float(np.max(np.asarray(temperature)))
        raise ValueError(
            f"infeasible radiator: it can reject heat_w only at {hottest:g} K, above "
            f"max_temperature_k={float(np.max(np.asarray(limit))):g} K; enlarge area_m2 or reduce "
            "the load"
        )
    return jnp.where(too_hot, jnp.inf, temperature)
