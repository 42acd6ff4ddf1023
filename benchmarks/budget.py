"""Fleet budget benchmark: satellite-steps per second of ``orbital.budget`` (illumination + arrays +
battery + radiator transient) against ``orbital.illumination`` alone, same fleet, same window, one run.

    python benchmarks/budget.py                 # 20,000 satellites x 1 day at 60 s
    python benchmarks/budget.py --sats 100000
    python benchmarks/budget.py --sats 1000000 --days 365    # W2 (docs/performance.md), GPU: pip install ".[cuda]"
    python benchmarks/budget.py --per-step      # also the per-step reference kernel, in the same run
    python benchmarks/budget.py --sats 1000000 --block-sats 262144   # blocks of another size (GPU: measure them)
    python benchmarks/budget.py --sats 1000000 --days 365 --repeats 0 --workloads budget   # W2 once, compile in

"budget sized" is the budget with each battery's sizing eclipse given (``worst_eclipse_min``, as the plan's fleet
twin passes the plan's): one pass over the window instead of an illumination pass and the budget pass.

Each workload runs once to compile, then ``--repeats`` times; the best run counts (the machine is shared). With
``--repeats 0`` the first call, compile included, is the one reported.
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
    parser.add_argument("--sats", type=int, default=20_000)
    parser.add_argument("--days", type=float, default=1.0)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs after the first (0: the first counts)")
    parser.add_argument("--block-sats", type=int, default=None, help="satellites per block (default: the backend's)")
    parser.add_argument(
        "--workloads",
        nargs="+",
        choices=["illumination", "budget", "budget sized"],
        default=["illumination", "budget", "budget sized"],
        help="which to run (ratios are printed against illumination when it runs)",
    )
    parser.add_argument("--per-step", action="store_true", help="also time the per-step reference formulation")
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", True)
    import orbital
    from orbital import budgets

    planes = 100
    fleet = orbital.Fleet.from_shells(
        [
            orbital.Shell.walker(550.0, 53.0, planes, args.sats // 2 // planes, phasing=1, epoch="2027-12-01"),
            orbital.Shell.sun_synchronous(
                650.0, 6.0, planes=planes, sats_per_plane=args.sats // 2 // planes, epoch="2027-12-01"
            ),
        ]
    )
    design = orbital.SatelliteDesign(eclipse_compute_fraction=0.5)
    steps = int(args.days * 1440)
    tiled_chunk = budgets._circular_budget_chunk

    def per_step_budget():
        budgets._circular_budget_chunk = budgets.reference_circular_chunk
        try:
            return orbital.budget(fleet, design, "2027-12-01", args.days, dtype=args.dtype)
        finally:
            budgets._circular_budget_chunk = tiled_chunk

    # Batteries sized in advance (as the plan's twin sizes them, from the plan's geometry): here for each
    # satellite's longest eclipse in the window, so the results equal the self-sizing budget's.
    sized = "budget sized" in args.workloads
    worst_eclipse_min = orbital.illumination(fleet, "2027-12-01", args.days).max_eclipse_min if sized else None
    block = {"block_sats": args.block_sats}
    workloads = [
        ("illumination", lambda: orbital.illumination(fleet, "2027-12-01", args.days, dtype=args.dtype, **block)),
        ("budget", lambda: orbital.budget(fleet, design, "2027-12-01", args.days, dtype=args.dtype, **block)),
        (
            "budget sized",
            lambda: orbital.budget(
                fleet, design, "2027-12-01", args.days, dtype=args.dtype, worst_eclipse_min=worst_eclipse_min, **block
            ),
        ),
    ]
    workloads = [(name, run) for name, run in workloads if name in args.workloads]
    if args.per_step:
        workloads.append(("budget per-step", per_step_budget))
    rows = []
    for name, run in workloads:
        start = time.perf_counter()
        run()
        first = time.perf_counter() - start
        rows.append([name, first, first if args.repeats == 0 else float("inf")])
    for _ in range(args.repeats):  # interleaved, so that a burst of load on the shared machine hits every workload
        for row, (_, run) in zip(rows, workloads):
            start = time.perf_counter()
            run()
            row[2] = min(row[2], time.perf_counter() - start)
    rows = [(name, first, seconds, len(fleet) * steps / seconds) for name, first, seconds in rows]
    print(
        f"{len(fleet):,} satellites x {steps:,} steps, {args.dtype}, jax {jax.__version__} on {jax.default_backend()}, "
        f"blocks of {args.block_sats or 'the default'} satellites"
    )
    print(f"{'workload':14s} {'first call s':>12s} {'run s':>8s} {'M sat-steps/s':>14s}")
    for name, first, seconds, rate in rows:
        print(f"{name:14s} {first:12.2f} {seconds:8.2f} {rate / 1e6:14.2f}")
    explained = {
        "budget": "budget() runs an illumination pass of its own first, to size the batteries",
        "budget sized": "worst_eclipse_min given: one pass, which folds the illumination statistics itself",
        "budget per-step": "the per-step reference formulation, with its sizing pass",
    }
    if rows and rows[0][0] == "illumination":
        for name, _, seconds, _ in rows[1:]:
            print(f"{name} / illumination time ratio: {seconds / rows[0][2]:.2f} ({explained[name]})")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    device_stats = jax.devices()[0].memory_stats() or {}  # GPUs report; CPUs give None
    if "peak_bytes_in_use" in device_stats:
        print(f"device peak memory: {device_stats['peak_bytes_in_use'] / 2**30:.2f} GiB on {jax.devices()[0]}")


if __name__ == "__main__":
    main()
