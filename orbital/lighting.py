"""Fleet-wide illumination: the illuminated fraction of the solar disc for every satellite and instant, its
running statistics over long windows, and beta angles.

The kernels (``orbital.core.lighting``) run over a ``orbital.fleet_scan.FleetScan``: blocks of satellites sharded
over the devices and chunks of time of fixed (bucketed) shapes, so each kernel is compiled once per shape bucket
and memory is bounded by ``block_sats x chunk_steps``, never ``n_sat x n_time``. Circular fleets' geometry runs
inside the statistics' time scan; SGP4 fleets are propagated per chunk and reduced by the same kernels.
docs/performance.md has the whole picture.
"""

from __future__ import annotations

import dataclasses
import datetime
import warnings
from collections.abc import Callable
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from orbital.core import lighting as kernels
from orbital.core import orbits, stats, sun
from orbital.core.constants import AU_KM, SECONDS_PER_DAY, SECONDS_PER_MINUTE, SOLAR_CONSTANT_W_M2
from orbital.fleet import Fleet
from orbital.fleet_scan import (
    DEFAULT_BLOCK_SATS,
    DEFAULT_CHUNK_STEPS,
    DEFAULT_CIRCULAR_BLOCK_SATS,
    GPU_SGP4_BLOCK_SATS,
    GPU_STATE_BLOCK_SATS,
    Chunk,
    FleetScan,
    bucket,
    check_fleet,
    chunk_bounds,
    default_block_sats,
    device_count,
    load_checkpoint,
    pad,
    remove_checkpoint,
    restore_states,
    save_checkpoint,
    to_host,
    warn_sgp4_failures,
    window_chunk_steps,
    working_dtype,
)
from orbital.timescales import time_grid, uniform_grid

# Full-field kernels, (sat, time[, 3]) for the array API.
_jit_circular_position = jax.jit(kernels.sat_major(kernels.circular_position))
_jit_vector_position = jax.jit(kernels.sat_major(kernels.vector_position))
_jit_circular_fraction = jax.jit(kernels.sat_major(kernels.circular_fraction))
_jit_vector_fraction = jax.jit(kernels.sat_major(kernels.vector_fraction))
_jit_circular_beta = jax.jit(kernels.sat_major(kernels.circular_beta))
_jit_vector_beta = jax.jit(kernels.sat_major(kernels.vector_beta))

_jit_vector_fraction_tm = jax.jit(kernels.vector_fraction)


def _at_instants(circular_kernel):
    """A full-field circular kernel over a batch of instants, each with its own elements and Sun epoch: elements
    (instant, sat) fields, ``dt_s`` (1,) zero, Sun epochs (instant, 3) -> (instant, sat, 1[, 3])."""
    return jax.jit(jax.vmap(circular_kernel, in_axes=(0, None, 0)))


# Each circular full-field kernel with its batched form, for sparse instants (_sparse_field).
_INSTANT_KERNELS = {
    _jit_circular_position: _at_instants(_jit_circular_position),
    _jit_circular_fraction: _at_instants(_jit_circular_fraction),
    _jit_circular_beta: _at_instants(_jit_circular_beta),
}


@jax.jit
def _circular_update(state, elements, dt_s, sun_epoch_angles, day_index, valid):
    """Fold a chunk of a circular fleet: the geometry runs inside the statistics' time scan, so the chunk's
    fraction is never stored and each step's work stays in cache."""
    sun_unit, cones = kernels.sun_geometry(sun_epoch_angles, dt_s)
    plane = orbits.plane_terms(elements)
    return stats.update(
        state, lambda instant: kernels.fractions_now(plane, instant), (dt_s, sun_unit, cones), day_index, valid
    )


# Positions come in (sat, time, 3); their fraction is one compiled call and the scan over its rows another:
# compiled as one, XLA fuses the fraction's producer into the scan's consumers and recomputes it (8x slower).
_jit_stats_update_rows = jax.jit(
    lambda state, fraction, day_index, valid: stats.update(state, lambda row: row, fraction, day_index, valid)
)


