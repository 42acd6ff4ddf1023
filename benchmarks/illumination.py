"""Illumination benchmark: workload W1 of docs/performance.md (at a configurable size), then W3.

In one run, on the same machine, the same statistics (mean illuminated fraction, longest eclipse, eclipse days)
over a day at 60 s steps by:
  (a) skyfield ``is_sunlit``, one satellite at a time (real Starlink TLEs, SGP4 + DE421),
  (b) a plain-numpy vectorised version of our physics (circular J2 orbits, projection form, conical shadow),
  (c) ``orbital.illumination`` on the circular fleet, float32 and float64 (compile time reported apart),
  (d) ``orbital.illumination`` on the real Starlink fleet (our JAX SGP4 on the device + the same kernels).
Prints satellite-steps per second and the ratios (c)/(a), (c)/(b).

    python benchmarks/illumination.py                   # 100,000 satellites
    python benchmarks/illumination.py --sats 20000 --skyfield-sats 20
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
import warnings

import jax
import numpy as np

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


def numpy_statistics(fleet, dtype, block: int = 8192):
    """Same physics in plain numpy: circular J2 orbits, r . s_hat projection, conical umbra and penumbra."""
    from orbital.core import sun as sun_kernels
    from orbital.core.constants import EARTH_RADIUS_KM, SUN_RADIUS_KM
    from orbital.timescales import uniform_grid

    grid = uniform_grid("start", "2027-01-01", 1.0, 60.0)
    t = grid.offsets_s.astype(dtype)
    epoch = sun_kernels.sun_epoch(grid.tt_jd)
    days = t / 86400.0
    mean_lon = np.deg2rad(epoch.mean_longitude_deg + 0.9856474 * days)
    anomaly = np.deg2rad(epoch.mean_anomaly_deg + 0.9856003 * days)
    obliquity = np.deg2rad(epoch.obliquity_deg - 4e-7 * days)
    lon = mean_lon + np.deg2rad(1.915 * np.sin(anomaly) + 0.020 * np.sin(2 * anomaly))
    distance = 149597870.7 * (1.00014 - 0.01671 * np.cos(anomaly) - 0.00014 * np.cos(2 * anomaly))
    s = np.stack([np.cos(lon), np.cos(obliquity) * np.sin(lon), np.sin(obliquity) * np.sin(lon)], -1).astype(dtype)
    sin_u, sin_p = (SUN_RADIUS_KM - EARTH_RADIUS_KM) / distance, (SUN_RADIUS_KM + EARTH_RADIUS_KM) / distance
    umbra0, umbra_slope = EARTH_RADIUS_KM / np.sqrt(1 - sin_u**2), sin_u / np.sqrt(1 - sin_u**2)
    penumbra0, penumbra_slope = EARTH_RADIUS_KM / np.sqrt(1 - sin_p**2), sin_p / np.sqrt(1 - sin_p**2)
    elements = fleet.elements_at(grid)
    results = []
    for b0 in range(0, len(fleet), block):
        e = [np.asarray(f[b0 : b0 + block], dtype)[:, None] for f in elements]
        a, inc, raan0, u0, raan_rate, u_rate = e
        raan = raan0 + raan_rate * t
        u = u0 + u_rate * t
        cr, sr = np.cos(raan), np.sin(raan)
        p_dot_s = cr * s[:, 0] + sr * s[:, 1]
        q_dot_s = np.cos(inc) * (cr * s[:, 1] - sr * s[:, 0]) + np.sin(inc) * s[:, 2]
        p = a * (np.cos(u) * p_dot_s + np.sin(u) * q_dot_s)
        d = np.sqrt(np.maximum(a * a - p * p, 0))
        umbra, penumbra = umbra0 + p * umbra_slope, penumbra0 - p * penumbra_slope
        with np.errstate(divide="ignore", invalid="ignore"):  # the cones' width crosses 0 on the day side
            fraction = np.where(p < 0, np.clip((d - umbra) / (penumbra - umbra), 0, 1), 1.0)
        eclipse = fraction < 0.5
        run = np.zeros(len(a), np.int32)
        best = np.zeros(len(a), np.int32)
        for k in range(eclipse.shape[1]):
            run = np.where(eclipse[:, k], run + 1, 0)
            np.maximum(best, run, out=best)
        results.append((fraction.mean(axis=1), best, eclipse.any(axis=1)))
    return results


def timed(function, repeats: int = 1):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sats", type=int, default=100_000)
    parser.add_argument("--skyfield-sats", type=int, default=25)
    parser.add_argument("--numpy-sats", type=int, default=20_000)
    parser.add_argument("--real-fleet", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--real-step-s", type=float, default=30.0, help="step of the real-fleet run (W3: 30 s)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of (c); the best is reported")
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", True)
    import orbital
    from orbital.data import STARLINK_TLE
    from orbital.data import path as data_path

    tle_path = data_path(STARLINK_TLE)
    rows = []
    print(
        f"machine: {platform.processor() or platform.machine()}, {jax.device_count()} x {jax.devices()[0].platform}, "
        f"jax {jax.__version__}"
    )

    # (a) skyfield, one satellite at a time.
    if args.skyfield_sats:
        import skyfield_data
        from skyfield.api import EarthSatellite, Loader

        loader = Loader(skyfield_data.get_skyfield_data_path())
        ts, eph = loader.timescale(builtin=True), loader("de421.bsp")
        lines = tle_path.read_text().splitlines()
        times = ts.utc(2026, 5, 13, 0, np.arange(STEPS))
        sats = [EarthSatellite(lines[3 * i + 1], lines[3 * i + 2], lines[3 * i], ts) for i in range(args.skyfield_sats)]
        seconds, _ = timed(lambda: [s.at(times).is_sunlit(eph) for s in sats])
        rows.append(("(a) skyfield is_sunlit, per satellite", args.skyfield_sats, seconds, None))

    fleet = circular_fleet(args.sats)
    # orbital first, so that the process's peak RSS after it is orbital's (plus the imports), not numpy's.
    for dtype in ("float32", "float64"):
        compile_s, _ = timed(lambda dtype=dtype: orbital.illumination(fleet, "2027-01-01", 1.0, dtype=dtype))
        seconds, _ = timed(
            lambda dtype=dtype: orbital.illumination(fleet, "2027-01-01", 1.0, dtype=dtype), repeats=args.repeats
        )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append(
            (
                f"(c) orbital.illumination, {dtype}",
                len(fleet),
                seconds,
                f"first call {compile_s:.2f} s, process peak RSS so far {peak_mb:.0f} MB",
            )
        )

    numpy_fleet = fleet[np.linspace(0, len(fleet) - 1, args.numpy_sats).astype(int)]
    for dtype in (np.float64, np.float32):
        seconds, _ = timed(lambda dtype=dtype: numpy_statistics(numpy_fleet, dtype), repeats=2)
        rows.append((f"(b) numpy vectorised, {np.dtype(dtype).name}", len(numpy_fleet), seconds, None))
    rows.sort(key=lambda row: row[0][:3])

    steps = {name: STEPS for name, *_ in rows}
    if args.real_fleet:
        real = orbital.Fleet.from_tle(tle_path)
        compile_s, _ = timed(lambda: orbital.illumination(real, "2026-05-13", 1.0, args.real_step_s))
        seconds, _ = timed(lambda: orbital.illumination(real, "2026-05-13", 1.0, args.real_step_s), repeats=2)
        name = f"(d) orbital.illumination, Starlink TLEs, {args.real_step_s:g} s (JAX SGP4)"
        rows.append((name, len(real), seconds, f"float64; first call {compile_s:.2f} s"))
        steps[name] = int(86400 / args.real_step_s)

    rates = {name: n * steps[name] / s for name, n, s, _ in rows}
    sky = next((r for k, r in rates.items() if k.startswith("(a)")), None)
    numpy64 = rates["(b) numpy vectorised, float64"]
    numpy32 = rates["(b) numpy vectorised, float32"]
    print(
        f"\n{'workload':58s} {'sats':>8s} {'seconds':>8s} {'M sat-steps/s':>14s} {'vs skyfield':>12s} {'vs numpy':>9s}"
    )
    for name, n, seconds, note in rows:
        rate = rates[name]
        same_numpy = numpy32 if "float32" in name else numpy64
        vs_sky = f"{rate / sky:10.0f}x" if sky else "n/a"
        vs_np = f"{rate / same_numpy:8.2f}x" if name.startswith("(c)") else ""
        print(
            f"{name:58s} {n:8d} {seconds:8.2f} {rate / 1e6:14.2f} {vs_sky:>12s} {vs_np:>9s}"
            + (f"   ({note})" if note else "")
        )


if __name__ == "__main__":
    main()
