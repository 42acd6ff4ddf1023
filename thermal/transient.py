"""Eclipse thermal transient of one satellite's radiator, unit-aware public API.

Model (one lumped node at the radiator temperature T):

    C dT/dt = Q(t) + P(T, t) + A * absorbed(f(t)) - A * sides * eps * sigma * T^4

with Q the electronics' heat, f the illuminated fraction (scaling the Sun and albedo loads), P the heat pump's
compressor power (cold plate at T - lift, COP = carnot_fraction * (T - lift) / lift), and the chip at
T_chip = T - lift + Q * R. Integrated with backward Euler (Newton, monotone, L-stable) so that any step length is
stable; see ``thermal.core.implicit_substep``.

Optax-style use from a per-satellite scan (batch satellites with ``jax.vmap``, never a second batched copy):

    params = thermal.transient_params(area_m2=..., emissivity=..., heat_capacity_j_k=..., **environment)
    init, step = thermal.radiator_transient(params)
    state = init(radiator_temperature_k)
    state = step(state, illuminated_fraction, heat_w, dt_s)      # inside lax.scan
    state.min_radiator_k, state.max_radiator_k, state.min_chip_k, state.max_chip_k

or, for a whole series at once, ``thermal.transient_extremes(params, illuminated_fraction, heat_w, dt_s)``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from thermal import core
from thermal.constants import DEFAULT_CARNOT_FRACTION
from thermal.core import TransientParams, TransientState
from thermal.environment import check_environment, make_environment
from thermal.validation import check_parameters, checked, is_traced


class Transient(NamedTuple):
    """An (init, step) pair closed over one satellite's ``TransientParams``.

    ``init(radiator_temperature_k, heat_w=0.0) -> TransientState``;
    ``step(state, illuminated_fraction, heat_w, dt_s) -> TransientState``.
    """

    init: Callable
    step: Callable


class TransientResult(NamedTuple):
    """Extremes over a series (the states after each step of the recorded pass) and the final state (whose energy
    totals cover the recorded pass only)."""

    min_radiator_k: object
    max_radiator_k: object
    min_chip_k: object
    max_chip_k: object
    final_state: TransientState


def _positive(name, value, unit, label):
    return checked(name, value, 0.0, math.inf, low_open=True, high_open=True, unit=unit, unit_label=label)


def _non_negative(name, value, unit, label):
    return checked(name, value, 0.0, math.inf, high_open=True, unit=unit, unit_label=label)


def transient_params(
    area_m2,
    emissivity,
    heat_capacity_j_k,
    sides=2,
    thermal_resistance_k_w=0.0,
    lift_k=0.0,
    carnot_fraction=DEFAULT_CARNOT_FRACTION,
    **environment,
) -> TransientParams:
    """Validated ``TransientParams`` for one radiator (or a batch of them: arrays with a leading satellite axis).

    ``heat_capacity_j_k`` is mass * specific heat (``thermal.ALUMINIUM_SPECIFIC_HEAT_J_KG_K`` for aluminium
    panels). ``**environment``: as for ``radiator_temperature_k``; its Sun and albedo loads are those of full
    sunlight and are scaled by each step's illuminated fraction.
    """
    return TransientParams(
        area_m2=_positive("area_m2", area_m2, "m2", "m²"),
        emissivity=checked("emissivity", emissivity, 0.0, 1.0, low_open=True),
        heat_capacity_j_k=_positive("heat_capacity_j_k", heat_capacity_j_k, "J / K", "J/K"),
        sides=checked("sides", sides, 0.0, 2.0, low_open=True),
        thermal_resistance_k_w=_non_negative("thermal_resistance_k_w", thermal_resistance_k_w, "K / W", "K/W"),
        lift_k=_non_negative("lift_k", lift_k, "K", "K"),
        carnot_fraction=checked("carnot_fraction", carnot_fraction, 0.0, 1.0, low_open=True),
        environment=make_environment(environment),
    )


# One dispatch per eager call (the public step is also usable outside a scan, e.g. in a Python loop).
_init = jax.jit(core.transient_init)
_step = jax.jit(core.transient_step, static_argnums=5)


def _check_params(params: TransientParams) -> TransientParams:
    if not isinstance(params, TransientParams):
        raise TypeError(
            f"params: expected thermal.TransientParams (from thermal.transient_params), got {type(params).__name__}"
        )
    # Parameters built by hand or changed with equinox.tree_at skipped the checks at construction.
    check_parameters(params)
    check_environment(params.environment)
    return params


def _series_inputs(illuminated_fraction, heat_w, dt_s):
    illuminated_fraction = checked("illuminated_fraction", illuminated_fraction, 0.0, 1.0)
    heat_w = _non_negative("heat_w", heat_w, "W", "W")
    dt_s = _positive("dt_s", dt_s, "s", "s")
    return illuminated_fraction, heat_w, dt_s


def _check_cold_side(params: TransientParams, radiator_temperature_k):
    """A heat pump needs a cold side above 0 K: T_rad - lift > 0 (concrete values only)."""
    if is_traced(radiator_temperature_k) or is_traced(params.lift_k):
        return
    cold = np.asarray(radiator_temperature_k, dtype=float) - np.asarray(params.lift_k, dtype=float)
    if np.any(cold <= 0.0):
        raise ValueError(
            f"lift_k={float(np.max(np.asarray(params.lift_k))):g} K leaves no cold side: the "
            f"radiator at {float(np.min(np.asarray(radiator_temperature_k))):g} K minus the lift "
            "must stay above 0 K"
        )


def transient_init(params: TransientParams, radiator_temperature_k, heat_w=0.0) -> TransientState:
    """Initial state: radiator at ``radiator_temperature_k``, extremes empty (+inf / -inf), energy totals 0."""
    _check_params(params)
    radiator_temperature_k = _positive("radiator_temperature_k", radiator_temperature_k, "K", "K")
    heat_w = _non_negative("heat_w", heat_w, "W", "W")
    _check_cold_side(params, radiator_temperature_k)
    return _init(params, radiator_temperature_k, heat_w)


def transient_step(
    params: TransientParams, state: TransientState, illuminated_fraction, heat_w, dt_s, substeps: int = 1
) -> TransientState:
    """One step of ``dt_s`` seconds with inputs held constant (``substeps`` implicit sub-steps, a static int).

    Inside ``lax.scan`` everything is traced and nothing is checked here; call ``transient_params`` (checked)
    outside the scan.
    """
    illuminated_fraction, heat_w, dt_s = _series_inputs(illuminated_fraction, heat_w, dt_s)
    if not isinstance(substeps, int) or substeps < 1:
        raise ValueError(f"substeps={substeps!r} must be a positive int (a static number of sub-steps)")
    return _step(params, state, illuminated_fraction, heat_w, dt_s, substeps)


def radiator_transient(params: TransientParams, substeps: int = 1) -> Transient:
    """Optax-style ``(init, step)`` closed over ``params`` (checked once here)."""
    _check_params(params)
    if not isinstance(substeps, int) or substeps < 1:
        raise ValueError(f"substeps={substeps!r} must be a positive int (a static number of sub-steps)")

    def init(radiator_temperature_k, heat_w=0.0):
        return transient_init(params, radiator_temperature_k, heat_w)

    def step(state, illuminated_fraction, heat_w, dt_s):
        return transient_step(params, state, illuminated_fraction, heat_w, dt_s, substeps)

    return Transient(init, step)


def mean_load_temperature_k(params: TransientParams, illuminated_fraction, heat_w, dt_s):
    """Equilibrium radiator temperature for the time-averaged heat and illumination (a good start for a
    periodic series), including the compressor power of a heat pump by fixed-point iteration."""
    weights = dt_s / jnp.sum(dt_s)
    mean_fraction = jnp.sum(weights * illuminated_fraction)
    mean_heat = jnp.sum(weights * heat_w)
    p = params
    # Illumination scales only sun and albedo: fold it into those fields for the steady kernel.
    env = dataclasses.replace(p.environment, solar_absorptivity=p.environment.solar_absorptivity * mean_fraction)
    temperature = core.radiator_temperature_k(mean_heat, p.area_m2, p.emissivity, p.sides, env)
    for _ in range(4):
        power, _ = core.compressor_power_w(mean_heat, temperature, p.lift_k, p.carnot_fraction)
        temperature = core.radiator_temperature_k(mean_heat + power, p.area_m2, p.emissivity, p.sides, env)
    return temperature


def transient_extremes(
    params: TransientParams,
    illuminated_fraction,
    heat_w,
    dt_s,
    *,
    initial_temperature_k=None,
    warmup_passes: int = 0,
    substeps: int = 1,
) -> TransientResult:
    """Min/max radiator and chip temperatures over a time series for ONE satellite (vmap for many).

    ``illuminated_fraction``: shape (time,), in [0, 1]; ``heat_w`` and ``dt_s``: scalars or shape (time,);
    each step holds its inputs over its ``dt_s``.
    ``initial_temperature_k``: ``None`` (default) treats the series as ONE PERIOD of a repeating orbit and
    starts from its periodic state, found by two Newton shooting passes from the equilibrium at the time-averaged
    loads (three passes' work in all), so the extremes are those of the repeating orbit; give a temperature to
    start from it instead. ``warmup_passes`` (static): run the series this many extra times first and discard their
    extremes. ``substeps`` (static): implicit sub-steps per step, for accuracy when a step is longer than the
    radiator's time constant (stability never needs them).
    """
    _check_params(params)
    illuminated_fraction, heat_w, dt_s = _series_inputs(illuminated_fraction, heat_w, dt_s)
    fraction = jnp.asarray(illuminated_fraction)
    if fraction.ndim != 1 or fraction.shape[0] == 0:
        raise ValueError(
            f"illuminated_fraction: expected a non-empty 1-D series (time,), got shape "
            f"{fraction.shape}; batch satellites with jax.vmap"
        )
    heat = jnp.broadcast_to(jnp.asarray(heat_w), fraction.shape)
    dt = jnp.broadcast_to(jnp.asarray(dt_s), fraction.shape)
    if not isinstance(warmup_passes, int) or warmup_passes < 0:
        raise ValueError(f"warmup_passes={warmup_passes!r} must be an int >= 0")
    if not isinstance(substeps, int) or substeps < 1:
        raise ValueError(f"substeps={substeps!r} must be a positive int (a static number of sub-steps)")
    if initial_temperature_k is not None:
        initial_temperature_k = _positive("initial_temperature_k", initial_temperature_k, "K", "K")
        _check_cold_side(params, initial_temperature_k)
    final = _run_extremes(params, fraction, heat, dt, initial_temperature_k, warmup_passes, substeps)
    return TransientResult(final.min_radiator_k, final.max_radiator_k, final.min_chip_k, final.max_chip_k, final)


@partial(jax.jit, static_argnums=(5, 6))
def _run_extremes(params, fraction, heat, dt, initial_temperature_k, warmup_passes, substeps):
    # Jitted once per input structure and shape, so that eager calls do not retrace the scan every time.
    if initial_temperature_k is None:
        # Periodic start: Newton's method on T_end(T_start) = T_start from the mean-load equilibrium. The map is a
        # contraction with slope ~exp(-period / time constant) in (0, 1) and nearly linear: the first step leaves
        # ~1e-2 K, the second ~1e-6 K (tests), where a warm-up pass would only close the gap by that slope.
        start = mean_load_temperature_k(params, fraction, heat, dt)
        return core.run_passes(params, start, fraction, heat, dt, _PERIODIC_NEWTON_PASSES, warmup_passes, substeps)
    return core.run_passes(params, initial_temperature_k, fraction, heat, dt, 0, warmup_passes, substeps)


_PERIODIC_NEWTON_PASSES = 2


__all__ = [
    "Transient",
    "TransientParams",
    "TransientResult",
    "TransientState",
    "radiator_transient",
    "transient_extremes",
    "transient_init",
    "transient_params",
    "transient_step",
]
