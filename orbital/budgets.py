"""Per-satellite power, battery and thermal budgets over a window, reduced on the fly.

For each chunk of time and block of satellites (``orbital.fleet_scan``): the illuminated fraction, the beta
angle's sine (array cosine for arrays fixed normal to the orbit plane) and the Sun-distance flux factor; then a
``lax.scan`` over tiles of the chunk's steps advances every satellite's battery (``orbital.core.power``) and
radiator (``thermal.core`` transient), each as its own one-number scan, with the flows and records computed for
the tile at once (``_budget_scan``). The carry holds the two models' own states side by side (``BudgetState``).
Only per-satellite running state crosses chunk boundaries, so memory stays bounded by ``block_sats x
chunk_steps`` whatever the window.

Each satellite may have its own age (array degradation) and the scan may stream one fleet-wide time series, the
weighted sum of the compute power every satellite delivers at each step (``series_weights``): each block adds its
sum to the chunk's total, so the series costs ``n_time`` numbers, never a (satellite, time) array.

The battery of each satellite is sized for the longest eclipse it meets in the window under the design's eclipse
policy (run a year-long window to size for the worst season), and its radiator for the peak heat at the design
temperature in its own Earth environment (``orbital.design.mass_breakdown``).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from pathlib import Path
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from launch.validation import any_traced, check_range
from orbital import design as design_module
from orbital.core import lighting as kernels
from orbital.core import orbits, power, stats
from orbital.core.constants import (
    EARTH_RADIUS_KM,
    SECONDS_PER_HOUR,
    SECONDS_PER_JULIAN_YEAR,
    WGS72_EARTH_RADIUS_KM,
)
from orbital.core.fusion import computed_once
from orbital.design import SatelliteDesign
from orbital.fleet import Fleet
from orbital.fleet_scan import (
    DEFAULT_CHUNK_STEPS,
    Chunk,
    FleetScan,
    check_fleet,
    load_checkpoint,
    pad,
    put_sats,
    remove_checkpoint,
    restore_states,
    save_checkpoint,
    window_chunk_steps,
    working_dtype,
)
from orbital.lighting import STATISTICS, IlluminationStats, first_step_fraction, folded_statistics, illumination
from orbital.timescales import uniform_grid
from thermal import core as thermal_core
from thermal.constants import STEFAN_BOLTZMANN_W_M2_K4
from thermal.core.transient import newton_radiator_k

# What the results read of each model's records: every carried field is one more loop over the block's
# satellites in each compiled step, so the budget keeps no other record (``init(..., records)``).
POWER_RECORDS = ("min_battery_wh", "array_wh", "load_wh", "compute_wh", "loss_wh", "curtailed_wh")
THERMAL_RECORDS = ("min_radiator_k", "max_radiator_k", "max_chip_k")
# Part of the budget's run key: checkpoints of another layout of the saved state are refused, never misread.
STATE_LAYOUT = "BudgetState(power, thermal) records v2"


# --- the composed time step ------------------------------------------------------------------------------
class BudgetParams(eqx.Module):
    """One block's constants: the power system's and the radiator loop's, each (block,) arrays; with per-satellite
    ages, ``array_retained`` (block,) is the share of array output each satellite's age at the window start leaves,
    (1 - degradation)^age (the steps' own ageing through the window stays in the per-step age)."""

    power: power.PowerParams
    thermal: thermal_core.TransientParams
    array_retained: object = None


class BudgetState(NamedTuple):
    """The budget scan's carry: the power and the thermal models' own states, side by side; when the budget folds
    the window's illumination statistics itself (batteries sized in advance: one pass), their running state too."""

    power: power.PowerState
    thermal: thermal_core.TransientState
    illumination: stats.IlluminationState | None = None


def budget_init(params: BudgetParams, radiator_temperature_k, heat_w) -> BudgetState:
    """Full batteries, radiators at ``radiator_temperature_k``; only the records the results read."""
    return BudgetState(
        power.init(params.power, POWER_RECORDS),
        thermal_core.transient_init(params.thermal, radiator_temperature_k, heat_w, THERMAL_RECORDS),
    )


_thermal_step = jax.vmap(thermal_core.transient_step_no_heat_pump, in_axes=(0, 0, 0, 0, None))


def budget_step(params: BudgetParams, state: BudgetState, illuminated, sin_beta, flux_factor, age_years, dt_s, one):
    """One step of every satellite of a block: arrays, then the battery (power's flows and apply), then the
    radiator heated by the power dissipated on board. The per-step formulation that the tiled scan below
    (``_budget_scan``) must reproduce; ``reference_circular_chunk`` scans it.

    ``one`` is a 1 shaped like the satellites' values that XLA cannot see through: the flows, read by the battery,
    the records and the heat, are marked as computed once (``orbital.core.fusion``)."""
    return _step_and_flows(params, state, illuminated, sin_beta, flux_factor, age_years, dt_s, one)[0]


def _array_w(params: BudgetParams, illuminated, flux_factor, sin_beta, age_years):
    array_w = power.array_power_w(params.power, illuminated, flux_factor, sin_beta, age_years)
    return array_w if params.array_retained is None else array_w * params.array_retained


def _step_and_flows(params: BudgetParams, state: BudgetState, illuminated, sin_beta, flux_factor, age_years, dt_s, one):
    """``budget_step``'s new state and the step's power flows."""
    array_w = _array_w(params, illuminated, flux_factor, sin_beta, age_years)
    flow = power.PowerFlows(*computed_once(one, *power.flows(params.power, state.power, array_w, illuminated, dt_s)))
    new_state = BudgetState(
        power.apply(params.power, state.power, flow, dt_s),
        _thermal_step(params.thermal, state.thermal, illuminated, power.heat_w(flow), dt_s),
    )
    return new_state, flow


def _per_step_scan(
    state: BudgetState, params: BudgetParams, terms_at, steps, flux_factor, age_years, valid, step_s, series_weights
):
    """``budget_step`` scanned over a chunk, every record folded at every step; with ``series_weights`` also the
    (chunk,) weighted sum of the compute power delivered at each step."""

    def body(state: BudgetState, inputs):
        x, flux, age, keep = inputs
        one = jnp.sign(state.thermal.radiator_temperature_k)
        illuminated, sin_beta = computed_once(one, *terms_at(x))
        new_state, flow = _step_and_flows(params, state, illuminated, sin_beta, flux, age, step_s, one)
        total = None if series_weights is None else jnp.where(keep, jnp.sum(series_weights * flow.compute_w), 0.0)
        return jax.tree.map(lambda new, old: jnp.where(keep, new, old), new_state, state), total

    state, series = lax.scan(body, state, (steps, flux_factor, age_years, valid))
    return state if series_weights is None else (state, series)


# Instants one scan step computes together, as (tile, block) arrays (measured on the 2-core CPU: 16 and 32 alike,
# 8 twice as slow).
TILE_STEPS = 16


def _budget_scan(
    state: BudgetState,
    params: BudgetParams,
    terms_at,
    steps,
    flux_factor,
    age_years,
    valid,
    step_s,
    with_sin_beta,
    series_weights=None,
    day_index=None,
):
    """Scan one chunk: ``terms_at(x)`` gives the (sat,) fraction and sin beta of one instant from the slice ``x``
    of ``steps``; equal to ``_per_step_scan`` up to rounding.

    Only two numbers per satellite are sequential: the battery's stored energy and the radiator's temperature.
    Everything else is computed for a tile of instants at once, as (tile, block) arrays. For each tile:

    1. the geometry, the array power and the battery's unclipped change (``power.unclipped_change_wh``: it does
       not depend on the battery);
    2. a scan of one carried number, the stored energy, clipped to [floor, capacity] at each instant: the same
       trajectory as the per-step flows, because those charge at most the headroom and draw at most to the floor;
    3. every power flow from the stored energy before each instant, with the tile's sums, lowest battery and
       heat, as wide element-wise passes;
    4. a scan of the radiator temperature heated by the tile's heat (the implicit step's Newton solve), then its
       extremes and the hottest chip over the tile.

    On the CPU each value a scan step returns is its own loop over the block, so the sequential loops carry one
    number each and the rest runs as a few passes per tile (the per-step formulation ran about 11 loops a step).
    ``with_sin_beta`` False (sun-tracking arrays, whose cosine is 1 whatever the beta angle) leaves sin beta out.
    ``series_weights`` (block,), zero for padded satellites: the result is then ``(state, (chunk,) series)``, the
    weighted sum of the compute power the block's satellites deliver at each step. A ``state`` that carries
    illumination statistics has them folded from the tile's fractions (``orbital.core.stats``, ``day_index`` the
    chunk's UTC day of each step): the same statistics as ``orbital.illumination``, from the same geometry.
    """
    p, th = params.power, params.thermal
    hours = step_s / SECONDS_PER_HOUR
    n_steps = valid.shape[0]
    n_tiles = -(-n_steps // TILE_STEPS)
    missing = n_tiles * TILE_STEPS - n_steps

    def tiled(x, fill=None):
        if missing:
            pad_rows = jnp.repeat(x[-1:], missing, axis=0) if fill is None else jnp.full((missing,) + x.shape[1:], fill)
            x = jnp.concatenate([x, pad_rows.astype(x.dtype)])
        return x.reshape((n_tiles, TILE_STEPS) + x.shape[1:])

    floor_wh, capacity_wh = power.floor_wh(p), p.battery_capacity_wh
    # The radiator's per-satellite constants, computed once: each array a sequential step reads is one more
    # stream through memory at every instant (newton_substep computes the same from the params).
    radiating_w_k4 = th.area_m2 * th.sides * th.emissivity * STEFAN_BOLTZMANN_W_M2_K4
    capacity_w_k = th.heat_capacity_j_k / step_s

    def battery_step(battery_wh, change_wh):
        # Each instant's stored energy before its step is what the flows read; returning it (not the energy after)
        # spares a shifted copy of the tile.
        return jnp.clip(battery_wh + change_wh, floor_wh, capacity_wh), battery_wh

    def radiator_step(radiator_k, row):
        load_w, keep = row
        after = jnp.where(keep, newton_radiator_k(radiator_k, load_w, radiating_w_k4, capacity_w_k)[0], radiator_k)
        return after, after

    fold_illumination = state.illumination is not None

    def body(carry, tile):
        x, flux, age, keep, days = tile
        sums, battery_in_wh, min_battery_wh, radiator_k, min_radiator_k, max_radiator_k, max_chip_k, lit = carry
        illuminated, sin_beta = jax.vmap(terms_at)(x)
        if not with_sin_beta:
            sin_beta = jnp.zeros_like(illuminated)
        array_w = _array_w(params, illuminated, flux[:, None], sin_beta, age[:, None])
        # Read by every pass below: computed once, not again in each (orbital.core.fusion).
        array_w, illuminated = computed_once(jnp.sign(array_w + 1.0), array_w, illuminated)
        kept = keep[:, None]
        change_wh = jnp.where(kept, power.unclipped_change_wh(p, array_w, illuminated, step_s), 0.0)
        battery_wh, before_wh = lax.scan(battery_step, battery_in_wh, change_wh)
        before = power.PowerState(before_wh, *_NO_RECORDS)
        flow = power.flows(p, before, array_w, illuminated, step_s)
        heat_w = power.heat_w(flow)
        absorbed_w = th.area_m2 * thermal_core.absorbed_w_m2(th.environment, th.emissivity, illuminated)
        radiator_load_w = heat_w + absorbed_w
        radiator_k, radiator_after_k = lax.scan(radiator_step, radiator_k, (radiator_load_w, keep))
        # The load is not summed: the chunk's energy balance gives it (below), one pass over the tile fewer.
        increments = (flow.array_w, flow.compute_w, flow.loss_w, flow.curtailed_w)
        sums = tuple(total + _tile_fold(jnp.add, jnp.where(kept, w * hours, 0.0)) for total, w in zip(sums, increments))
        # A padded instant leaves the battery and radiator as they were, so folding it changes no extreme.
        # The heat read back from the radiator's stored load: the flows are not computed again for it.
        chip_k = jnp.where(
            kept, radiator_after_k + (radiator_load_w - absorbed_w) * th.thermal_resistance_k_w, -jnp.inf
        )
        if fold_illumination:
            for k in range(TILE_STEPS):
                lit = stats.step(lit, illuminated[k], days[k], keep[k])
        carry = (
            sums,
            battery_wh,
            # The lowest energy after each instant: the energies before them (the first is already in the record:
            # the previous tile's last, or the full battery the record starts from) and the last one after.
            jnp.minimum(jnp.minimum(min_battery_wh, _tile_fold(jnp.minimum, before_wh)), battery_wh),
            radiator_k,
            jnp.minimum(min_radiator_k, _tile_fold(jnp.minimum, radiator_after_k)),
            jnp.maximum(max_radiator_k, _tile_fold(jnp.maximum, radiator_after_k)),
            jnp.maximum(max_chip_k, _tile_fold(jnp.maximum, chip_k)),
            lit,
        )
        fleet_w = None if series_weights is None else jnp.where(keep, flow.compute_w @ series_weights, 0.0)
        return carry, fleet_w

    energy, thermal = state.power, state.thermal
    # The chunk's sunlit sum starts from zero and is added once, as in orbital.illumination (float32 rounding).
    lit = (
        state.illumination._replace(sunlit_sum=jnp.zeros_like(state.illumination.sunlit_sum))
        if fold_illumination
        else None
    )
    start = (
        (
            jnp.zeros_like(energy.array_wh),
            jnp.zeros_like(energy.compute_wh),
            jnp.zeros_like(energy.loss_wh),
            jnp.zeros_like(energy.curtailed_wh),
        ),
        energy.battery_wh,
        energy.min_battery_wh,
        thermal.radiator_temperature_k,
        thermal.min_radiator_k,
        thermal.max_radiator_k,
        thermal.max_chip_k,
        lit,
    )
    days = tiled(day_index) if fold_illumination else jnp.zeros((n_tiles, TILE_STEPS), jnp.int32)
    tiles = (jax.tree.map(tiled, steps), tiled(flux_factor), tiled(age_years), tiled(valid, False), days)
    carry, fleet_w = lax.scan(body, start, tiles)
    sums, battery_wh, min_battery_wh, radiator_k, min_radiator_k, max_radiator_k, max_chip_k, lit = carry
    array_wh, compute_wh, loss_wh, curtailed_wh = sums
    # The chunk's energy balance (orbital.core.power): array = load + stored + loss + curtailed, summed over its
    # steps; padded steps add nothing to any term.
    load_wh = array_wh - loss_wh - curtailed_wh - (battery_wh - energy.battery_wh)
    if fold_illumination:
        lit = lit._replace(sunlit_sum=state.illumination.sunlit_sum + lit.sunlit_sum)
    new_state = BudgetState(
        energy._replace(
            battery_wh=battery_wh,
            min_battery_wh=min_battery_wh,
            # The chunk's energies are summed from zero and added once: float32 then rounds like a chunk-sized
            # sum rather than a window-sized one.
            array_wh=energy.array_wh + array_wh,
            load_wh=energy.load_wh + load_wh,
            compute_wh=energy.compute_wh + compute_wh,
            loss_wh=energy.loss_wh + loss_wh,
            curtailed_wh=energy.curtailed_wh + curtailed_wh,
        ),
        thermal._replace(
            radiator_temperature_k=radiator_k,
            min_radiator_k=min_radiator_k,
            max_radiator_k=max_radiator_k,
            max_chip_k=max_chip_k,
        ),
        lit,
    )
    return new_state if series_weights is None else (new_state, fleet_w.reshape(-1)[:n_steps])


def _tile_fold(combine, x):
    """``x`` (tile, block) folded over the tile by ``combine``, as a tree of row operations: one loop that
    computes its rows' producers in place (a reduction would read them from a stored (tile, block) array)."""
    rows = list(x)
    while len(rows) > 1:
        rows = [combine(*rows[i : i + 2]) if i + 1 < len(rows) else rows[i] for i in range(0, len(rows), 2)]
    return rows[0]


# The records of a PowerState that the flows do not read.
_NO_RECORDS = (None,) * (len(power.PowerState._fields) - 1)


def _circular_inputs(elements, dt_s, sun_epoch_angles):
    """(terms_at, steps, flux factor) of a circular block's chunk: the geometry runs inside the scan."""
    sun_unit, cones = kernels.sun_geometry(sun_epoch_angles, dt_s)
    plane = orbits.plane_terms(elements)
    return (
        lambda instant: kernels.sun_terms_now(plane, instant),
        (dt_s, sun_unit, cones),
        kernels.flux_factor(sun_epoch_angles, dt_s),
    )


@functools.partial(jax.jit, static_argnames="with_sin_beta")
def _circular_budget_chunk(
    state,
    params,
    elements,
    dt_s,
    sun_epoch_angles,
    age_years,
    valid,
    step_s,
    with_sin_beta=True,
    series_weights=None,
    day_index=None,
):
    """A chunk of a circular fleet: the geometry runs inside the power and thermal scan (no (time, sat) array
    beyond a tile). With ``series_weights``: ``(state, (chunk,) weighted compute power)``."""
    terms_at, steps, flux = _circular_inputs(elements, dt_s, sun_epoch_angles)
    return _budget_scan(
        state, params, terms_at, steps, flux, age_years, valid, step_s, with_sin_beta, series_weights, day_index
    )


@functools.partial(jax.jit, static_argnames="with_sin_beta")
def reference_circular_chunk(
    state, params, elements, dt_s, sun_epoch_angles, age_years, valid, step_s, with_sin_beta=True, series_weights=None
):
    """``_circular_budget_chunk`` by the per-step formulation (``budget_step`` at every step, every record
    folded at once): the reference the tiled scan is tested against (sin beta always computed)."""
    terms_at, steps, flux = _circular_inputs(elements, dt_s, sun_epoch_angles)
    return _per_step_scan(state, params, terms_at, steps, flux, age_years, valid, step_s, series_weights)


_jit_vector_sun_terms = jax.jit(kernels.vector_sun_terms)


@jax.jit
def _vector_budget_chunk(
    state,
    params,
    fraction,
    sin_beta,
    dt_s,
    sun_epoch_angles,
    age_years,
    valid,
    step_s,
    series_weights=None,
    day_index=None,
):
    """A chunk of an SGP4 fleet from its precomputed (time, sat) terms (a separate compiled call: fused, XLA would
    recompute the fraction in every consumer)."""
    return _budget_scan(
        state,
        params,
        lambda row: row,
        (fraction, sin_beta),
        kernels.flux_factor(sun_epoch_angles, dt_s),
        age_years,
        valid,
        step_s,
        True,
        series_weights,
        day_index,
    )


@jax.jit
def reference_vector_chunk(
    state, params, fraction, sin_beta, dt_s, sun_epoch_angles, age_years, valid, step_s, series_weights=None
):
    """``_vector_budget_chunk`` by the per-step formulation: the reference the tiled scan is tested against."""
    return _per_step_scan(
        state,
        params,
        lambda row: row,
        (fraction, sin_beta),
        kernels.flux_factor(sun_epoch_angles, dt_s),
        age_years,
        valid,
        step_s,
        series_weights,
    )


# --- public API ------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Budget:
    """Per-satellite budgets over a window (arrays of shape (sat,); energies in kWh)."""

    names: np.ndarray
    shell_index: np.ndarray
    shell_names: list
    illumination: IlluminationStats
    array_energy_kwh: object
    energy_delivered_kwh: object  # to loads: bus + compute
    compute_energy_kwh: object
    compute_availability: object  # compute delivered / compute_power_w over the window
    loss_kwh: object  # battery conversion losses
    curtailed_kwh: object  # array energy neither loads nor a full battery could take
    battery_change_kwh: object
    worst_eclipse_min: np.ndarray
    battery_capacity_wh: object
    battery_depth_reached: object  # deepest discharge / capacity (the design allows battery_depth_of_discharge)
    min_radiator_k: object
    max_radiator_k: object
    max_chip_k: object
    thermal_ok: object  # max chip temperature within the design's limit
    array_area_m2: object
    radiator_area_m2: object
    array_power_bol_w: object  # at 1 AU, normal incidence, full sun
    array_power_eol_w: object  # the same after design_life_years of degradation
    mass_kg: object
    kw_per_tonne: object
    # (n_time,) W at each step of the window: sum over satellites of series_weights x compute power delivered;
    # None without series_weights. Not a per-satellite column.
    fleet_compute_w: object = None

    def to_dataframe(self):
        import pandas as pd

        columns = {
            f.name: np.asarray(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in ("names", "shell_index", "shell_names", "illumination", "fleet_compute_w")
        }
        frame = pd.DataFrame(
            {
                "name": self.names,
                "shell": np.asarray(self.shell_names, dtype=object)[self.shell_index],
                "sunlit_fraction": self.illumination.sunlit_fraction,
                **columns,
            }
        )
        return frame


def budget(
    fleet: Fleet,
    design: SatelliteDesign,
    start,
    days: float,
    step_s: float = 60.0,
    *,
    age_years=0.0,
    series_weights=None,
    worst_eclipse_min=None,
    dtype=None,
    block_sats: int | None = None,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
    mesh=None,
    progress=None,
    checkpoint: str | Path | None = None,
) -> Budget:
    """Power, battery and thermal budgets of every satellite of ``fleet`` flying ``design`` over a window.

    ``age_years``: the satellites' age at ``start`` (array degradation), one number for all or one per satellite,
    shape (n_sat,). ``series_weights`` (n_sat,), non-negative: the result's ``fleet_compute_w`` is then the
    (n_time,) series of the weighted sum of the compute power the satellites deliver at each step (W), summed
    block by block inside the scan (weights of 1: the fleet's delivered compute; a subsample's weights: its
    estimate). ``design`` may hold traced values: the budget is then differentiable with respect to every design
    input (``jax.grad`` of any output).
    ``worst_eclipse_min``: the eclipse each satellite's battery is sized for (minutes), one number for all or one
    per satellite, shape (n_sat,); for example the worst eclipse of the plan's geometry, which sizes the plan's
    batteries. The budget is then one pass over the window, which folds the result's illumination statistics from
    its own geometry. Default (None): each battery is sized for the longest eclipse its satellite meets in the
    window, found by an illumination pass before the budget pass.
    ``block_sats`` (default: ``orbital.fleet_scan.default_block_sats(fleet.kind, "budget")``), ``chunk_steps``
    and ``mesh`` (a one-axis ``jax.sharding.Mesh``; default: every device) lay the run out as for
    ``orbital.illumination``. ``progress(done_steps, total_steps)`` is called after each time chunk of the budget
    pass. ``checkpoint`` (a file path): the running state is saved atomically after each time chunk, of the sizing
    illumination pass (in ``<checkpoint>.illumination``) and of the budget pass; the same call after an
    interruption resumes from the last completed chunk; the files are removed when the run completes.
    """
    if not isinstance(design, SatelliteDesign):
        raise TypeError(f"design: expected orbital.SatelliteDesign, got {type(design).__name__}")
    check_fleet(fleet)
    age_years = _per_satellite("age_years", age_years, len(fleet), 0.0, 100.0, "yr", scalar_ok=True)
    if series_weights is not None:
        series_weights = _per_satellite("series_weights", series_weights, len(fleet), 0.0, np.inf, "")
    if worst_eclipse_min is not None:
        worst_eclipse_min = np.broadcast_to(
            _per_satellite("worst_eclipse_min", worst_eclipse_min, len(fleet), 0.0, 1e4, "min", scalar_ok=True),
            (len(fleet),),
        ).astype(float)
    dtype = working_dtype(dtype)
    grid = uniform_grid("start", start, float(days), float(step_s))
    scan = FleetScan.plan(
        fleet,
        grid,
        chunk=window_chunk_steps(grid.offsets_s.size, chunk_steps, step_s),
        dtype=dtype,
        mesh=mesh,
        block_sats=block_sats,
        scan="budget",
    )
    checkpoint, run_key, saved = _open_checkpoint(
        checkpoint, scan, design, age_years, series_weights, worst_eclipse_min
    )
    lit = None  # with the batteries sized in advance, the budget pass folds the statistics itself
    # Under a trace (jit, grad or vmap over designs) the statistics stay concrete: an eager illumination pass.
    if worst_eclipse_min is None or any_traced(design, age_years, series_weights):
        # The sizing illumination pass takes its own default block (block_sats=None).
        lit = _sizing_illumination(scan, start, days, step_s, block_sats, chunk_steps, checkpoint, saved)
    if worst_eclipse_min is None:
        worst_eclipse_min = np.nan_to_num(lit.max_eclipse_min)
    sizing = _size_fleet(fleet, design, worst_eclipse_min, dtype)
    # Per-satellite ages: each satellite's degradation at the start is a constant of its block; the steps then add
    # the window's own ageing, as for one age. One age keeps it all in the steps (exactly as before).
    per_satellite_age = np.ndim(age_years) == 1
    retained = (1.0 - sizing.design.array_degradation_per_year) ** age_years if per_satellite_age else None
    params = {
        s0: _block_params(sizing, s0, scan.block_stop(s0), scan.block, dtype, retained) for s0 in scan.block_starts()
    }
    weights = None
    if series_weights is not None:
        weights = {
            s0: _block_weights(series_weights, s0, scan.block_stop(s0), scan.block, scan) for s0 in scan.block_starts()
        }
    states, series, failed = _run_budget_pass(
        scan,
        params,
        lit,
        0.0 if per_satellite_age else age_years,
        step_s,
        _needs_sin_beta(design),
        progress,
        checkpoint,
        run_key,
        saved,
        weights,
    )
    if lit is None:
        lit = folded_statistics(
            fleet,
            scan.gather({s0: state.illumination for s0, state in states.items()}),
            failed,
            start,
            days,
            step_s,
            scan.n_time,
        )
        states = {s0: state._replace(illumination=None) for s0, state in states.items()}
    totals = jax.tree.map(jnp.asarray, scan.gather(states))
    return _assemble(fleet, lit, sizing, totals, scan.n_time, step_s, series)


def _per_satellite(name: str, value, n_sat: int, low: float, high: float, unit: str, scalar_ok: bool = False):
    """``value`` checked: one number (when ``scalar_ok``) or one finite value in [low, high] per satellite."""
    shape = np.shape(value)
    if not (shape == (n_sat,) or (scalar_ok and shape == ())):
        allowed = f"one number or one value per satellite, shape ({n_sat},)" if scalar_ok else f"shape ({n_sat},)"
        raise ValueError(f"{name}: got shape {shape}; expected {allowed}")
    check_range(name, value, low, high, unit=unit)
    if any_traced(value):
        return value
    return float(value) if shape == () else np.asarray(value, dtype=float)


def _block_weights(weights, s0: int, s1: int, block: int, scan: FleetScan):
    """The series weights of the block ``s0:s1``, zero for the padding (repeated satellites must not count)."""
    part = weights[s0:s1]
    if not any_traced(part):
        padded = np.zeros(block)
        padded[: s1 - s0] = part
        return put_sats(padded, scan.mesh, scan.dtype)
    return jnp.concatenate([part, jnp.zeros(block - (s1 - s0), part.dtype)]).astype(scan.dtype)


# --- the steps of budget() -------------------------------------------------------------------------------
def _budget_run_key(scan: FleetScan, design, age_years, series_weights=None, worst_eclipse_min=None) -> str:
    """The illumination run's fingerprint extended by every design input, the age(s), the series weights, the
    batteries' sizing eclipses when given and the state's layout."""
    inputs = [np.asarray(value).tolist() for value in jax.tree.leaves(design)]
    if np.ndim(age_years) == 0:
        inputs.append(float(age_years))
    else:
        inputs.append(hashlib.sha256(np.ascontiguousarray(age_years, dtype=float).tobytes()).hexdigest())
    if series_weights is not None:
        inputs.append(hashlib.sha256(np.ascontiguousarray(series_weights, dtype=float).tobytes()).hexdigest())
    if worst_eclipse_min is not None:
        inputs.append(
            ("worst_eclipse_min", hashlib.sha256(np.ascontiguousarray(worst_eclipse_min).tobytes()).hexdigest())
        )
    return hashlib.sha256((scan.run_key() + repr(inputs) + STATE_LAYOUT).encode()).hexdigest()


def _open_checkpoint(checkpoint, scan: FleetScan, design, age_years, series_weights=None, worst_eclipse_min=None):
    """(path, run key, saved checkpoint or None); (None, None, None) without a checkpoint."""
    if checkpoint is None:
        return None, None, None
    if any_traced(design, age_years, series_weights):
        raise ValueError(
            "checkpoint: a budget traced by jit, grad or vmap cannot be checkpointed; pass "
            "checkpoint=None there, or call budget() with concrete design values"
        )
    checkpoint = Path(checkpoint)
    run_key = _budget_run_key(scan, design, age_years, series_weights, worst_eclipse_min)
    return checkpoint, run_key, load_checkpoint(checkpoint, run_key)


def _sizing_illumination(scan: FleetScan, start, days, step_s, block_sats, chunk_steps, checkpoint, saved):
    """The illumination statistics that size each satellite's battery: from the budget's checkpoint when it holds
    them, else from an illumination pass (checkpointed in ``<checkpoint>.illumination``)."""
    fleet = scan.fleet
    if saved is not None:
        extra = saved[2]
        return IlluminationStats(
            fleet.names,
            fleet.shell_index,
            fleet.shell_names,
            *(extra[name] for name in STATISTICS),
            str(start),
            float(days),
            float(step_s),
            scan.n_time,
        )
    # The illumination pass does not depend on the design: evaluate it eagerly even when budget() is being
    # traced (jit, vmap or grad over designs), so its statistics stay concrete numbers.
    with jax.ensure_compile_time_eval():
        return illumination(
            fleet,
            start,
            days,
            step_s,
            dtype=scan.dtype,
            block_sats=block_sats,
            chunk_steps=chunk_steps,
            mesh=scan.mesh,
            checkpoint=None if checkpoint is None else checkpoint.with_name(checkpoint.name + ".illumination"),
        )


def _altitudes_km(fleet: Fleet) -> np.ndarray:
    if fleet.kind == "circular":
        return np.asarray(fleet.elements.semi_major_axis_km) - EARTH_RADIUS_KM
    return np.array([s.a * WGS72_EARTH_RADIUS_KM for s in fleet.satrecs]) - EARTH_RADIUS_KM


class FleetSizing(NamedTuple):
    """The design in the working dtype and, per satellite, its mass roll-up and radiator environment."""

    design: SatelliteDesign
    mass: design_module.MassBreakdown
    environment: thermal_core.RadiatorEnvironment
    worst_eclipse_min: np.ndarray


def _size_fleet(fleet: Fleet, design: SatelliteDesign, worst_eclipse_min: np.ndarray, dtype) -> FleetSizing:
    """Battery for each satellite's ``worst_eclipse_min`` (sat,), radiator for its altitude's Earth environment."""
    altitude_km = _altitudes_km(fleet)
    cast = (lambda x: jnp.asarray(x, dtype)) if not any_traced(design) else (lambda x: x)
    design_w = jax.tree.map(cast, design)
    mass, environment = _roll_up_per_satellite(
        design_w, jnp.asarray(worst_eclipse_min, dtype), jnp.asarray(altitude_km, dtype)
    )
    _check_radiator_rejects_heat(design, design_w, mass, environment)
    return FleetSizing(design_w, mass, environment, worst_eclipse_min)


@jax.jit
def _roll_up_per_satellite(design: SatelliteDesign, worst_eclipse_min, altitude_km):
    """Each satellite's mass roll-up and radiator environment, compiled as one call (op by op, the roll-up of
    20,000 satellites took as long as their illumination pass)."""
    mass = jax.vmap(design_module.mass_breakdown, in_axes=(None, 0, 0))(design, worst_eclipse_min, altitude_km)
    environment = jax.vmap(design_module.radiator_environment, in_axes=(None, 0))(design, altitude_km)
    return mass, environment


def _check_radiator_rejects_heat(design, design_w, mass, environment):
    """Raise when some satellite's radiator cannot reject any heat at the design temperature (concrete only)."""
    if any_traced(mass.radiator_area_m2):
        return
    infeasible = ~np.isfinite(np.asarray(mass.radiator_area_m2))
    if not np.any(infeasible):
        return
    absorbed = np.asarray(
        jax.vmap(thermal_core.absorbed_w_m2, in_axes=(0, None))(environment, design_w.radiator_emissivity)
    )[infeasible][0]
    emitted = float(
        thermal_core.emitted_w_m2(
            design_w.radiator_temperature_k, design_w.radiator_emissivity, design_w.radiator_sides
        )
    )
    raise ValueError(
        f"radiator_temperature_k={float(design.radiator_temperature_k):g} K: the radiator cannot reject any "
        f"heat at that temperature (it emits {emitted:.1f} W/m^2 "
        f"but absorbs {absorbed:.1f} W/m^2 from the Earth); raise the temperature or lower the absorptivity"
    )


def _block_params(sizing: FleetSizing, s0: int, s1: int, block: int, dtype, array_retained=None) -> BudgetParams:
    """The constants of the block of satellites ``s0:s1``, padded to ``block`` by repeating its last satellite;
    ``array_retained`` (n_sat,): each satellite's share of array output left by its age at the start, or None."""
    take = np.minimum(np.arange(block) + s0, s1 - 1)
    retained = None if array_retained is None else jnp.asarray(array_retained, dtype)
    return _gather_block_params(sizing.design, sizing.mass, sizing.environment, jnp.asarray(take), retained)


@jax.jit
def _gather_block_params(design: SatelliteDesign, mass, environment, take, array_retained) -> BudgetParams:
    """``_block_params`` compiled as one call: the satellites ``take`` of the fleet's roll-up."""

    def per_sat(x):
        return x[take]

    power_params = power.PowerParams(
        array_area_m2=per_sat(mass.array_area_m2),
        array_power_w_m2=design.array_power_w_m2,
        degradation_per_year=design.array_degradation_per_year,
        tracks_sun=design.array_tracks_sun,
        bus_power_w=design.bus_power_w,
        compute_power_w=design.compute_power_w,
        eclipse_compute_fraction=design.eclipse_compute_fraction,
        battery_capacity_wh=per_sat(mass.battery_capacity_wh),
        depth_of_discharge=design.battery_depth_of_discharge,
        one_way_efficiency=jnp.sqrt(design.battery_round_trip_efficiency),
    )
    radiator_area = per_sat(mass.radiator_area_m2)
    thermal_params = jax.tree.map(
        lambda x: jnp.broadcast_to(x, take.shape),
        thermal_core.TransientParams(
            area_m2=radiator_area,
            emissivity=design.radiator_emissivity,
            heat_capacity_j_k=design.radiator_heat_capacity_j_k_m2 * radiator_area,
            sides=design.radiator_sides,
            thermal_resistance_k_w=design.chip_to_radiator_k_w,
            lift_k=jnp.zeros((), radiator_area.dtype),
            carnot_fraction=jnp.ones((), radiator_area.dtype),
            environment=jax.tree.map(per_sat, environment),
        ),
    )
    retained = None if array_retained is None else per_sat(array_retained)
    return BudgetParams(power_params, thermal_params, retained)


def _initial_state(params: BudgetParams, chunk: Chunk, scan: FleetScan, fold_illumination: bool) -> BudgetState:
    """Full batteries; radiators at their equilibrium for the heat of the chunk's first step; with
    ``fold_illumination``, empty illumination statistics."""
    heat_w = params.power.bus_power_w + params.power.compute_power_w * first_step_fraction(chunk)
    thermal = params.thermal
    start_k = thermal_core.radiator_temperature_k(
        heat_w, thermal.area_m2, thermal.emissivity, thermal.sides, thermal.environment
    )
    state = budget_init(params, start_k, heat_w)
    if not fold_illumination:
        return state
    return state._replace(illumination=scan.place(stats.init(scan.block, scan.dtype)))


def _state_template(params: BudgetParams, scan: FleetScan, fold_illumination: bool):
    """The shapes of a block's ``BudgetState`` (restoring a checkpoint)."""
    state_shape = jax.ShapeDtypeStruct((scan.block,), scan.dtype)
    state = jax.eval_shape(budget_init, params, state_shape, state_shape)
    if not fold_illumination:
        return state
    return state._replace(illumination=jax.eval_shape(lambda: stats.init(scan.block, scan.dtype)))


def _needs_sin_beta(design: SatelliteDesign) -> bool:
    """False only for concrete sun-tracking arrays (cosine 1 whatever the beta angle)."""
    tracks = design.array_tracks_sun
    return any_traced(tracks) or bool(np.any(np.asarray(tracks) != 1.0))


def _budget_advance(
    scan: FleetScan, params: dict, age_years, step_s, with_sin_beta: bool, weights=None, add=None, failed=None
):
    """``advance(state, chunk)`` for ``FleetScan.fold``: a block's budget state after a chunk. With ``weights``
    (per block), ``add(chunk, series)`` receives each block's (chunk,) weighted compute series. With ``failed``
    (n_sat,) bool, the scan folds the illumination statistics too and marks there the satellites SGP4 could not
    propagate."""
    step = jnp.asarray(step_s, scan.dtype)

    def advance(state, chunk: Chunk):
        out = advance_block(state, chunk)
        if weights is None:
            return out
        state, series = out
        add(chunk, series)
        return state

    def advance_block(state, chunk: Chunk):
        block_params = params[chunk.sats.start]
        if state is None:
            state = _initial_state(block_params, chunk, scan, failed is not None)
        offsets = scan.grid.offsets_s[chunk.steps]
        ages = jnp.asarray(age_years + pad(offsets, scan.chunk) / SECONDS_PER_JULIAN_YEAR, scan.dtype)
        # Only with weights: a call without them keeps the compiled signature it always had.
        series_option = {} if weights is None else {"series_weights": weights[chunk.sats.start]}
        if failed is not None:
            series_option["day_index"] = chunk.day_index
            if chunk.sgp4_error is not None:
                failed[chunk.sats] |= chunk.sgp4_error
        if chunk.elements is not None:
            return _circular_budget_chunk(
                state,
                block_params,
                chunk.elements,
                chunk.dt_s,
                chunk.sun_epoch,
                ages,
                chunk.valid,
                step,
                with_sin_beta=with_sin_beta,
                **series_option,
            )
        fraction, sin_beta = _jit_vector_sun_terms(chunk.position_km, chunk.velocity_km_s, chunk.dt_s, chunk.sun_epoch)
        return _vector_budget_chunk(
            state,
            block_params,
            fraction,
            sin_beta,
            chunk.dt_s,
            chunk.sun_epoch,
            ages,
            chunk.valid,
            step,
            **series_option,
        )

    return advance


# The checkpoint's entry for the fleet series computed so far (the steps before its ``next_step``).
SERIES_ENTRY = "fleet_compute_w"


def _run_budget_pass(
    scan: FleetScan,
    params: dict,
    lit,
    age_years,
    step_s,
    with_sin_beta,
    progress,
    checkpoint,
    run_key,
    saved,
    weights=None,
):
    """(every block's final ``BudgetState``, the (n_time,) fleet series with ``weights`` else None, the (n_sat,)
    SGP4 failures when the pass folds the illumination statistics else None): the scan over the window's chunks,
    resumed from ``saved`` when given, checkpointed and reported after each time chunk. ``lit`` None: the batteries
    were sized in advance, and the budget's states fold the window's illumination statistics themselves.

    The series is summed over the blocks of a time chunk on the device and brought to the host once per chunk;
    under a trace (jit, grad, vmap over designs) it stays a traced array."""
    fold_illumination = lit is None
    failed = np.zeros(len(scan.fleet), dtype=bool) if fold_illumination else None
    # What the checkpoint keeps beside the states: the sizing pass's statistics, or the SGP4 failures so far.
    extra_arrays = {"failed": failed} if fold_illumination else {name: getattr(lit, name) for name in STATISTICS}
    traced = any_traced(params, weights)
    series_host = None if weights is None or traced else np.zeros(scan.n_time)
    chunk_totals = {}  # first step of a time chunk -> its series, summed over the blocks folded so far
    start_step, states = 0, {}
    if saved is not None:
        start_step, blocks, extra = saved
        states = restore_states(blocks, _state_template(params[0], scan, fold_illumination), scan.mesh)
        if series_host is not None:
            series_host[:start_step] = extra[SERIES_ENTRY][:start_step]
        if fold_illumination:
            failed[:] = extra["failed"]
    elif checkpoint is not None:
        save_checkpoint(checkpoint, run_key, 0, {}, **extra_arrays, **_series_entry(series_host))

    def add(chunk: Chunk, series):
        c0, c1 = chunk.steps.start, chunk.steps.stop
        part = series[: c1 - c0]
        chunk_totals[c0] = part if c0 not in chunk_totals else chunk_totals[c0] + part

    def after_chunk(next_step, states):
        if series_host is not None:
            c0 = max(chunk_totals)
            series_host[c0:next_step] = _replicated_to_host(chunk_totals.pop(c0))
        if checkpoint is not None:
            save_checkpoint(checkpoint, run_key, next_step, states, **extra_arrays, **_series_entry(series_host))
        if progress is not None:
            progress(next_step, scan.n_time)

    advance = _budget_advance(scan, params, age_years, step_s, with_sin_beta, weights, add, failed)
    states = scan.fold(advance, states, start_step=start_step, after_chunk=after_chunk)
    if checkpoint is not None:
        remove_checkpoint(checkpoint)
    if weights is None:
        return states, None, failed
    if series_host is not None:
        return states, series_host, failed
    return states, jnp.concatenate([chunk_totals[c0] for c0 in sorted(chunk_totals)]), failed


def _series_entry(series_host) -> dict:
    return {} if series_host is None else {SERIES_ENTRY: series_host}


def _replicated_to_host(array) -> np.ndarray:
    """A series summed over the satellites, the same on every device and process, as numpy (one copy of it:
    gathering a replicated array from every process would repeat it)."""
    if isinstance(array, jax.Array) and not array.is_fully_addressable:
        return np.asarray(array.addressable_data(0))
    return np.asarray(array)


def _assemble(fleet: Fleet, lit: IlluminationStats, sizing: FleetSizing, totals: BudgetState, n_time, step_s, series):
    """The ``Budget`` from the per-satellite final states: energies in kWh, depths and extremes."""
    design, mass = sizing.design, sizing.mass
    energy, thermal = totals.power, totals.thermal
    hours = n_time * float(step_s) / SECONDS_PER_HOUR
    capacity = mass.battery_capacity_wh
    safe_capacity = jnp.where(capacity > 0, capacity, 1.0)
    retained_eol = (1.0 - design.array_degradation_per_year) ** design.design_life_years
    array_bol = mass.array_area_m2 * design.array_power_w_m2
    result = dict(
        array_energy_kwh=energy.array_wh / 1e3,
        energy_delivered_kwh=energy.load_wh / 1e3,
        compute_energy_kwh=energy.compute_wh / 1e3,
        compute_availability=energy.compute_wh / (design.compute_power_w * hours),
        loss_kwh=energy.loss_wh / 1e3,
        curtailed_kwh=energy.curtailed_wh / 1e3,
        battery_change_kwh=(energy.battery_wh - capacity) / 1e3,
        battery_capacity_wh=capacity,
        battery_depth_reached=jnp.where(capacity > 0, (capacity - energy.min_battery_wh) / safe_capacity, 0.0),
        min_radiator_k=thermal.min_radiator_k,
        max_radiator_k=thermal.max_radiator_k,
        max_chip_k=thermal.max_chip_k,
        thermal_ok=thermal.max_chip_k <= design.chip_max_temperature_k,
        array_area_m2=mass.array_area_m2,
        radiator_area_m2=mass.radiator_area_m2,
        array_power_bol_w=array_bol,
        array_power_eol_w=array_bol * retained_eol,
        mass_kg=mass.total_kg,
        kw_per_tonne=mass.kw_per_tonne,
    )
    if not any_traced(result):
        result = {k: np.asarray(v, dtype=bool if k == "thermal_ok" else float) for k, v in result.items()}
    return Budget(
        fleet.names,
        fleet.shell_index,
        fleet.shell_names,
        lit,
        worst_eclipse_min=sizing.worst_eclipse_min,
        **result,
        fleet_compute_w=series,
    )
