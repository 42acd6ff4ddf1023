"""Planner scenarios: built-ins load, bad files fail with exit code 2 and ONE line naming file, key, value, rule."""

import pytest
from typer.testing import CliRunner

from orbital.cli import app
from orbital.planner import ScenarioError, builtin_scenarios, load_scenario

runner = CliRunner()

GOOD = """
[scenario]
name = "small"

[study]
n_years = 8
geometry_days = 2
geometry_step_s = 1800
sample_sats_per_shell = 2

[[shells]]
name = "dawn-dusk"
altitude_km = 650.0
ltan_hours = 18.0
share = 1.0
"""


def test_builtins_load_and_hash_is_stable():
    names = builtin_scenarios()
    assert {"ai1-100gw", "suncatcher", "conservative"} <= set(names)
    for name in names:
        scenario = load_scenario(name)
        assert scenario.name == name
        assert len(scenario.sha256()) == 64 and scenario.sha256() == load_scenario(name).sha256()
    assert load_scenario("suncatcher").shells[0].altitude_km == 650.0
    assert load_scenario("suncatcher").shells[0].ltan_hours == 18.0
    assert load_scenario("ai1-100gw").sha256() != load_scenario("conservative").sha256()


def test_a_path_works_and_defaults_fill_in(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(GOOD)
    scenario = load_scenario(str(path))
    assert scenario.cohorts.kw_per_tonne_initial is None  # the design's roll-up is used
    assert scenario.launch_scenario(70.0).vehicles.payload_t.tolist() == [100.0, 200.0]
    changed = scenario.with_changes(study={"n_years": 3})
    assert changed.study.n_years == 3 and changed.study.geometry_days == 2


# (replacement of GOOD's text, or extra text appended) -> fragments the one-line message must contain
BAD = [
    (("altitude_km = 650.0", "altitude_m = 650000.0"), ["altitude_m", "wrong unit suffix", "altitude_km"]),
    (("altitude_km = 650.0", "altitude_km = 50.0"), ["shells[0:dawn-dusk].altitude_km", "50.0", "greater than"]),
    (("altitude_km = 650.0", 'altitude_km = "high"'), ["altitude_km", "'high'", "number"]),
    (("altitude_km = 650.0\n", ""), ["altitude_km", "required field is missing"]),
    (("share = 1.0", "share = 0.5"), ["shares sum to 0.5", "sum to 1"]),
    (("share = 1.0", "share = 1.5"), ["share", "1.5", "less than or equal to 1"]),
    (("ltan_hours = 18.0", "ltan_hours = 25.0"), ["ltan_hours", "25.0", "24"]),
    (("ltan_hours = 18.0", "ltan_hours = 18.0\ninclination_deg = 53.0"), ["exactly one of inclination_deg"]),
    (("n_years = 8", "n_years = 0"), ["study.n_years", "0", "greater than or equal to 1"]),
    (("n_years = 8", "n_yrs = 8"), ["study.n_yrs", "unknown key", "n_years"]),
    (
        ("geometry_step_s = 1800", "geometry_step_min = 30"),
        ["geometry_step_min", "wrong unit suffix", "geometry_step_s"],
    ),
    (('[scenario]\nname = "small"', "[scenario]"), ["scenario.name", "required field is missing"]),
    (("", "\n[cohorts]\nkw_per_tonne_final = -5.0\n"), ["cohorts.kw_per_tonne_final", "-5.0", "greater than 0"]),
    (("", "\n[cohorts]\nkw_per_kg_final = 0.1\n"), ["kw_per_kg_final", "wrong unit suffix", "kw_per_tonne_final"]),
    (("", "\n[vehicles]\npayload_kg = [100000.0]\n"), ["vehicles.payload_kg", "wrong unit suffix", "payload_t"]),
    (("", "\n[vehicles]\npayload_t = [100.0, 200.0]\nintro_year = [2027.0]\n"), ["vehicles", "intro_year"]),
    (("", '\n[cadence]\nmodel = "exponential"\n'), ["cadence.model", "'exponential'", "logistic"]),
    (("", "\n[design]\nbattery_depth_of_discharge = 1.5\n"), ["design.battery_depth_of_discharge", "1.5", "(0, 1]"]),
    (("", '\n[design]\nbase = "ai2"\n'), ["design.base", "'ai2'", "ai1"]),
    (("", "\n[design]\ncompute_power_kw = 120.0\n"), ["compute_power_kw", "wrong unit suffix", "compute_power_w"]),
    (("", "\n[economics]\nlearning_rate = 1.2\n"), ["economics.learning_rate", "1.2", "less than 1"]),
    (("", "\n[bogus]\nx = 1\n"), ["bogus", "unknown key", "allowed keys"]),
    (
        ("", '\n[montecarlo.inputs."cadence.nope"]\ndist = "normal"\nmean = 1.0\nsd = 0.1\n'),
        ["montecarlo.inputs.cadence.nope", "not a numeric scenario input"],
    ),
    (
        ("", '\n[montecarlo.inputs."cohorts.kw_per_tonne_final"]\ndist = "normal"\nmean = 100.0\n'),
        ["montecarlo.inputs", "mean, sd"],
    ),
    (
        ("", '\n[montecarlo.inputs."cohorts.kw_per_tonne_final"]\ndist = "uniform"\nlow = 100.0\nhigh = 90.0\n'),
        ["low=100.0 must be below high=90.0"],
    ),
    (("", '\n[[montecarlo.correlations]]\na = "x"\nb = "y"\nrho = 0.5\n'), ["correlation names 'x'"]),
    (
        ("", "\n[supply.chips]\nstart_gw_per_yr = 2.0\n"),
        ["supply.chips.ceiling_gw_per_yr", "required field is missing"],
    ),
    (("[study]", "[study\n"), ["not valid TOML"]),
    (("n_years = 8", 'n_years = 8\ngeometry_start = "yesterday"'), ["study.geometry_start", "'yesterday'"]),
]


@pytest.mark.parametrize("change, fragments", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_scenarios_exit_2_with_one_line(tmp_path, change, fragments):
    old, new = change
    text = GOOD.replace(old, new, 1) if old else GOOD + new
    assert text != GOOD
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path)), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    result = runner.invoke(app, ["plan", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "error:" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "out").exists()


def test_at_least_fifteen_distinct_bad_inputs():
    assert len({change for change, _ in BAD}) >= 15


def test_unknown_scenario_name_lists_the_builtins(tmp_path):
    result = runner.invoke(app, ["plan", "no-such-scenario", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "ai1-100gw" in result.output and "Traceback" not in result.output


def test_old_import_paths_are_the_same_objects():
    import orbital
    import orbital.planner
    import orbital.scenario

    for name in ("Scenario", "ScenarioError", "load_scenario", "builtin_scenarios", "parse_scenario"):
        assert getattr(orbital.scenario, name) is getattr(orbital.planner, name)
    assert orbital.load_scenario is orbital.planner.load_scenario and orbital.plan is orbital.planner.plan


def test_builtin_scenarios_are_package_data():
    from pathlib import Path

    import orbital.planner

    folder = Path(orbital.planner.__file__).parent / "scenarios"
    assert builtin_scenarios() == {p.stem: p for p in sorted(folder.glob("*.toml"))}


def _bounds(field):
    """(low, high, low_open, high_open) of a generated pydantic field (on the items of a list)."""
    import math
    import typing

    found, pending = {}, [field.annotation, *field.metadata]
    while pending:
        item = pending.pop()
        pending += [*typing.get_args(item), *getattr(item, "__metadata__", ()), *getattr(item, "metadata", ())]
        for attribute in ("gt", "ge", "lt", "le"):
            if isinstance(getattr(item, attribute, None), float | int):
                found[attribute] = getattr(item, attribute)
    low = found.get("gt", found.get("ge", -math.inf))
    high = found.get("lt", found.get("le", math.inf))
    return low, high, "gt" in found, "lt" in found


def test_the_schema_is_generated_from_the_parameter_declarations():
    import dataclasses
    import math

    import numpy as np

    import launch
    from launch.params import is_calendar_year
    from launch.validation import parameter_specs
    from orbital import planner
    from orbital.design import SatelliteDesign

    built_in = launch.LaunchScenario()
    sections = [
        (planner.CadenceIn, built_in.cadence),
        (planner.LimitsIn, built_in.limits),
        (planner.VehiclesIn, built_in.vehicles),
        (planner.ComputeShareIn, built_in.share),
        (planner.CohortsIn, built_in.cohorts),
        (planner.SupplyIn, built_in.supply),
        (planner.SupplyIn.model_fields["chips"].annotation, built_in.supply.chips),
        (planner.EconomicsIn, built_in.economics),
        (planner.DesignIn, None),
    ]
    checked = 0
    for model, part in sections:
        specs = parameter_specs(part if part is not None else SatelliteDesign)
        assert specs, model.__name__
        for name, spec in specs.items():
            field = model.model_fields[name]
            low, high, low_open, high_open = _bounds(field)
            assert (low, high) == (spec.low, spec.high), (model.__name__, name)
            assert (low_open, high_open) == (spec.low_open and low > -math.inf, spec.high_open and high < math.inf)
            # Defaults are the built-in objects' values; None where the key overrides something else (a design
            # preset, the design's kW/t roll-up), follows the study (a calendar year: start_year + the library
            # default - 2027) or must be given (a nested cap's ramp numbers).
            follows_study = is_calendar_year(spec)
            expected = None if part is None or name == "kw_per_tonne_initial" or follows_study else getattr(part, name)
            if field.is_required():
                assert model is planner.SupplyIn.model_fields["chips"].annotation, name
            elif expected is None:
                assert field.default is None, (model.__name__, name)
            else:
                np.testing.assert_array_equal(np.asarray(field.default, float), np.asarray(expected, float))
            checked += 1
    assert {f.name for f in dataclasses.fields(SatelliteDesign)} <= set(planner.DesignIn.model_fields)
    assert checked > 60


def test_a_value_outside_a_declared_range_names_the_range(tmp_path):
    import launch
    from launch.validation import parameter_specs

    spec = parameter_specs(launch.LaunchLimits)["flights_per_vehicle_per_yr"]
    path = tmp_path / "bad.toml"
    path.write_text(GOOD + "\n[limits]\nflights_per_vehicle_per_yr = -3.0\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    assert "limits.flights_per_vehicle_per_yr = -3.0" in str(info.value)
    assert spec.interval() in str(info.value)


def test_a_check_across_fields_names_the_scenario_keys(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        GOOD + "\n[supply.chips]\nstart_gw_per_yr = 900.0\nceiling_gw_per_yr = 800.0\ngrowth_rate_per_yr = 0.4\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    message = str(info.value)
    assert "supply.chips.ceiling_gw_per_yr = 800" in message and "supply.chips.start_gw_per_yr" in message, message
    assert "Capacity." not in message and "\n" not in message
