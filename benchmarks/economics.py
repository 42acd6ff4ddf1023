"""Benchmark: what the economics (cost of delivered compute, cash flows, firm capacity) add to the plan's Monte Carlo.

Run: python benchmarks/economics.py [--draws 100000] [--repeats 3] [--dtype float64]
Both baselines in one run, on the same sampled inputs of the default scenario (its [montecarlo] distributions):
- "plan without economics": the plan model compiled with only the outputs it had before the economics (XLA drops
  the cost kernels, firm capacity and cash flows it no longer needs);
- "plan with economics": every output, as `orbital montecarlo` evaluates it.
Target: the economics cost no more than 1.5x the Monte Carlo without them. Compile times reported separately.
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np

from orbital import planner

ECONOMICS_OUTPUTS = {
    *planner.model.ECONOMICS_COLUMNS,
    "revenue_usd",
    "cash_flow_usd",
    "cumulative_cash_flow_usd",
    "npv_usd",
    "firm_compute_fraction",
    "gw_firm",
    "seasonal_dip_revenue_usd",
    "daily_availability",
    "lcoc_ground_usd_per_accelerator_hr",
    "lcoc_orbit_usd_per_accelerator_hr",
} - {"year", "gw_launched", "launch_usd_per_kg", "kw_per_tonne", "capex_usd_per_gw"}


def timed(fn, thetas, repeats):
    t0 = time.perf_counter()
    compiled = fn.lower(thetas).compile()
    compile_s = time.perf_counter() - t0
    jax.block_until_ready(compiled(thetas))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = compiled(thetas)
        jax.block_until_ready(out)
        times.append(time.perf_counter() - t0)
    return compile_s, min(times), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float64")
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", args.dtype == "float64")
    scenario = planner.load_scenario("ai1-100gw").with_changes(
        study={"geometry_days": 2, "geometry_step_s": 1800, "sample_sats_per_shell": 2}
    )
    model = planner.PlanModel(scenario, planner.compute_geometry(scenario))
    thetas = jnp.asarray(planner.sample_inputs(model, args.draws, 0), dtype=args.dtype)
    every = model.outputs(model.theta0)
    before = [
        k
        for k in every
        if k not in ECONOMICS_OUTPUTS
        and not k.startswith("lcoc_")
        and k not in ("break_even_launch_usd_per_kg", "lifetime_delivered_fraction", "cohort_npv_usd_per_kw")
    ]

    def plan_without_economics(theta):
        out = model.outputs(theta)
        return {k: out[k] for k in before}

    without = jax.jit(jax.vmap(plan_without_economics))
    with_all = jax.jit(jax.vmap(model.outputs))
    print(
        f"plan Monte Carlo: {args.draws:,} draws x {model.n_years} years, {args.dtype}, jax {jax.__version__}, "
        f"{jax.devices()[0].platform} ({jax.device_count()} device); {len(before)} outputs without economics, "
        f"{len(every)} with"
    )
    rows = []
    for name, fn in (("plan without economics", without), ("plan with economics", with_all)):
        compile_s, best_s, out = timed(fn, thetas, args.repeats)
        finite = all(bool(np.all(np.isfinite(np.asarray(v)))) for v in out.values())
        rows.append((name, compile_s, best_s, finite))
    base = rows[0][2]
    print(f"{'baseline':26} {'compile s':>10} {'best s':>8} {'draws/s':>10} {'ratio':>7} {'finite':>7}")
    for name, compile_s, best_s, finite in rows:
        print(
            f"{name:26} {compile_s:10.2f} {best_s:8.3f} {args.draws / best_s:10.3g} {best_s / base:6.2f}x "
            f"{str(finite):>7}"
        )
    print(f"target: with economics <= 1.5x without; measured {rows[1][2] / base:.2f}x")


if __name__ == "__main__":
    main()
