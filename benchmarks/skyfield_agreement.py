"""Whole-fleet agreement with skyfield: every satellite of orbital/data/starlink-2026-05-13.tle over a
day at 60 s steps, ``orbital.sunlit(...) >= 0.5`` against skyfield ``is_sunlit`` (DE421 from skyfield-data).
Prints the share of satellite-minutes that agree and how far each disagreement is from a shadow transition
(in steps of the reference). Takes a few minutes (skyfield goes one satellite at a time).

    python benchmarks/skyfield_agreement.py [--sats N]
"""

from __future__ import annotations

import argparse
import time
import warnings

import jax
import numpy as np

warnings.filterwarnings("ignore", message="The file finals2000A.all has expired")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sats", type=int, default=0, help="first N satellites only (0: all)")
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", True)
    import skyfield_data
    from skyfield.api import EarthSatellite, Loader

    import orbital
    from orbital.data import STARLINK_TLE
    from orbital.data import path as data_path

    loader = Loader(skyfield_data.get_skyfield_data_path())
    ts, eph = loader.timescale(builtin=True), loader("de421.bsp")
    tle_path = data_path(STARLINK_TLE)
    lines = tle_path.read_text().splitlines()
    fleet = orbital.Fleet.from_tle(tle_path)
    n = args.sats or len(fleet)
    times = ts.utc(2026, 5, 13, 0, np.arange(1440))
    start = time.perf_counter()
    ours = orbital.sunlit(fleet[:n], times) >= 0.5
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    reference = np.array(
        [
            EarthSatellite(lines[3 * i + 1], lines[3 * i + 2], lines[3 * i], ts).at(times).is_sunlit(eph)
            for i in range(n)
        ]
    )
    sky_s = time.perf_counter() - start
    disagree = ours != reference
    # Distance of each disagreement from the nearest change of the reference state, in 60 s steps.
    change = np.zeros_like(reference)
    change[:, 1:] |= reference[:, 1:] != reference[:, :-1]
    change[:, :-1] |= reference[:, 1:] != reference[:, :-1]
    near = disagree & change
    print(
        f"{n:,} satellites x 1,440 minutes: agreement {100 * (1 - disagree.mean()):.4f} % "
        f"({int(disagree.sum()):,} disagreeing satellite-minutes, {int(near.sum()):,} of them at a transition "
        f"minute)"
    )
    print(
        f"orbital.sunlit {ours_s:.1f} s ({n * 1440 / ours_s / 1e6:.2f} M sat-steps/s incl. JAX SGP4); "
        f"skyfield {sky_s:.1f} s ({n * 1440 / sky_s / 1e6:.3f} M/s)"
    )


if __name__ == "__main__":
    main()
