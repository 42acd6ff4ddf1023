"""`orbital plan`: the default run, the launch arithmetic, the plan columns, provenance and atomic outputs."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import launch
import orbital
from orbital import planner
from orbital.cli import app
from orbital.planner import load_scenario

runner = CliRunner()
SMALL_STUDY = {"n_years": 10, "geometry_days": 3, "geometry_step_s": 900, "sample_sats_per_shell": 2}


def test_plan_with_no_arguments_writes_everything(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["plan"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "orbital-results" / "ai1-100gw"
    for name in [
        "plan.csv",
        "shells.csv",
        "summary.json",
        "provenance.json",
        "ramp.png",
        "eclipse_seasons.png",
        "mass_breakdown.png",
    ]:
        assert (out / name).stat().st_size > 0, name
    assert not list(out.glob(".*.tmp"))
    table = pd.read_csv(out / "plan.csv")
    assert list(table["year"]) == list(range(2027, 2046))
    required = list(launch.TABLE_COLUMNS) + [
        "satellites_launched",
        "satellites_operating",
        "sunlit_fraction",
        "battery_t",
        "radiator_m2",
        "compute_availability",
        "gw_effective",
    ]
    assert set(required) <= set(table.columns)
    # The launch arithmetic (GW = t x kW/t / 1e6) wherever launch capacity binds.
    launch_bound = table["binding_constraint"] == "launch"
    assert launch_bound.sum() >= 5
    expected = table["compute_tonnes"] * table["kw_per_tonne"] / 1e6
    np.testing.assert_allclose(table.loc[launch_bound, "gw_launched"], expected[launch_bound], rtol=1e-9)
    assert (table["gw_launched"] <= expected * (1 + 1e-9)).all()
    np.testing.assert_allclose(table["gw_effective"], table["gw_operating"] * table["compute_availability"], rtol=1e-12)
    shells = pd.read_csv(out / "shells.csv")
    assert list(shells["shell"]) == ["dawn-dusk-600km", "walker-600km-53deg"]
    # Dawn-dusk at 600 km is mostly sunlit but has an eclipse season; the 53 deg shell is eclipsed most days.
    dawn, walker = shells.iloc[0], shells.iloc[1]
    assert 0.93 < dawn.sunlit_fraction < 0.99 and 0.6 < walker.sunlit_fraction < 0.75
    assert 0 < dawn.eclipse_days < 150 and walker.eclipse_days > 300
    assert walker.battery_kg > dawn.battery_kg > 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario_name"] == "ai1-100gw"
    assert summary["scenario_sha256"] == load_scenario("ai1-100gw").sha256()
    assert summary["package_version"] and summary["jax_backend"] == "cpu"
    assert summary["scenario"]["shells"][0]["name"] == "dawn-dusk-600km"
    assert 65 < summary["headline"]["kw_per_tonne_rollup"] < 75  # AI1 ~70 kW/t from the roll-up
    assert "gw_effective" in result.output


def _arithmetic_scenario(kw_per_tonne):
    """5,000 launches of 200 t, all compute, huge supply caps: 1 Mt/yr."""
    big = {"start_gw_per_yr": 1e5, "ceiling_gw_per_yr": 1e6, "growth_rate_per_yr": 1.0}
    return load_scenario("ai1-100gw").with_changes(
        study=SMALL_STUDY,
        cadence={"model": "table", "table_years": [2020.0, 2100.0], "table_launches": [5000.0, 5000.0]},
        limits={"vehicles_initial": 1e4, "pads_initial": 1e3},
        vehicles={"payload_t": [200.0], "intro_year": [2020.0]},
        compute_share={"start": 1.0, "end": 1.0},
        cohorts={"kw_per_tonne_initial": kw_per_tonne, "kw_per_tonne_final": kw_per_tonne},
        supply={"chips": big, "arrays": big, "factory": big, "demand_gw_per_yr": 1e6},
    )


@pytest.mark.parametrize("kw_per_tonne, gw", [(100.0, 100.0), (70.0, 70.0)])
def test_one_megatonne_a_year_gives_the_filing_numbers(kw_per_tonne, gw):
    result = planner.plan(_arithmetic_scenario(kw_per_tonne))
    table = result.table
    np.testing.assert_allclose(table["compute_tonnes"], 1e6, rtol=1e-12)
    np.testing.assert_allclose(table["gw_launched"], gw, rtol=1e-12)
    np.testing.assert_allclose(table["launches"], 5000.0, rtol=1e-12)
    compute_w = load_scenario("ai1-100gw").satellite_design().compute_power_w
    np.testing.assert_allclose(table["satellites_launched"], gw * 1e9 / compute_w, rtol=1e-12)
    assert set(table["binding_constraint"].astype(str)) == {"launch"}


def test_plan_columns_follow_from_the_shells():
    result = planner.plan(load_scenario("ai1-100gw").with_changes(study=SMALL_STUDY))
    table, shells = result.table, result.shells
    shares = shells["share"] / shells["share"].sum()
    np.testing.assert_allclose(table["compute_availability"], (shares * shells["compute_availability"]).sum())
    operating = table["satellites_operating"]
    np.testing.assert_allclose(table["battery_t"], operating * (shares * shells["battery_kg"]).sum() / 1e3)
    np.testing.assert_allclose(table["radiator_m2"], operating * (shares * shells["radiator_area_m2"]).sum())
    np.testing.assert_allclose(table["kw_per_tonne"].iloc[0], table["kw_per_tonne_rollup"].iloc[0], rtol=1e-9)
    np.testing.assert_allclose(table["satellite_mass_kg"].iloc[0], (shares * shells["mass_kg"]).sum())


def test_planner_availability_matches_the_time_stepped_budget():
    scenario = load_scenario("conservative").with_changes(study=SMALL_STUDY)
    result = planner.plan(scenario)
    fleet = orbital.Fleet.from_shells(scenario.shell_objects())
    study = scenario.study
    budget = orbital.budget(
        fleet, scenario.satellite_design(), study.geometry_start, study.geometry_days, study.geometry_step_s
    )
    per_shell = budget.to_dataframe().groupby("shell", sort=False)["compute_availability"].mean()
    np.testing.assert_allclose(result.shells.set_index("shell")["compute_availability"], per_shell, atol=2e-3)


def test_a_failed_run_keeps_the_previous_results(tmp_path):
    small = tmp_path / "small.toml"
    small.write_text(
        '[scenario]\nname = "small"\n[study]\nn_years = 5\ngeometry_days = 1\ngeometry_step_s = 1800\n'
        'sample_sats_per_shell = 1\n[[shells]]\nname = "a"\naltitude_km = 600.0\nltan_hours = 18.0\n'
        "share = 1.0\n"
    )
    out = tmp_path / "out"
    assert runner.invoke(app, ["plan", str(small), "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    small.write_text(small.read_text().replace("n_years = 5", "n_years = -5"))
    result = runner.invoke(app, ["plan", str(small), "--out", str(out)])
    assert result.exit_code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["scenario_name"] == "small" and len(provenance["scenario_sha256"]) == 64


def test_shell_shares_follow_the_scenario_order_not_the_names():
    # Shells listed against the alphabetical order of their names: each share must meet its own shell's geometry.
    tiny = {"n_years": 3, "geometry_days": 1, "geometry_step_s": 1800, "sample_sats_per_shell": 1}
    shells = [
        {"name": "z-walker", "altitude_km": 550.0, "inclination_deg": 53.0, "share": 0.8},
        {"name": "a-dawn-dusk", "altitude_km": 650.0, "ltan_hours": 18.0, "share": 0.2},
    ]
    forward = load_scenario("ai1-100gw").with_changes(study=tiny, shells=shells)
    backward = forward.with_changes(shells=shells[::-1])
    a, b = planner.plan(forward), planner.plan(backward)
    np.testing.assert_allclose(a.table["sunlit_fraction"], b.table["sunlit_fraction"], rtol=1e-12)
    np.testing.assert_allclose(a.table["battery_t"], b.table["battery_t"], rtol=1e-12)
    shells_table = a.shells.set_index("shell")
    expected = (shells_table["share"] * shells_table["sunlit_fraction"]).sum()
    np.testing.assert_allclose(a.table["sunlit_fraction"].iloc[0], expected, rtol=1e-12)


def test_write_files_writes_a_set_and_refuses_unknown_content(tmp_path):
    files = {"a.csv": pd.DataFrame({"x": [1.0]}), "b.json": "{}\n", "c.png": b"\x89PNG"}
    planner.write_files(tmp_path / "out", files)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.csv", "b.json", "c.png"]
    assert (tmp_path / "out" / "c.png").read_bytes() == b"\x89PNG"
    with pytest.raises(TypeError, match="d.bin"):
        planner.write_files(tmp_path / "other", {"d.bin": 3})
