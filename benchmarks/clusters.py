"""Cluster benchmark: neighbour-distance statistics of many Suncatcher clusters, beside the illumination engine.

In one run, on the same machine and at the same size (satellites x steps):
  (a) ``orbital.formation.neighbour_statistics``: N clusters of the Suncatcher lattice (81 members, 176 neighbour
      links), centres spread in argument of latitude, every member's position relative to its centre every step,
      folded into per-link least and greatest distance, closest approach and radius per cluster (float32);
      reported as the public call (checks, lattice, compile and run) and as the compiled kernel alone (warm);
  (b) ``orbital.illumination`` of the same satellites (``orbital.Shell.cluster``: every member, on its cluster
      centre's dawn-dusk orbit), the same steps, float32 (first call with compile, then warm).
Prints member-steps (satellite-steps) per second and the ratio (a)/(b).

    python benchmarks/clusters.py                      # 10,000 clusters (810,000 satellites), one orbit at 60 s
    python benchmarks/clusters.py --clusters 2000      # a loaded or small machine
    python benchmarks/clusters.py --orbits 15          # a day
"""

from __future__ import annotations

import argparse
import math
import platform
import resource
import time
import warnings

import jax
import jax.numpy as jnp
import numpy as np

warnings.filterwarnings("ignore", message="The file finals2000A.all has expired")


def timed(function, repeats: int = 1):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = jax.block_until_ready(function())
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clusters", type=int, default=10_000)
    parser.add_argument("--orbits", type=float, default=1.0, help="window in orbits of the cluster centre")
    parser.add_argument("--step-s", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=3, help="warm runs; the best is reported")
    args = parser.parse_args()

    import orbital
    from orbital import formation
    from orbital.core import formation as core
    from orbital.core.constants import EARTH_MU_KM3_S2, EARTH_RADIUS_KM

    cluster = formation.ClusterFormation()  # Suncatcher: 650 km dawn-dusk, 81 members
    a_km = EARTH_RADIUS_KM + float(cluster.altitude_km)
    period_s = 2.0 * math.pi * math.sqrt(a_km**3 / EARTH_MU_KM3_S2)
    n_steps = int(round(args.orbits * period_s / args.step_s))
    times = np.arange(n_steps) * args.step_s
    phases = 2.0 * np.pi * np.arange(args.clusters) / args.clusters
    grid = formation.lattice(cluster)
    n_members, n_pairs = grid.plane_m.shape[0], grid.pairs.shape[0]
    n_sats = args.clusters * n_members
    work = n_sats * n_steps
    print(
        f"machine: {platform.processor() or platform.machine()}, {jax.device_count()} x {jax.devices()[0].platform}, "
        f"jax {jax.__version__}; load average {', '.join(f'{x:.1f}' for x in __import__('os').getloadavg())}"
    )
    print(
        f"workload: {args.clusters:,} clusters x {n_members} members ({n_sats:,} satellites, {n_pairs} links per "
        f"cluster) x {n_steps} steps of {args.step_s:g} s ({args.orbits:g} orbit(s)): {work:.3e} member-steps"
    )

    # (a) public call: checks, lattice, trace, compile, run.
    public_s, stats = timed(lambda: formation.neighbour_statistics(cluster, times, phases))
    print(
        f"(a) neighbour_statistics, public call (compile included): {public_s:8.2f} s  {work / public_s:.3e} "
        f"member-steps/s; closest approach {float(np.min(stats.closest_approach_m)):.2f} m, radius "
        f"{float(np.max(stats.radius_m)):.2f} m"
    )
    # (a) the compiled kernel alone, warm.
    a, inc, roe = (
        np.full(args.clusters, a_km, np.float32),
        np.full(args.clusters, float(cluster.inclination_rad()), np.float32),
        core.RelativeElements(*(np.asarray(x, np.float32) for x in grid.roe)),
    )
    pairs = jnp.asarray(grid.pairs)

    @jax.jit
    def kernel(a, inc, roe, u0, t):
        return core.update(core.init(a.shape[0], pairs.shape[0], a.dtype), a, inc, roe, u0, t, pairs)

    inputs = (a, inc, roe, phases.astype(np.float32), times.astype(np.float32))
    compile_s, _ = timed(lambda: kernel(*inputs))
    kernel_s, state = timed(lambda: kernel(*inputs), args.repeats)
    # Check against member positions made one by one in float64 and differenced (a few clusters): the folded
    # statistics are the same numbers to float32 precision.
    check = slice(0, min(8, args.clusters))
    positions = formation.relative_positions_m(cluster, times, phases[check])
    distance = np.linalg.norm(positions[..., grid.pairs[:, 0], :] - positions[..., grid.pairs[:, 1], :], axis=-1)
    np.testing.assert_allclose(np.asarray(state.min_distance_m)[check], distance.min(axis=1), atol=0.05)
    np.testing.assert_allclose(np.asarray(state.max_distance_m)[check], distance.max(axis=1), atol=0.05)
    np.testing.assert_allclose(stats.closest_approach_m, np.asarray(state.closest_approach_m), rtol=1e-6)
    print(
        f"(a) neighbour kernel, warm (first call {compile_s:.2f} s):      {kernel_s:8.2f} s  {work / kernel_s:.3e} "
        "member-steps/s"
    )

    # (b) illumination of the same satellites (every member, ``Shell.cluster``: the clusters' centres in one
    # dawn-dusk plane at the phases of (a)), the same steps.
    fleet = orbital.Fleet.from_shells(orbital.Shell.cluster(cluster, 1, args.clusters, epoch="2027-01-01"))
    days = n_steps * args.step_s / 86400.0
    first_s, _ = timed(lambda: orbital.illumination(fleet, "2027-01-01", days, args.step_s, dtype=np.float32))
    illum_s, _ = timed(
        lambda: orbital.illumination(fleet, "2027-01-01", days, args.step_s, dtype=np.float32), args.repeats
    )
    illum_work = len(fleet) * n_steps
    print(
        f"(b) illumination, {len(fleet):,} satellites (first call {first_s:.2f} s):  {illum_s:8.2f} s  "
        f"{illum_work / illum_s:.3e} satellite-steps/s"
    )
    rate = illum_work / illum_s
    print(
        f"ratio (a)/(b), satellite-steps per second: kernel warm {work / kernel_s / rate:.2f}, public call "
        f"{work / public_s / rate:.2f}"
    )
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
