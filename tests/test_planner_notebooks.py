"""The example notebooks execute without error (small sizes: ORBITAL_EXAMPLES_SMALL=1)."""

import os
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def test_there_are_four_notebooks_stored_run_in_order_without_errors():
    assert [p.name for p in NOTEBOOKS] == [
        "01_ramp_to_100gw.ipynb",
        "02_launch_what_ifs.ipynb",
        "03_sensitivity_and_monte_carlo.ipynb",
        "04_eclipse_seasons.ipynb",
    ]
    for path in NOTEBOOKS:
        book = nbformat.read(path, as_version=4)
        # Stored with the outputs of one full run, top to bottom, so a reader sees results without running it.
        counts = [cell.execution_count for cell in book.cells if cell.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), path.name
        for cell in book.cells:
            if cell.cell_type == "code":
                assert not [out for out in cell.outputs if out.output_type == "error"], path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, monkeypatch):
    monkeypatch.setenv("ORBITAL_EXAMPLES_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("JAX_PLATFORMS", os.environ.get("JAX_PLATFORMS", "cpu"))
    # The notebooks compile the same kernels (geometry, plan); a persistent cache shared by their kernels lets
    # each compile once per run (and keeps the suite within its time budget on 2 cores).
    monkeypatch.setenv("JAX_COMPILATION_CACHE_DIR", str(Path(tempfile.gettempdir()) / "orbital-examples-jax-cache"))
    monkeypatch.setenv("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.2")
    book = nbformat.read(path, as_version=4)
    NotebookClient(book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    errors = [o for cell in book.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == "error"]
    assert not errors
