"""Bad inputs that used to pass silently or end in a traceback: infinite numbers, categorical metrics,
unbounded Monte Carlo draws and seeds, an empty tornado. Each now gets one line naming the argument or key."""

import math

import numpy as np
import pytest
from typer.testing import CliRunner

import launch
from orbital import planner
from orbital.cli import app

runner = CliRunner()
SHELL = {"name": "dawn-dusk", "altitude_km": 650.0, "ltan_hours": 18.0, "share": 1.0}


def one_line_error(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_non_finite_parameters_are_refused_at_construction(value):
    with pytest.raises(ValueError, match=r"LaunchLimits\.vehicles_initial=(-?inf|nan) is outside the allowed range"):
        launch.LaunchLimits(vehicles_initial=value)


def test_an_infinite_scenario_number_is_refused_naming_its_key():
    # TOML's `inf` used to pass pydantic's float check and reach summary.json as Infinity.
    raw = {"scenario": {"name": "inf-case"}, "limits": {"vehicles_initial": math.inf}, "shells": [SHELL]}
    with pytest.raises(planner.ScenarioError) as err:
        planner.parse_scenario(raw, "inf.toml").launch_scenario()
    message = str(err.value)
    assert "\n" not in message
    assert "vehicles_initial" in message and "inf" in message, message


def test_fit_ramp_refuses_an_infinite_count():
    years = np.arange(2016, 2025, dtype=float)
    launches = np.array([8, 18, 21, 13, 25, 31, 61, 96, np.inf])
    with pytest.raises(ValueError, match=r"launches=inf launches/yr is outside the allowed range \[0, inf\)"):
        launch.fit_ramp(years, launches)


@pytest.mark.parametrize("metric", ["year", "launch_limit_code", "binding_code"])
def test_categorical_outputs_are_not_metrics(metric):
    with pytest.raises(ValueError, match=f"metric='{metric}' is a label \\(a year or a code\\), not a plan quantity"):
        planner.check_metric(metric)
    assert planner.check_metric("gw_effective") == "gw_effective"


@pytest.mark.parametrize(
    ("n", "seed", "pattern"),
    [
        (1, None, r"n=1 is outside the allowed range \[2, 1,000,000\]"),
        (100_000_000, None, r"n=100000000 is outside the allowed range \[2, 1,000,000\]"),
        (None, -1, r"seed=-1 is outside the allowed range \[0, 4294967295\]"),
        (None, 2**64, r"seed=18446744073709551616 is outside the allowed range"),
    ],
)
def test_monte_carlo_draws_and_seed_are_bounded(n, seed, pattern):
    with pytest.raises(ValueError, match=pattern):
        planner.check_draws(n, seed)
    planner.check_draws(2, 0)
    planner.check_draws(planner.MAX_DRAWS, planner.MAX_SEED - 1)


def test_cli_refuses_huge_draws_and_seeds_before_any_computation(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the scenario's geometry must not be computed for bad options")

    monkeypatch.setattr(planner.PlanModel, "from_scenario", never)
    for args in (["-n", "100000000"], ["--seed", str(2**64)]):
        result = runner.invoke(app, ["montecarlo", "ai1-100gw", *args])
        assert result.exit_code == 2, result.output
        assert "is outside the allowed range" in one_line_error(result.output)


@pytest.mark.parametrize("top", ["0", "-3"])
def test_cli_sensitivity_needs_at_least_one_row(top, monkeypatch):
    monkeypatch.setattr(planner.PlanModel, "from_scenario", lambda *a, **k: pytest.fail("computed"))
    result = runner.invoke(app, ["sensitivity", "ai1-100gw", "--top", top])
    assert result.exit_code == 2
    assert "--top" in result.output


def test_a_null_milestone_says_why():
    # ai1-100gw peaks just below 100 GW/yr (96.7 in 2045, launch-bound): the summary must say so, not just null.
    scenario = planner.load_scenario("ai1-100gw").with_changes(study={"geometry_days": 2, "geometry_step_s": 1800})
    headline = planner.plan(scenario).summary()["headline"]
    assert headline["first_year_100_gw_launched"] is None
    note = headline["first_year_100_gw_launched_note"]
    assert note.startswith("not reached in 2027-2045: the peak is 96.7 GW/yr in 2045, limited by launch"), note


def test_a_tle_window_starts_at_the_element_sets_median_epoch(tmp_path):
    # It used to start on 2027-01-01 whatever the epochs: 357 of the shipped Starlink satellites came out NaN.
    from orbital.data import STARLINK_TLE, path

    tle = tmp_path / "few.tle"
    tle.write_text("\n".join(path(STARLINK_TLE).read_text().splitlines()[:30]) + "\n")
    result = runner.invoke(app, ["illumination", "--tle", str(tle), "--days", "0.1", "--step-s", "600"])
    assert result.exit_code == 0, result.output
    assert "Illumination from 2026-05-1" in result.output
    assert "element sets' median epoch" not in result.output  # no age warning: the window is at the epochs


def test_shells_take_quantities_and_refuse_strings():
    import astropy.units as u

    import orbital

    by_number = orbital.Shell.walker(550.0, 53.0, 4, 2, phasing=1)
    by_quantity = orbital.Shell.walker(550 * u.km, 53 * u.deg, 4, 2, phasing=1)
    assert by_quantity.altitude_km == by_number.altitude_km and by_quantity.inclination_deg == 53.0
    np.testing.assert_array_equal(by_quantity.raan_deg, by_number.raan_deg)
    assert orbital.Shell.walker(0.55 * u.Mm, 53.0, 1, 1).altitude_km == pytest.approx(550.0, rel=1e-15)
    with pytest.raises(TypeError, match="altitude_km='550' is not a number"):
        orbital.Shell.walker("550", 53.0, 4, 2)
    with pytest.raises(ValueError, match=r"inclination_deg=190 deg is outside the allowed range \[0, 180\] deg"):
        orbital.Shell.walker(550.0, 190.0, 4, 2)
    # Local time of the ascending node as a Quantity: 1,080 min is 18 h.
    dawn_dusk = orbital.Shell.sun_synchronous(650.0, 18.0)
    assert orbital.Shell.sun_synchronous(650.0, 1080 * u.min).raan_deg == pytest.approx(dawn_dusk.raan_deg)
