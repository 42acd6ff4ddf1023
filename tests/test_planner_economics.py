"""The plan's economics: cost of delivered compute in orbit and on the ground, firm capacity, the programme's
cash flows, lifecycle NPV and IRR, the summary's milestones, and the files `orbital plan` writes for them."""

import concurrent.futures
import json

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import launch
from launch.core import costs
from orbital import planner
from orbital.cli import app
from orbital.planner import economics as programme
from orbital.planner import load_scenario, yearly_plan
from orbital.planner.economics import cost_ratio_drivers

SMALL_STUDY = {"n_years": 12, "geometry_days": 3, "geometry_step_s": 1800, "sample_sats_per_shell": 2}
ROUNDING = 1e-12


@pytest.fixture(scope="module")
def plan():
    return planner.plan(load_scenario("ai1-100gw").with_changes(study=SMALL_STUDY))


def test_firm_capacity_is_the_lowest_day_of_the_same_closed_form(plan):
    # Recompute each day's fleet availability on the host from the geometry's daily eclipse share and the
    # per-shell array margin of shells.csv (availability = margin x (sunlit + eclipse share x compute in eclipse)).
    design = plan.scenario.satellite_design()
    shells = plan.shells
    sunlit = shells["sunlit_fraction"].to_numpy()
    ecf = design.eclipse_compute_fraction
    margin = shells["compute_availability"].to_numpy() / (sunlit + ecf * (1 - sunlit))
    shares = shells["share"].to_numpy()
    eclipse = plan.geometry.daily_eclipse_fraction
    daily = np.sum((shares * margin)[:, None] * (1 - eclipse + ecf * eclipse), axis=0)
    np.testing.assert_allclose(programme.daily_availability(plan.model), daily, rtol=1e-12)
    availability = plan.table["compute_availability"].to_numpy()
    firm = plan.table["firm_compute_fraction"].to_numpy()
    np.testing.assert_allclose(firm, availability * daily.min() / daily.mean(), rtol=1e-12)
    assert np.all(firm <= availability)
    np.testing.assert_allclose(plan.table["gw_firm"], plan.table["gw_operating"] * firm, rtol=ROUNDING)
    e = plan.scenario.launch_scenario().economics
    dip = plan.table["gw_operating"] * (availability - firm) * e.utilisation * e.revenue_usd_per_gw_yr
    np.testing.assert_allclose(plan.table["seasonal_dip_revenue_usd"], dip, rtol=ROUNDING)


def test_economics_table_components_sum_and_match_the_plan(plan):
    table, eco = plan.table, plan.economics
    assert eco["year"].tolist() == table["year"].tolist()
    orbit = sum(eco[f"lcoc_orbit_{n}_usd_per_kw_yr"] for n in costs.ORBIT_COMPONENTS)
    np.testing.assert_allclose(orbit, eco["lcoc_orbit_usd_per_kw_yr"], rtol=ROUNDING)
    ground = sum(eco[f"lcoc_ground_{n}_usd_per_kw_yr"] for n in costs.GROUND_COMPONENTS)
    np.testing.assert_allclose(ground, eco["lcoc_ground_usd_per_kw_yr"], rtol=ROUNDING)
    np.testing.assert_allclose(eco["lcoc_ratio"], table["lcoc_ratio"], rtol=ROUNDING)
    np.testing.assert_allclose(table["lcoc_ratio"], orbit / ground, rtol=ROUNDING)
    # Delivered compute is priced at the plan's own availability: the levelised cost scales as 1/availability.
    at_one = plan.model.scenario.launch_scenario(float(table["kw_per_tonne_rollup"].iloc[0]))
    full = launch.project_arrays(
        at_one, plan.model.start_year, plan.model.n_years, availability=1.0, hazard=plan.model.fleet_hazard()
    )
    np.testing.assert_allclose(
        table["lcoc_orbit_usd_per_kw_yr"] * table["compute_availability"],
        np.asarray(full["lcoc_orbit_usd_per_kw_yr"]),
        rtol=1e-10,
    )


def test_break_even_launch_price_round_trips_through_the_plan():
    # A cheap bus and a fleet that dodges every tracked object (only the lethal untracked debris remains) make the
    # break-even price positive; a flat launch price table at that price must then put the final cohort exactly at
    # parity (the launch price moves no launch, only costs).
    base = load_scenario("ai1-100gw").with_changes(
        study=SMALL_STUDY,
        economics={"bus_usd_per_kg": 50.0, "operations_usd_per_kw_yr": 0.0, "insurance_in_orbit_per_yr": 0.0},
        collisions={"avoidance_efficacy": 1.0, "fleet_avoidance_efficacy": 1.0, "coordination_factor": 0.0},
    )
    geometry = planner.compute_geometry(base)
    first = planner.PlanModel(base, geometry).table()
    price = float(first["break_even_launch_usd_per_kg"].iloc[-1])
    assert price > 0
    years = [float(first["year"].iloc[0]), float(first["year"].iloc[-1])]
    flat = base.with_changes(
        economics={"price_model": "table", "table_years": years, "table_usd_per_kg": [price, price]}
    )
    second = planner.PlanModel(flat, geometry).table()
    assert float(second["lcoc_ratio"].iloc[-1]) == pytest.approx(1.0, rel=1e-9)