def _vector_update(state, position_km, dt_s, sun_epoch_angles, day_index, valid):
    return _jit_stats_update_rows(state, _jit_vector_fraction_tm(position_km, dt_s, sun_epoch_angles), day_index, valid)


def first_step_fraction(chunk: Chunk):
    """(block,) illuminated fraction at a chunk's first step."""
    if chunk.elements is not None:
        return _jit_circular_fraction(chunk.elements, chunk.dt_s[:1], chunk.sun_epoch)[:, 0]
    return _jit_vector_fraction(chunk.position_km[:, :1], chunk.dt_s[:1], chunk.sun_epoch)[:, 0]


# SGP4 predictions drift by kilometres per day away from the element sets' epoch (Vallado et al. 2006,
# AIAA 2006-6753 §1); element sets are normally refreshed within days, so a month is far outside their use.
ELEMENT_AGE_WARN_DAYS = 30.0


def warn_element_age(fleet: Fleet, grid) -> None:
    """Warn (once) when an SGP4 fleet's window starts more than ``ELEMENT_AGE_WARN_DAYS`` from the element sets'
    median epoch, pointing at the caller of the public function that called this."""
    if fleet.kind != "sgp4":
        return
    age_days = (grid.utc_jd1 - fleet.epoch.utc.jd1) + (grid.utc_jd2 - fleet.epoch.utc.jd2)
    if abs(age_days) > ELEMENT_AGE_WARN_DAYS:
        warnings.warn(
            f"the window starts {age_days:+.1f} days from the element sets' median epoch "
            f"{fleet.epoch.utc.isot[:19]}Z (more than {ELEMENT_AGE_WARN_DAYS:g} days): SGP4 accuracy degrades "
            "with element age; use element sets from near the window",
            RuntimeWarning,
            stacklevel=3,
        )


def _is_single_instant(times) -> bool:
    return isinstance(times, datetime.datetime) or getattr(times, "shape", None) == ()


# Instants so sparse that the fleet scan's chunks (at most a day each) hold fewer steps than this on average go
# through _sparse_field.
SPARSE_STEPS_PER_CHUNK = 4


def _sparse_field(scan: FleetScan, circular_kernel) -> np.ndarray:
    """``_full_field`` of a circular fleet at sparse instants (a day or so apart: a year of daily beta angles):
    each instant with its own elements (advanced on the host in float64) and Sun epoch, the same kernel at zero
    offset, a chunk's worth of instants per compiled call (one chunk of one or two instants at a time cost 3-5 ms
    of host work each)."""
    fleet, grid, group = scan.fleet, scan.grid, scan.chunk
    batched = _INSTANT_KERNELS[circular_kernel]
    zero = jnp.zeros((1,), scan.dtype)
    parts = []
    for g0 in range(0, grid.offsets_s.size, group):
        offsets = pad(grid.offsets_s[g0 : g0 + group], group)
        now = fleet.elements_at(grid, offsets[:, None])
        now = orbits.CircularElements(*(np.broadcast_to(f, (group, len(fleet))) for f in now))
        epochs = np.array([sun.sun_epoch(grid.tt_jd + offset / SECONDS_PER_DAY) for offset in offsets], dtype=float)
        values = batched(jax.tree.map(lambda f: jnp.asarray(f, scan.dtype), now), zero, jnp.asarray(epochs, scan.dtype))
        parts.append(np.moveaxis(to_host(values)[:, :, 0], 0, 1)[:, : min(group, grid.offsets_s.size - g0)])
    return np.concatenate(parts, axis=1)


