"""What each planner run writes: provenance, the set of files of each command, and writing a set atomically.

A file set is ``{file name: content}`` with content bytes (a PNG), text (JSON) or a DataFrame (CSV, no index).
Everything is computed and rendered in memory before ``write_files`` writes the first file; the set is then
swapped in as a whole (``orbital.atomic_files.write_set``), so a failed run leaves the previous results intact
and a reader never sees a mix of two runs. Output folders come only from the caller (``--out``) or from a
scenario name that is a plain folder name (``default_output_dir``); docs/security.md states the rules.
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import math
import os
from pathlib import Path

import jax
import numpy as np
import pandas as pd

from orbital import formation
from orbital.atomic_files import write_set
from orbital.planner import economics, plots
from orbital.planner.clusters import cluster_shells, orbit_times_s
from orbital.planner.scenario import SCENARIO_NAME

RESULTS_DIR = Path("orbital-results")

# Every file name a command writes: a folder holding only these (or nothing) is ours to swap as a whole.
OUTPUT_NAMES = frozenset(
    {
        "plan.csv",
        "shells.csv",
        # orbital twin (its per-shell satellite files are named after the shells, so not listed)
        "twin_compute.csv",
        "twin_shells.csv",
        "twin_summary.json",
        "twin_compute.png",
        "twin_distributions.png",
        "summary.json",
        "provenance.json",
        "ramp.png",
        "eclipse_seasons.png",
        "mass_breakdown.png",
        "economics.csv",
        "costs.png",
        "cost_waterfall.png",
        "firm_capacity.png",
        "cost_bands.png",
        "sweep.csv",
        "sweep.png",
        "sweep_provenance.json",
        "sensitivity.csv",
        "tornado.png",
        "sensitivity_provenance.json",
        "montecarlo.csv",
        "montecarlo_inputs.csv",
        "fan.png",
        "montecarlo_provenance.json",
        "validation.csv",
        "solve.json",
        "solve.png",
        "satellites.csv",
        "altitude_trade.png",
        "clusters.csv",
        "cluster_lattice.png",
        "link_rate.png",
    }
)


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


def _finite(value, key: str, file_name: str):
    """``value`` with numpy scalars as Python numbers; a NaN or infinity is an error naming its key path."""
    if isinstance(value, dict):
        return {k: _finite(v, f"{key}.{k}" if key else str(k), file_name) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v, f"{key}[{i}]", file_name) for i, v in enumerate(value)]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{file_name}: {key or '(top level)'} is {value}; check the scenario's numbers")
    return value


def to_json(data, file_name: str = "<json>") -> str:
    """Indented JSON; strict (no NaN or Infinity, which JSON does not allow): a non-finite number raises a
    one-line ``ValueError`` naming ``file_name`` and the key path, e.g. ``summary.json: headline.x is inf``."""
    return json.dumps(_finite(data, "", file_name), indent=2, allow_nan=False, default=str) + "\n"


def png_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def default_output_dir(scenario_name: str) -> Path:
    """Where a scenario's results go unless the caller says otherwise: ``orbital-results/<name>``.

    Refuses (``ValueError``) a name that is not a plain folder name or would leave ``orbital-results/``; scenario
    loading already refuses such names, this is the second line of defence."""
    name = str(scenario_name)
    folder = RESULTS_DIR / name
    inside = folder.resolve().parent == RESULTS_DIR.resolve()
    if not SCENARIO_NAME.fullmatch(name) or not inside:
        raise ValueError(
            f"scenario name {name!r} cannot name a folder inside {RESULTS_DIR}/: use letters, digits, "
            "'-', '_' and '.', not starting with '.', at most 80 characters; or give --out DIR"
        )
    return folder


def check_output_dir(out) -> Path:
    """Check, before any computation, that ``out`` can receive results: an existing folder that can be written,
    or a path whose nearest existing parent is a folder that can be written. One-line ``ValueError`` if not."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: is an existing file, not a folder; give a folder for the results")
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.exists():  # pragma: no cover - a relative path always ends at the working directory
        existing = Path(".")
    if not existing.is_dir():
        raise ValueError(f"{out}: cannot create the folder, {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{out}: the folder {existing} cannot be written (permissions)")
    return out


def write_files(out, files: dict) -> list:
    """Write a file set into the folder ``out`` (created if needed) as a set (``atomic_files.write_set``).

    The set replaces the previous one in one swap when the folder holds only files this package writes
    (``OUTPUT_NAMES``; other commands' results there are kept); in a folder with other files, each file is
    replaced atomically on its own and the other files are left alone."""
    writers = {}
    for name, content in files.items():
        if isinstance(content, bytes):
            writers[name] = lambda path, c=content: path.write_bytes(c)
        elif isinstance(content, str):
            writers[name] = lambda path, c=content: path.write_text(c)
        elif isinstance(content, pd.DataFrame):
            writers[name] = lambda path, c=content: c.to_csv(path, index=False)
        else:
            raise TypeError(f"{name}: cannot write a {type(content).__name__}; give bytes, text or a DataFrame")
    return write_set(out, writers, OUTPUT_NAMES | set(files))


