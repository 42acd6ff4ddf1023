"""What each planner run writes: provenance, the set of files of each command, and writing a set atomically.

A file set is ``{file name: content}`` with content bytes (a PNG), text (JSON) or a DataFrame (CSV, no index).
Everything is computed and rendered in memory before ``write_files`` writes the first file; each file then
replaces its predecessor in one rename, so a failed run leaves the previous results intact.
"""

from __future__ import annotations

import importlib.metadata
import io
import json
from pathlib import Path

import jax
import pandas as pd

from orbital.atomic_files import write_atomic
from orbital.planner import plots

RESULTS_DIR = Path("orbital-results")


def provenance(scenario) -> dict:
    """What every output records: scenario, its hash, package version and JAX backend."""
    try:
        version = importlib.metadata.version("orbital-compute-planner")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        version = "unknown"
    return {
        "scenario_name": scenario.name,
        "scenario_sha256": scenario.sha256(),
        "package_version": version,
        "jax_backend": jax.default_backend(),
        "jax_x64": bool(jax.config.jax_enable_x64),
        "scenario": scenario.to_dict(),
    }


def to_json(data) -> str:
    return json.dumps(data, indent=2, default=lambda x: x.item() if hasattr(x, "item") else str(x)) + "\n"


def png_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def default_output_dir(scenario_name: str) -> Path:
    """Where a scenario's results go unless the caller says otherwise: ``orbital-results/<name>``."""
    return RESULTS_DIR / scenario_name


def write_files(out, files: dict) -> list:
    """Write a file set into the folder ``out`` (created if needed), each file replaced atomically."""
    out = Path(out)
    written = []
    for name, content in files.items():
        if isinstance(content, bytes):
            write = lambda path, c=content: path.write_bytes(c)
        elif isinstance(content, str):
            write = lambda path, c=content: path.write_text(c)
        elif isinstance(content, pd.DataFrame):
            write = lambda path, c=content: c.to_csv(path, index=False)
        else:
            raise TypeError(f"{name}: cannot write a {type(content).__name__}; give bytes, text or a DataFrame")
        written.append(write_atomic(out / name, write))
    return written


# --- the file set of each command ------------------------------------------------------------------------
def plan_files(result) -> dict:
    """``orbital plan``: the yearly table, the shells, the summary, provenance and three plots."""
    scenario = result.scenario
    return {
        "plan.csv": result.table,
        "shells.csv": result.shells,
        "summary.json": to_json(result.summary()),
        "provenance.json": to_json(provenance(scenario)),
        "ramp.png": png_bytes(plots.plot_ramp(result.table, f"{scenario.name}: deployment ramp")),
        "eclipse_seasons.png": png_bytes(plots.plot_seasons(result.geometry)),
        "mass_breakdown.png": png_bytes(plots.plot_mass(result.shells)),
    }


def sweep_files(model, table: pd.DataFrame, settings: dict, metric: str) -> dict:
    """``orbital sweep``: the long table, its plot of ``metric``, and provenance with the settings."""
    return {
        "sweep.csv": table,
        "sweep.png": png_bytes(plots.plot_sweep(table, list(settings), metric)),
        "sweep_provenance.json": to_json({**provenance(model.scenario), "settings": settings}),
    }


def sensitivity_files(model, table: pd.DataFrame, top: int) -> dict:
    """``orbital sensitivity``: the ranked table, the tornado of the ``top`` rows, and provenance."""
    return {
        "sensitivity.csv": table,
        "tornado.png": png_bytes(plots.plot_tornado(table, top)),
        "sensitivity_provenance.json": to_json(
            {
                **provenance(model.scenario),
                "metric": table.attrs["metric"],
                "year": table.attrs["year"],
                "metric_value": table.attrs["metric_value"],
            }
        ),
    }


def montecarlo_files(model, result: dict, metric: str) -> dict:
    """``orbital montecarlo``: the bands, the draws, the fan chart of ``metric``, and provenance."""
    name = model.scenario.name
    return {
        "montecarlo.csv": result["bands"],
        "montecarlo_inputs.csv": result["inputs"],
        "fan.png": png_bytes(plots.plot_fan(result["bands"], metric, f"{name}: {metric}")),
        "montecarlo_provenance.json": to_json(
            {**provenance(model.scenario), "draws": result["n"], "seed": result["seed"]}
        ),
    }


def validation_files(cases: pd.DataFrame) -> dict:
    return {"validation.csv": cases}