def _full_field(fleet, times, circular_kernel, vector_kernel, *, dtype, block_sats, chunk_steps, mesh, with_velocity):
    check_fleet(fleet)
    dtype = working_dtype(dtype)
    grid = time_grid("times", times)
    scan = FleetScan.plan(
        fleet, grid, chunk=bucket(grid.offsets_s.size, chunk_steps), dtype=dtype, mesh=mesh, block_sats=block_sats
    )
    n_chunks = len(chunk_bounds(grid.offsets_s, scan.chunk))
    # Sparse instants of a modest circular fleet on one device: batched (memory: chunk instants x the fleet).
    if (
        fleet.kind == "circular"
        and n_chunks > 1
        and n_chunks * SPARSE_STEPS_PER_CHUNK > grid.offsets_s.size
        and len(fleet) <= scan.block
        and device_count(scan.mesh) == 1
    ):
        out = _sparse_field(scan, circular_kernel)
        return out[:, 0] if _is_single_instant(times) else out
    out = None
    failed = np.zeros(len(fleet), dtype=bool)
    for chunk in scan.chunks():
        if chunk.elements is not None:
            values = circular_kernel(chunk.elements, chunk.dt_s, chunk.sun_epoch)
        else:
            failed[chunk.sats] |= chunk.sgp4_error
            args = (chunk.position_km, chunk.velocity_km_s) if with_velocity else (chunk.position_km,)
            values = vector_kernel(*args, chunk.dt_s, chunk.sun_epoch)
        values = to_host(values)
        if out is None:
            out = np.empty((len(fleet), grid.offsets_s.size) + values.shape[2:], dtype=values.dtype)
        n_s, n_t = chunk.sats.stop - chunk.sats.start, chunk.steps.stop - chunk.steps.start
        out[chunk.sats, chunk.steps] = values[:n_s, :n_t]
    out[failed] = np.nan
    warn_sgp4_failures(fleet, failed, stacklevel=4)  # sunlit/beta_angle_deg/positions_km -> _full_field
    return out[:, 0] if _is_single_instant(times) else out


# --- public API ------------------------------------------------------------------------------------------
def sunlit(
    fleet: Fleet,
    times,
    *,
    dtype=None,
    block_sats: int = DEFAULT_BLOCK_SATS,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
    mesh=None,
) -> np.ndarray:
    """Illuminated fraction of the solar disc, (n_sat, n_time) in [0, 1], conical umbra and penumbra.

    ``times``: timezone-aware UTC datetimes, an astropy ``Time`` or a skyfield ``Time`` (a single instant gives
    shape (n_sat,)). ``dtype``: float32 or float64 (default: JAX's default float). ``mesh``: a one-axis
    ``jax.sharding.Mesh`` the satellites are sharded over (default: every device).
    """
    return _full_field(
        fleet,
        times,
        _jit_circular_fraction,
        _jit_vector_fraction,
        dtype=dtype,
        block_sats=block_sats,
        chunk_steps=chunk_steps,
        mesh=mesh,
        with_velocity=False,
    )


def beta_angle_deg(
    fleet: Fleet,
    times,
    *,
    dtype=None,
    block_sats: int = DEFAULT_BLOCK_SATS,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
    mesh=None,
) -> np.ndarray:
    """Beta angle (deg), the Sun's elevation above each orbit plane, (n_sat, n_time).

    sin beta = n_hat . s_hat with n_hat the orbit normal (circular: J2-precessed plane; SGP4: r x v)."""
    out = _full_field(
        fleet,
        times,
        _jit_circular_beta,
        _jit_vector_beta,
        dtype=dtype,
        block_sats=block_sats,
        chunk_steps=chunk_steps,
        mesh=mesh,
        with_velocity=True,
    )
    return np.rad2deg(out)


def positions_km(
    fleet: Fleet,
    times,
    *,
    dtype=None,
    block_sats: int = DEFAULT_BLOCK_SATS,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
    mesh=None,
) -> np.ndarray:
    """Geocentric positions (n_sat, n_time, 3) km in the mean equator and equinox of date (TEME for SGP4 fleets).

    For plots, checks and interop; the illumination kernels never form this array."""
    return _full_field(
        fleet,
        times,
        _jit_circular_position,
        _jit_vector_position,
        dtype=dtype,
        block_sats=block_sats,
        chunk_steps=chunk_steps,
        mesh=mesh,
        with_velocity=False,
    )


