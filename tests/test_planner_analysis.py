"""Sensitivities (jax.grad vs central differences and XLA's default compile), what-if sweeps, Monte Carlo and the
published-case table."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from orbital import planner
from orbital.cli import app
from orbital.planner import load_scenario

runner = CliRunner()
SMALL_STUDY = {"n_years": 12, "geometry_days": 2, "geometry_step_s": 1800, "sample_sats_per_shell": 2}


@pytest.fixture(scope="module")
def model():
    scenario = load_scenario("ai1-100gw").with_changes(study=SMALL_STUDY, montecarlo={"draws": 500})
    return planner.PlanModel(scenario, planner.compute_geometry(scenario))


@pytest.mark.parametrize(
    "metric, year",
    [
        ("gw_effective", 2036),
        ("battery_t", 2033),
        ("capex_usd", 2030),
        ("lcoc_ratio", 2036),
        ("npv_usd", 2034),
        ("gw_firm", 2033),
    ],
)
def test_gradients_equal_central_differences(model, metric, year):
    sens = planner.sensitivity(model, metric, year)
    theta = np.asarray(model.theta0)
    # Central differences of the same function for every input, in one vmapped call. Calendar years take an
    # absolute step (the vehicle smoothstep has a second-derivative jump at integer years); inputs at zero (the
    # edge of their domain, e.g. a $0/kg price floor) a one-sided step.
    calendar = np.array([planner.is_calendar_input(n) for n in model.names])
    at_zero = theta == 0.0
    # The jump makes central differences first-order there: 1e-6 yr keeps their error near 1e-5 relative.
    step = np.where(calendar, 1e-6, np.where(at_zero, 1e-5, 1e-6 * np.abs(theta)))
    eye = np.eye(theta.size) * step[:, None]
    batch = jnp.asarray(np.concatenate([theta + eye, np.where(at_zero[:, None], theta, theta - eye)]))
    k = model.year_index(year)
    values = np.asarray(model.batched(batch)[metric])[:, k]
    fd = (values[: theta.size] - values[theta.size :]) / np.where(at_zero, step, 2 * step)
    grad = sens.set_index("input")["gradient"]
    value = sens.attrs["metric_value"]
    checked = 0
    for i, name in enumerate(model.names):
        if name in model.unused:
            continue
        # 1e-4 relative, plus the rounding of the differences: ~10 float64 epsilons of the metric over the step
        # (it decides only for inputs that barely move the metric).
        tolerance = 1e-4 * abs(grad[name]) + 1e-15 * abs(value) / step[i]
        assert abs(fd[i] - grad[name]) <= tolerance, (name, fd[i], grad[name])
        checked += 1
    assert checked >= 60
    assert (sens["elasticity"].abs().diff().dropna() <= 1e-15).all()  # ranked
    assert sens["rank"].tolist() == list(range(1, len(sens) + 1))


@pytest.mark.parametrize("metric, year", [("lcoc_ratio", 2038), ("battery_t", 2033), ("capex_usd", 2030)])
def test_the_quick_compiled_gradient_equals_the_default_compile(model, metric, year):
    # planner.sensitivity's gradient is compiled with orbital.cpu_compile.quick_jit's options. XLA's CPU backend
    # has miscompiled a program of this model under them (the same gradient in forward mode, one tangent per input,
    # vmapped: most entries wrong, deterministically), so the program in use is checked against XLA's defaults.
    from orbital.planner.model import plan_arrays

    k = model.year_index(year)
    default = jax.jit(jax.grad(lambda th: plan_arrays(th, model.geometry_arrays, *model.static)[metric][k]))(
        jnp.asarray(model.theta0)
    )
    value, quick = model.value_and_grad(metric, year)
    scale = np.max(np.abs(np.asarray(default)))
    np.testing.assert_allclose(np.asarray(quick), np.asarray(default), rtol=1e-10, atol=1e-12 * scale)
    np.testing.assert_allclose(float(value), np.asarray(model.jitted(model.theta0)[metric])[k], rtol=1e-12)


def test_float32_sensitivities_are_finite_and_match_float64():
    # A notebook runs in float32 unless it turns on 64-bit mode. Over the default scenario's 19 years the cohorts'
    # retirement ratios reach shares of ~1e-23, where a float32 quotient's derivative once overflowed and made the
    # design life's elasticity NaN; the whole model's gradient is checked here, in the default model's layout.
    scenario = load_scenario("ai1-100gw").with_changes(study={**SMALL_STUDY, "n_years": 19})
    geometry = planner.compute_geometry(scenario)
    tables = {}
    for x64 in (False, True):
        with jax.enable_x64(x64):
            single = planner.PlanModel(scenario, geometry)
            tables[x64] = planner.sensitivity(single, "lcoc_ratio").set_index("input")["elasticity"]
    assert np.all(np.isfinite(tables[False].to_numpy())), tables[False][~np.isfinite(tables[False])]
    # Float32 rounding of a 19-year recursion: every elasticity within 1 % of float64's, or 1e-4 of the largest.
    np.testing.assert_allclose(
        tables[False].to_numpy(),
        tables[True].reindex(tables[False].index).to_numpy(),
        rtol=1e-2,
        atol=1e-4 * float(tables[True].abs().max()),
    )


def test_elasticities_have_the_obvious_values(model):
    sens = planner.sensitivity(model, "gw_launched", 2036).set_index("input")
    # Launch-bound year: GW launched is proportional to the compute share and to the V4 payload.
    assert sens.loc["compute_share.end", "elasticity"] > 0.5
    assert sens.loc["vehicles.payload_t[1]", "elasticity"] > 0.5
    assert sens.loc["cadence.ref_year", "per"] == "+1 year"
    assert "cohorts.kw_per_tonne_initial" not in sens.index  # set by the design roll-up


def test_sweep_is_one_vmapped_call_equal_to_separate_plans(model):
    table = planner.sweep(model, {"limits.flights_per_vehicle_per_yr": [15.0, 30.0], "payload_t": [100.0, 200.0]})
    assert len(table) == 4 * model.n_years
    for (flights, payload), frame in table.groupby(["limits.flights_per_vehicle_per_yr", "payload_t"]):
        theta = model.theta0.at[model.index("limits.flights_per_vehicle_per_yr")].set(flights)
        theta = theta.at[model.index("vehicles.payload_t[0]")].set(payload)
        theta = theta.at[model.index("vehicles.payload_t[1]")].set(payload)
        np.testing.assert_allclose(frame["gw_effective"], np.asarray(model.jitted(theta)["gw_effective"]), rtol=1e-10)
    last = table[table["year"] == table["year"].max()].set_index(["limits.flights_per_vehicle_per_yr", "payload_t"])
    assert last.loc[(15.0, 200.0), "gw_launched"] < last.loc[(30.0, 200.0), "gw_launched"]


def test_batches_batch_only_the_drawn_inputs_and_equal_single_points(model):
    # Draws of one element of an array input, a design input and an environment input: each row of the batch
    # (only its varying columns batched, orbital.planner.inputs.unflatten_drawn) equals the plan at that row.
    drawn = ["vehicles.payload_t[0]", "design.array_oversize", "environment.amplitude_scale"]
    theta = np.asarray(model.theta0)
    thetas = np.tile(theta, (3, 1))
    for k, name in enumerate(drawn):
        thetas[:, model.index(name)] = theta[model.index(name)] * np.array([1.0, 0.9 + 0.05 * k, 1.1])
    assert planner.drawn_columns(thetas) == tuple(sorted(model.index(name) for name in drawn))
    batch = model.batched(jnp.asarray(thetas))
    for row in range(3):
        alone = model.jitted(jnp.asarray(thetas[row]))
        for key, value in alone.items():
            for leaf, batched in zip(jax.tree.leaves(value), jax.tree.leaves(batch[key])):
                np.testing.assert_allclose(np.asarray(batched)[row], np.asarray(leaf), rtol=1e-12, atol=0, err_msg=key)
    # Rows that are all alike: nothing batched, every row the scenario's plan.
    same = model.batched(jnp.asarray(np.tile(theta, (2, 1))), ("gw_effective", "kw_per_tonne_rollup"))
    for key, value in same.items():
        np.testing.assert_allclose(value, np.tile(np.asarray(model.jitted(model.theta0)[key]), (2, 1)), rtol=1e-12)


def test_sweep_set_parsing_and_errors(model):
    assert planner.parse_set("payload_t=100,200") == ("payload_t", [100.0, 200.0])
    for bad in ["payload_t", "payload_t=a,b", "payload_t="]:
        with pytest.raises(ValueError, match="--set"):
            planner.parse_set(bad)
    with pytest.raises(ValueError, match="not a numeric scenario input"):
        planner.resolve_input(model, "warp_factor")
    with pytest.raises(ValueError, match="ambiguous"):
        planner.resolve_input(model, "growth_rate_per_yr")
    assert planner.resolve_input(model, "ceiling_launches_per_yr") == [model.index("cadence.ceiling_launches_per_yr")]
    with pytest.raises(ValueError, match="out of range"):
        planner.sweep(model, {"compute_share.end": [0.5, 1.5]})


def test_monte_carlo_is_reproducible_and_bands_are_ordered(model):
    a = planner.montecarlo(model, 400, seed=0)
    b = planner.montecarlo(model, 400, seed=0, chunk=128)
    c = planner.montecarlo(model, 400, seed=1)
    again = planner.montecarlo(model, 400, seed=0)
    np.testing.assert_array_equal(a["draws"]["gw_effective"], again["draws"]["gw_effective"])
    pd.testing.assert_frame_equal(a["bands"], again["bands"])
    # Another chunking changes only the last bits (XLA fuses another batch size differently).
    np.testing.assert_allclose(a["draws"]["gw_effective"], b["draws"]["gw_effective"], rtol=1e-12)
    assert not np.allclose(a["draws"]["gw_effective"], c["draws"]["gw_effective"])
    bands = a["bands"]
    columns = [col for col in bands.columns if col.startswith("p")]
    assert columns == ["p5", "p25", "p50", "p75", "p95"]
    assert (np.diff(bands[columns].to_numpy(), axis=1) >= 0).all()
    late = bands[(bands.metric == "gw_effective") & (bands.year == 2038)]
    assert float(late.p95.iloc[0]) > float(late.p5.iloc[0])  # uncertain inputs spread the answer
    inputs = a["inputs"]
    # The copula carries the scenario's negative correlation (flights per ship vs launch $/kg).
    rank = inputs.rank()
    rho = np.corrcoef(rank["limits.flights_per_vehicle_per_yr"], rank["economics.launch_usd_per_kg_start"])[0, 1]
    assert -0.75 < rho < -0.45
    assert inputs["cohorts.kw_per_tonne_final"].between(80.0, 120.0).all()
    # The draws are the ones the plan function sees: one draw re-evaluated alone gives the same numbers.
    theta = np.asarray(model.theta0).copy()
    for key in inputs:
        theta[model.index(key)] = inputs[key].iloc[7]
    np.testing.assert_allclose(
        np.asarray(model.jitted(jnp.asarray(theta))["gw_effective"]), a["draws"]["gw_effective"][7], rtol=1e-10
    )


def test_cli_sweep_sensitivity_montecarlo_write_results(tmp_path):
    small = tmp_path / "small.toml"
    small.write_text(
        '[scenario]\nname = "small"\n[study]\nn_years = 8\ngeometry_days = 1\ngeometry_step_s = 1800\n'
        'sample_sats_per_shell = 1\n[[shells]]\nname = "a"\naltitude_km = 650.0\nltan_hours = 18.0\nshare = 1.0\n'
        '[montecarlo]\ndraws = 50\n[montecarlo.inputs."cohorts.kw_per_tonne_final"]\ndist = "uniform"\n'
        "low = 80.0\nhigh = 120.0\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(small), "--set", "flights_per_vehicle_per_yr=15,30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out / "sweep.csv")) == 2 * 8 and (out / "sweep.png").exists()
    result = runner.invoke(
        app, ["sensitivity", str(small), "--metric", "gw_effective", "--year", "2031", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out / "sensitivity.csv")["rank"].iloc[0] == 1 and (out / "tornado.png").exists()
    first = runner.invoke(app, ["montecarlo", str(small), "-n", "60", "--seed", "3", "--out", str(out)])
    assert first.exit_code == 0, first.output
    bands = (out / "montecarlo.csv").read_text()
    again = runner.invoke(app, ["montecarlo", str(small), "-n", "60", "--seed", "3", "--out", str(out)])
    assert again.exit_code == 0 and (out / "montecarlo.csv").read_text() == bands
    assert (out / "fan.png").exists() and (out / "montecarlo_provenance.json").exists()
    for arguments in (
        ["sweep", str(small), "--set", "nope=1,2"],
        ["sweep", str(small), "--set", "payload_t"],
        ["sensitivity", str(small), "--metric", "happiness"],
        ["sensitivity", str(small), "--year", "1990"],
        ["montecarlo", str(small), "-n", "1"],
    ):
        result = runner.invoke(app, arguments + ["--out", str(tmp_path / "never")])
        assert result.exit_code == 2, (arguments, result.output)
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "never").exists()


def test_validate_prints_every_published_case(tmp_path):
    cases = planner.validation_cases(quick=True)
    assert cases["passed"].all(), cases[~cases["passed"]]
    assert len(cases) >= 17
    result = runner.invoke(app, ["validate", "--quick", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Suncatcher" in result.output and "pass" in result.output
    assert pd.read_csv(tmp_path / "validation.csv")["passed"].all()


def test_validate_exits_1_when_a_case_fails(monkeypatch):
    failing = pd.DataFrame(
        [dict(case="broken", source="test", expected=1.0, computed=2.0, tolerance=0.1, passed=False)]
    )
    monkeypatch.setattr(planner, "validation_cases", lambda quick=False: failing)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 1 and "FAIL" in result.output


def test_option_checks_live_in_the_planner(model):
    with pytest.raises(ValueError, match="100,000"):
        planner.check_sweep({"a": list(range(1000)), "b": list(range(101))})
    assert planner.check_sweep({"a": [1.0, 2.0], "b": [3.0, 4.0, 5.0]}) == 6
    with pytest.raises(ValueError, match="at least 2 draws"):
        planner.check_draws(1, 0)
    with pytest.raises(ValueError, match="seed"):
        planner.check_draws(10, -1)
    planner.check_draws(None, None)
    with pytest.raises(ValueError, match="not a plan output"):
        planner.check_metric("happiness")
    with pytest.raises(ValueError, match="not a plan output"):
        planner.montecarlo(model, 10, metrics=["happiness"])


def test_sweep_and_draw_ranges_come_from_the_declarations(model):
    import launch
    from launch.validation import parameter_specs

    spec = parameter_specs(launch.ComputeShare)["end"]
    k = model.index("compute_share.end")
    assert model.specs[k] == spec
    with pytest.raises(ValueError, match=r"compute_share\.end=1\.5.*" + re.escape(spec.interval())):
        planner.sweep(model, {"compute_share.end": [1.5]})
    scenario = model.scenario.with_changes(
        montecarlo={"inputs": {"compute_share.end": {"dist": "normal", "mean": 0.9, "sd": 0.2}}, "correlations": []}
    )
    wide = planner.PlanModel(scenario, model.geometry)
    with pytest.raises(
        ValueError, match=r"montecarlo.inputs.compute_share.end: draws reach .*" + re.escape(spec.interval())
    ):
        planner.montecarlo(wide, 200, 0)


def test_published_cases_name_real_sources():
    cases = planner.validation_cases(quick=True)
    assert not cases["source"].str.contains("DESIGN|issue").any()
    assert cases["source"].str.contains("arXiv:2511.19468").any() and cases["source"].str.contains("closed form").any()
