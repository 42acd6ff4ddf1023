"""What a run will cost, estimated from its arguments before it starts, and the limits the command line keeps to.

The fleet engine streams satellites in blocks and time in chunks (``orbital.fleet_scan``), but some of a run's
memory still grows with its arguments: the host keeps a few numbers per time step (the offsets, UTC day and Julian
date of every step: ``TIME_BYTES_PER_STEP``), a result per satellite, and the full-field calls (``sunlit``,
``beta_angle_deg``, ``positions_km``, the planner's seasons) a value per satellite and step. ``orbital illumination
--days 1e6`` grew past 15 GB in the time axis alone before it could start. The estimates below follow the engine's
own cut (``fleet_scan.layout``: blocks, chunks, dtype) with per-element costs measured with ``tracemalloc`` (numpy
and astropy allocations; tests/test_resources.py checks them against measured sizes). JAX's buffers are counted
from their shapes.

Limits: ``MEMORY_LIMIT_BYTES`` = 6 GiB of estimated memory: a 16 GB laptop survives it with the estimate 30 %
low (tests/test_resources.py holds each estimate within 0.7-2x of the measured size), beside the process's own
~0.4 GB (benchmarks/RESULTS.md), with half its memory left to the system and whatever else it runs.
``TIME_LIMIT_S`` = one day on the reference 2-core CPU at the rates of benchmarks/RESULTS.md: longer is a typo far
more often than a plan (a GPU, whose rate is not measured yet, is not held to it). Every refusal is one line: the
estimate, the limit, and what to change.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from orbital.core.constants import SECONDS_PER_DAY, SECONDS_PER_HOUR
from orbital.fleet_scan import DEFAULT_CHUNK_STEPS, block_size, default_block_sats, on_gpu, window_chunk_steps

GIB = 2**30
MEMORY_LIMIT_BYTES = 6 * GIB
TIME_LIMIT_S = 24 * SECONDS_PER_HOUR
# Steps a window is counted in before its cost is estimated: 10^15 steps x 40 bytes is far past any memory.
MAX_STEPS = 1e15

# Host bytes per time step of a uniform window: offsets (8), UTC day index (4), split Julian dates (16), chunk
# bounds; measured 32.4 for two million steps.
TIME_BYTES_PER_STEP = 40
# Host bytes per step where every instant is also an astropy Time (the planner's seasons: the Time array, its TT
# conversion and temporaries, the grid); measured 143 for the planner's geometry.
TIME_OBJECT_BYTES_PER_STEP = 160
# Host bytes per satellite: elements, names, the gathered statistics and their tables; measured ~900 for the
# built-in fleet of `orbital illumination`.
BYTES_PER_SATELLITE = 1024
# Numbers a satellite's running state holds on the device (statistics: orbital.core.stats with the circular
# elements; budget: docs/performance.md, 11 carried and the sizing pass's).
STATE_NUMBERS = {"statistics": 25, "budget": 50}
# Numbers per satellite and step an SGP4 chunk holds on the device: position and velocity (6), the illuminated
# fraction, minutes since epoch.
SGP4_CHUNK_NUMBERS = 8

# Satellite-steps per second on the reference 2-core CPU (benchmarks/RESULTS.md): circular fleets' statistics in
# float64 and float32, the JAX SGP4 path (W3), python-sgp4 on the host for fleets with deep-space sets.
RATES = {("circular", 8): 145e6, ("circular", 4): 311e6, ("sgp4", 8): 5.2e6, ("sgp4", 4): 10e6, ("host", 8): 1.0e6}
# Storing every value (the full-field calls) instead of folding it measured ~5x slower than the statistics.
FULL_FIELD_SLOWDOWN = 5.0


class Estimate(NamedTuple):
    """A run's estimated peak memory (bytes), time on the reference CPU (s; None on a GPU) and satellite-steps."""

    memory_bytes: float
    seconds: float | None
    sat_steps: float


