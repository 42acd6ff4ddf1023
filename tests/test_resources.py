"""Resource guards: runs are estimated from their arguments and refused before they start when beyond the limits.

The estimates are checked against measured sizes (``tracemalloc`` traces numpy and astropy allocations; JAX's
buffers, which it does not see, are left out by estimating as on a GPU, where they are not host memory). Each call
is measured a second time, so that compilation is not counted.
"""

import tracemalloc
import warnings

import numpy as np
import pytest
from astropy.time import Time, TimeDelta
from typer.testing import CliRunner

import orbital
from orbital import planner, resources
from orbital.cli import app
from orbital.timescales import uniform_grid

runner = CliRunner()
# The limits' rationale (orbital/resources.py) allows an estimate 30 % low; it may be generous, not wasteful.
LOW, HIGH = 0.7, 2.0


def measured_peak(call) -> int:
    call()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def fleet():
    return orbital.Fleet.from_shells([orbital.Shell.walker(550.0, 53.0, 16, 4)])


def test_the_time_axis_costs_what_the_estimate_says():
    days, step_s = 100.0, 10.0
    n_time = resources.window_steps(days, step_s)

    def build():
        grid = uniform_grid("start", "2027-01-01", days, step_s)
        return grid, grid.utc_day_index(), grid.utc_jd_parts()

    assert n_time == 864_000
    ratio = n_time * resources.TIME_BYTES_PER_STEP / measured_peak(build)
    assert LOW <= ratio <= HIGH, ratio


def test_an_illumination_run_costs_what_the_estimate_says(fleet):
    days, step_s = 20.0, 60.0
    estimate = resources.scan_estimate(len(fleet), days, step_s, gpu=True)
    ratio = estimate.memory_bytes / measured_peak(lambda: orbital.illumination(fleet, "2027-01-01", days, step_s))
    assert LOW <= ratio <= HIGH, ratio
    assert estimate.sat_steps == len(fleet) * 28_800 and estimate.seconds is None


def test_a_full_field_costs_its_array(fleet):
    n_time, step_s = 20_000, 60.0
    times = Time("2027-01-01", scale="utc") + TimeDelta(np.arange(n_time) * step_s, format="sec")
    field = orbital.sunlit(fleet, times)
    assert field.nbytes == len(fleet) * n_time * 8
    estimate = resources.scan_estimate(len(fleet), n_time * step_s / 86400.0, step_s, values_per_step=1, gpu=True)
    ratio = estimate.memory_bytes / measured_peak(lambda: orbital.sunlit(fleet, times))
    assert LOW <= ratio <= HIGH, ratio


