"""Calendar anchors follow the study: a scenario that starts later moves every calendar year it does not set.

launch.params declares its calendar-year defaults for a projection starting in 2027; the planner reads them as
offsets from ``REFERENCE_START_YEAR``. A study that starts in 2030 is then the 2027 plan three years later, to
rounding, while a year the scenario writes stays where it is written.
"""

import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import launch
from orbital import planner
from orbital.cli import app
from orbital.planner import scenario as scenario_module

# Short windows keep the geometry cheap (as in tests/test_planner_plan.py); a fixed initial kW/t keeps the
# launch side independent of the geometry, whose one-day window moves with the start year.
TINY = {"geometry_days": 1, "geometry_step_s": 1800, "sample_sats_per_shell": 1}
FIXED_KW = {"kw_per_tonne_initial": 70.0}
SHIFT = 3
# Launch-side columns: none of them reads the geometry once the initial kW/t is fixed.
LAUNCH_COLUMNS = [
    "launches",
    "compute_share",
    "payload_t",
    "kw_per_tonne",
    "gw_cap_launch",
    "gw_cap_factory",
    "gw_cap_arrays",
    "gw_cap_chips",
    "gw_launched",
    "gw_operating",
    "gw_cumulative_launched",
    "launch_usd_per_kg",
]


def inherited(tmp_path, name: str, text: str):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[scenario]\nname = "{name}"\ninherits = "ai1-100gw"\n{text}')
    return planner.load_scenario(str(path))


def table(scenario) -> pd.DataFrame:
    return planner.PlanModel.from_scenario(scenario).table()


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("years")
    study = "\n".join(f"{key} = {value}" for key, value in TINY.items())
    cohorts = "[cohorts]\nkw_per_tonne_initial = 70.0\n"
    base = inherited(tmp_path, "base", f"[study]\n{study}\n{cohorts}")
    later = inherited(tmp_path, "later", f"[study]\nstart_year = {2027 + SHIFT}\n{study}\n{cohorts}")
    return planner.PlanModel.from_scenario(base), planner.PlanModel.from_scenario(later)


@pytest.fixture(scope="module")
def plans(models):
    base, later = models
    return base.scenario, later.scenario, base.table(), later.table()


def test_every_anchor_follows_the_start_year(plans):
    base, later, _, _ = plans
    assert later.study.n_years == base.study.n_years == 19
    a, b = base.launch_scenario(), later.launch_scenario()
    pairs = [
        (a.cadence.ref_year, b.cadence.ref_year),
        (a.share.ramp_start_year, b.share.ramp_start_year),
        (a.cohorts.kw_ref_year, b.cohorts.kw_ref_year),
        (a.supply.chips.ref_year, b.supply.chips.ref_year),
        (a.supply.arrays.ref_year, b.supply.arrays.ref_year),
        (a.supply.factory.ref_year, b.supply.factory.ref_year),
    ]
    for before, after in pairs:
        assert float(before) == 2027.0 and float(after) == 2030.0
    np.testing.assert_array_equal(a.vehicles.intro_year, [2027.0, 2029.0])
    np.testing.assert_array_equal(b.vehicles.intro_year, [2030.0, 2032.0])
    assert (base.study.geometry_start, later.study.geometry_start) == ("2027-01-01", "2030-01-01")


def test_a_later_start_is_the_same_plan_three_years_later(models, plans):
    _, _, before, after = plans
    np.testing.assert_array_equal(after["year"], before["year"] + SHIFT)
    # The orbits are not shifted: the solar cycle is calendar time, so derelicts decay at other rates and the
    # collision hazard the fleet meets differs. Given the earlier plan's hazard, the launch side is the same plan.
    base_model, later_model = models
    assert not np.allclose(after["collision_hazard_per_yr"], before["collision_hazard_per_yr"], rtol=1e-6)
    again = launch.project_arrays(
        later_model.scenario.launch_scenario(),
        later_model.start_year,
        later_model.n_years,
        hazard=base_model.fleet_hazard(),
    )
    for column in LAUNCH_COLUMNS:
        key = launch.TABLE_COLUMNS[column]
        np.testing.assert_allclose(np.asarray(again[key]), before[column], rtol=1e-9, atol=0, err_msg=column)
    assert after["binding_constraint"].astype(str).tolist() == before["binding_constraint"].astype(str).tolist()
    # Before anchors followed the study, a 2030 start began with 103 launches and 84 kW/t: three years into the ramp.
    assert after["launches"].iloc[0] == pytest.approx(20.0, rel=1e-12)
    assert after["kw_per_tonne"].iloc[0] == pytest.approx(70.0, rel=1e-12)


