"""Public yearly projection: validated wrappers around the pure kernel, pandas tables, Monte Carlo helpers."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from launch import validation as v
from launch.core import projection as kernel
from launch.core.costs import GROUND_COMPONENTS as GROUND_COST_COMPONENTS
from launch.core.costs import ORBIT_COMPONENTS as ORBIT_COST_COMPONENTS
from launch.core.projection import BINDING_NAMES, LAUNCH_LIMIT_NAMES, FleetHazard
from launch.params import (
    LaunchScenario,
    calendar_year_range,
    default_scenario,
    is_calendar_year,
    is_fraction,
    leaf_specs,
)

__all__ = [
    "project_arrays",
    "project",
    "project_cohorts",
    "monte_carlo",
    "sample_scenarios",
    "BINDING_NAMES",
    "LAUNCH_LIMIT_NAMES",
    "TABLE_COLUMNS",
    "ORBIT_COST_COMPONENTS",
    "GROUND_COST_COMPONENTS",
]

# Longest projection: the cohort matrices are (n_years, n_years) and the scan runs n_years steps.
MAX_YEARS = 500

# Sampled fractions are clipped into [0, FRACTION_CLIP]: a learning rate or degradation of 1 is out of range.
FRACTION_CLIP = 0.999

# DataFrame columns in order: DataFrame name -> kernel output name.
TABLE_COLUMNS = {
    "year": "year",
    "launches": "launches",
    "launch_limit": "launch_limit_code",
    "compute_share": "compute_share",
    "compute_launches": "compute_launches",
    "payload_t": "payload_t",
    "tonnes_to_orbit": "tonnes_to_orbit",
    "compute_tonnes": "compute_tonnes",
    "kw_per_tonne": "kw_per_tonne",
    "gw_cap_launch": "cap_launch_gw",
    "gw_cap_factory": "cap_factory_gw",
    "gw_cap_arrays": "cap_arrays_gw",
    "gw_cap_chips": "cap_chips_gw",
    "gw_launched": "gw_launched",
    "gw_replacement": "gw_replacement",
    "gw_growth": "gw_growth",
    "gw_operating": "gw_operating",
    "gw_operating_nameplate": "gw_operating_nameplate",
    "gw_failed": "gw_failed",
    "gw_retired": "gw_retired",
    "gw_cumulative_launched": "gw_cumulative_launched",
    "binding_constraint": "binding_code",
    "cum_mass_t": "cum_mass_t",
    "launch_usd_per_kg": "launch_usd_per_kg",
    "launch_cost_usd": "launch_cost_usd",
    "satellite_cost_usd": "satellite_cost_usd",
    "spares_cost_usd": "spares_cost_usd",
    "launch_insurance_usd": "launch_insurance_usd",
    "capex_usd": "capex_usd",
    "capex_usd_per_gw": "capex_usd_per_gw",
    "operations_usd": "operations_usd",
    "orbit_insurance_usd": "orbit_insurance_usd",
    "opex_usd": "opex_usd",
    "launched_power_usd_per_kw_yr": "launched_power_usd_per_kw_yr",
    "lcoc_orbit_usd_per_kw_yr": "lcoc_orbit_usd_per_kw_yr",
    "lcoc_ground_usd_per_kw_yr": "lcoc_ground_usd_per_kw_yr",
    "lcoc_ratio": "lcoc_ratio",
    "lcoc_orbit_usd_per_accelerator_hr": "lcoc_orbit_usd_per_accelerator_hr",
    "lcoc_ground_usd_per_accelerator_hr": "lcoc_ground_usd_per_accelerator_hr",
    "break_even_launch_usd_per_kg": "break_even_launch_usd_per_kg",
    "revenue_usd": "revenue_usd",
    "cash_flow_usd": "cash_flow_usd",
    "cumulative_cash_flow_usd": "cumulative_cash_flow_usd",
    "npv_usd": "npv_usd",
}


def _check_scenario(scenario):
    if scenario is None:
        return default_scenario()
    if not isinstance(scenario, LaunchScenario):
        raise TypeError(f"scenario={scenario!r} must be a LaunchScenario (see launch.default_scenario())")
    return scenario


def _check_span(start_year, n_years):
    start_year = v.check_static_int("start_year", start_year, *calendar_year_range())
    n_years = v.check_static_int("n_years", n_years, 1, MAX_YEARS)
    return start_year, n_years


def project_arrays(
    scenario: LaunchScenario,
    start_year: int = 2027,
    n_years: int = 30,
    *,
    with_cohorts: bool = False,
    availability=1.0,
    hazard: FleetHazard | None = None,
) -> dict:
    """Yearly projection as a dict of JAX arrays of shape ``(n_years,)``, differentiable with respect to every
    float in ``scenario`` and usable under ``jax.jit`` / ``jax.grad`` / ``jax.vmap`` (``start_year``,
    ``n_years`` and ``with_cohorts`` are static). With ``with_cohorts``, also ``cohort_*_gw`` matrices of shape
    ``(n_years, n_years)`` indexed [year, launch year]. Integer outputs: ``binding_code`` (index into
    ``BINDING_NAMES``) and ``launch_limit_code`` (index into ``LAUNCH_LIMIT_NAMES``). ``availability`` (in
    (0, 1], traceable): the share of time the fleet's compute runs, for the cost of delivered compute and the
    revenue (the planner passes its eclipse geometry's). ``hazard``: a ``FleetHazard``, losses the fleet's own
    environment adds to the cohorts' failures (collisions; see ``launch.core.projection.FleetHazard``)."""
    scenario = _check_scenario(scenario)
    start_year, n_years = _check_span(start_year, n_years)
    v.check_range("availability", availability, 0.0, 1.0, low_open=True)
    if hazard is not None:
        hazard = _check_hazard(hazard, n_years)
    # The cached jitted kernel also serves eager calls (a nested jit is free under an outer jit/grad/vmap).
    return _jitted(start_year, n_years, bool(with_cohorts), False)(scenario, availability, hazard)


def _check_hazard(hazard, n_years: int) -> FleetHazard:
    if not isinstance(hazard, FleetHazard):
        raise TypeError(f"hazard={type(hazard).__name__}: expected a launch.FleetHazard")
    n_pools = int(np.shape(hazard.pool_share)[0]) if np.ndim(hazard.pool_share) == 1 else -1
    shapes = {
        "base_per_yr": (n_years,),
        "per_operating_gw_per_yr": (n_years,),
        "pool_share": (max(n_pools, 0),),
        "pool_lifetime_yr": (n_years, max(n_pools, 0)),
        "per_pool_gw_per_yr": (n_years, max(n_pools, 0)),
    }
    for name, shape in shapes.items():
        value = getattr(hazard, name)
        if np.shape(value) != shape:
            raise ValueError(f"hazard.{name} has shape {np.shape(value)}; expected {shape} (n_years={n_years})")
        if name == "pool_share":
            v.check_range(f"hazard.{name}", value, 0.0, 1.0)
        elif name == "pool_lifetime_yr":
            v.check_range(f"hazard.{name}", value, 0.0, low_open=True, unit="yr")
        else:
            v.check_range(f"hazard.{name}", value, 0.0)
    return hazard


def _to_numpy(out):
    return {k: np.asarray(x) for k, x in out.items()}


@functools.lru_cache(maxsize=32)
def _jitted(start_year, n_years, with_cohorts, batched):
    def fn(scenario, availability=1.0, hazard=None):
        return kernel.project(scenario, start_year, n_years, with_cohorts, availability, hazard)

    return jax.jit(jax.vmap(fn, in_axes=(0, None, None)) if batched else fn)


def project(scenario: LaunchScenario | None = None, start_year: int = 2027, n_years: int = 30) -> pd.DataFrame:
    """Yearly projection table (one row per year); see ``TABLE_COLUMNS``. Units in the column names; GW are
    per year for flows (``gw_launched``, ``gw_failed``, ...) and at year end for stocks (``gw_operating``,
    derated by age; ``gw_operating_nameplate``). ``binding_constraint`` says which of launch, factory,
    arrays, chips or demand set the GW launched; ``launch_limit`` which of ramp, vehicles or pads set the
    launches."""
    scenario = _check_scenario(scenario)
    start_year, n_years = _check_span(start_year, n_years)
    out = _to_numpy(_jitted(start_year, n_years, False, False)(scenario))
    table = pd.DataFrame({name: out[key] for name, key in TABLE_COLUMNS.items()})
    table["year"] = table["year"].round().astype(int)
    table["binding_constraint"] = pd.Categorical.from_codes(table["binding_constraint"], BINDING_NAMES)
    table["launch_limit"] = pd.Categorical.from_codes(table["launch_limit"], LAUNCH_LIMIT_NAMES)
    if not np.all(np.isfinite(table.select_dtypes("number").to_numpy())):
        raise FloatingPointError("the projection produced non-finite values; check the scenario's numbers")
    return table


def project_cohorts(scenario: LaunchScenario | None = None, start_year: int = 2027, n_years: int = 30) -> pd.DataFrame:
    """Cohort accounting in long form: one row per (year, cohort launched up to that year) with nameplate GW
    ``launched``, ``operating``, ``failed`` (cumulative) and ``retired`` (cumulative)."""
    scenario = _check_scenario(scenario)
    start_year, n_years = _check_span(start_year, n_years)
    out = _to_numpy(_jitted(start_year, n_years, True, False)(scenario))
    year_i, cohort_i = np.tril_indices(n_years)
    return pd.DataFrame(
        {
            "year": start_year + year_i,
            "cohort": start_year + cohort_i,
            "gw_launched": out["cohort_launched_gw"][year_i, cohort_i],
            "gw_operating": out["cohort_operating_gw"][year_i, cohort_i],
            "gw_failed": out["cohort_failed_gw"][year_i, cohort_i],
            "gw_retired": out["cohort_retired_gw"][year_i, cohort_i],
        }
    )


def monte_carlo(scenarios: LaunchScenario, start_year: int = 2027, n_years: int = 30) -> dict:
    """``jax.jit(jax.vmap(project_arrays))`` over a scenario whose leaves carry a leading batch axis (e.g. from
    ``sample_scenarios``); returns arrays of shape ``(batch, n_years)``. The same kernel as ``project``."""
    scenarios = _check_scenario(scenarios)
    start_year, n_years = _check_span(start_year, n_years)
    sharded, n_scenarios = _shard_scenarios(scenarios)
    out = _jitted(start_year, n_years, False, True)(sharded, 1.0, None)
    return out if sharded is scenarios else {key: value[:n_scenarios] for key, value in out.items()}


def _shard_scenarios(scenarios: LaunchScenario):
    """Spread the scenario axis over every device (GPUs, or CPU devices from
    ``XLA_FLAGS=--xla_force_host_platform_device_count``); the jitted vmap then runs each device's share where it
    lies. Padded to a multiple of the device count by repeating the last scenario. Traced inputs (inside jit or
    grad) and single-device runs are left as they are."""
    leaves = jax.tree.leaves(scenarios)
    devices = jax.devices()
    if len(devices) == 1 or any(v.is_traced(leaf) for leaf in leaves) or not leaves:
        return scenarios, None
    n = int(np.shape(leaves[0])[0])
    padded = -(-n // len(devices)) * len(devices)
    mesh = jax.sharding.Mesh(np.array(devices), ("scenario",))

    def put(leaf):
        leaf = np.asarray(leaf)
        leaf = np.concatenate([leaf, np.repeat(leaf[-1:], padded - n, axis=0)]) if padded > n else leaf
        spec = jax.sharding.PartitionSpec("scenario", *([None] * (leaf.ndim - 1)))
        return jax.device_put(leaf, jax.sharding.NamedSharding(mesh, spec))

    return jax.tree.map(put, scenarios), n


def sample_scenarios(
    base: LaunchScenario | None = None, n: int = 1000, rel_sd: float = 0.1, seed: int = 0, dtype=None
) -> LaunchScenario:
    """``n`` scenarios around ``base``: every leaf that is not a calendar year is multiplied by an independent
    lognormal factor (median 1, log-sd ``rel_sd``); calendar years get a normal shift of ``10 * rel_sd`` years.
    Fractions (parameters declared within [0, 1]) are clipped back into [0, 0.999]. Returns one
    ``LaunchScenario`` whose leaves have a leading axis of length ``n``, ready for ``monte_carlo`` or
    ``jax.vmap``."""
    base = _check_scenario(base)
    n = v.check_static_int("n", n, 1)
    v.check_range("rel_sd", rel_sd, 0.0, unit="")
    rng = np.random.default_rng(seed)
    dtype = dtype or jnp.result_type(float)
    leaves, treedef = jax.tree_util.tree_flatten(base)
    new = []
    for leaf, (_, spec) in zip(leaves, leaf_specs(base)):
        x = np.asarray(leaf, dtype=float)
        shape = (n,) + x.shape
        if is_calendar_year(spec):
            sample = x + 10.0 * rel_sd * rng.standard_normal(shape)
            if x.ndim == 1:  # keep vehicle introductions and table years in order
                sample = np.sort(sample, axis=-1)
        else:
            sample = x * np.exp(rel_sd * rng.standard_normal(shape))
            if is_fraction(spec):
                sample = np.clip(sample, 0.0, FRACTION_CLIP)
        new.append(jnp.asarray(sample, dtype=dtype))
    return jax.tree_util.tree_unflatten(treedef, new)
