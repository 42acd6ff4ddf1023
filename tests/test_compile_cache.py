"""The CLI keeps compiled kernels (JAX's persistent compilation cache) and the density tables between runs in
user cache folders, and writes nothing there when they are switched off; importing the library turns nothing on."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from orbital.cli import COMPILE_CACHE_ENV, TABLE_CACHE_ENV, compile_cache_dir, table_cache_dir
from orbital.environment import atmosphere

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
def kept_tables(tmp_path):
    atmosphere.keep_tables_in(tmp_path)
    atmosphere.clear_tables()
    yield tmp_path
    atmosphere.keep_tables_in(None)
    atmosphere.clear_tables()


def test_a_kept_density_table_is_read_back_not_rebuilt(kept_tables, monkeypatch):
    built = atmosphere.density_table(53.0, SMALL_GRID)
    (kept,) = kept_tables.glob("*.npy")
    atmosphere.density_table(97.6, SMALL_GRID)
    assert len(list(kept_tables.glob("*.npy"))) == 2  # one file per inclination
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
    assert np.array_equal(np.load(kept), built.log_density)


def test_density_tables_stay_in_memory_unless_a_folder_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    atmosphere.clear_tables()
    atmosphere.density_table(53.0, SMALL_GRID)
    atmosphere.clear_tables()
    assert not list(tmp_path.rglob("*"))
