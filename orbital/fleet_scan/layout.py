"""How a fleet scan is cut: satellites per block, steps per chunk, the working dtype, and padding to the fixed
(bucketed) shapes that keep compilations few.

Memory is bounded by a block's running state (circular fleets) or by ``block x chunk`` SGP4 states, never by
``n_sat x n_time``. The defaults below are the starting points; every entry point takes ``block_sats=`` and
``chunk_steps=`` (docs/performance.md)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from orbital.core import orbits
from orbital.core.constants import SECONDS_PER_DAY
from orbital.fleet_scan.devices import on_gpu

DEFAULT_BLOCK_SATS = 8192
DEFAULT_CHUNK_STEPS = 1440
# Circular fleets' statistics never store a (time, sat) array, so a block costs only its per-satellite state
# (about 25 numbers a satellite); larger blocks spread each scan step's fixed cost over more satellites
# (measured best at 32,768-65,536 on the 2-core CPU).
DEFAULT_CIRCULAR_BLOCK_SATS = 32768
# The budget of circular fleets on a CPU: its sequential battery and radiator steps and its (16, block) tiles favour
# blocks of about 20,000 satellites (measured 2026-12-02 on the 2-core CPU, one pass: 6 % faster than blocks of
# 6,912 at 20,000 satellites, 20-30 % at 100,000; a power of two just above a fleet's size would pad it too much).
DEFAULT_CIRCULAR_BUDGET_BLOCK_SATS = 20480
# On a GPU each scan step is a few kernel launches whatever the block, so a block holds up to a million satellites
# (about 200 MB of state for the budget); SGP4 blocks store (block, chunk, 6) states, 65,536 x 1,440 x 6 x 8 bytes
# = 4.5 GB in float64. Chosen, not measured.
GPU_STATE_BLOCK_SATS = 1 << 20
GPU_SGP4_BLOCK_SATS = 1 << 16
# Blocks of fleets larger than one block are rounded up to a multiple of this.
BLOCK_ALIGN_SATS = 256
SCANS = ("statistics", "budget")


def default_block_sats(fleet_kind: str, scan: str, gpu: bool | None = None) -> int:
    """Default satellites per block for ``scan``, "statistics" (illumination) or "budget" (power and thermal), on
    a GPU or not (``gpu=None``: the default backend's kind).

    Circular fleets keep only per-satellite state; SGP4 blocks also hold a chunk of states. On a CPU the budget
    of a circular fleet takes DEFAULT_CIRCULAR_BUDGET_BLOCK_SATS: its state is about 50 numbers a satellite."""
    if scan not in SCANS:
        raise ValueError(f"scan={scan!r} is not one of {', '.join(map(repr, SCANS))}")
    if gpu is None:
        gpu = on_gpu(None)
    if fleet_kind != "circular":
        return GPU_SGP4_BLOCK_SATS if gpu else DEFAULT_BLOCK_SATS
    if gpu:
        return GPU_STATE_BLOCK_SATS
    return DEFAULT_CIRCULAR_BLOCK_SATS if scan == "statistics" else DEFAULT_CIRCULAR_BUDGET_BLOCK_SATS


def bucket(n: int, cap: int) -> int:
    """Shape bucket: the next power of two (at least 8), capped, so compiled shapes are few."""
    return int(min(cap, max(8, 1 << (max(n, 1) - 1).bit_length())))


def block_size(n_sat: int, block_sats: int, devices: int = 1) -> int:
    """Satellites per block: a power-of-two bucket for fleets that fit one block; for larger fleets, equal blocks
    rounded up to a multiple of 256 (so 100,000 satellites pad to 100,096, not to 13 x 8,192 = 106,496); then a
    multiple of the ``devices`` the block is sharded over."""
    if n_sat <= block_sats:
        block = bucket(n_sat, block_sats)
    else:
        blocks = -(-n_sat // block_sats)
        per_block = -(-n_sat // blocks)
        block = -(-per_block // BLOCK_ALIGN_SATS) * BLOCK_ALIGN_SATS
    return -(-block // devices) * devices


def window_chunk_steps(n_time: int, chunk_steps: int, step_s: float) -> int:
    """Steps per chunk of a uniform window: a day's steps (so long windows waste no padding); short windows round
    up to a power-of-two bucket so that they share compiled shapes."""
    return max(1, min(bucket(n_time, chunk_steps), int(SECONDS_PER_DAY // float(step_s))))


def chunk_bounds(offsets_s: np.ndarray, chunk: int, start_step: int = 0) -> list[tuple[int, int]]:
    """(first, stop) step indices of chunks of at most ``chunk`` steps spanning at most a day each (the hot
    kernel's small-angle node drift and the statistics' two-days-per-chunk rule rely on that span)."""
    bounds, c0, n_time = [], start_step, offsets_s.size
    while c0 < n_time:
        within_a_day = int(np.searchsorted(offsets_s, offsets_s[c0] + orbits.MAX_KERNEL_OFFSET_S, side="right"))
        c1 = max(c0 + 1, min(c0 + chunk, n_time, within_a_day))
        bounds.append((c0, c1))
        c0 = c1
    return bounds


def pad(array, size: int, axis: int = 0):
    """Pad ``axis`` to ``size`` by repeating the last entry (finite, harmless values; results are discarded)."""
    missing = size - array.shape[axis]
    if missing <= 0:
        return array
    edge = np.take(array, [-1], axis=axis)
    return np.concatenate([array, np.repeat(edge, missing, axis=axis)], axis=axis)


def working_dtype(dtype):
    """The float dtype a run computes in: ``None`` is JAX's default float; float64 needs JAX's 64-bit mode."""
    if dtype is None:
        return jnp.result_type(float)
    dtype = jnp.dtype(dtype)
    if dtype not in (jnp.dtype("float32"), jnp.dtype("float64")):
        raise ValueError(f"dtype={dtype} is not allowed: use float32 or float64")
    if dtype == jnp.dtype("float64") and not jax.config.jax_enable_x64:
        raise ValueError(
            "dtype=float64 needs JAX's 64-bit mode: call jax.config.update('jax_enable_x64', True) "
            "first (the library never flips it for you)"
        )
    return dtype
