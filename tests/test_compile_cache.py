"""The CLI keeps compiled kernels between runs (JAX's persistent compilation cache) in a user cache folder, and
writes nothing there when it is switched off; importing the library turns nothing on."""

import os
import subprocess
import sys
from pathlib import Path

from orbital.cli import COMPILE_CACHE_ENV, compile_cache_dir

CLI = [sys.executable, "-c", "from orbital.cli import app; app()"]
ONE_HOUR_OF_ILLUMINATION = ["illumination", "--days", "0.05"]


def _run(tmp_path: Path, **env_changes):
    env = {k: v for k, v in os.environ.items() if k != COMPILE_CACHE_ENV}
    env.update(HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "xdg"), **env_changes)
    out = tmp_path / "out"
    result = subprocess.run(
        [*CLI, *ONE_HOUR_OF_ILLUMINATION, "--out", str(out)], env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr
    assert (out / "satellites.csv").exists()


def _files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_cache_folder_follows_the_user_cache_convention(monkeypatch, tmp_path):
    monkeypatch.delenv(COMPILE_CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert compile_cache_dir() == tmp_path / "orbital-compute" / "jax"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert compile_cache_dir() == tmp_path / "home" / ".cache" / "orbital-compute" / "jax"
    monkeypatch.setenv(COMPILE_CACHE_ENV, str(tmp_path / "elsewhere"))
    assert compile_cache_dir() == tmp_path / "elsewhere"
    for off in ("off", "0", "false", "no", ""):
        monkeypatch.setenv(COMPILE_CACHE_ENV, off)
        assert compile_cache_dir() is None


def test_a_cli_run_fills_the_cache_and_the_off_switch_writes_nothing(tmp_path):
    _run(tmp_path / "on")
    assert _files_under(tmp_path / "on" / "xdg" / "orbital-compute" / "jax")
    _run(tmp_path / "off", **{COMPILE_CACHE_ENV: "off"})
    assert not _files_under(tmp_path / "off" / "xdg")
    assert not _files_under(tmp_path / "off" / "home" / ".cache")


def test_importing_the_library_leaves_the_cache_off(tmp_path):
    probe = "import jax, orbital, orbital.budgets, orbital.planner; print(jax.config.jax_compilation_cache_dir)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"
