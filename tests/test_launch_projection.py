"""Yearly projection: table, cohort closure, replacement, supply caps, JAX contracts, gradients, invariants."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax.flatten_util import ravel_pytree

import launch
from launch.core import projection as kernel

START, YEARS = 2027, 30
MC_BATCH = 2000


def smooth_scenario():
    """A scenario whose every constraint moves through the horizon, with no ties and no year-valued number on
    an integer (the vehicle-mix and share ramps are C1 at their ends, so finite differences straddling an end
    would only be first-order accurate)."""
    base = launch.default_scenario()
    return base.replace(
        cadence=launch.Cadence(
            start_launches_per_yr=20.0, ceiling_launches_per_yr=9000.0, growth_rate_per_yr=0.5, ref_year=2027.3
        ),
        limits=launch.LaunchLimits(6.0, 23.0, 27.0, 2.5, 0.9, 1.1),
        vehicles=launch.VehicleMix(payload_t=(95.0, 205.0), intro_year=(2027.0, 2029.4), transition_yr=2.3),
        share=launch.ComputeShare(0.06, 0.45, 2027.7, 7.45),
        cohorts=launch.CohortParams(72.0, 105.0, 4.7, 2027.2, 0.021, 0.017, 5.3, 0.6, 0.8),
        supply=launch.SupplyCaps(
            chips=launch.Capacity(2.1, 60.0, 0.41, 2027.1),
            arrays=launch.Capacity(0.6, 900.0, 0.55, 2026.9),
            factory=launch.Capacity(0.003, 450.0, 0.9, 2027.05),
            demand_gw_per_yr=45.0,
        ),
        economics=launch.Economics(3400.0, 6500.0, 0.19, 15.0, 24_000.0),
    )


def test_table_has_the_required_columns_and_one_row_per_year():
    table = launch.project(launch.default_scenario(), START, YEARS)
    required = [
        "year",
        "launches",
        "compute_launches",
        "payload_t",
        "tonnes_to_orbit",
        "kw_per_tonne",
        "gw_launched",
        "gw_operating",
        "gw_retired",
        "binding_constraint",
        "launch_usd_per_kg",
        "capex_usd",
    ]
    assert all(c in table.columns for c in required)
    assert list(table["year"]) == list(range(START, START + YEARS))
    assert set(table["binding_constraint"].astype(str)) <= set(launch.BINDING_NAMES)
    assert np.all(np.isfinite(table.select_dtypes("number").to_numpy()))
    # Mass and power are tied by kW/t, and launches carry the tonnes (closed form: GW = t x kW/t / 1e6).
    np.testing.assert_allclose(table["compute_tonnes"] * table["kw_per_tonne"] / 1e6, table["gw_launched"], rtol=1e-9)
    np.testing.assert_allclose(table["tonnes_to_orbit"], table["launches"] * table["payload_t"], rtol=1e-12)
    assert np.all(table["compute_launches"] <= table["launches"] * table["compute_share"] * (1 + 1e-9))
    # Default vehicle mix: V3 100 t in 2027, V4 200 t once its 2-year transition from 2029 is over.
    assert table["payload_t"].iloc[0] == pytest.approx(100.0)
    assert table.set_index("year").loc[2031, "payload_t"] == pytest.approx(200.0)
    assert table["kw_per_tonne"].iloc[0] == pytest.approx(70.0)


def test_cohort_accounting_closes_for_every_cohort_every_year():
    cohorts = launch.project_cohorts(smooth_scenario(), START, YEARS)
    assert len(cohorts) == YEARS * (YEARS + 1) // 2
    residual = cohorts["gw_launched"] - cohorts["gw_operating"] - cohorts["gw_failed"] - cohorts["gw_retired"]
    assert np.max(np.abs(residual)) <= 1e-12 * cohorts["gw_launched"].max()
    # Each cohort's launch is fixed once launched; operating never rises after launch; losses accumulate.
    for _, group in cohorts.groupby("cohort"):
        assert np.ptp(group["gw_launched"]) == 0.0
        assert np.all(np.diff(group["gw_operating"]) <= 1e-12)
        assert np.all(np.diff(group["gw_failed"]) >= 0) and np.all(np.diff(group["gw_retired"]) >= 0)
    # Retirement happens around the design life: a cohort 12 years old is essentially gone.
    old = cohorts[cohorts["year"] - cohorts["cohort"] == 12]
    assert np.all(old["gw_operating"] <= 1e-6 * old["gw_launched"])
    # The per-cohort matrices agree with the yearly totals.
    out = launch.project_arrays(smooth_scenario(), START, YEARS, with_cohorts=True)
    np.testing.assert_allclose(
        np.asarray(out["cohort_operating_gw"]).sum(axis=1), out["gw_operating_nameplate"], rtol=1e-12
    )
    np.testing.assert_allclose(
        np.diff(np.asarray(out["cohort_retired_gw"]).sum(axis=1)), out["gw_retired"][1:], rtol=1e-9, atol=1e-12
    )


def test_replacement_eats_into_growth_from_the_same_capacity():
    base = smooth_scenario()
    replace_all = base.replace(cohorts=dataclasses.replace(base.cohorts, replacement_fraction=1.0))
    replace_none = base.replace(cohorts=dataclasses.replace(base.cohorts, replacement_fraction=0.0))
    a = launch.project(replace_all, START, YEARS)
    b = launch.project(replace_none, START, YEARS)
    # Last year's losses are re-launched first: growth = launched - replacement.
    np.testing.assert_allclose(a["gw_growth"], a["gw_launched"] - a["gw_replacement"], rtol=1e-12)
    losses = (a["gw_failed"] + a["gw_retired"]).shift(1).fillna(0.0)
    demand_bound = a["binding_constraint"] == "demand"
    np.testing.assert_allclose(a.loc[demand_bound, "gw_replacement"], losses[demand_bound], rtol=1e-9)
    assert (b["gw_replacement"] == 0).all()
    # With a growth demand of 45 GW/yr, replacement keeps more operating once the fleet ages ...
    assert a["gw_operating"].iloc[-1] > b["gw_operating"].iloc[-1]
    # ... but in capacity-bound years the same capacity is shared, so growth is lower.
    cap_bound = (a["binding_constraint"] != "demand") & (a["gw_replacement"] > 1e-3)
    assert cap_bound.any()
    assert np.all(a.loc[cap_bound, "gw_growth"] < b.loc[cap_bound, "gw_launched"])


def test_deployment_is_the_minimum_of_the_caps_and_the_binding_one_is_reported():
    out = {k: np.asarray(x) for k, x in launch.project_arrays(smooth_scenario(), START, YEARS).items()}
    caps = np.stack(
        [
            out["cap_launch_gw"],
            out["cap_factory_gw"],
            out["cap_arrays_gw"],
            out["cap_chips_gw"],
            out["demand_gw"] + out["gw_replacement"] * 0 + (out["gw_launched"] - out["gw_growth"]),
        ]
    )
    np.testing.assert_allclose(out["gw_launched"], caps.min(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(out["binding_code"], caps.argmin(axis=0))
    names = {launch.BINDING_NAMES[c] for c in out["binding_code"]}
    assert {"launch", "factory", "chips", "demand"} <= names  # the smooth scenario moves through several constraints
    launches_caps = np.stack([out["ramp_launches"], out["vehicle_cap_launches"], out["pad_cap_launches"]])
    np.testing.assert_allclose(out["launches"], launches_caps.min(axis=0), rtol=1e-12)


def test_table_cadence_and_table_prices():
    years = [2027, 2030, 2040]
    scenario = launch.default_scenario().replace(
        cadence=launch.Cadence.from_table(years, [10.0, 400.0, 5000.0]),
        economics=launch.Economics.from_table(years, [2000.0, 800.0, 150.0]),
    )
    table = launch.project(scenario, START, 15).set_index("year")
    assert table.loc[2030, "launches"] == pytest.approx(400.0)
    assert table.loc[2035, "launches"] == pytest.approx(2700.0)
    assert table.loc[2041, "launches"] == pytest.approx(5000.0)  # held beyond the table
    assert table.loc[2035, "launch_usd_per_kg"] == pytest.approx(475.0)


def test_jit_equals_no_jit():
    scenario = smooth_scenario()
    eager = kernel.project(scenario, START, YEARS)  # the kernel called directly, op by op outside its scan
    jitted = launch.project_arrays(scenario, START, YEARS)  # the cached jax.jit of the same kernel
    for key in eager:
        np.testing.assert_allclose(np.asarray(jitted[key]), np.asarray(eager[key]), rtol=1e-12, atol=1e-12, err_msg=key)


def test_monte_carlo_vmaps_thousands_of_scenarios_and_equals_a_loop():
    batch = launch.sample_scenarios(smooth_scenario(), n=MC_BATCH, rel_sd=0.2, seed=0)
    out = launch.monte_carlo(batch, START, YEARS)  # jax.jit(jax.vmap(kernel)), one call
    assert out["gw_operating"].shape == (MC_BATCH, YEARS)
    assert bool(jnp.all(jnp.isfinite(out["gw_operating"]))) and bool(jnp.all(jnp.isfinite(out["capex_usd"])))
    spread = np.percentile(np.asarray(out["gw_operating"][:, -1]), [10, 90])
    assert spread[1] > 1.2 * spread[0]  # the sampled numbers matter
    for k in (0, 1, MC_BATCH - 1):
        one = jax.tree_util.tree_map(lambda x, k=k: x[k], batch)
        single = launch.project_arrays(one, START, YEARS)
        for key in single:
            np.testing.assert_allclose(
                np.asarray(out[key][k]), np.asarray(single[key]), rtol=1e-10, atol=1e-9, err_msg=key
            )


def test_float32_matches_float64_within_stated_tolerance():
    # Float32 is for Monte Carlo throughput; the yearly totals agree with float64 to ~1e-4 relative.
    out64 = launch.project_arrays(smooth_scenario(), START, YEARS)
    with jax.enable_x64(False):
        s32 = jax.tree_util.tree_map(lambda x: jnp.asarray(x, jnp.float32), smooth_scenario())
        out32 = launch.project_arrays(s32, START, YEARS)
        assert out32["gw_operating"].dtype == jnp.float32
    for key in ("gw_launched", "gw_operating", "launches", "capex_usd", "launch_usd_per_kg"):
        np.testing.assert_allclose(np.asarray(out32[key], float), np.asarray(out64[key]), rtol=2e-4, err_msg=key)


# ---- gradients against central finite differences, for every scenario number and every float output -----


def _float_keys(out):
    return sorted(k for k, x in out.items() if jnp.issubdtype(x.dtype, jnp.floating) and k != "year")


def test_every_output_has_exact_gradients_for_every_scenario_number():
    scenario = smooth_scenario()
    flat, unravel = ravel_pytree(scenario)
    out0 = launch.project_arrays(scenario, START, YEARS)
    keys = _float_keys(out0)
    scales = {k: float(jnp.max(jnp.abs(out0[k]))) or 1.0 for k in keys}

    def outputs(x):
        out = kernel.project(unravel(x), START, YEARS)
        return jnp.concatenate([out[k] / scales[k] for k in keys])

    jac = np.asarray(jax.jit(jax.jacfwd(outputs))(flat))  # (outputs, parameters)
    assert np.all(np.isfinite(jac))
    paths = [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_flatten_with_path(scenario)[0]]
    sizes = [np.size(leaf) for leaf in jax.tree_util.tree_leaves(scenario)]
    names = [p if n == 1 else f"{p}[{k}]" for p, n in zip(paths, sizes) for k in range(n)]
    # Step: relative for magnitudes, absolute for calendar years (their sensitivities are per year).
    is_year = np.array(["year" in n and "_per_yr" not in n for n in names])
    step = np.where(is_year, 1e-4, 1e-6 * np.maximum(np.abs(np.asarray(flat)), 1e-3))
    eye = np.eye(flat.size)
    perturbed = np.concatenate([flat + eye * step[:, None], flat - eye * step[:, None]])
    # Evaluate all perturbed scenarios in one vmapped call, padded to the Monte Carlo test's batch so that
    # the compiled kernel is shared.
    padded = np.concatenate([perturbed, np.repeat(flat[None], MC_BATCH - len(perturbed), axis=0)])
    batch = jax.vmap(unravel)(jnp.asarray(padded))
    out = launch.monte_carlo(batch, START, YEARS)
    values = np.concatenate([np.asarray(out[k])[: len(perturbed)] / scales[k] for k in keys], axis=1)
    fd = ((values[: flat.size] - values[flat.size :]) / (2 * step[:, None])).T
    # Every scenario number moves some output (nothing is silently ignored) except the first vehicle's
    # introduction year, which is documented as ignored (the first vehicle flies from the start) ...
    moved = np.max(np.abs(jac), axis=0)
    unused = [n for n, m in zip(names, moved) if m == 0]
    assert unused == [".vehicles.intro_year[0]"], unused
    # ... and forward-mode derivatives equal central differences, per parameter.
    for j, name in enumerate(names):
        tol = 1e-6 * np.max(np.abs(jac[:, j])) + 1e-6 * np.abs(jac[:, j])
        bad = np.abs(jac[:, j] - fd[:, j]) > tol
        assert not bad.any(), (name, float(np.max(np.abs(jac[:, j] - fd[:, j]))), float(moved[j]))


def test_reverse_mode_gradients_are_finite_at_edges_and_match_finite_differences():
    # jax.grad of the public function (what notebook users call) at zero failure rate, zero degradation, zero
    # floor, no replacement, zero bus cost and a zero cost of capital: the where-safe math (annuities at zero
    # rates) keeps every gradient finite.
    base = smooth_scenario()
    edge = base.replace(
        cohorts=dataclasses.replace(
            base.cohorts, failure_rate_per_yr=0.0, degradation_per_yr=0.0, replacement_fraction=0.0
        ),
        economics=dataclasses.replace(base.economics, floor_usd_per_kg=0.0, bus_usd_per_kg=0.0, wacc_per_yr=0.0),
    )

    def total(s):
        out = launch.project_arrays(s, START, YEARS)
        return (
            jnp.sum(out["capex_usd"]) / 1e12
            + jnp.sum(out["gw_operating"])
            + jnp.sum(out["lcoc_orbit_usd_per_kw_yr"]) / 1e4
            + jnp.sum(out["npv_usd"]) / 1e12
        )

    grads = jax.grad(total)(edge)
    assert all(bool(jnp.all(jnp.isfinite(g))) for g in jax.tree_util.tree_leaves(grads))
    # Directional derivative along a random direction (one-sided at the zero edges) vs finite differences.
    flat, unravel = ravel_pytree(edge)
    direction = np.abs(np.random.default_rng(0).standard_normal(flat.size)) * 1e-6 * np.maximum(np.abs(flat), 1.0)
    exact = float(ravel_pytree(grads)[0] @ direction)
    fd = float(total(unravel(flat + direction)) - total(unravel(flat))) / 1.0
    fd2 = float(total(unravel(flat + 2 * direction)) - total(unravel(flat))) / 2.0
    # Richardson-extrapolated forward difference (one-sided because the edges are at zero), ~1e-6 accurate.
    assert abs(2 * fd - fd2 - exact) <= 1e-5 * abs(exact)


# ---- invariants (hypothesis) --------------------------------------------------------------------------------


def _project(scenario):
    return launch.project_arrays(scenario, START, YEARS, with_cohorts=True)  # same compile as the closure test


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    failure=st.floats(0.0, 0.3),
    life=st.floats(0.5, 20.0),
    life_sd=st.floats(0.05, 3.0),
    degradation=st.floats(0.0, 0.2),
    replacement=st.floats(0.0, 1.0),
    learning=st.floats(0.0, 0.5),
    ceiling=st.floats(50.0, 50_000.0),
    demand=st.floats(0.0, 500.0),
)
def test_invariants(failure, life, life_sd, degradation, replacement, learning, ceiling, demand):
    base = launch.default_scenario()
    scenario = base.replace(
        cadence=dataclasses.replace(base.cadence, ceiling_launches_per_yr=ceiling),
        cohorts=dataclasses.replace(
            base.cohorts,
            failure_rate_per_yr=failure,
            design_life_yr=life,
            life_sd_yr=life_sd,
            degradation_per_yr=degradation,
            replacement_fraction=replacement,
        ),
        supply=dataclasses.replace(base.supply, demand_gw_per_yr=demand),
        economics=dataclasses.replace(base.economics, learning_rate=learning),
    )
    out = {k: np.asarray(x) for k, x in _project(scenario).items()}
    assert all(np.all(np.isfinite(x)) for x in out.values())
    cum_launched = np.cumsum(out["gw_launched"])
    assert np.all(out["gw_operating"] <= out["gw_operating_nameplate"] * (1 + 1e-12) + 1e-12)
    assert np.all(out["gw_operating_nameplate"] <= cum_launched * (1 + 1e-12) + 1e-12)
    assert np.all(np.diff(out["cum_mass_t"]) >= 0)
    order = np.argsort(out["cum_mass_t"] - out["tonnes_to_orbit"], kind="stable")
    assert np.all(np.diff(out["launch_usd_per_kg"][order]) <= 1e-9 * out["launch_usd_per_kg"][0])
    closure = (
        out["cohort_launched_gw"] - out["cohort_operating_gw"] - out["cohort_failed_gw"] - out["cohort_retired_gw"]
    )
    assert np.max(np.abs(closure)) <= 1e-12 * max(1.0, out["cohort_launched_gw"].max())
    assert np.all(out["gw_launched"] <= out["demand_gw"] + out["gw_replacement"] + 1e-9)
    assert np.all(out["gw_replacement"] <= out["gw_launched"] + 1e-12)


_HAZARD = kernel.FleetHazard(
    base_per_yr=1e-3,
    per_operating_gw_per_yr=2e-4,
    pool_share=np.array([0.02, 0.01]),
    pool_lifetime_yr=np.array([3.0, 40.0]),
    per_pool_gw_per_yr=np.array([5e-4, 1e-3]),
)


@jax.jit
@jax.grad
def _final_cost_gradient(scenario):
    out = kernel.project(scenario, START, YEARS, hazard=_HAZARD)
    return out["lcoc_orbit_usd_per_kw_yr"][-1] / 1e3 + out["gw_operating"][-1] / 1e2


@settings(max_examples=12, deadline=None, derandomize=True)
@given(life=st.floats(0.5, 20.0), life_sd=st.floats(0.05, 3.0))
def test_float32_gradients_with_a_fleet_hazard_are_finite_and_match_float64(life, life_sd):
    # With a hazard, the projection reads each age table at age 0 as well as by slice, so the cotangent reaches
    # the retirement ratio of cohorts long retired, where the surviving share is ~1e-23: in float32 the
    # quotient's derivative (-x / y**2) overflowed there and NaN reached the design life's gradient (a plan's
    # sensitivity in float32, the notebook default, reported NaN for design_life_yr and life_sd_yr).
    base = smooth_scenario()
    scenario = base.replace(cohorts=dataclasses.replace(base.cohorts, design_life_yr=life, life_sd_yr=life_sd))

    def cohort_gradient(dtype):
        grads = _final_cost_gradient(jax.tree_util.tree_map(lambda x: jnp.asarray(x, dtype), scenario)).cohorts
        return np.array([grads.design_life_yr, grads.life_sd_yr, grads.failure_rate_per_yr], float)

    g64 = cohort_gradient(jnp.float64)
    with jax.enable_x64(False):
        g32 = cohort_gradient(jnp.float32)
    assert np.all(np.isfinite(g32)), g32
    np.testing.assert_allclose(g32, g64, rtol=2e-2, atol=2e-3 * np.max(np.abs(g64)))
