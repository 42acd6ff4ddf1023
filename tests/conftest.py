"""Tests run in float64; float32 checks ask for it explicitly with their own stated tolerances."""

import os
from pathlib import Path

import jax
import pytest

from orbital.data import DATA_DIR

jax.config.update("jax_enable_x64", True)
os.environ.setdefault("MPLBACKEND", "Agg")
# CLI runs in the tests write nothing into the user's cache (tests/test_compile_cache.py sets it per run).
os.environ.setdefault("ORBITAL_COMPILE_CACHE", "off")
os.environ.setdefault("ORBITAL_TABLE_CACHE", "off")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The reference data shipped with the package (real Starlink TLEs, SpaceX launch history)."""
    return DATA_DIR
