"""Goal seeking (``orbital solve``): round trips through the plan, closed forms, several roots, the safeguarded
Newton-bisection, and the one-line refusals (unknown input, vector input, unreachable target)."""

import json
import math

import jax.numpy as jnp
import numpy as np
import pytest
from typer.testing import CliRunner

from orbital import planner
from orbital.cli import app
from orbital.planner.goal_seek import newton_bisection

runner = CliRunner()
# A one-shell scenario on a short geometry window: the module's model and the CLI tests share its structure, so
# the compiled grid and derivative functions serve both.
SMALL = (
    '[scenario]\nname = "small-solve"\n[study]\nn_years = 8\ngeometry_days = 1\ngeometry_step_s = 1800\n'
    'sample_sats_per_shell = 1\n[[shells]]\nname = "a"\naltitude_km = 650.0\nltan_hours = 18.0\nshare = 1.0\n'
)


@pytest.fixture(scope="module")
def small_toml(tmp_path_factory):
    path = tmp_path_factory.mktemp("solve") / "small.toml"
    path.write_text(SMALL)
    return path


@pytest.fixture(scope="module")
def model(small_toml):
    return planner.PlanModel.from_scenario(planner.load_scenario(small_toml))


def metric_at(model, name, value, metric, year):
    theta = model.theta0.at[model.index(name)].set(value)
    return float(model.jitted(theta)[metric][model.year_index(year)])


def test_growth_rate_round_trip_recovers_the_rate(model):
    # gw_launched two years after the reference year grows with the cadence's growth rate (launch-bound ramp):
    # the target computed at 0.3 /yr must give back 0.3 /yr.
    year = model.start_year + 2
    target = metric_at(model, "cadence.growth_rate_per_yr", 0.3, "gw_launched", year)
    result = planner.solve(
        model, target_metric="gw_launched", target_value=target, year=year, vary="cadence.growth_rate_per_yr"
    )
    assert result.input == "cadence.growth_rate_per_yr" and result.unit == "1/yr"
    assert result.value == pytest.approx(0.3, rel=1e-7)
    assert result.relative_error <= 1e-9
    assert metric_at(model, result.input, result.value, "gw_launched", year) == pytest.approx(target, rel=1e-6)
    assert result.bracket[0] <= result.value <= result.bracket[1]
    assert result.sign_changes == 1 and result.initial_value == pytest.approx(
        float(model.theta0[model.index(result.input)])
    )
    # The polish is Newton's: a handful of evaluations from the grid cell, none of them bisections.
    assert result.newton_steps >= 1 and result.bisection_steps == 0 and result.iterations <= 6


def test_launch_price_has_the_closed_form_answer(model):
    # Wright's law: the $/kg of any year is proportional to the starting price (the floor is 0 and the cumulative
    # mass does not depend on the price), so the price giving $500/kg is start x 500 / today's value.
    year = model.start_year + 5
    start = float(model.theta0[model.index("economics.launch_usd_per_kg_start")])
    now = metric_at(model, "economics.launch_usd_per_kg_start", start, "launch_usd_per_kg", year)
    result = planner.solve(
        model, target_metric="launch_usd_per_kg", target_value=500.0, year=year, vary="launch_usd_per_kg_start"
    )
    assert result.input == "economics.launch_usd_per_kg_start"
    assert result.value == pytest.approx(start * 500.0 / now, rel=1e-9)
    assert metric_at(model, result.input, result.value, "launch_usd_per_kg", year) == pytest.approx(500.0, rel=1e-6)


def test_payload_round_trip(model):
    year = model.start_year + 4
    target = metric_at(model, "vehicles.payload_t[1]", 150.0, "gw_launched", year)
    result = planner.solve(model, target_metric="gw_launched", target_value=target, year=year, vary="payload_t[1]")
    assert result.input == "vehicles.payload_t[1]"
    assert metric_at(model, result.input, result.value, "gw_launched", year) == pytest.approx(target, rel=1e-6)
    assert result.value == pytest.approx(150.0, rel=1e-6)


def test_a_calendar_year_input_can_be_solved_for(model):
    year = model.start_year + 4
    target = metric_at(model, "cadence.ref_year", model.start_year + 1.5, "gw_launched", year)
    result = planner.solve(model, target_metric="gw_launched", target_value=target, year=year, vary="cadence.ref_year")
    assert result.value == pytest.approx(model.start_year + 1.5, abs=1e-6)
    assert metric_at(model, result.input, result.value, "gw_launched", year) == pytest.approx(target, rel=1e-6)


