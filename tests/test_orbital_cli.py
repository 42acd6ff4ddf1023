"""The ``orbital`` command line: the main job runs on its built-in default; bad input exits 2 without traceback."""

import pandas as pd
from typer.testing import CliRunner

from orbital.cli import app

runner = CliRunner()


def test_illumination_default_writes_tables(tmp_path):
    result = runner.invoke(app, ["illumination", "--days", "0.25", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "walker-550km-53deg" in result.output
    satellites = pd.read_csv(tmp_path / "satellites.csv")
    shells = pd.read_csv(tmp_path / "shells.csv")
    assert len(satellites) == 200 + 72 * 22 + 24 * 20
    assert set(shells["shell"]) == {"sso-600km-dawn-dusk", "walker-550km-53deg", "walker-1200km-70deg"}
    assert satellites["sunlit_fraction"].between(0, 1).all()
    assert not list(tmp_path.glob(".*.tmp"))


def test_real_fleet_from_tle(tmp_path, shared_data):
    result = runner.invoke(
        app,
        [
            "illumination",
            "--tle",
            str(shared_data / "starlink-2026-05-13.tle"),
            "--start",
            "2026-05-13",
            "--days",
            "0.05",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "satellites.csv")) == 10361


def test_bad_input_exits_2_with_one_line(tmp_path):
    cases = [
        ["illumination", "--days", "-1"],
        ["illumination", "--start", "yesterday"],
        ["illumination", "--tle", str(tmp_path / "missing.tle")],
        ["geometry", "50"],
    ]
    for arguments in cases:
        result = runner.invoke(app, arguments)
        assert result.exit_code == 2, (arguments, result.output)
        assert "Traceback" not in result.output
        assert "error:" in result.output


def test_geometry_prints_published_values():
    result = runner.invoke(app, ["geometry", "650"])
    assert result.exit_code == 0
    assert "97.986" in result.output and "97.728" in result.output


def test_the_built_in_fleet_is_the_planners():
    from orbital import planner

    shells = planner.default_shells("2027-01-01")
    assert [s.name for s in shells] == ["sso-600km-dawn-dusk", "walker-550km-53deg", "walker-1200km-70deg"]
    assert sum(len(s) for s in shells) == 200 + 72 * 22 + 24 * 20