def solar_flux_w_m2(times) -> np.ndarray:
    """Solar irradiance at the Earth (W/m^2) at ``times``: 1361 W/m^2 at 1 AU scaled by (1 AU / r)^2, the +/-3.4 %
    seasonal swing (perihelion early January, aphelion early July)."""
    grid = time_grid("times", times)
    position = sun.sun_position_km(sun.SunEpoch(*sun.sun_epoch(grid.tt_jd)), grid.offsets_s)
    flux = SOLAR_CONSTANT_W_M2 * AU_KM**2 / np.sum(np.asarray(position, dtype=float) ** 2, axis=-1)
    return flux[0] if _is_single_instant(times) else flux


@dataclasses.dataclass(frozen=True)
class IlluminationStats:
    """Per-satellite illumination statistics over a window ("in eclipse": illuminated fraction < 0.5)."""

    names: np.ndarray
    shell_index: np.ndarray
    shell_names: list
    sunlit_fraction: np.ndarray  # mean illuminated fraction over all steps
    eclipse_fraction: np.ndarray  # share of steps in eclipse
    eclipse_days: np.ndarray  # UTC days with at least one step in eclipse
    max_eclipse_min: np.ndarray  # longest continuous eclipse (runs x step), minutes
    start: str
    days: float
    step_s: float
    n_steps: int

    def __len__(self) -> int:
        return len(self.names)

    def to_dataframe(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "name": self.names,
                "shell": np.asarray(self.shell_names, dtype=object)[self.shell_index],
                "sunlit_fraction": self.sunlit_fraction,
                "eclipse_fraction": self.eclipse_fraction,
                "eclipse_days": self.eclipse_days,
                "max_eclipse_min": self.max_eclipse_min,
            }
        )

    def by_shell(self) -> pd.DataFrame:
        """Shell-level summary: satellites (with valid results), mean sunlit fraction, worst eclipse, most eclipse
        days over those satellites, and ``satellites_lost``: those whose SGP4 propagation failed (NaN results)."""
        frame = self.to_dataframe()
        frame["lost"] = ~np.isfinite(frame["sunlit_fraction"].to_numpy(dtype=float))
        return frame.groupby("shell", sort=False).agg(
            satellites=("sunlit_fraction", "count"),
            satellites_lost=("lost", "sum"),
            sunlit_fraction=("sunlit_fraction", "mean"),
            min_sunlit_fraction=("sunlit_fraction", "min"),
            max_eclipse_min=("max_eclipse_min", "max"),
            eclipse_days_max=("eclipse_days", "max"),
        )


STATISTICS = ("sunlit_fraction", "eclipse_fraction", "eclipse_days", "max_eclipse_min")