def test_non_monotone_metric_returns_the_crossing_nearest_the_scenario(model):
    # Oversizing the arrays raises availability until the arrays carry peak compute (availability saturates),
    # then only adds mass: gw_effective rises, peaks and falls, so a target below the peak is met twice.
    year = model.start_year + 4
    name = "design.array_oversize"
    current = float(model.theta0[model.index(name)])
    grid = np.linspace(0.5, 3.0, 26)
    values = np.array([metric_at(model, name, x, "gw_effective", year) for x in grid])
    peak = int(np.argmax(values))
    rising = 0.5 * (grid[0] + grid[peak]) if grid[peak] < current else 0.5 * (current + grid[peak])
    target = metric_at(model, name, rising, "gw_effective", year)
    # Rises to an inner peak, then falls below the target before the top of the declared range (100).
    assert 0 < peak < len(grid) - 1 and metric_at(model, name, 100.0, "gw_effective", year) < target
    result = planner.solve(model, target_metric="gw_effective", target_value=target, year=year, vary=name)
    assert result.sign_changes == 2
    assert result.value == pytest.approx(rising, rel=1e-7)
    # The other crossing, beyond the peak: narrow the search to it.
    other = planner.solve(
        model, target_metric="gw_effective", target_value=target, year=year, vary=name, lower=grid[peak] + 0.1
    )
    assert other.value > grid[peak] and other.sign_changes == 1
    assert metric_at(model, name, other.value, "gw_effective", year) == pytest.approx(target, rel=1e-6)


def test_target_already_met_returns_the_scenario_value(model):
    year = model.start_year + 3
    name = "cadence.growth_rate_per_yr"
    current = float(model.theta0[model.index(name)])
    target = metric_at(model, name, current, "gw_launched", year)
    result = planner.solve(model, target_metric="gw_launched", target_value=target, year=year, vary=name)
    assert result.value == current and result.iterations == 0


def test_newton_bisection_on_closed_forms():
    # Smooth: Newton's quadratic convergence to the cube root of 2.
    x, f, steps = newton_bisection(lambda x: (x**3 - 2.0, 3 * x**2), 0.0, 2.0, -2.0, 6.0, 1e-14)
    assert x == pytest.approx(2.0 ** (1 / 3), rel=1e-13) and steps["evaluations"] <= 12
    # Newton alone diverges on atan from far off (every step overshoots further); the safeguard bisects instead.
    fn = lambda x: (math.atan(x - 1.3), 1.0 / (1.0 + (x - 1.3) ** 2))  # noqa: E731
    x, f, steps = newton_bisection(fn, -30.0, 60.0, fn(-30.0)[0], fn(60.0)[0], 1e-13)
    assert x == pytest.approx(1.3, abs=1e-12) and steps["bisection"] >= 1 and steps["newton"] >= 1
    # A kink at the root (a min switching branches): still converges, bracket kept.
    fn = lambda x: (min(2.0 * x - 1.0, 0.1 * x - 0.05), 2.0 if 2.0 * x - 1.0 < 0.1 * x - 0.05 else 0.1)  # noqa: E731
    x, f, _ = newton_bisection(fn, -1.0, 3.0, fn(-1.0)[0], fn(3.0)[0], 1e-13)
    assert x == pytest.approx(0.5, abs=1e-12)
    # A jump across zero: the bracket closes on the jump and the residual stays large.
    fn = lambda x: (1.0 if x > 0.3 else -1.0, 0.0)  # noqa: E731
    x, f, _ = newton_bisection(fn, 0.0, 1.0, -1.0, 1.0, 1e-9)
    assert x == pytest.approx(0.3, abs=1e-12) and abs(f) == 1.0


def test_unreachable_target_names_the_range(model):
    year = model.start_year + 4
    with pytest.raises(ValueError) as err:
        planner.solve(model, target_metric="gw_launched", target_value=1e6, year=year, vary="vehicles.payload_t[1]")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"metric=gw_launched in {year} ranges over [")
    assert "for vehicles.payload_t[1] in [" in message and "the target 1e+06 is outside it" in message


def test_search_range_respects_the_scenarios_cross_checks(model):
    # A start rate above the ceiling is refused by Cadence: the search stops just below the ceiling and says why.
    name, year = "cadence.start_launches_per_yr", model.start_year + 1
    ceiling = float(model.theta0[model.index("cadence.ceiling_launches_per_yr")])
    target = metric_at(model, name, 10.0, "gw_launched", year)
    result = planner.solve(model, target_metric="gw_launched", target_value=target, year=year, vary=name)
    assert result.value == pytest.approx(10.0, rel=1e-7)
    assert result.search_range[1] < ceiling and result.search_range[1] == pytest.approx(ceiling, rel=1e-9)
    assert result.declared_range == "(0, 1e+06]" and "Cadence.ceiling_launches_per_yr" in result.range_note
    with pytest.raises(ValueError, match=r"narrowed by the scenario's checks: Cadence.ceiling_launches_per_yr"):
        planner.solve(model, target_metric="gw_launched", target_value=1e6, year=year, vary=name)


