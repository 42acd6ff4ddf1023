"""float32 against float64 for a year of eclipse statistics: the same fleet and window in both
precisions; prints the largest differences of each per-satellite statistic.

    python benchmarks/precision.py [--sats 2000] [--days 365]
"""

from __future__ import annotations

import argparse
import time

import jax
import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sats", type=int, default=2000)
    parser.add_argument("--days", type=float, default=365.0)
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", True)
    import orbital

    per_shell = args.sats // 4
    fleet = orbital.Fleet.from_shells(
        [
            orbital.Shell.walker(550.0, 53.0, 20, per_shell // 20, phasing=1, epoch="2027-01-01"),
            orbital.Shell.walker(1200.0, 70.0, 20, per_shell // 20, epoch="2027-01-01"),
            orbital.Shell.sun_synchronous(650.0, 6.0, planes=20, sats_per_plane=per_shell // 20, epoch="2027-01-01"),
            orbital.Shell.sun_synchronous(600.0, 18.0, planes=1, sats_per_plane=per_shell, epoch="2027-01-01"),
        ]
    )
    results = {}
    for dtype in ("float64", "float32"):
        start = time.perf_counter()
        results[dtype] = orbital.illumination(fleet, "2027-01-01", args.days, 60.0, dtype=dtype)
        print(f"{dtype}: {time.perf_counter() - start:.1f} s")
    f64, f32 = results["float64"], results["float32"]
    print(f"{len(fleet):,} satellites x {args.days:g} days at 60 s")
    for field, unit in [
        ("sunlit_fraction", ""),
        ("eclipse_fraction", ""),
        ("max_eclipse_min", "min"),
        ("eclipse_days", "days"),
    ]:
        diff = np.abs(getattr(f32, field) - getattr(f64, field))
        print(
            f"{field:18s} max |f32 - f64| = {diff.max():.3g} {unit}  (mean {diff.mean():.3g}; "
            f"{int((diff > 0).sum())} satellites differ)"
        )


if __name__ == "__main__":
    main()