def test_lifecycle_npv_and_irr(plan):
    model = plan.model
    wacc = float(model.theta0[model.index("economics.wacc_per_yr")])
    # At the scenario's own cost of capital, the lifecycle NPV is the cohorts' NPV per kW, discounted.
    eco = plan.economics
    expected = np.sum(
        eco["gw_launched"] * 1e6 * eco["cohort_npv_usd_per_kw"] * np.exp(-wacc * (np.arange(len(eco)) + 0.5))
    )
    assert programme.lifecycle_npv_usd(model, [wacc])[0] == pytest.approx(expected, rel=1e-10)
    irr, note = programme.lifecycle_irr(model)
    summary = plan.summary()["economics"]
    assert summary["lifecycle_irr"] == irr and summary["irr_note"] == note
    if irr is None:
        assert "no IRR" in note
    else:
        scale = np.max(np.abs(programme.lifecycle_npv_usd(model, [irr - 0.1, irr + 0.1])))
        assert abs(programme.lifecycle_npv_usd(model, [irr])[0]) <= 1e-9 * scale
        # The NPV changes sign through the root.
        below, above = programme.lifecycle_npv_usd(model, [irr - 0.01, irr + 0.01])
        assert below * above < 0


def test_summary_milestones_are_consistent_with_the_table(plan):
    summary = plan.summary()
    e = summary["economics"]
    table = plan.table
    ratio = table["lcoc_ratio"].to_numpy()
    parity = table["year"].to_numpy()[ratio <= 1]
    assert e["parity_year"] == (int(parity[0]) if len(parity) else None)
    assert e["parity_note"]
    assert e["cost_ratio_final_year"] == pytest.approx(ratio[-1])
    assert e["ground_usd_per_accelerator_hr"] == pytest.approx(
        e["ground_usd_per_kw_yr"] * 2.0 / 8766.0, rel=ROUNDING
    )  # 2 kW per accelerator, 8,766 h a year
    assert len(e["cost_ratio_drivers"]) == programme.DRIVERS_LISTED
    # The summary is strict JSON (no NaN or Infinity).
    json.loads(planner.outputs.to_json(summary), parse_constant=lambda name: pytest.fail(name))


def test_montecarlo_bands_cover_the_costs(plan):
    result = planner.montecarlo(plan.model, n=64, seed=1)
    bands = result["bands"].set_index(["metric", "year"])
    for metric in ("lcoc_orbit_usd_per_kw_yr", "lcoc_ground_usd_per_kw_yr", "lcoc_ratio"):
        frame = bands.loc[metric]
        assert np.all(np.isfinite(frame.to_numpy()))
        percentile_columns = [c for c in frame.columns if c.startswith("p")]
        assert np.all(np.diff(frame[percentile_columns].to_numpy(), axis=1) >= 0)


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("wacc_per_yr", -0.1, "economics.wacc_per_yr = -0.1"),
        ("ground_pue", 0.9, "economics.ground_pue = 0.9"),
        ("utilisation", 1.5, "economics.utilisation = 1.5"),
    ],
)
def test_bad_economics_keys_get_one_line(tmp_path, key, value, words):
    path = tmp_path / "bad.toml"
    path.write_text(
        f'[scenario]\nname = "bad"\ninherits = "ai1-100gw"\n[economics]\n{key} = {value}\n', encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["plan", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0] and "allowed" in lines[0], result.stderr
    assert not (tmp_path / "out").exists()


def test_plan_writes_the_economics_files(plan):
    files = planner.plan_files(plan)
    for name in ("economics.csv", "costs.png", "cost_waterfall.png", "firm_capacity.png"):
        assert name in files
    assert files["costs.png"][:8] == b"\x89PNG\r\n\x1a\n"


def test_a_plan_whose_slow_products_start_on_an_executor_equals_one_computed_in_turn(plan):
    """``plan(executor=)`` starts the altitude trade and the summary's gradient on other threads: the same
    summary, drivers and trade as a plan that computes them on first use."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        early = planner.plan(plan.scenario, executor=pool)
        assert set(early._started) == {"altitude_trade", "cost_ratio_drivers"}
        early_summary = early.summary()
        early_trade = early.altitude_trade()
    assert early_summary == plan.summary()
    assert early_summary["economics"]["cost_ratio_drivers"] == plan.summary()["economics"]["cost_ratio_drivers"]
    pd.testing.assert_frame_equal(early_trade, plan.altitude_trade())
    pd.testing.assert_frame_equal(cost_ratio_drivers(plan.model), early._started["cost_ratio_drivers"].result())


def test_work_started_on_another_thread_keeps_the_callers_64_bit_mode():
    """JAX's scoped 64-bit mode is per thread: what ``plan`` starts on an executor is run in the caller's."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        for x64 in (False, True):
            with jax.enable_x64(x64):
                dtype_of_a_float = yearly_plan._in_callers_x64_mode(lambda: jnp.asarray(1.0).dtype)
            assert pool.submit(dtype_of_a_float).result() == (jnp.float64 if x64 else jnp.float32)


def test_the_summary_waits_for_a_sensitivity_computing_elsewhere_last(plan, monkeypatch):
    """Given its drivers as a function (``plan(executor=)`` passes the gradient's future), the economics summary
    calls it once, after the IRR search and the lifecycle NPV (which compile and run meanwhile), and returns what
    it returns with the drivers given."""
    calls = []

    def recorded(name, function):
        def run(*args, **kwargs):
            calls.append(name)
            return function(*args, **kwargs)

        return run

    drivers = cost_ratio_drivers(plan.model)
    monkeypatch.setattr(programme, "lifecycle_irr", recorded("irr", programme.lifecycle_irr))
    monkeypatch.setattr(programme, "lifecycle_npv_usd", recorded("npv", programme.lifecycle_npv_usd))
    summary = programme.economics_summary(plan.model, plan.table, plan.economics, recorded("drivers", lambda: drivers))
    assert calls == ["irr", "npv", "drivers"]
    assert summary == programme.economics_summary(plan.model, plan.table, plan.economics, drivers)