@pytest.mark.parametrize(
    "options, match",
    [
        (dict(vary="growth_rate_per_yrr"), r"^vary='growth_rate_per_yrr': not a numeric scenario input"),
        (dict(vary="cadence.growth_rat"), r"did you mean cadence.growth_rate_per_yr"),
        (
            dict(vary="payload_t"),
            r"^vary='payload_t' names 2 inputs \(vehicles.payload_t\[0\], vehicles.payload_t\[1\]\)",
        ),
        (
            dict(vary="growth_rate_per_yr"),
            r"^vary='growth_rate_per_yr': ambiguous; it matches cadence.growth_rate_per_yr",
        ),
        (dict(target_metric="happiness"), r"^metric='happiness' is not a plan output"),
        (dict(target_metric="binding_code"), r"^metric='binding_code' is a label"),
        (dict(year=1990), r"^year=1990: outside the study window \[2027, 2034\]"),
        (dict(target_value=math.nan), r"^target_value=nan: must be a finite number"),
        (dict(target_value=math.inf), r"^target_value=inf: must be a finite number"),
        (dict(lower=-1.0), r"^lower=-1 1/yr is outside the allowed range \(0, 5\] 1/yr of cadence.growth_rate_per_yr"),
        (dict(lower=0.5, upper=0.4), r"^lower=0.5 must be below upper=0.4"),
        (dict(rtol=0.0), r"^rtol=0.0: must lie in \(0, 0.01\]"),
    ],
)
def test_bad_arguments_get_one_line(model, options, match):
    arguments = dict(target_metric="gw_launched", target_value=1.0, year=2030, vary="cadence.growth_rate_per_yr")
    with pytest.raises(ValueError, match=match) as err:
        planner.solve(model, **{**arguments, **options})
    assert "\n" not in str(err.value)


def test_cli_solve_writes_the_result(model, small_toml, tmp_path):
    year = model.start_year + 2
    target = metric_at(model, "cadence.growth_rate_per_yr", 0.3, "gw_launched", year)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["solve", str(small_toml), "--target", f"gw_launched={target!r}", "--year", str(year)]
        + ["--vary", "cadence.growth_rate_per_yr", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    saved = json.loads((out / "solve.json").read_text())
    solved = saved["solve"]
    assert solved["value"] == pytest.approx(0.3, rel=1e-7) and solved["target"] == target
    assert saved["scenario_name"] == "small-solve" and "scenario_sha256" in saved

    def numbers(node):
        if isinstance(node, dict):
            return [v for value in node.values() for v in numbers(value)]
        if isinstance(node, list):
            return [v for value in node for v in numbers(value)]
        return [node] if isinstance(node, float) else []

    assert all(math.isfinite(v) for v in numbers(solved)) and len(solved["grid_inputs"]) >= 60
    assert (out / "solve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_solve_refusals_exit_2_with_one_line(small_toml, tmp_path):
    never = tmp_path / "never"
    for arguments, expected in (
        (["--target", "gw_launched=1e6", "--year", "2031", "--vary", "vehicles.payload_t[1]"], "ranges over"),
        (["--target", "gw_launched=1", "--year", "2031", "--vary", "payload_t"], "names 2 inputs"),
        (["--target", "gw_launched=1", "--year", "2031", "--vary", "nope"], "not a numeric scenario input"),
        (["--target", "gw_launched", "--year", "2031", "--vary", "payload_t[1]"], "expected METRIC=VALUE"),
        (["--target", "gw_launched=x", "--year", "2031", "--vary", "payload_t[1]"], "must be a number"),
        (["--target", "gw_launched=1", "--year", "2099", "--vary", "payload_t[1]"], "outside the study window"),
        (["--target", "gw_launched=1", "--year", "2031", "--vary", "payload_t[1]", "--lower", "5000"], "lower=5000"),
    ):
        result = runner.invoke(app, ["solve", str(small_toml), *arguments, "--out", str(never)])
        assert result.exit_code == 2, (arguments, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.output and expected in lines[0], result.output
    assert not never.exists()
    # The unreachable target's line names the metric, the target and the range of both.
    result = runner.invoke(
        app, ["solve", str(small_toml), "--target", "gw_launched=1e6", "--year", "2031", "--vary", "payload_t[1]"]
    )
    line = result.output.strip()
    assert line.startswith("error: metric=gw_launched in 2031 ranges over [") and "1e+06 is outside it" in line


def test_solve_files_match_the_result(model):
    year = model.start_year + 5
    result = planner.solve(
        model, target_metric="launch_usd_per_kg", target_value=500.0, year=year, vary="launch_usd_per_kg_start"
    )
    files = planner.solve_files(model, result)
    assert set(files) == {"solve.json", "solve.png"}
    saved = json.loads(files["solve.json"])["solve"]
    assert saved["value"] == result.value and saved["metric"] == "launch_usd_per_kg" and saved["year"] == year
    assert saved["search_range"][0] > 0  # the open end (0, ...] is nudged inside
    assert jnp.isfinite(jnp.asarray(saved["grid_metric"])).all()