def test_the_plan_geometry_costs_what_the_estimate_says():
    scenario = planner.load_scenario("ai1-100gw").with_changes(
        study={"geometry_days": 20, "geometry_step_s": 60, "sample_sats_per_shell": 8}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peak = measured_peak(lambda: planner.compute_geometry(scenario))
    ratio = resources.plan_geometry_estimate(16, 20.0, 60.0, 30.0).memory_bytes / peak
    assert LOW <= ratio <= HIGH, ratio


def test_the_million_day_window_is_refused_in_one_line():
    estimate = resources.scan_estimate(2264, 1e6, 60.0, gpu=False)
    # 1.44e9 steps of at least 32 bytes each (offsets, day index, Julian dates) on the host alone.
    assert estimate.memory_bytes > 1.44e9 * 32
    with pytest.raises(ValueError) as err:
        resources.check_estimate(estimate, "the run", "use fewer --days")
    message = str(err.value)
    assert message == "the run needs about 53.6 GB of memory, above the limit of 6.0 GB; use fewer --days", message


def test_cli_refuses_the_million_day_window_before_it_starts(monkeypatch):
    import orbital.lighting

    monkeypatch.setattr(orbital.lighting, "illumination", lambda *a, **k: pytest.fail("the run started"))
    result = runner.invoke(app, ["illumination", "--days", "1e6"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0] == (
        "error: illumination of 2,264 satellites x 1,440,000,000 steps (1e+06 days at 60 s) needs about 53.6 GB of "
        "memory, above the limit of 6.0 GB; use fewer --days, a coarser --step-s or fewer satellites (--tle)"
    )


def test_a_run_of_years_on_the_cpu_is_refused_by_time():
    # 10^5 SGP4 satellites over 30 years at 10 s: little memory per step, weeks of work on the reference CPU.
    estimate = resources.scan_estimate(100_000, 30 * 365.0, 10.0, kind="sgp4", gpu=False)
    assert estimate.memory_bytes < resources.MEMORY_LIMIT_BYTES
    with pytest.raises(ValueError, match=r"^x would take about [\d,.]+ h on the reference 2-core CPU, above the limit"):
        resources.check_estimate(estimate, "x", "change")
    # On a GPU, whose rate is not measured, the time is not held to the CPU's limit.
    assert resources.scan_estimate(100_000, 30 * 365.0, 10.0, kind="sgp4", gpu=True).seconds is None


def test_the_default_commands_are_accepted():
    # orbital illumination: the built-in fleet over a day at 60 s, and over a year.
    fleet = planner.illumination_fleet()
    for days in (1.0, 365.0):
        resources.check_estimate(resources.scan_estimate(len(fleet), days, 60.0, gpu=False), "x", "y")
    # The real Starlink fleet (10,361 TLEs) over a day at 30 s, as benchmarks/illumination.py runs it.
    resources.check_estimate(resources.scan_estimate(10_361, 1.0, 30.0, kind="sgp4", gpu=False), "x", "y")
    # Every built-in scenario's geometry, its Monte Carlo and a 1,000-case sweep.
    outputs = len(planner.output_names())
    for name in planner.builtin_scenarios():
        scenario = planner.load_scenario(name)  # the geometry check runs on load
        years, inputs = scenario.study.n_years, len(planner.input_names(scenario))
        mc = scenario.montecarlo
        resources.check_estimate(resources.montecarlo_estimate(mc.draws, years, outputs, inputs, 6), "x", "y")
        resources.check_estimate(resources.sweep_estimate(1000, years, outputs), "x", "y")
    # The largest Monte Carlo the planner allows, over the default 19 years.
    resources.check_estimate(resources.montecarlo_estimate(planner.MAX_DRAWS, 19, outputs, 90, 6), "x", "y")


def test_a_scenario_geometry_beyond_the_limit_is_refused_on_load():
    shells = [{"name": f"s{k}", "altitude_km": 550.0, "inclination_deg": 53.0, "share": 0.05} for k in range(20)]
    raw = {
        "scenario": {"name": "huge", "inherits": "ai1-100gw"},
        "study": {"geometry_days": 400, "geometry_step_s": 10, "sample_sats_per_shell": 64},
        "shells": shells,
    }
    with pytest.raises(planner.ScenarioError) as err:
        planner.parse_scenario(raw, "huge.toml")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(
        "huge.toml: study.geometry_days = 400, study.geometry_step_s = 10, study.sample_sats_per_shell = 64: the "
        "geometry of 1,280 sampled satellites x 3,456,000 steps needs about "
    ), message
    assert message.endswith("use fewer geometry_days, a coarser geometry_step_s or fewer sample_sats_per_shell")


def test_monte_carlo_and_sweeps_over_long_studies_are_refused_before_the_geometry(tmp_path, monkeypatch):
    monkeypatch.setattr(planner.PlanModel, "from_scenario", lambda *a, **k: pytest.fail("the geometry started"))
    path = tmp_path / "century.toml"
    path.write_text('[scenario]\nname = "century"\ninherits = "ai1-100gw"\n[study]\nn_years = 100\n')
    result = runner.invoke(app, ["montecarlo", str(path), "-n", "1000000", "--out", str(tmp_path / "mc")])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith("error: -n: a Monte Carlo of 1,000,000 draws x 100 years needs about")
    assert not (tmp_path / "mc").exists()
    pads = ",".join(str(v) for v in range(1, 301))
    vehicles = ",".join(str(v) for v in range(1, 201))
    result = runner.invoke(
        app, ["sweep", str(path), "--set", f"pads_initial={pads}", "--set", f"vehicles_initial={vehicles}"]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith("error: --set: a sweep of 60,000 cases x 100 years needs about")
    assert len(result.stderr.strip().splitlines()) == 1
