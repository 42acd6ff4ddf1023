"""Output safety: names cannot leave orbital-results/, --out is checked before any computation, a file set is
swapped in whole (a failed write leaves the old set), files honour the umask, and JSON is strict (no NaN/inf)."""

import json
import os
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from orbital import atomic_files, planner
from orbital.cli import app
from orbital.planner import outputs

runner = CliRunner()

SHELL = {"name": "dawn-dusk", "altitude_km": 650.0, "ltan_hours": 18.0, "share": 1.0}
STUDY = {"n_years": 4, "geometry_days": 1, "geometry_step_s": 1800, "sample_sats_per_shell": 1}
ESCAPING_NAMES = ["../../x", "/tmp/x", "..", ".hidden", "a/b", "a\\b", "x y", "x" * 81]


def scenario_toml(name: str) -> str:
    return (
        f'[scenario]\nname = "{name}"\n\n[study]\n'
        + "".join(f"{k} = {v}\n" for k, v in STUDY.items())
        + '\n[[shells]]\nname = "dawn-dusk"\naltitude_km = 650.0\nltan_hours = 18.0\nshare = 1.0\n'
    )


def one_line_error(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_a_name_that_is_not_a_plain_folder_name_is_refused_at_load(name):
    with pytest.raises(planner.ScenarioError) as err:
        planner.parse_scenario({"scenario": {"name": name}, "shells": [SHELL]}, "bad.toml")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"bad.toml: scenario.name = {name!r}: "), message


@pytest.mark.parametrize("name", ["ai1-100gw", "my_case.v2", "A1"])
def test_plain_names_load_and_stay_inside_the_results_folder(name):
    scenario = planner.parse_scenario({"scenario": {"name": name}, "shells": [SHELL]}, "good.toml")
    assert planner.default_output_dir(scenario.name) == outputs.RESULTS_DIR / name


@pytest.mark.parametrize("name", ESCAPING_NAMES + ["", "."])
def test_default_output_dir_refuses_a_path_outside_the_results_folder(name):
    with pytest.raises(ValueError, match="cannot name a folder inside"):
        planner.default_output_dir(name)


def test_cli_refuses_an_escaping_name_with_one_line_and_writes_nothing(tmp_path, monkeypatch):
    work = tmp_path / "work" / "deeper"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    path = work / "escape.toml"
    path.write_text(scenario_toml("../../x"))
    result = runner.invoke(app, ["plan", str(path)])
    assert result.exit_code == 2, result.output
    line = one_line_error(result.output)
    assert "scenario.name = '../../x'" in line
    assert not (tmp_path / "x").exists() and not (work / "orbital-results").exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["deeper", "escape.toml", "work"]


def _refuse_computation(*args, **kwargs):
    raise AssertionError("computation started before the output folder was checked")


@pytest.mark.parametrize("command", ["plan", "sensitivity", "montecarlo"])
def test_out_naming_an_existing_file_fails_before_any_computation(tmp_path, monkeypatch, command):
    monkeypatch.setattr(planner, "plan", _refuse_computation)
    monkeypatch.setattr(planner.PlanModel, "from_scenario", _refuse_computation)
    monkeypatch.setattr(planner, "compute_geometry", _refuse_computation)
    path = tmp_path / "small.toml"
    path.write_text(scenario_toml("small"))
    target = tmp_path / "results.txt"
    target.write_text("keep me")
    result = runner.invoke(app, [command, str(path), "--out", str(target)])
    assert result.exit_code == 2, result.output
    assert "is an existing file" in one_line_error(result.output)
    assert target.read_text() == "keep me"


def test_out_below_a_file_and_illumination_out_a_file_fail_with_one_line(tmp_path, monkeypatch):
    import orbital.lighting

    monkeypatch.setattr(orbital.lighting, "illumination", _refuse_computation)
    monkeypatch.setattr(planner, "validation_cases", _refuse_computation)
    blocker = tmp_path / "file"
    blocker.write_text("")
    for arguments in (["illumination", "--out", str(blocker)], ["validate", "--out", str(blocker / "sub")]):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 2, (arguments, result.output)
        one_line_error(result.output)