def window_steps(days: float, step_s: float) -> int:
    """Steps of a uniform window (as ``orbital.timescales.uniform_grid`` cuts it), with its argument checks."""
    if not isinstance(days, (int, float, np.integer, np.floating)) or not math.isfinite(days) or days <= 0:
        raise ValueError(f"days={days!r} is outside the allowed range (0, inf)")
    window_s = float(days) * SECONDS_PER_DAY
    if not isinstance(step_s, (int, float, np.integer, np.floating)) or not math.isfinite(step_s):
        raise ValueError(f"step_s={step_s!r} is outside the allowed range (0, {window_s:g}] s (the window length)")
    if not 0 < step_s <= window_s:
        raise ValueError(f"step_s={step_s!r} is outside the allowed range (0, {window_s:g}] s (the window length)")
    n_steps = window_s / float(step_s)
    if not n_steps <= MAX_STEPS:  # far beyond any memory limit; also an infinite window
        raise ValueError(
            f"days={days:g} at step_s={step_s:g} s is {n_steps:.3g} steps, more than any run can hold; "
            "use fewer days or a coarser step"
        )
    return int(math.ceil(n_steps - 1e-9))


def scan_estimate(
    n_sat: int,
    days: float,
    step_s: float,
    *,
    kind: str = "circular",
    dtype_bytes: int = 8,
    scan: str = "statistics",
    values_per_step: int = 0,
    gpu: bool | None = None,
) -> Estimate:
    """A fleet engine run over ``n_sat`` satellites and a uniform window: ``orbital.illumination`` and
    ``orbital.budget`` (``scan``), or with ``values_per_step`` > 0 a full-field call that returns that many values
    per satellite and step (``sunlit``: 1, ``positions_km``: 3). ``kind``: "circular", "sgp4" or "host" (an SGP4
    fleet with deep-space sets, propagated by python-sgp4). On a GPU (``gpu=None``: JAX's default backend) the
    device's buffers are not host memory and the time is not estimated."""
    n_time = window_steps(days, step_s)
    gpu = on_gpu(None) if gpu is None else gpu
    fleet_kind = "circular" if kind == "circular" else "sgp4"
    block = block_size(int(n_sat), default_block_sats(fleet_kind, scan, gpu))
    chunk = window_chunk_steps(n_time, DEFAULT_CHUNK_STEPS, step_s)
    padded = math.ceil(n_sat / block) * block
    host = float(n_time) * TIME_BYTES_PER_STEP + float(n_sat) * BYTES_PER_SATELLITE
    device = float(padded) * STATE_NUMBERS[scan] * dtype_bytes
    if kind != "circular":
        device += float(block) * chunk * SGP4_CHUNK_NUMBERS * (8 if kind == "host" else dtype_bytes)
    if kind == "host":  # python-sgp4's states are float64 numpy arrays before they reach the device
        host += float(block) * chunk * SGP4_CHUNK_NUMBERS * 8
    if values_per_step:
        host += float(n_sat) * n_time * values_per_step * dtype_bytes
        device += float(block) * chunk * values_per_step * dtype_bytes
    sat_steps = float(n_sat) * n_time
    rate = RATES.get((kind, dtype_bytes), RATES.get((kind, 8)))
    seconds = None if gpu else sat_steps / rate * (FULL_FIELD_SLOWDOWN if values_per_step else 1.0)
    return Estimate(host + (0.0 if gpu else device), seconds, sat_steps)