# --- the file set of each command ------------------------------------------------------------------------
def plan_files(result) -> dict:
    """``orbital plan``: the yearly, shells and economics tables, the summary, provenance and seven plots; with
    a cluster shell, ``clusters.csv`` and two cluster plots (``cluster_files``). The summary comes last: a plan
    run with an executor (``plan(executor=)``) finishes its sensitivity while the plots are drawn."""
    scenario = result.scenario
    final_year = int(result.table["year"].iloc[-1])
    daily = economics.daily_availability(result.model)
    drawn = {
        "ramp.png": png_bytes(plots.plot_ramp(result.table, f"{scenario.name}: deployment ramp")),
        "eclipse_seasons.png": png_bytes(plots.plot_seasons(result.geometry)),
        "mass_breakdown.png": png_bytes(plots.plot_mass(result.shells)),
        "costs.png": png_bytes(plots.plot_costs(result.table, f"{scenario.name}: cost of delivered compute")),
        "cost_waterfall.png": png_bytes(plots.plot_cost_waterfall(result.economics, final_year)),
        "firm_capacity.png": png_bytes(plots.plot_firm_capacity(result.geometry, daily)),
        "altitude_trade.png": png_bytes(
            plots.plot_altitude_trade(result.altitude_trade(), f"{scenario.name}: altitude trade")
        ),
        **cluster_files(result),
    }
    return {
        "plan.csv": result.table,
        "shells.csv": result.shells,
        "economics.csv": result.economics,
        "summary.json": to_json(result.summary(), "summary.json"),
        "provenance.json": to_json(provenance(scenario), "provenance.json"),
        **drawn,
    }


# Separations of the link-rate plot (m): from inside the near field to where the 1/d^2 far field drops the
# default terminal below its channel cap (~3,000 km), far beyond any lattice.
LINK_RATE_DISTANCES_M = (1.0, 1e8)


def cluster_files(result) -> dict:
    """A plan's cluster outputs (none without a cluster shell): ``clusters.csv``, the first cluster shell's lattice
    over one orbit (``cluster_lattice.png``) and its terminal's data rate against separation (``link_rate.png``)."""
    if getattr(result, "clusters", None) is None:
        return {}
    shell = cluster_shells(result.scenario, result.geometry)[0]
    times = orbit_times_s(shell.formation)
    positions = formation.relative_positions_m(shell.formation, times)
    grid = formation.lattice(shell.formation)
    distance = np.geomspace(*LINK_RATE_DISTANCES_M, 200)
    rate = formation.link_data_rate_bps(shell.terminal, distance)
    row = result.clusters.iloc[0]
    span = (row["neighbour_distance_min_m"], row["neighbour_distance_max_m"])
    return {
        "clusters.csv": result.clusters,
        "cluster_lattice.png": png_bytes(
            plots.plot_cluster_lattice(positions, grid.pairs, f"{shell.name}: one cluster over one orbit")
        ),
        "link_rate.png": png_bytes(plots.plot_link_rate(distance, rate, span, f"{shell.name}: optical crosslink")),
    }


def sweep_files(model, table: pd.DataFrame, settings: dict, metric: str) -> dict:
    """``orbital sweep``: the long table, its plot of ``metric``, and provenance with the settings."""
    return {
        "sweep.csv": table,
        "sweep.png": png_bytes(plots.plot_sweep(table, list(settings), metric)),
        "sweep_provenance.json": to_json({**provenance(model.scenario), "settings": settings}, "sweep_provenance.json"),
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
            },
            "sensitivity_provenance.json",
        ),
    }


def montecarlo_files(model, result: dict, metric: str) -> dict:
    """``orbital montecarlo``: the bands, the draws, the fan chart of ``metric``, and provenance."""
    name = model.scenario.name
    return {
        "montecarlo.csv": result["bands"],
        "montecarlo_inputs.csv": result["inputs"],
        "fan.png": png_bytes(plots.plot_fan(result["bands"], metric, f"{name}: {metric}")),
        **(
            {"cost_bands.png": png_bytes(plots.plot_cost_bands(result["bands"], f"{name}: cost of delivered compute"))}
            if {"lcoc_orbit_usd_per_kw_yr", "lcoc_ground_usd_per_kw_yr"} <= set(result["draws"])
            else {}
        ),
        "montecarlo_provenance.json": to_json(
            {**provenance(model.scenario), "draws": result["n"], "seed": result["seed"]},
            "montecarlo_provenance.json",
        ),
    }


def validation_files(cases: pd.DataFrame) -> dict:
    return {"validation.csv": cases}


def solve_files(model, result) -> dict:
    """``orbital solve``: the result with provenance (``solve.json``) and the metric against the varied input over
    the search grid, with the target and the solution marked (``solve.png``)."""
    return {
        "solve.json": to_json({**provenance(model.scenario), "solve": result.to_dict()}, "solve.json"),
        "solve.png": png_bytes(plots.plot_solve(result, f"{model.scenario.name}: goal seek")),
    }
