"""Fleet twin benchmark: the default scenario's operating fleet of a plan year (``orbital.planner.twin``), flown
through its budget (one pass with the plan's batteries: illumination statistics + arrays + battery + radiator + the
fleet's delivered-compute series), reporting satellite-steps per second.

    python benchmarks/twin.py                              # 2035, stratified sample of 2,000, 30 days at 60 s
    python benchmarks/twin.py --sample 20000 --days 365    # a year
    python benchmarks/twin.py --sample 0 --days 1          # every satellite of the year (no subsample)

The plan's geometry (the scenario's own: a year at 600 s, eight satellites per shell) is built first and not
timed. The twin then runs once (compiling) and again (timed); the second run's rate is the one reported.
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import jax

warnings.filterwarnings("ignore", message="The file finals2000A.all has expired")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="ai1-100gw")
    parser.add_argument("--year", type=int, default=2035)
    parser.add_argument("--sample", type=int, default=2000, help="satellites flown; 0: every satellite")
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--step-s", type=float, default=60.0)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", True)
    from orbital import planner
    from orbital.planner import twin

    start = time.perf_counter()
    model = planner.PlanModel.from_scenario(planner.load_scenario(args.scenario))
    geometry_s = time.perf_counter() - start
    start = time.perf_counter()
    fleet = twin.build_twin(model, args.year, sample=args.sample or None, seed=0)
    build_s = time.perf_counter() - start
    steps = round(args.days * 86400 / args.step_s)
    runs = []
    for _ in range(2):
        start = time.perf_counter()
        result = twin.run_twin(fleet, args.days, args.step_s, dtype=args.dtype)
        runs.append(time.perf_counter() - start)
    sat_steps = fleet.n_flown * steps
    summary = result.summary
    print(
        f"{args.scenario} {args.year}: {fleet.population:,} satellites operating, {fleet.n_flown:,} flown "
        f"({summary['satellites']['sampling']}), {args.days:g} days at {args.step_s:g} s = {steps:,} steps, "
        f"{args.dtype}, jax {jax.__version__} on {jax.default_backend()}"
    )
    print(f"plan geometry {geometry_s:.1f} s, twin layout {build_s:.2f} s")
    print(f"first run (compiles) {runs[0]:.1f} s, second run {runs[1]:.1f} s")
    print(f"{sat_steps:,} satellite-steps: {sat_steps / runs[1] / 1e6:.2f} M satellite-steps/s (second run)")
    print(f"peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GB")
    t = summary["twin"]
    print(
        f"availability plan {summary['plan']['compute_availability']:.4f}, twin "
        f"{t['compute_availability']['value']:.4f} ± {t['compute_availability']['standard_error']:.4f}; "
        f"delivered GW mean {t['mean_delivered_gw']:.2f} (plan gw_effective {summary['plan']['gw_effective']:.2f}), "
        f"firm lowest {t['firm_gw_lowest']:.2f}, p1 {t['firm_gw_p1']:.2f}"
    )


if __name__ == "__main__":
    main()