def plan_geometry_estimate(n_sat: int, days: float, step_s: float, eclipse_step_s: float) -> Estimate:
    """The planner's geometry (``orbital.planner.compute_geometry``) of ``n_sat`` sampled satellites: the
    statistics at ``step_s``, the daily seasons from the full sunlit field (float64, every instant an astropy
    Time), and the longest eclipse again at ``eclipse_step_s`` when ``step_s`` is coarser."""
    n_time = window_steps(days, step_s)
    statistics = scan_estimate(n_sat, days, step_s, gpu=False)
    seasons = float(n_sat) * n_time * (8 + 1) + float(n_time) * TIME_OBJECT_BYTES_PER_STEP  # values + in-eclipse mask
    fine = scan_estimate(n_sat, days, min(step_s, eclipse_step_s), gpu=False)
    seconds = statistics.seconds * (1.0 + FULL_FIELD_SLOWDOWN) + (fine.seconds if step_s > eclipse_step_s else 0.0)
    return Estimate(max(statistics.memory_bytes + seasons, fine.memory_bytes), seconds, statistics.sat_steps)


def _batch(n: int) -> int:
    """The padded batch of ``n`` plan cases (``orbital.planner.bucket_size``: a power of two, at least 64)."""
    return max(64, 1 << (int(n) - 1).bit_length())


def sweep_estimate(points: int, n_years: int, n_outputs: int) -> Estimate:
    """``orbital.planner.sweep``: one vmapped call over the padded grid keeps every output of every case and year
    with the projection's intermediates (about 3x the outputs), then a long table of a dozen columns; measured
    1,916 bytes per case-year for 32,768 cases x 19 years of 68 outputs, estimated here at 1,888."""
    cases = float(_batch(points)) * n_years
    return Estimate(cases * (3 * n_outputs + 32) * 8.0, None, cases)


def montecarlo_estimate(
    draws: int, n_years: int, n_outputs: int, n_inputs: int, n_metrics: int, chunk: int = 20_000
) -> Estimate:
    """``orbital.planner.montecarlo``: a chunk of draws evaluated at a time (every output, x2 for intermediates),
    the kept metrics of every draw (x2 for the percentiles' sorted copy) and the drawn inputs (x3 while sampled).
    Measured 236 and 284 bytes per draw-year (200,000 x 19 and 100,000 x 100 years), estimated here at 316 and 335."""
    batch = min(chunk, _batch(draws))
    memory = float(batch) * n_years * n_outputs * 16 + float(draws) * (n_years * n_metrics * 16 + n_inputs * 24)
    return Estimate(memory, None, float(draws) * n_years)


def _size(n_bytes: float) -> str:
    return f"{n_bytes / GIB:,.1f} GB" if n_bytes >= 0.1 * GIB else f"{n_bytes / 2**20:,.0f} MB"


def _duration(seconds: float) -> str:
    return f"{seconds / SECONDS_PER_HOUR:,.1f} h" if seconds >= SECONDS_PER_HOUR else f"{seconds:,.0f} s"


def check_estimate(
    estimate: Estimate,
    what: str,
    change: str,
    *,
    memory_limit: float = MEMORY_LIMIT_BYTES,
    time_limit: float = TIME_LIMIT_S,
) -> Estimate:
    """Raise a one-line ValueError when ``estimate`` exceeds a limit: ``what`` (the run, e.g. "2,264 satellites x
    1,440,000,000 steps"), the estimate, the limit and ``change`` (what to change, e.g. "use fewer --days")."""
    if estimate.memory_bytes > memory_limit:
        raise ValueError(
            f"{what} needs about {_size(estimate.memory_bytes)} of memory, above the limit of {_size(memory_limit)}; "
            f"{change}"
        )
    if estimate.seconds is not None and estimate.seconds > time_limit:
        raise ValueError(
            f"{what} would take about {_duration(estimate.seconds)} on the reference 2-core CPU, above the limit of "
            f"{_duration(time_limit)}; {change}"
        )
    return estimate


__all__ = [
    "BYTES_PER_SATELLITE",
    "MEMORY_LIMIT_BYTES",
    "TIME_BYTES_PER_STEP",
    "TIME_LIMIT_S",
    "Estimate",
    "check_estimate",
    "montecarlo_estimate",
    "plan_geometry_estimate",
    "scan_estimate",
    "sweep_estimate",
    "window_steps",
]