def test_with_changes_moves_the_anchors_too(plans):
    base, later, _, _ = plans
    moved = base.with_changes(study={"start_year": 2030})
    assert moved.study.geometry_start == "2030-01-01"
    assert float(moved.launch_scenario().cadence.ref_year) == 2030.0
    assert moved.launch_scenario().vehicles.intro_year.tolist() == later.launch_scenario().vehicles.intro_year.tolist()
    # The canonical form is the scenario as written: omitted anchors stay omitted and are derived again.
    assert "geometry_start" not in base.to_dict()["study"] and "ref_year" not in base.to_dict()["cadence"]
    again = planner.parse_scenario(moved.to_dict(), "again")
    assert again.sha256() == moved.sha256() and again.study.geometry_start == "2030-01-01"


def test_a_year_the_scenario_sets_stays_absolute(tmp_path):
    scenario = inherited(
        tmp_path,
        "absolute",
        "[study]\nstart_year = 2030\n[cadence]\nref_year = 2027\n[vehicles]\nintro_year = [2027.0, 2029.0]\n"
        "[cohorts]\nkw_ref_year = 2028\n"
        "[supply.chips]\nstart_gw_per_yr = 2.0\nceiling_gw_per_yr = 800.0\ngrowth_rate_per_yr = 0.45\n"
        "ref_year = 2027\n",
    )
    launch_scenario = scenario.launch_scenario()
    assert float(launch_scenario.cadence.ref_year) == 2027.0
    assert launch_scenario.vehicles.intro_year.tolist() == [2027.0, 2029.0]
    assert float(launch_scenario.supply.chips.ref_year) == 2027.0
    assert float(launch_scenario.cohorts.kw_ref_year) == 2028.0
    # What it does not set still follows the study.
    assert float(launch_scenario.share.ramp_start_year) == 2030.0
    assert float(launch_scenario.supply.arrays.ref_year) == 2030.0
    # The launch projection sees 2030 as three years after the cadence's reference: the old behaviour, on demand.
    import launch

    projected = launch.project_arrays(launch_scenario, 2030, 1)
    assert float(projected["launches"][0]) > 100.0


def test_an_explicit_geometry_start_stays(tmp_path):
    scenario = inherited(tmp_path, "window", '[study]\nstart_year = 2030\ngeometry_start = "2027-06-01"\n')
    assert scenario.study.geometry_start == "2027-06-01"
    assert scenario.to_dict()["study"]["geometry_start"] == "2027-06-01"
    assert scenario.with_changes(study={"start_year": 2031}).study.geometry_start == "2027-06-01"


def test_the_reference_year_is_launchs_default():
    import launch

    assert scenario_module.REFERENCE_START_YEAR == 2027
    # Every calendar default of launch.params sits at or after the reference year (offsets >= 0).
    defaults = launch.LaunchScenario()
    assert float(defaults.cadence.ref_year) == scenario_module.REFERENCE_START_YEAR
    assert float(defaults.vehicles.intro_year[0]) == scenario_module.REFERENCE_START_YEAR


def test_the_key_docs_say_calendar_years_are_absolute():
    schema = planner.Scenario.model_json_schema()
    text = str(schema)
    for key in ("ref_year", "intro_year", "ramp_start_year", "kw_ref_year"):
        assert key in text
    described = planner.CadenceIn.model_fields["ref_year"].description
    assert "absolute calendar year" in described and "start_year" in described, described


def test_the_console_kw_per_tonne_at_start_is_the_plans_first_row(tmp_path):
    path = tmp_path / "late.toml"
    study = "\n".join(f"{key} = {value}" for key, value in {**TINY, "n_years": 3}.items())
    # A scenario kW/t and a cohort year before the start: the first row is neither 70 nor the design roll-up.
    path.write_text(
        '[scenario]\nname = "late"\ninherits = "ai1-100gw"\n'
        f"[study]\nstart_year = 2030\n{study}\n[cohorts]\nkw_per_tonne_initial = 60.0\nkw_ref_year = 2028\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["plan", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    first = pd.read_csv(out / "plan.csv").iloc[0]
    assert int(first["year"]) == 2030 and first["kw_per_tonne"] > 60.5
    shown = re.search(r"kW/t at start ([\d.]+) in (\d+)", result.stdout)
    assert shown, result.stdout
    assert float(shown[1]) == pytest.approx(first["kw_per_tonne"], abs=0.05)
    assert int(shown[2]) == 2030


def test_a_study_must_end_by_the_launch_models_last_year():
    raw = {"scenario": {"name": "long", "inherits": "ai1-100gw"}, "study": {"start_year": 2190, "n_years": 19}}
    with pytest.raises(planner.ScenarioError) as err:
        planner.parse_scenario(raw, "long.toml")
    message = str(err.value)
    assert "\n" not in message
    assert "study.start_year = 2190" in message and "study.n_years = 19" in message and "2208" in message, message
    assert "at most 11 years" in message
    raw["study"] = {"start_year": 2182, "n_years": 19, "geometry_start": "2027-01-01"}
    assert planner.parse_scenario(raw, "ok.toml").study.n_years == 19  # ends in 2200 exactly
    raw["study"] = {"start_year": 1956}
    with pytest.raises(planner.ScenarioError, match=r"study.start_year = 1956: .*greater than or equal to 1957"):
        planner.parse_scenario(raw, "early.toml")
