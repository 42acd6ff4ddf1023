"""Benchmark: a 30-year yearly projection for 100,000 sampled scenarios in one vmapped call.

Run: python benchmarks/launch_projection.py [--scenarios 100000] [--years 30] [--repeats 5]
Target (W4 in docs/performance.md): under 1 s per call on the 2-core CPU after compilation; compile time reported
separately.
Reports float32 and float64 (scoped ``jax.enable_x64``), the same kernel as ``launch.project``.
"""

from __future__ import annotations

import argparse
import time

import jax

import launch
from launch.core import projection as kernel


def bench(n_scenarios: int, n_years: int, repeats: int, x64: bool):
    with jax.enable_x64(x64):
        scenarios = launch.sample_scenarios(launch.default_scenario(), n=n_scenarios, rel_sd=0.1, seed=1)
        fn = jax.jit(jax.vmap(lambda s: kernel.project(s, 2027, n_years)))
        t0 = time.perf_counter()
        compiled = fn.lower(scenarios).compile()
        compile_s = time.perf_counter() - t0
        out = compiled(scenarios)
        jax.block_until_ready(out)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            out = compiled(scenarios)
            jax.block_until_ready(out)
            times.append(time.perf_counter() - t0)
        gw = out["gw_operating"][:, -1]
        return dict(
            dtype="float64" if x64 else "float32",
            compile_s=compile_s,
            best_s=min(times),
            median_s=sorted(times)[len(times) // 2],
            median_gw_end=float(jax.numpy.median(gw)),
            finite=bool(jax.numpy.all(jax.numpy.isfinite(gw))),
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dtype", choices=("both", "float32", "float64"), default="both")
    args = parser.parse_args()
    print(
        f"launch projection: {args.scenarios:,} scenarios x {args.years} years, jax {jax.__version__}, "
        f"{jax.devices()[0].platform} ({jax.device_count()} device)"
    )
    dtypes = {"both": (False, True), "float32": (False,), "float64": (True,)}[args.dtype]
    rows = [bench(args.scenarios, args.years, args.repeats, x64) for x64 in dtypes]
    target = 1.0
    print(
        f"{'dtype':8} {'compile s':>10} {'best s':>8} {'median s':>9} {'scen-yr/s':>12} {'vs 1 s target':>14}"
        f" {'median GW op. end':>18} {'finite':>7}"
    )
    for r in rows:
        rate = args.scenarios * args.years / r["best_s"]
        print(
            f"{r['dtype']:8} {r['compile_s']:10.2f} {r['best_s']:8.3f} {r['median_s']:9.3f} {rate:12.3g} "
            f"{r['best_s'] / target:13.2f}x {r['median_gw_end']:18.1f} {str(r['finite']):>7}"
        )


if __name__ == "__main__":
    main()
