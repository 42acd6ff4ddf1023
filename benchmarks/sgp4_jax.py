"""SGP4 benchmark: python-sgp4 ``SatrecArray.sgp4`` (Vallado's C++, one thread) against the JAX kernel
``orbital.core.sgp4.propagate`` (jit, float64 and float32) on the same TLEs and instants, in one run.

Default: the 10,361 Starlink TLEs of 2026-05-13 x 1 day at 30 s steps (2,880 steps), evaluated in chunks of
``--chunk-steps`` instants; every contender writes positions, velocities and error codes for each chunk and
keeps none of them. JAX compile time is reported apart from the run. Prints satellite-steps per second, the
ratios to python-sgp4, and the largest position difference of each JAX run from python-sgp4 on the first chunk.

    python benchmarks/sgp4_jax.py
    python benchmarks/sgp4_jax.py --days 0.25 --layout both --kepler-iterations 3
"""

from __future__ import annotations

import argparse
import functools
import platform
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np


def load_satrecs(path: Path):
    from sgp4.api import Satrec

    lines = [line.rstrip() for line in path.read_text().splitlines() if line.strip()]
    return [
        Satrec.twoline2rv(line, lines[i + 1])
        for i, line in enumerate(lines[:-1])
        if line.startswith("1 ") and lines[i + 1].startswith("2 ")
    ]


@functools.partial(jax.jit, static_argnames=("layout", "kepler_iterations"))
def propagate_chunk(elements, start_min, step_min, layout, kepler_iterations):
    """States of every satellite at ``start_min + step_min`` (minutes since each one's epoch)."""
    from orbital.core.sgp4 import propagate

    dtype = jnp.result_type(elements.mo)
    start_min, step_min = start_min.astype(dtype), step_min.astype(dtype)
    kernel = functools.partial(propagate, kepler_iterations=kepler_iterations)
    if layout == "sat":  # (sat, time, 3)
        over_time = jax.vmap(kernel, in_axes=(None, 0))
        return jax.vmap(lambda el, t0: over_time(el, t0 + step_min))(elements, start_min)
    over_sat = jax.vmap(kernel, in_axes=(0, 0))  # (time, sat, 3)
    return jax.vmap(lambda dt: over_sat(elements, start_min + dt))(step_min)


def time_python_sgp4(satrecs, jd_whole, jd_fraction, chunks):
    from sgp4.api import SatrecArray

    array = SatrecArray(satrecs)
    start = time.perf_counter()
    first = None
    for sl in chunks:
        error, position, _ = array.sgp4(jd_whole[sl], jd_fraction[sl])
        if first is None:
            first = (error, position)
    return time.perf_counter() - start, first


def time_jax(elements, start_min, offsets_min, chunks, layout, kepler_iterations):
    def run(sl):
        out = propagate_chunk(elements, start_min, offsets_min[sl], layout, kepler_iterations)
        return jax.block_until_ready(out)

    t0 = time.perf_counter()
    first = run(chunks[0])  # compile + one chunk
    first_call = time.perf_counter() - t0
    t0 = time.perf_counter()
    run(chunks[0])
    one_chunk = time.perf_counter() - t0
    t0 = time.perf_counter()
    for sl in chunks:
        run(sl)
    seconds = time.perf_counter() - t0
    return seconds, max(first_call - one_chunk, 0.0), first


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tle", type=Path, default=None, help="TLE file (default: the shipped Starlink snapshot)")
    parser.add_argument("--days", type=float, default=1.0)
    parser.add_argument("--step-s", type=float, default=30.0)
    parser.add_argument("--chunk-steps", type=int, default=240)
    parser.add_argument(
        "--layout",
        choices=["sat", "time", "both"],
        default="sat",
        help="JAX output layout: (sat, time, 3) or (time, sat, 3)",
    )
    parser.add_argument(
        "--kepler-iterations", type=int, default=None, help="Newton steps (default: the kernel's KEPLER_ITERATIONS)"
    )
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", True)
    from orbital.core import sgp4 as sgp4_jax
    from orbital.data import STARLINK_TLE
    from orbital.data import path as data_path

    if args.tle is None:
        args.tle = data_path(STARLINK_TLE)
    kepler_iterations = args.kepler_iterations or sgp4_jax.KEPLER_ITERATIONS
    satrecs = load_satrecs(args.tle)
    elements64 = sgp4_jax.sgp4_elements_from_satrecs(satrecs)
    n_sat = len(satrecs)
    steps = round(args.days * 86400.0 / args.step_s)
    # The grid starts at the latest epoch in the file; python-sgp4 takes it as a two-part Julian date.
    start_jd = float(np.max(elements64.epoch_jd + elements64.epoch_fraction))
    jd_whole = np.full(steps, np.floor(start_jd))
    offsets_min = np.arange(steps) * (args.step_s / 60.0)
    jd_fraction = (start_jd - np.floor(start_jd)) + offsets_min / 1440.0
    start_min = sgp4_jax.minutes_since_epoch(elements64, jd_whole[0], jd_fraction[0])
    chunks = [slice(i, min(i + args.chunk_steps, steps)) for i in range(0, steps, args.chunk_steps)]
    sat_steps = n_sat * steps

    print(
        f"{n_sat:,} satellites x {steps:,} steps ({args.days:g} d at {args.step_s:g} s) = "
        f"{sat_steps / 1e6:.1f} M satellite-steps, chunks of {args.chunk_steps} steps; "
        f"jax {jax.__version__} on {jax.default_backend()}, {platform.processor() or platform.machine()}, "
        f"Kepler iterations {kepler_iterations}"
    )
    reference_s, (ref_error, ref_position) = time_python_sgp4(satrecs, jd_whole, jd_fraction, chunks)
    rows = [("python-sgp4 SatrecArray.sgp4 (C++)", "float64", "", 0.0, reference_s, None)]
    layouts = ["sat", "time"] if args.layout == "both" else [args.layout]
    for dtype in (jnp.float64, jnp.float32):
        elements = elements64.astype(dtype)
        for layout in layouts:
            seconds, compile_s, (position, _, code) = time_jax(
                elements, jnp.asarray(start_min), jnp.asarray(offsets_min), chunks, layout, kepler_iterations
            )
            position = np.asarray(position, dtype=np.float64)
            if layout == "time":
                position = position.swapaxes(0, 1)
            ok = ref_error == 0
            diff_km = float(np.abs(position - ref_position)[ok].max())
            codes_agree = np.array_equal(np.asarray(code).T if layout == "time" else np.asarray(code), ref_error)
            rows.append(
                (
                    f"orbital.core.sgp4 jit, {layout}-major",
                    jnp.dtype(dtype).name,
                    f"{diff_km:.1e} km{'' if codes_agree else ' (codes differ!)'}",
                    compile_s,
                    seconds,
                    None,
                )
            )
    print(
        f"{'contender':38s} {'dtype':8s} {'compile s':>9s} {'run s':>8s} {'M sat-steps/s':>14s} "
        f"{'x python-sgp4':>13s}  max |dr| on chunk 1"
    )
    for name, dtype, diff, compile_s, seconds, _ in rows:
        rate = sat_steps / seconds
        compile_text = f"{compile_s:9.2f}" if name.startswith("orbital") else f"{'':9s}"
        print(
            f"{name:38s} {dtype:8s} {compile_text} {seconds:8.2f} {rate / 1e6:14.2f} "
            f"{reference_s / seconds:12.2f}x  {diff}"
        )


if __name__ == "__main__":
    main()
