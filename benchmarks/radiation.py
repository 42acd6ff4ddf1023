"""Trapped-radiation statistics on the fleet engine against the illumination statistics, same fleet, same run.

Per-satellite mean integral fluxes (24 channels: AP8 protons and AE8 electrons) and time in the South Atlantic
Anomaly over a day at 60 s steps (``orbital.radiation_scan.radiation``) by each method for circular fleets
("torus", the default; "layers"; and "per-step", the reference, with ``--per-step``), against
``orbital.illumination`` on the same circular fleet (half a 550 km / 53 deg Walker shell, half a 650 km
sun-synchronous one: two track classes). Compile time is excluded (a warm-up run first); the best of ``--repeats``
runs is reported, in satellite-steps per second of wall time, with each method's ratio to illumination in wall time
and in the process's CPU time (all threads; steadier than wall time on a shared machine, where the other jobs' load
stretches wall time unevenly between a short and a long run).

    python benchmarks/radiation.py                  # 100,000 satellites
    python benchmarks/radiation.py --sats 20000     # on a loaded machine
    python benchmarks/radiation.py --per-step       # also the per-step reference path
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import jax

warnings.filterwarnings("ignore", message="The file finals2000A.all has expired")
STEPS = 1440


def circular_fleet(n_sat: int):
    import orbital

    per_shell = n_sat // 2
    planes = 100
    return orbital.Fleet.from_shells(
        [
            orbital.Shell.walker(550.0, 53.0, planes, per_shell // planes, phasing=1, epoch="2027-01-01"),
            orbital.Shell.sun_synchronous(
                650.0, 6.0, planes=planes, sats_per_plane=(n_sat - per_shell) // planes, epoch="2027-01-01"
            ),
        ]
    )


def best_of(function, repeats: int) -> tuple[float, float]:
    """(best wall s, best CPU s) over ``repeats`` runs after a warm-up."""
    function()  # compile
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sats", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--per-step", action="store_true", help="also radiation's per-step reference path")
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", True)
    import orbital
    from orbital.radiation_scan import radiation

    fleet = circular_fleet(args.sats)
    n = len(fleet)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores (load {load:.1f}), "
        f"{jax.device_count()} x {jax.devices()[0].platform}, jax {jax.__version__}; {n:,} satellites x {STEPS} steps"
    )
    methods = ["torus", "layers"] + (["per-step"] if args.per_step else [])
    steps = n * STEPS
    for dtype in args.dtypes.split(","):
        light_s, light_cpu = best_of(
            lambda d=dtype: orbital.illumination(fleet, "2027-01-01", 1.0, dtype=d), args.repeats
        )
        line = [f"{dtype}: illumination {light_s:6.2f} s ({steps / light_s:8.3g} sat-steps/s, CPU {light_cpu:6.2f} s)"]
        for method in methods:
            rad_s, rad_cpu = best_of(
                lambda d=dtype, m=method: radiation(fleet, "2027-01-01", 1.0, weight=0.5, dtype=d, method=m),
                args.repeats,
            )
            line.append(
                f"{method} {rad_s:6.2f} s ({steps / rad_s:8.3g} sat-steps/s, CPU {rad_cpu:6.2f} s; "
                f"x illumination: wall {rad_s / light_s:5.2f}, CPU {rad_cpu / light_cpu:5.2f})"
            )
        print("\n    ".join(line), flush=True)


if __name__ == "__main__":
    main()
