"""Benchmark: what the orbital environment (drag, propellant, decay, disposal, collisions, capacity) adds to the
plan.

Run: python benchmarks/environment.py [--draws 100000] [--repeats 3] [--dtype float64]
- Monte Carlo of the plan model on the default scenario's sampled inputs, its metrics only (as `orbital
  montecarlo` computes them), compiled twice: "without the environment" has no collision hazard in the launch
  projection and no environment columns (the propellant in the mass roll-up and the radiation availability stay),
  "with" is the plan model as it is;
- ``planner.plan("ai1-100gw")`` end to end (geometry, density tables, compile, tables), once with the environment
  and once with the density tables and environment columns replaced by stand-ins of the same shapes (what the plan
  cost before them). Each end-to-end run starts from empty in-memory caches;
- ``orbital plan`` (the command, every file and plot) in fresh processes, with the environment and without it (the
  stand-ins above, and no altitude-trade plot), alternating: the first run of each with empty caches, then
  ``--cli-runs`` - 1 runs with the caches the command keeps between runs (compiled kernels, density tables).
Target: the environment adds no more than 25 % to either. Compile times reported separately.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from orbital import planner
from orbital.cpu_compile import BATCH_CPU_OPTIONS, quick_jit
from orbital.environment import atmosphere
from orbital.planner import geometry
from orbital.planner import model as plan_model
from orbital.planner.environment_trade import altitude_trade
from orbital.planner.inputs import unflatten_drawn

SHELL_OUTPUTS = ("shell_natural_lifetime_yr", "shell_capacity")


@contextlib.contextmanager
def environment_off(tables: bool = False, trade_plot: bool = False):
    """The plan model as it was before the environment: no hazard in the cohorts, zeros for the environment's
    columns (same shapes), with ``tables`` stand-in density tables in the geometry, with ``trade_plot`` an empty
    altitude-trade plot. Applies to what is traced (compiled) inside the block."""
    from orbital.planner import environment_trade, plots

    saved = plan_model.fleet_hazard, plan_model.environment_columns, geometry.density_tables
    saved_trade = environment_trade.altitude_trade, plots.plot_altitude_trade

    def zero_columns(design, env, collisions, env_in, mass, shares, out, per_gw):
        zeros = jnp.zeros_like(out["gw_launched"])
        shells = jnp.zeros_like(env_in.altitude_km)
        return (
            {name: zeros for name in plan_model.ENVIRONMENT_COLUMNS}
            | {name: shells for name in SHELL_OUTPUTS}
            | {"shell_band_fill": zeros[:, None] + shells[None, :]}
        )

    plan_model.fleet_hazard = lambda *args: None
    plan_model.environment_columns = zero_columns
    if tables:
        geometry.density_tables = _stand_in_tables
    if trade_plot:

        def empty_plot(trade, title=""):
            # matplotlib imported where the command imports it (when it draws), not before the run starts.
            import matplotlib.figure

            return matplotlib.figure.Figure()

        environment_trade.altitude_trade = lambda scenario: None
        plots.plot_altitude_trade = empty_plot
    try:
        yield
    finally:
        plan_model.fleet_hazard, plan_model.environment_columns, geometry.density_tables = saved
        environment_trade.altitude_trade, plots.plot_altitude_trade = saved_trade


def timed(variants: dict, repeats):
    """Compile each variant (``name: (lowered, argument)``, ``jax.jit(f).lower(argument)``), then run them in turn
    ``repeats`` times (interleaved, so that a burst of load on the shared machine hits every variant); the best run
    of each counts. Returns {name: (compile s, run s)}."""
    compiled, compile_s = {}, {}
    for name, (lowered, argument) in variants.items():
        t0 = time.perf_counter()
        # As `orbital montecarlo` compiles it (orbital.cpu_compile.batch_jit).
        options = BATCH_CPU_OPTIONS if jax.default_backend() == "cpu" else {}
        compiled[name] = lowered.compile(compiler_options=options)
        compile_s[name] = time.perf_counter() - t0
        jax.block_until_ready(compiled[name](argument))
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(repeats):
        for name, run in compiled.items():
            argument = variants[name][1]
            t0 = time.perf_counter()
            jax.block_until_ready(run(argument))
            best[name] = min(best[name], time.perf_counter() - t0)
    return {name: (compile_s[name], best[name]) for name in variants}


def monte_carlo(draws: int, repeats: int, dtype: str):
    scenario = planner.load_scenario("ai1-100gw").with_changes(
        study={"geometry_days": 2, "geometry_step_s": 1800, "sample_sats_per_shell": 2}
    )
    model = planner.PlanModel(scenario, planner.compute_geometry(scenario))
    thetas = jnp.asarray(planner.sample_inputs(model, draws, 0), dtype=dtype)
    drawn, fixed, geo, columns = model.batched_arguments(thetas)

    # What `orbital montecarlo` computes (PlanModel.batched with names): its metrics only, so XLA drops the rest,
    # and only the drawn inputs batched, so what depends on the others alone runs once. Built afresh for each
    # variant, so that the environment switch applies to what is traced.
    def batched_drawn():
        def outputs(values):
            tree = unflatten_drawn(fixed, values, columns, model.layout)
            out = plan_model.plan_of_tree(tree, fixed.dtype, geo, *model.static)
            return {k: out[k] for k in planner.MONTECARLO_METRICS}

        return jax.jit(jax.vmap(outputs)).lower(drawn)

    # The same with every input batched (how `orbital montecarlo` ran before): the whole model once per draw.
    def batched_all():
        def outputs(theta):
            out = model.outputs(theta)
            return {k: out[k] for k in planner.MONTECARLO_METRICS}

        return jax.jit(jax.vmap(outputs)).lower(thetas)

    with environment_off():
        variants = {"without": (batched_drawn(), drawn), "without, all batched": (batched_all(), thetas)}
    variants |= {"with": (batched_drawn(), drawn), "with, all batched": (batched_all(), thetas)}
    results = timed(variants, repeats)
    print(f"Monte Carlo, {draws:,} draws x {model.n_years} years, {dtype}, {jax.devices()[0].platform}")
    print(f"  drawn inputs: {len(columns)} of {len(model.names)} ({', '.join(model.names[k] for k in columns)})")
    for kind, label in (("", "drawn inputs batched"), (", all batched", "every input batched")):
        (c0, t0), (c1, t1) = results["without" + kind], results["with" + kind]
        print(f"  {label}:")
        print(f"    without the environment: {t0:8.3f} s  (compile {c0:6.1f} s)")
        print(f"    with the environment:    {t1:8.3f} s  (compile {c1:6.1f} s)  ratio {t1 / t0:5.2f}")


def _stand_in_tables(inclinations_deg, altitudes_km) -> dict:
    grid = atmosphere.DEFAULT_GRID
    n, nf, na = len(altitudes_km), len(grid.f107_sfu), len(grid.ap)
    return dict(
        density_altitude_km=np.asarray(grid.altitude_km[:2]),
        density_f107_sfu=np.asarray(grid.f107_sfu),
        density_ap=np.asarray(grid.ap),
        log_density=np.full((n, 2, nf, na), -30.0),
        log_density_shell=np.full((n, nf, na), -30.0),
        log_unit_lifetime_s=np.full((n, nf, na), 10.0),
    )


def end_to_end():
    # A first plan pays the process's one-time costs (imports, data files, JAX start-up) and is not counted.
    jax.clear_caches()
    planner.plan("ai1-100gw")
    plan_model._jit_outputs = quick_jit(plan_model.plan_arrays, static_argnums=(2, 3, 4, 5))
    jax.clear_caches()
    atmosphere.clear_tables()
    t0 = time.perf_counter()
    planner.plan("ai1-100gw")
    with_env = time.perf_counter() - t0
    plan_model._jit_outputs = quick_jit(plan_model.plan_arrays, static_argnums=(2, 3, 4, 5))
    jax.clear_caches()
    with environment_off(tables=True):
        t0 = time.perf_counter()
        planner.plan("ai1-100gw")
        without = time.perf_counter() - t0
    plan_model._jit_outputs = quick_jit(plan_model.plan_arrays, static_argnums=(2, 3, 4, 5))
    t0 = time.perf_counter()
    altitude_trade(planner.load_scenario("ai1-100gw"))
    trade = time.perf_counter() - t0
    print("planner.plan('ai1-100gw') end to end (cold in-memory caches)")
    print(f"  without the environment: {without:8.2f} s")
    print(f"  with the environment:    {with_env:8.2f} s  ratio {with_env / without:5.2f}")
    print(f"  + altitude_trade for altitude_trade.png (orbital plan's file set): {trade:6.2f} s")


def orbital_plan(runs: int):
    """``orbital plan`` in fresh processes, alternating without and with the environment, each with its own
    cache folders (empty for its first run)."""
    times = {"without": [], "with": []}
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(runs):
            for variant in times:
                env = dict(
                    os.environ,
                    ORBITAL_COMPILE_CACHE=str(Path(scratch, variant, "jax")),
                    ORBITAL_TABLE_CACHE=str(Path(scratch, variant, "tables")),
                    MPLBACKEND="Agg",
                )
                out = Path(scratch, variant, f"plan-{run}")
                command = [sys.executable, __file__, f"--run-orbital-plan-{variant}", str(out)]
                t0 = time.perf_counter()
                subprocess.run(command, env=env, check=True, capture_output=True)
                times[variant].append(time.perf_counter() - t0)
    print(f"orbital plan (the command, fresh processes, {runs} runs each, alternating)")
    first = times["with"][0] / times["without"][0]
    print(
        f"  empty caches:   without {times['without'][0]:6.1f} s   with {times['with'][0]:6.1f} s  ratio {first:5.2f}"
    )
    if runs > 1:
        without, with_env = min(times["without"][1:]), min(times["with"][1:])
        print(f"  caches kept:    without {without:6.1f} s   with {with_env:6.1f} s  ratio {with_env / without:5.2f}")


def _run_orbital_plan(variant: str, out: str):
    from orbital.cli import app

    context = environment_off(tables=True, trade_plot=True) if variant == "without" else contextlib.nullcontext()
    with context:
        app(["plan", "--out", out], standalone_mode=False)


def main():
    for variant in ("with", "without"):
        flag = f"--run-orbital-plan-{variant}"
        if len(sys.argv) == 3 and sys.argv[1] == flag:
            return _run_orbital_plan(variant, sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float64")
    parser.add_argument("--skip-plan", action="store_true", help="Monte Carlo only")
    parser.add_argument("--cli-runs", type=int, default=3, help="orbital plan runs of each variant (0: none)")
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", args.dtype == "float64")
    monte_carlo(args.draws, args.repeats, args.dtype)
    if not args.skip_plan:
        end_to_end()
    if args.cli_runs:
        orbital_plan(args.cli_runs)


if __name__ == "__main__":
    main()
