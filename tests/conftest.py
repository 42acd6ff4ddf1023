"""Tests run in float64 (DESIGN §5); float32 checks ask for it explicitly with their own stated tolerances."""

import os
from pathlib import Path

import jax
import pytest

jax.config.update("jax_enable_x64", True)
os.environ.setdefault("MPLBACKEND", "Agg")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data folder {SHARED_DATA} is absent (it ships beside the repository, not in it)")
    return SHARED_DATA