def test_a_folder_that_cannot_be_written_is_refused(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.geteuid() == 0:
        # Root writes through permission bits: report the folder as the kernel would for any other user.
        real_access = os.access
        monkeypatch.setattr(
            outputs.os, "access", lambda path, mode: False if Path(path) == locked else real_access(path, mode)
        )
    try:
        with pytest.raises(ValueError, match="cannot be written"):
            planner.check_output_dir(locked / "out")
    finally:
        locked.chmod(0o700)


class Boom(RuntimeError):
    pass


def test_a_failed_write_leaves_the_old_set_and_the_next_write_cleans_up(tmp_path, monkeypatch):
    out = tmp_path / "orbital-results" / "case"
    planner.write_files(out, {"plan.csv": pd.DataFrame({"year": [1]}), "summary.json": '{"run": 1}\n'})
    planner.write_files(out, {"sweep.csv": pd.DataFrame({"x": [7]})})  # another command's set is kept
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(first) == {"plan.csv", "summary.json", "sweep.csv"}

    # Second run: the first file is written, the second one fails mid-write.
    def failing(path):
        path.write_text('{"run": ')
        raise Boom("disk full")

    real_write_set = atomic_files.write_set

    def write_set_with_failure(folder, writers, owned_names):
        writers = dict(writers)
        writers["summary.json"] = failing
        return real_write_set(folder, writers, owned_names)

    monkeypatch.setattr(outputs, "write_set", write_set_with_failure)
    with pytest.raises(Boom):
        planner.write_files(out, {"plan.csv": pd.DataFrame({"year": [2]}), "summary.json": '{"run": 2}\n'})
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert not list(out.parent.glob(".orbital-tmp-*"))

    # A run killed mid-write leaves its temporary folder; the next write removes it.
    stale = out.parent / f"{atomic_files.TEMPORARY_PREFIX}case-killed"
    stale.mkdir()
    (stale / "plan.csv").write_text("partial")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    planner.write_files(out, {"plan.csv": pd.DataFrame({"year": [3]}), "summary.json": '{"run": 3}\n'})
    assert not list(out.parent.glob(".orbital-tmp-*"))
    assert json.loads((out / "summary.json").read_text()) == {"run": 3}
    assert pd.read_csv(out / "sweep.csv")["x"].tolist() == [7]
    assert pd.read_csv(out / "plan.csv")["year"].tolist() == [3]


def test_a_folder_with_foreign_files_is_written_file_by_file_and_kept(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("the user's")
    before = out.stat().st_ino
    planner.write_files(out, {"plan.csv": pd.DataFrame({"year": [1]})})
    assert out.stat().st_ino == before  # never moved or replaced
    assert (out / "notes.txt").read_text() == "the user's"
    assert pd.read_csv(out / "plan.csv")["year"].tolist() == [1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


@pytest.mark.parametrize("foreign", [False, True])
def test_files_and_new_folders_honour_the_umask(tmp_path, foreign):
    out = tmp_path / "out"
    if foreign:
        out.mkdir()
        (out / "notes.txt").write_text("")
    previous = os.umask(0o022)
    try:
        planner.write_files(out, {"plan.csv": pd.DataFrame({"year": [1]}), "ramp.png": b"\x89PNG"})
    finally:
        os.umask(previous)
    assert (out / "plan.csv").stat().st_mode & 0o777 == 0o644
    assert (out / "ramp.png").stat().st_mode & 0o777 == 0o644
    if not foreign:
        assert out.stat().st_mode & 0o777 == 0o755


def test_json_with_a_non_finite_value_is_a_one_line_error(tmp_path):
    data = {"headline": {"gw_launched_final_year": float("inf")}, "ok": 1}
    with pytest.raises(ValueError) as err:
        outputs.to_json(data, "summary.json")
    assert str(err.value) == "summary.json: headline.gw_launched_final_year is inf; check the scenario's numbers"
    import numpy as np

    with pytest.raises(ValueError, match=r"^x.json: a\[1\] is nan;"):
        outputs.to_json({"a": [1.0, np.float32("nan")]}, "x.json")
    assert json.loads(outputs.to_json({"a": [np.float64(1.5), np.int64(2)]})) == {"a": [1.5, 2]}


def test_a_plan_with_an_infinite_summary_exits_2_with_one_line_and_writes_nothing(tmp_path, monkeypatch):
    summary = planner.Plan.summary

    def infinite_summary(self):
        data = summary(self)
        data["headline"]["gw_launched_final_year"] = float("inf")
        return data

    monkeypatch.setattr(planner.Plan, "summary", infinite_summary)
    path = tmp_path / "small.toml"
    path.write_text(scenario_toml("small"))
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "summary.json: headline.gw_launched_final_year is inf" in one_line_error(result.output)
    assert not out.exists()
