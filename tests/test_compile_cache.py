"""The CLI keeps compiled kernels (JAX's persistent compilation cache) and the density tables between runs in
user cache folders, and writes nothing there when they are switched off; importing the library turns nothing on."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orbital import kept_tables
from orbital.cli import COMPILE_CACHE_ENV, TABLE_CACHE_ENV, compile_cache_dir, table_cache_dir
from orbital.environment import atmosphere
from orbital.planner import environment_trade, load_scenario

CLI = [sys.executable, "-c", "from orbital.cli import app; app()"]
ONE_HOUR_OF_ILLUMINATION = ["illumination", "--days", "0.05"]


def _run(tmp_path: Path, **env_changes):
    env = {k: v for k, v in os.environ.items() if k not in (COMPILE_CACHE_ENV, TABLE_CACHE_ENV)}
    env.update(HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "xdg"), **env_changes)
    out = tmp_path / "out"
    result = subprocess.run(
        [*CLI, *ONE_HOUR_OF_ILLUMINATION, "--out", str(out)], env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr
    assert (out / "satellites.csv").exists()


def _files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.mark.parametrize(
    ("setting", "folder", "leaf"),
    [(COMPILE_CACHE_ENV, compile_cache_dir, "jax"), (TABLE_CACHE_ENV, table_cache_dir, "tables")],
)
def test_cache_folder_follows_the_user_cache_convention(monkeypatch, tmp_path, setting, folder, leaf):
    monkeypatch.delenv(setting, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert folder() == tmp_path / "orbital-compute" / leaf
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert folder() == tmp_path / "home" / ".cache" / "orbital-compute" / leaf
    monkeypatch.setenv(setting, str(tmp_path / "elsewhere"))
    assert folder() == tmp_path / "elsewhere"
    for off in ("off", "0", "false", "no", ""):
        monkeypatch.setenv(setting, off)
        assert folder() is None


def test_a_cli_run_fills_the_cache_and_the_off_switch_writes_nothing(tmp_path):
    _run(tmp_path / "on")
    assert _files_under(tmp_path / "on" / "xdg" / "orbital-compute" / "jax")
    _run(tmp_path / "off", **{COMPILE_CACHE_ENV: "off", TABLE_CACHE_ENV: "off"})
    assert not _files_under(tmp_path / "off" / "xdg")
    assert not _files_under(tmp_path / "off" / "home" / ".cache")


def test_importing_the_library_leaves_the_cache_off(tmp_path):
    probe = "import jax, orbital, orbital.budgets, orbital.planner; print(jax.config.jax_compilation_cache_dir)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"


# A small grid: NRLMSIS at 2 altitudes x 2 F10.7 x 2 Ap is quick.
SMALL_GRID = atmosphere.DensityGrid((400.0, 500.0), (100.0, 150.0), (0.0, 15.0))


@pytest.fixture
def kept_folder(tmp_path):
    kept_tables.keep_tables_in(tmp_path)
    atmosphere.clear_tables()
    yield tmp_path
    kept_tables.keep_tables_in(None)
    atmosphere.clear_tables()


def test_a_kept_density_table_is_read_back_not_rebuilt(kept_folder, monkeypatch):
    built = atmosphere.density_table(53.0, SMALL_GRID)
    (kept,) = kept_folder.glob("msis-density-*.npz")
    atmosphere.density_table(97.6, SMALL_GRID)
    assert len(list(kept_folder.glob("msis-density-*.npz"))) == 2  # one file per inclination
    atmosphere.clear_tables()

    def no_msis(*args):
        raise AssertionError("NRLMSIS evaluated again for a kept table")

    monkeypatch.setattr(atmosphere, "_msis_mean", no_msis)
    again = atmosphere.density_table(53.0, SMALL_GRID)
    assert np.array_equal(again.log_density, built.log_density)
    monkeypatch.undo()
    # A damaged file is rebuilt (and rewritten) rather than trusted.
    kept.write_bytes(b"not a table")
    atmosphere.clear_tables()
    rebuilt = atmosphere.density_table(53.0, SMALL_GRID)
    assert np.array_equal(rebuilt.log_density, built.log_density)
    assert np.array_equal(np.load(kept)["log_density"], built.log_density)


def test_density_tables_stay_in_memory_unless_a_folder_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    atmosphere.clear_tables()
    atmosphere.density_table(53.0, SMALL_GRID)
    atmosphere.clear_tables()
    assert not list(tmp_path.rglob("*"))


TRADE_ALTITUDES_KM = (500.0, 900.0)


def _no_recompute(*args):
    raise AssertionError("the altitude trade computed again where a kept table matched")


def test_a_kept_altitude_trade_is_read_back_only_for_the_same_scenario_and_code(kept_folder, monkeypatch):
    scenario = load_scenario("ai1-100gw")
    computed = environment_trade.altitude_trade(scenario, TRADE_ALTITUDES_KM)
    assert list(computed.columns) == list(environment_trade.TRADE_COLUMNS)
    (kept,) = kept_folder.glob("altitude-trade-*.npz")

    with monkeypatch.context() as patched:
        patched.setattr(environment_trade, "_trade_table", _no_recompute)
        pd.testing.assert_frame_equal(environment_trade.altitude_trade(scenario, TRADE_ALTITUDES_KM), computed)
        # Other altitudes, another scenario or other code: another key, so the trade is computed (and refused here).
        with pytest.raises(AssertionError, match="computed again"):
            environment_trade.altitude_trade(scenario, (500.0, 1000.0))
        # What the trade does not read (the ramp, the other shells) leaves the key as it is.
        faster_ramp = scenario.with_changes(cadence={"growth_rate_per_yr": 0.7})
        pd.testing.assert_frame_equal(environment_trade.altitude_trade(faster_ramp, TRADE_ALTITUDES_KM), computed)
        heavier = scenario.with_changes(design={"compute_shielding_mm_al": 4.0})
        with pytest.raises(AssertionError, match="computed again"):
            environment_trade.altitude_trade(heavier, TRADE_ALTITUDES_KM)
        patched.setattr(kept_tables, "code_digest", lambda: "another version of the code")
        with pytest.raises(AssertionError, match="computed again"):
            environment_trade.altitude_trade(scenario, TRADE_ALTITUDES_KM)

    # A damaged file is computed again and rewritten.
    kept.write_bytes(b"not a table")
    pd.testing.assert_frame_equal(environment_trade.altitude_trade(scenario, TRADE_ALTITUDES_KM), computed)
    assert np.array_equal(np.load(kept)["dose_rad_per_yr"], computed["dose_rad_per_yr"].to_numpy())


def test_the_code_digest_covers_the_packages_and_the_library_versions(monkeypatch):
    digest = kept_tables.code_digest()
    try:
        kept_tables.code_digest.cache_clear()
        monkeypatch.setattr(kept_tables, "OWN_PACKAGES", ("orbital", "launch"))
        assert kept_tables.code_digest() != digest
        kept_tables.code_digest.cache_clear()
        monkeypatch.undo()
        monkeypatch.setattr(kept_tables, "_version", lambda distribution: "0.0")
        assert kept_tables.code_digest() != digest
    finally:
        monkeypatch.undo()
        kept_tables.code_digest.cache_clear()
    assert kept_tables.code_digest() == digest


def test_nothing_is_kept_unless_a_folder_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    kept_tables.store_arrays("probe", "key", {"x": np.arange(3.0)})
    assert kept_tables.load_arrays("probe", "key") is None
    assert not list(tmp_path.rglob("*"))