def illumination(
    fleet: Fleet,
    start,
    days: float,
    step_s: float = 60.0,
    *,
    dtype=None,
    block_sats: int | None = None,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
    mesh=None,
    progress: Callable[[int, int], None] | None = None,
    checkpoint: str | Path | None = None,
) -> IlluminationStats:
    """Per-satellite statistics over ``days`` from ``start`` (ISO date or aware datetime) at ``step_s`` steps.

    Memory stays bounded by ``block_sats`` satellites x ``chunk_steps`` steps (SGP4 fleets; their default block is
    8,192) or by ``block_sats`` satellites' running state (circular fleets, default block 32,768; on a GPU the
    defaults are larger, ``orbital.fleet_scan.default_block_sats``). ``mesh``: a one-axis
    ``jax.sharding.Mesh`` the blocks are sharded over (default: every device). ``progress(done_steps,
    total_steps)`` is called after each time chunk. With ``checkpoint`` (a file path), the running state is saved
    atomically after every time chunk and an interrupted run called again with the same arguments resumes from its
    last completed chunk; the file is removed when the run completes.
    """
    check_fleet(fleet)
    dtype = working_dtype(dtype)
    grid = uniform_grid("start", start, float(days), float(step_s))
    warn_element_age(fleet, grid)
    n_time = grid.offsets_s.size
    scan = FleetScan.plan(
        fleet,
        grid,
        chunk=window_chunk_steps(n_time, chunk_steps, step_s),
        dtype=dtype,
        mesh=mesh,
        block_sats=block_sats,
        scan="statistics",
    )
    states, failed, start_step = {}, np.zeros(len(fleet), dtype=bool), 0
    run_key = scan.run_key()
    if checkpoint is not None:
        checkpoint = Path(checkpoint)
        saved = load_checkpoint(checkpoint, run_key)
        if saved is not None:
            start_step, blocks, extra = saved
            states = restore_states(blocks, stats.init(scan.block, scan.dtype), scan.mesh)
            failed = extra["failed"]

    def advance(state, chunk):
        if state is None:
            state = scan.place(stats.init(scan.block, scan.dtype))
        if chunk.elements is not None:
            return _circular_update(state, chunk.elements, chunk.dt_s, chunk.sun_epoch, chunk.day_index, chunk.valid)
        failed[chunk.sats] |= chunk.sgp4_error
        return _vector_update(state, chunk.position_km, chunk.dt_s, chunk.sun_epoch, chunk.day_index, chunk.valid)

    def after_chunk(next_step, states):
        if checkpoint is not None:
            save_checkpoint(checkpoint, run_key, next_step, states, failed=failed)
        if progress is not None:
            progress(next_step, n_time)

    states = scan.fold(advance, states, start_step=start_step, after_chunk=after_chunk)
    if checkpoint is not None:
        remove_checkpoint(checkpoint)
    return folded_statistics(fleet, scan.gather(states), failed, start, days, step_s, n_time)


def folded_statistics(
    fleet: Fleet, totals: stats.IlluminationState, failed, start, days: float, step_s: float, n_time: int
) -> IlluminationStats:
    """The ``IlluminationStats`` of a window from the per-satellite folded state of its ``n_time`` steps
    (``orbital.core.stats``, gathered to numpy); ``failed`` (sat,) bool marks satellites SGP4 could not propagate
    (their statistics are NaN, and a warning names them)."""
    sunlit_fraction = totals.sunlit_sum.astype(float) / n_time
    eclipse_fraction = totals.eclipse_steps / n_time
    # A run is counted in whole steps; when the step does not divide the window the last step reaches past the
    # window's end, so the run is capped at the window (unchanged whenever the step divides the window).
    max_eclipse_min = np.minimum(
        totals.max_eclipse_run * float(step_s) / SECONDS_PER_MINUTE, float(days) * SECONDS_PER_DAY / SECONDS_PER_MINUTE
    )
    eclipse_days = totals.eclipse_days.astype(float)
    for field in (sunlit_fraction, eclipse_fraction, max_eclipse_min, eclipse_days):
        field[failed] = np.nan
    warn_sgp4_failures(fleet, failed)
    return IlluminationStats(
        fleet.names,
        fleet.shell_index,
        fleet.shell_names,
        sunlit_fraction,
        eclipse_fraction,
        eclipse_days,
        max_eclipse_min,
        str(start),
        float(days),
        float(step_s),
        n_time,
    )


__all__ = [
    # Default layout of the fleet scans (defined in orbital.fleet_scan), kept importable from here.
    "DEFAULT_BLOCK_SATS",
    "DEFAULT_CHUNK_STEPS",
    "DEFAULT_CIRCULAR_BLOCK_SATS",
    "GPU_SGP4_BLOCK_SATS",
    "GPU_STATE_BLOCK_SATS",
    "STATISTICS",
    "IlluminationStats",
    "beta_angle_deg",
    "default_block_sats",
    "first_step_fraction",
    "folded_statistics",
    "illumination",
    "positions_km",
    "solar_flux_w_m2",
    "sunlit",
]
