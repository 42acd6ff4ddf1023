"""Per-satellite power, battery and thermal budgets over a window, reduced on the fly (issue 3).

For each chunk of time and block of satellites: the illuminated fraction, the beta angle's sine (array cosine for
arrays fixed normal to the orbit plane) and the Sun-distance flux factor; then one ``lax.scan`` over the chunk's
steps advances every satellite's battery (``orbital.core.power``) and radiator (``thermal.core`` transient) at
once. Only per-satellite running state crosses chunk boundaries, so memory stays bounded by
``block_sats x chunk_steps`` whatever the window.

The battery of each satellite is sized for the longest eclipse it meets in the window under the design's eclipse
policy (run a year-long window to size for the worst season), and its radiator for the peak heat at the design
temperature in its own Earth environment (``orbital.design.mass_breakdown``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from orbital import design as design_module
from orbital._validate import check_range, is_traced
from orbital.core import orbits, power, shadow, sun
from orbital.core.constants import AU_KM, EARTH_RADIUS_KM, SECONDS_PER_DAY
from orbital.core.fusion import computed_once
from orbital.design import SatelliteDesign
from orbital.fleet import Fleet
from orbital.lighting import (
    DEFAULT_CHUNK_STEPS,
    IlluminationStats,
    _block_size,
    _bucket,
    _chunks,
    _jit_circular_fraction,
    _jit_vector_fraction,
    _load_checkpoint,
    _pad,
    _run_key,
    _satellite_mesh,
    _save_checkpoint,
    _sun_geometry,
    _to_host,
    _vector_fraction,
    _vector_sin_beta,
    _working_dtype,
    default_block_sats,
    illumination,
)
from orbital.timescales import uniform_grid
from thermal import core as thermal_core

SECONDS_PER_YEAR = 365.25 * SECONDS_PER_DAY
WGS72_EARTH_RADIUS_KM = 6378.135  # SGP4's element sets use WGS 72 (Vallado et al. 2006, AIAA 2006-6753)


# --- geometry (one satellite at one instant, or time-major rows for SGP4 fleets) --------------------------
def _sun_terms_kernel(terms: orbits.PlaneTerms, seconds, sun_unit, cones):
    """(illuminated fraction, sin beta) of one circular-orbit satellite at one instant; sin beta is the array
    cosine for arrays fixed normal to the orbit plane."""
    now = orbits.sun_terms(terms, seconds, sun_unit)
    return shadow.illuminated_fraction(now.sun_projection_km, terms.semi_major_axis_km**2, cones), now.sin_beta


def _vector_sun_terms(position_km, velocity_km_s, dt_s, sun_epoch_angles):
    """Time-major (time, sat) fraction and sin beta from (sat, time, 3) states."""
    return (
        _vector_fraction(position_km, dt_s, sun_epoch_angles),
        _vector_sin_beta(position_km, velocity_km_s, dt_s, sun_epoch_angles),
    )


def _flux_factor(sun_epoch_angles, dt_s):
    """(1 AU / r)^2: the +/-3.4 % seasonal swing of the solar flux."""
    position = sun.sun_position_km(sun.SunEpoch(*sun_epoch_angles), dt_s)
    return AU_KM**2 / jnp.sum(position**2, axis=-1)


# --- power and thermal scan ------------------------------------------------------------------------------
class BudgetCarry(NamedTuple):
    """What the budget keeps of the power and thermal states between steps: every field is a separate loop over
    the satellites in each compiled step, so fields the results never read are not carried."""

    battery_wh: object
    min_battery_wh: object
    array_wh: object
    load_wh: object
    compute_wh: object
    loss_wh: object
    curtailed_wh: object
    radiator_k: object
    min_radiator_k: object
    max_radiator_k: object
    max_chip_k: object


def _budget_init(power_params, thermal_params, start_k, heat_w) -> BudgetCarry:
    state = power.init(power_params)
    thermal = thermal_core.transient_init(thermal_params, start_k, heat_w)
    return BudgetCarry(
        state.battery_wh,
        state.min_battery_wh,
        state.array_wh,
        state.load_wh,
        state.compute_wh,
        state.loss_wh,
        state.curtailed_wh,
        thermal.radiator_temperature_k,
        thermal.min_radiator_k,
        thermal.max_radiator_k,
        thermal.max_chip_k,
    )


def _budget_scan(
    carry: BudgetCarry, power_params, thermal_params, terms_at, steps, flux_factor, age_years, valid, step_s
):
    """Scan one chunk's steps; every per-satellite quantity is a (sat,) vector inside the step.
    ``terms_at(x)`` gives the (sat,) fraction and sin beta from the slice ``x`` of ``steps`` for one instant."""
    thermal_step = jax.vmap(thermal_core.transient_step_no_heat_pump, in_axes=(0, 0, 0, 0, None))

    def body(state: BudgetCarry, inputs):
        x, flux, age, keep = inputs
        # A 1 that XLA cannot see through, shaped like the satellites' values (a scalar 1 would become a
        # multiplication by its reciprocal, which fusion copies again): radiator temperatures are positive.
        one = jnp.sign(state.radiator_k)
        illuminated, beta_sine = computed_once(one, *terms_at(x))
        array_w = power.array_power_w(power_params, illuminated, flux, beta_sine, age)
        unused = jnp.zeros_like(state.battery_wh)
        power_now = power.PowerState(*state[:7], unused)
        flow = power.PowerFlows(
            *computed_once(one, *power.flows(power_params, power_now, array_w, illuminated, step_s))
        )
        new_power = power.apply(power_params, power_now, flow, step_s)
        heat_w = flow.load_w + flow.loss_w
        thermal_now = thermal_core.TransientState(
            state.radiator_k,
            unused,
            state.min_radiator_k,
            state.max_radiator_k,
            unused,
            state.max_chip_k,
            unused,
            unused,
            unused,
            unused,
            unused,
        )
        new_thermal = thermal_step(thermal_params, thermal_now, illuminated, heat_w, step_s)
        new_state = BudgetCarry(
            *new_power[:7],
            new_thermal.radiator_temperature_k,
            new_thermal.min_radiator_k,
            new_thermal.max_radiator_k,
            new_thermal.max_chip_k,
        )
        return jax.tree.map(lambda new, old: jnp.where(keep, new, old), new_state, state), None

    return lax.scan(body, carry, (steps, flux_factor, age_years, valid))[0]


@jax.jit
def _circular_budget_chunk(
    carry, power_params, thermal_params, elements, dt_s, sun_epoch_angles, age_years, valid, step_s
):
    """A chunk of a circular fleet: the geometry runs inside the power and thermal scan (no (time, sat) array)."""
    sun_unit, cones = _sun_geometry(sun_epoch_angles, dt_s)
    plane = orbits.plane_terms(elements)

    def terms_at(instant):
        return jax.vmap(_sun_terms_kernel, in_axes=(0, None, None, None))(plane, *instant)

    return _budget_scan(
        carry,
        power_params,
        thermal_params,
        terms_at,
        (dt_s, sun_unit, cones),
        _flux_factor(sun_epoch_angles, dt_s),
        age_years,
        valid,
        step_s,
    )


_jit_vector_sun_terms = jax.jit(_vector_sun_terms)


@jax.jit
def _vector_budget_chunk(
    carry, power_params, thermal_params, fraction, sin_beta, dt_s, sun_epoch_angles, age_years, valid, step_s
):
    """A chunk of an SGP4 fleet from its precomputed (time, sat) terms (a separate compiled call: fused, XLA would
    recompute the fraction in every consumer)."""
    return _budget_scan(
        carry,
        power_params,
        thermal_params,
        lambda row: row,
        (fraction, sin_beta),
        _flux_factor(sun_epoch_angles, dt_s),
        age_years,
        valid,
        step_s,
    )


def _first_fraction(piece):
    """(block,) illuminated fraction at a chunk's first step (to start the radiator at its equilibrium)."""
    if piece.elements is not None:
        return _jit_circular_fraction(piece.elements, piece.dt_s[:1], piece.sun_epoch)[:, 0]
    return _jit_vector_fraction(piece.position_km[:, :1], piece.dt_s[:1], piece.sun_epoch)[:, 0]


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

    def to_dataframe(self):
        import pandas as pd

        columns = {
            f.name: np.asarray(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in ("names", "shell_index", "shell_names", "illumination")
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


def _altitudes_km(fleet: Fleet) -> np.ndarray:
    if fleet.kind == "circular":
        return np.asarray(fleet.elements.semi_major_axis_km) - EARTH_RADIUS_KM
    return np.array([s.a * WGS72_EARTH_RADIUS_KM for s in fleet.satrecs]) - EARTH_RADIUS_KM


_LIT_FIELDS = ("sunlit_fraction", "eclipse_fraction", "eclipse_days", "max_eclipse_min")


def _budget_run_key(fleet, grid, dtype, block, chunk, design, age_years) -> str:
    """The illumination run's fingerprint extended by every design input and the age."""
    inputs = [np.asarray(value).tolist() for value in jax.tree.leaves(design)] + [float(age_years)]
    return hashlib.sha256((_run_key(fleet, grid, dtype, block, chunk) + repr(inputs)).encode()).hexdigest()


def budget(
    fleet: Fleet,
    design: SatelliteDesign,
    start,
    days: float,
    step_s: float = 60.0,
    *,
    age_years: float = 0.0,
    dtype=None,
    block_sats: int | None = None,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
    progress=None,
    checkpoint: str | Path | None = None,
) -> Budget:
    """Power, battery and thermal budgets of every satellite of ``fleet`` flying ``design`` over a window.

    ``age_years``: the satellites' age at ``start`` (array degradation). ``design`` may hold traced values: the
    budget is then differentiable with respect to every design input (``jax.grad`` of any output).
    ``progress(done_steps, total_steps)`` is called after each time chunk of the budget pass.
    ``checkpoint`` (a file path): the running state is saved atomically after each time chunk, of the sizing
    illumination pass (in ``<checkpoint>.illumination``) and of the budget pass; the same call after an
    interruption resumes from the last completed chunk; the files are removed when the run completes.
    """
    if not isinstance(design, SatelliteDesign):
        raise TypeError(f"design: expected orbital.SatelliteDesign, got {type(design).__name__}")
    check_range("age_years", age_years, 0.0, 100.0, unit="yr")
    dtype = _working_dtype(dtype)
    grid = uniform_grid("start", start, float(days), float(step_s))
    n_sat, n_time = len(fleet), grid.offsets_s.size
    mesh = _satellite_mesh()
    # The sizing illumination pass takes its own default block (None).
    sizing_block_sats = block_sats
    if block_sats is None:
        block_sats = default_block_sats(fleet.kind, "budget")
    block = _block_size(n_sat, block_sats, mesh)
    chunk = max(1, min(_bucket(n_time, chunk_steps), int(SECONDS_PER_DAY // float(step_s))))
    start_step, carries, lit, run_key = 0, {}, None, None
    if checkpoint is not None:
        if any(is_traced(v) for v in jax.tree.leaves((design, age_years))):
            raise ValueError(
                "checkpoint: a budget traced by jit, grad or vmap cannot be checkpointed; pass "
                "checkpoint=None there, or call budget() with concrete design values"
            )
        checkpoint = Path(checkpoint)
        run_key = _budget_run_key(fleet, grid, dtype, block, chunk, design, age_years)
        saved = _load_checkpoint(checkpoint, run_key, BudgetCarry, mesh)
        if saved is not None:
            start_step, carries, extra = saved
            lit = IlluminationStats(
                fleet.names,
                fleet.shell_index,
                fleet.shell_names,
                *(extra[name] for name in _LIT_FIELDS),
                str(start),
                float(days),
                float(step_s),
                n_time,
            )
    if lit is None:
        # The illumination pass does not depend on the design: evaluate it eagerly even when budget() is being
        # traced (jit, vmap or grad over designs), so its statistics stay concrete numbers.
        with jax.ensure_compile_time_eval():
            lit = illumination(
                fleet,
                start,
                days,
                step_s,
                dtype=dtype,
                block_sats=sizing_block_sats,
                chunk_steps=chunk_steps,
                checkpoint=None if checkpoint is None else checkpoint.with_name(checkpoint.name + ".illumination"),
            )
    lit_arrays = {name: getattr(lit, name) for name in _LIT_FIELDS}
    if checkpoint is not None and start_step == 0:
        _save_checkpoint(checkpoint, run_key, 0, {}, **lit_arrays)  # the sizing pass is never redone
    worst_eclipse_min = np.nan_to_num(lit.max_eclipse_min)
    altitude_km = _altitudes_km(fleet)

    cast = (
        (lambda x: jnp.asarray(x, dtype)) if not any(is_traced(v) for v in jax.tree.leaves(design)) else (lambda x: x)
    )
    design_w = jax.tree.map(cast, design)
    sizing = jax.vmap(design_module.mass_breakdown, in_axes=(None, 0, 0))(
        design_w, jnp.asarray(worst_eclipse_min, dtype), jnp.asarray(altitude_km, dtype)
    )
    environment = jax.vmap(design_module.radiator_environment, in_axes=(None, 0))(
        design_w, jnp.asarray(altitude_km, dtype)
    )

    if not any(is_traced(v) for v in jax.tree.leaves(sizing.radiator_area_m2)):
        infeasible = ~np.isfinite(np.asarray(sizing.radiator_area_m2))
        if np.any(infeasible):
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
    for piece in _chunks(fleet, grid, block_sats, chunk, dtype, start_step):
        s0, s1 = piece.sats.start, piece.sats.stop
        take = np.minimum(np.arange(block) + s0, s1 - 1)  # padded satellites repeat the block's last one

        def per_sat(x, take=take):
            return x[take]

        power_params = power.PowerParams(
            array_area_m2=per_sat(sizing.array_area_m2),
            array_power_w_m2=design_w.array_power_w_m2,
            degradation_per_year=design_w.array_degradation_per_year,
            tracks_sun=design_w.array_tracks_sun,
            bus_power_w=design_w.bus_power_w,
            compute_power_w=design_w.compute_power_w,
            eclipse_compute_fraction=design_w.eclipse_compute_fraction,
            battery_capacity_wh=per_sat(sizing.battery_capacity_wh),
            depth_of_discharge=design_w.battery_depth_of_discharge,
            one_way_efficiency=jnp.sqrt(design_w.battery_round_trip_efficiency),
        )
        radiator_area = per_sat(sizing.radiator_area_m2)
        thermal_params = jax.tree.map(
            lambda x: jnp.broadcast_to(x, (block,)),
            thermal_core.TransientParams(
                area_m2=radiator_area,
                emissivity=design_w.radiator_emissivity,
                heat_capacity_j_k=design_w.radiator_heat_capacity_j_k_m2 * radiator_area,
                sides=design_w.radiator_sides,
                thermal_resistance_k_w=design_w.chip_to_radiator_k_w,
                lift_k=jnp.zeros((), dtype),
                carnot_fraction=jnp.ones((), dtype),
                environment=jax.tree.map(per_sat, environment),
            ),
        )
        carry = carries.get(s0)
        if carry is None:
            heat0 = power_params.bus_power_w + power_params.compute_power_w * _first_fraction(piece)
            start_k = thermal_core.radiator_temperature_k(
                heat0, radiator_area, thermal_params.emissivity, thermal_params.sides, thermal_params.environment
            )
            carry = _budget_init(power_params, thermal_params, start_k, heat0)
        offsets = grid.offsets_s[piece.steps]
        ages = jnp.asarray(age_years + _pad(offsets, chunk) / SECONDS_PER_YEAR, dtype)
        step = jnp.asarray(step_s, dtype)
        if piece.elements is not None:
            carries[s0] = _circular_budget_chunk(
                carry,
                power_params,
                thermal_params,
                piece.elements,
                piece.dt_s,
                piece.sun_epoch,
                ages,
                piece.valid,
                step,
            )
        else:
            fraction, sin_beta = _jit_vector_sun_terms(
                piece.position_km, piece.velocity_km_s, piece.dt_s, piece.sun_epoch
            )
            carries[s0] = _vector_budget_chunk(
                carry,
                power_params,
                thermal_params,
                fraction,
                sin_beta,
                piece.dt_s,
                piece.sun_epoch,
                ages,
                piece.valid,
                step,
            )
        if s1 == n_sat:
            if checkpoint is not None:
                _save_checkpoint(checkpoint, run_key, piece.steps.stop, carries, **lit_arrays)
            if progress is not None:
                progress(piece.steps.stop, n_time)
    if checkpoint is not None and jax.process_index() == 0:
        checkpoint.unlink(missing_ok=True)

    concrete = not any(is_traced(v) for v in jax.tree.leaves(carries))

    def gather(get):
        parts = [get(carries[s0]) for s0 in sorted(carries)]
        if concrete:  # numpy on every process, multi-host shards included
            parts = [_to_host(part) for part in parts]
        return jnp.concatenate([part[: min(block, n_sat - s0)] for part, s0 in zip(parts, sorted(carries))])

    hours = n_time * float(step_s) / 3600.0
    battery_end = gather(lambda c: c.battery_wh)
    capacity = sizing.battery_capacity_wh
    safe_capacity = jnp.where(capacity > 0, capacity, 1.0)
    retained_eol = (1.0 - design_w.array_degradation_per_year) ** design_w.design_life_years
    array_bol = sizing.array_area_m2 * design_w.array_power_w_m2
    max_chip = gather(lambda c: c.max_chip_k)
    result = dict(
        array_energy_kwh=gather(lambda c: c.array_wh) / 1e3,
        energy_delivered_kwh=gather(lambda c: c.load_wh) / 1e3,
        compute_energy_kwh=gather(lambda c: c.compute_wh) / 1e3,
        compute_availability=gather(lambda c: c.compute_wh) / (design_w.compute_power_w * hours),
        loss_kwh=gather(lambda c: c.loss_wh) / 1e3,
        curtailed_kwh=gather(lambda c: c.curtailed_wh) / 1e3,
        battery_change_kwh=(battery_end - capacity) / 1e3,
        battery_capacity_wh=capacity,
        battery_depth_reached=jnp.where(
            capacity > 0, (capacity - gather(lambda c: c.min_battery_wh)) / safe_capacity, 0.0
        ),
        min_radiator_k=gather(lambda c: c.min_radiator_k),
        max_radiator_k=gather(lambda c: c.max_radiator_k),
        max_chip_k=max_chip,
        thermal_ok=max_chip <= design_w.chip_max_temperature_k,
        array_area_m2=sizing.array_area_m2,
        radiator_area_m2=sizing.radiator_area_m2,
        array_power_bol_w=array_bol,
        array_power_eol_w=array_bol * retained_eol,
        mass_kg=sizing.total_kg,
        kw_per_tonne=sizing.kw_per_tonne,
    )
    if not any(is_traced(v) for v in jax.tree.leaves(result)):
        result = {k: np.asarray(v, dtype=bool if k == "thermal_ok" else float) for k, v in result.items()}
    return Budget(fleet.names, fleet.shell_index, fleet.shell_names, lit, worst_eclipse_min=worst_eclipse_min, **result)
