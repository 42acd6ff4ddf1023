"""Fleet-wide illumination: the illuminated fraction of the solar disc for every satellite and instant, its
running statistics over long windows, and beta angles.

The work is cut into blocks of satellites and chunks of time of fixed (bucketed) shapes, so each kernel is
compiled once per shape bucket and memory is bounded by ``block_sats x chunk_steps``, never ``n_sat x n_time``.
Circular orbits never form positions: the kernel needs only ``r . s_hat`` (DESIGN §6), and runs inside the
statistics' time scan. SGP4 fleets are propagated on the device by ``orbital.core.sgp4`` (python-sgp4's
``SatrecArray`` on the host for fleets holding deep-space sets) and reduced by the same kernels. Blocks are
sharded over every device; docs/performance.md has the whole picture.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax.experimental import multihost_utils

from orbital._io import write_atomic
from orbital.core import orbits, sgp4, shadow, stats, sun
from orbital.core.constants import AU_KM, SECONDS_PER_DAY, SOLAR_CONSTANT_W_M2
from orbital.fleet import Fleet
from orbital.timescales import TimeGrid, time_grid, uniform_grid

DEFAULT_BLOCK_SATS = 8192
DEFAULT_CHUNK_STEPS = 1440
# Circular fleets' statistics never store a (time, sat) array, so a block costs only its per-satellite state
# (about 25 numbers a satellite); larger blocks spread each scan step's fixed cost over more satellites
# (measured best at 32,768-65,536 on the 2-core CPU).
DEFAULT_CIRCULAR_BLOCK_SATS = 32768
# On a GPU each scan step is a few kernel launches whatever the block, so a block holds up to a million satellites
# (about 200 MB of state for the budget); SGP4 blocks store (block, chunk, 6) states, 65,536 x 1,440 x 6 x 8 bytes
# = 4.5 GB in float64. Chosen, not measured: no GPU has been lent to this project yet.
GPU_STATE_BLOCK_SATS = 1 << 20
GPU_SGP4_BLOCK_SATS = 1 << 16


def _on_gpu() -> bool:
    return jax.default_backend() in ("gpu", "cuda", "rocm")


def default_block_sats(fleet_kind: str, scan: str) -> int:
    """Default satellites per block for ``scan``, "statistics" (illumination) or "budget" (power and thermal).

    Circular fleets keep only per-satellite state; SGP4 blocks also hold a chunk of states. On a CPU the budget
    keeps DEFAULT_BLOCK_SATS for circular fleets too: its state, about 50 numbers a satellite, then stays in
    cache (larger blocks measured slower)."""
    if fleet_kind != "circular":
        return GPU_SGP4_BLOCK_SATS if _on_gpu() else DEFAULT_BLOCK_SATS
    if _on_gpu():
        return GPU_STATE_BLOCK_SATS
    return DEFAULT_CIRCULAR_BLOCK_SATS if scan == "statistics" else DEFAULT_BLOCK_SATS


# --- kernels (one satellite at one instant, vmapped) -------------------------------------------------------
def _sun_geometry(sun_epoch_angles, dt_s):
    position = sun.sun_position_km(sun.SunEpoch(*sun_epoch_angles), dt_s)
    distance = jnp.linalg.norm(position, axis=-1)
    return position / distance[..., None], shadow.shadow_cones(distance)


def _over_times_and_sats(one, per_sat, per_time):
    """vmap a single-satellite, single-instant kernel to a time-major (time, sat) array: the satellites are the
    vector lanes of the hot loop and of the scans that reduce it."""
    over_sats = jax.vmap(one, in_axes=(0, None))
    return jax.vmap(over_sats, in_axes=(None, 0))(per_sat, per_time)


def _sat_major(kernel):
    """(sat, time[, ...]) view of a time-major kernel, for the full-array API."""
    return lambda *args: jnp.swapaxes(kernel(*args), 0, 1)


def _fraction_kernel(terms: orbits.PlaneTerms, seconds, sun_unit, cones):
    """Illuminated fraction of one satellite at one instant."""
    projection = orbits.sun_terms(terms, seconds, sun_unit).sun_projection_km
    return shadow.illuminated_fraction(projection, terms.semi_major_axis_km**2, cones)


def _fractions_now(plane, instant):
    """(sat,) fractions of a block at one instant ``(seconds, sun_unit, cones)``."""
    return jax.vmap(_fraction_kernel, in_axes=(0, None, None, None))(plane, *instant)


def _circular_fraction(elements, dt_s, sun_epoch_angles):
    sun_unit, cones = _sun_geometry(sun_epoch_angles, dt_s)
    plane = orbits.plane_terms(elements)
    return jax.vmap(_fractions_now, in_axes=(None, 0))(plane, (dt_s, sun_unit, cones))


def _vector_fraction(position_km, dt_s, sun_epoch_angles):
    """Time-major (time, sat) fraction from (sat, time, 3) positions."""
    sun_unit, cones = _sun_geometry(sun_epoch_angles, dt_s)
    projection = jnp.einsum("stx,tx->ts", position_km, sun_unit)
    radius_sq = jnp.sum(position_km**2, axis=-1).T
    return shadow.illuminated_fraction(projection, radius_sq, jax.tree.map(lambda c: c[:, None], cones))


def _circular_beta(elements, dt_s, sun_epoch_angles):
    sun_unit, _ = _sun_geometry(sun_epoch_angles, dt_s)

    def one(element, instant):
        seconds, unit = instant
        now = orbits.advance(element, seconds)
        normal = orbits.orbit_normal(now.inclination_rad, now.raan_rad)
        return jnp.arcsin(jnp.clip(jnp.dot(normal, unit), -1.0, 1.0))

    return _over_times_and_sats(one, elements, (dt_s, sun_unit))


def _vector_sin_beta(position_km, velocity_km_s, dt_s, sun_epoch_angles):
    """Time-major (time, sat) sin beta = n_hat . s_hat from (sat, time, 3) states, n_hat along r x v."""
    sun_unit, _ = _sun_geometry(sun_epoch_angles, dt_s)
    normal = jnp.cross(position_km, velocity_km_s)
    normal = normal / jnp.linalg.norm(normal, axis=-1, keepdims=True)
    return jnp.einsum("stx,tx->ts", normal, sun_unit)


def _vector_beta(position_km, velocity_km_s, dt_s, sun_epoch_angles):
    return jnp.arcsin(jnp.clip(_vector_sin_beta(position_km, velocity_km_s, dt_s, sun_epoch_angles), -1.0, 1.0))


def _circular_position(elements, dt_s, sun_epoch_angles):
    del sun_epoch_angles
    return _over_times_and_sats(orbits.position_km, elements, dt_s)


def _vector_position(position_km, dt_s, sun_epoch_angles):
    del dt_s, sun_epoch_angles
    return jnp.swapaxes(position_km, 0, 1)


_jit_circular_position = jax.jit(_sat_major(_circular_position))
_jit_vector_position = jax.jit(_sat_major(_vector_position))
_jit_circular_fraction = jax.jit(_sat_major(_circular_fraction))
_jit_vector_fraction = jax.jit(_sat_major(_vector_fraction))
_jit_circular_beta = jax.jit(_sat_major(_circular_beta))
_jit_vector_beta = jax.jit(_sat_major(_vector_beta))


_jit_vector_fraction_tm = jax.jit(_vector_fraction)


@jax.jit
def _circular_update(state, elements, dt_s, sun_epoch_angles, day_index, valid):
    """Fold a chunk of a circular fleet: the geometry runs inside the statistics' time scan, so the chunk's
    fraction is never stored and each step's work stays in cache."""
    sun_unit, cones = _sun_geometry(sun_epoch_angles, dt_s)
    plane = orbits.plane_terms(elements)
    return stats.update(
        state, lambda instant: _fractions_now(plane, instant), (dt_s, sun_unit, cones), day_index, valid
    )


# Positions come in (sat, time, 3); their fraction is one compiled call and the scan over its rows another:
# compiled as one, XLA fuses the fraction's producer into the scan's consumers and recomputes it (8x slower).
_jit_stats_update_rows = jax.jit(
    lambda state, fraction, day_index, valid: stats.update(state, lambda row: row, fraction, day_index, valid)
)


def _vector_update(state, position_km, dt_s, sun_epoch_angles, day_index, valid):
    return _jit_stats_update_rows(state, _jit_vector_fraction_tm(position_km, dt_s, sun_epoch_angles), day_index, valid)


# --- blocking --------------------------------------------------------------------------------------------
def _bucket(n: int, cap: int) -> int:
    """Shape bucket: the next power of two (at least 8), capped, so compiled shapes are few."""
    return int(min(cap, max(8, 1 << (max(n, 1) - 1).bit_length())))


def _satellite_mesh():
    """A 1-D mesh over every device of the default backend (None with one device): blocks of satellites are
    sharded along it, so the same call runs on one CPU, one GPU or several devices."""
    devices = jax.devices()
    return jax.sharding.Mesh(np.array(devices), ("sat",)) if len(devices) > 1 else None


def _block_size(n_sat: int, block_sats: int, mesh) -> int:
    """Satellites per block: a power-of-two bucket for fleets that fit one block; for larger fleets, equal blocks
    rounded up to a multiple of 256 (so 100,000 satellites pad to 100,096, not to 13 x 8,192 = 106,496)."""
    devices = 1 if mesh is None else mesh.devices.size
    if n_sat <= block_sats:
        block = _bucket(n_sat, block_sats)
    else:
        blocks = -(-n_sat // block_sats)
        per_block = -(-n_sat // blocks)
        block = -(-per_block // 256) * 256
    return -(-block // devices) * devices


def _put_sats(array, mesh, dtype=None):
    """Place an array whose leading axis is satellites: sharded over ``mesh`` when there is one."""
    array = jnp.asarray(array, dtype)
    if mesh is None:
        return array
    spec = jax.sharding.PartitionSpec("sat", *([None] * (array.ndim - 1)))
    return jax.device_put(array, jax.sharding.NamedSharding(mesh, spec))


def _to_host(array) -> np.ndarray:
    """A device array as numpy on every process: in a multi-host run (``jax.distributed``) the satellites' shards
    live on other hosts and are gathered first (a collective: every process must call it)."""
    if isinstance(array, jax.Array) and not array.is_fully_addressable:
        return np.asarray(multihost_utils.process_allgather(array, tiled=True))
    return np.asarray(array)


def _pad(array, size: int, axis: int = 0):
    """Pad ``axis`` to ``size`` by repeating the last entry (finite, harmless values; results are discarded)."""
    missing = size - array.shape[axis]
    if missing <= 0:
        return array
    edge = np.take(array, [-1], axis=axis)
    return np.concatenate([array, np.repeat(edge, missing, axis=axis)], axis=axis)


class _Chunk(NamedTuple):
    sats: slice
    steps: slice
    dt_s: np.ndarray  # (chunk,) seconds after the chunk's first step
    sun_epoch: np.ndarray  # (3,) SunEpoch angles at the chunk's first step
    day_index: np.ndarray  # (chunk,) int32
    valid: np.ndarray  # (chunk,) bool
    elements: orbits.CircularElements | None
    position_km: np.ndarray | None
    velocity_km_s: np.ndarray | None
    sgp4_error: np.ndarray | None  # (block,) bool: SGP4 failed at some step of this chunk


def _working_dtype(dtype):
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


def _chunk_bounds(offsets_s: np.ndarray, chunk: int, start_step: int = 0):
    """(first, stop) step indices of chunks of at most ``chunk`` steps spanning at most a day each (the hot
    kernel's small-angle node drift and the statistics' two-days-per-chunk rule rely on that span)."""
    bounds, c0, n_time = [], start_step, offsets_s.size
    while c0 < n_time:
        within_a_day = int(np.searchsorted(offsets_s, offsets_s[c0] + orbits.MAX_KERNEL_OFFSET_S, side="right"))
        c1 = max(c0 + 1, min(c0 + chunk, n_time, within_a_day))
        bounds.append((c0, c1))
        c0 = c1
    return bounds


@functools.partial(jax.jit, static_argnames="kepler_iterations")
def _sgp4_states(elements: sgp4.Sgp4Elements, minutes0, dt_s, kepler_iterations: int):
    """(sat, time, 3) TEME states of a block by the JAX SGP4 kernel, and (sat,) flags of failed propagations
    (their states are replaced by harmless finite ones; the caller reports them as NaN)."""
    minutes = minutes0[:, None] + dt_s[None, :] / 60.0
    over_times = jax.vmap(functools.partial(sgp4.propagate, kepler_iterations=kepler_iterations), in_axes=(None, 0))
    position, velocity, code = jax.vmap(over_times)(elements, minutes)
    failed = jnp.any(code != 0, axis=1) | ~jnp.all(jnp.isfinite(position), axis=(1, 2))
    position = jnp.where(failed[:, None, None], 7000.0, position)
    velocity = jnp.where(failed[:, None, None], 7.5, velocity)
    return position, velocity, failed


def _kepler_iterations(eccentricity) -> int:
    """Newton steps on Kepler's equation that reach the reference's 1e-12 rad tolerance for the fleet's largest
    eccentricity (orbital.core.sgp4.propagate): 3 below 0.01 (Starlink-like fleets), 5 below 0.5, else 8."""
    largest = float(np.max(eccentricity))
    return 3 if largest < 0.01 else 5 if largest < 0.5 else sgp4.KEPLER_ITERATIONS


def _sgp4_blocks(fleet: Fleet, block: int, mesh, dtype):
    """Per-block device copies of the fleet's SGP4 constants (padded like every block) and the Kepler iterations
    they need; (None, 0) when the fleet holds a deep-space set (period >= 225 min), which only python-sgp4
    propagates: those fleets take the host path."""
    elements = sgp4.sgp4_elements_from_satrecs(fleet.satrecs, allow_deep_space=True)
    if np.any(elements.deep_space):
        return None, 0
    n_sat = len(fleet)
    blocks = {}
    for s0 in range(0, n_sat, block):
        part = sgp4.Sgp4Elements(*(_pad(np.asarray(f)[s0 : min(s0 + block, n_sat)], block) for f in elements))
        kernel = sgp4.Sgp4Elements(
            *(
                f if name in ("epoch_jd", "epoch_fraction") else _put_sats(f, mesh, None if f.dtype == bool else dtype)
                for name, f in zip(part._fields, part)
            )
        )
        blocks[s0] = kernel
    return blocks, _kepler_iterations(elements.ecco)


def _chunks(fleet: Fleet, grid: TimeGrid, block_sats: int, chunk: int, dtype, start_step: int = 0) -> Iterator[_Chunk]:
    n_sat = len(fleet)
    mesh = _satellite_mesh()
    block = _block_size(n_sat, block_sats, mesh)
    day_index = grid.utc_day_index()
    sgp4_blocks, kepler_iterations = _sgp4_blocks(fleet, block, mesh, dtype) if fleet.kind == "sgp4" else (None, 0)
    jd_whole, jd_fraction = grid.utc_jd_parts()
    # Fleets with deep-space sets: one python-sgp4 SatrecArray per block, built once (rebuilding it per chunk
    # cost more than the propagation).
    block_fleets = (
        {s0: fleet[s0 : min(s0 + block, n_sat)] for s0 in range(0, n_sat, block)}
        if fleet.kind == "sgp4" and sgp4_blocks is None
        else {}
    )
    for c0, c1 in _chunk_bounds(grid.offsets_s, chunk, start_step):
        start_s = float(grid.offsets_s[c0])
        dt_s = _pad(grid.offsets_s[c0:c1] - start_s, chunk)
        valid = np.arange(chunk) < (c1 - c0)
        sun_epoch = np.asarray(sun.sun_epoch(grid.tt_jd + start_s / SECONDS_PER_DAY), dtype=float)
        days = _pad(day_index[c0:c1], chunk)
        elements = fleet.elements_at(grid, start_s) if fleet.kind == "circular" else None
        for s0 in range(0, n_sat, block):
            s1 = min(s0 + block, n_sat)
            block_elements = position = velocity = error = None
            if elements is not None:
                block_elements = orbits.CircularElements(
                    *(_put_sats(_pad(np.asarray(f)[s0:s1], block), mesh, dtype) for f in elements)
                )
            elif sgp4_blocks is not None:
                kernel = sgp4_blocks[s0]
                # Minutes since each epoch at the chunk's start in float64 on the host; the kernel adds offsets
                # within the chunk.
                minutes0 = sgp4.minutes_since_epoch(kernel, jd_whole[c0], jd_fraction[c0])
                position, velocity, failed = _sgp4_states(
                    kernel, _put_sats(minutes0, mesh, dtype), jnp.asarray(dt_s, dtype), kepler_iterations
                )
                error = _to_host(failed)[: s1 - s0]
            else:
                position, velocity, codes = block_fleets[s0].sgp4_states(grid, grid.offsets_s[c0:c1])
                error = np.any(codes != 0, axis=1) | ~np.all(np.isfinite(position), axis=(1, 2))
                # Failed propagations (decayed or invalid element sets) get a harmless finite position; the
                # satellite is reported as failed and its statistics as NaN, with a warning.
                position = np.where(error[:, None, None], 7000.0, position)
                velocity = np.where(error[:, None, None], 7.5, velocity)
                position = _put_sats(_pad(_pad(position, chunk, axis=1), block), mesh, dtype)
                velocity = _put_sats(_pad(_pad(velocity, chunk, axis=1), block), mesh, dtype)
            yield _Chunk(
                slice(s0, s1),
                slice(c0, c1),
                jnp.asarray(dt_s, dtype),
                jnp.asarray(sun_epoch, dtype),
                jnp.asarray(days, jnp.int32),
                jnp.asarray(valid),
                block_elements,
                position,
                velocity,
                error,
            )


def _warn_sgp4(fleet: Fleet, failed: np.ndarray):
    if np.any(failed):
        names = ", ".join(str(n) for n in fleet.names[failed][:5])
        warnings.warn(
            f"SGP4 failed for {int(failed.sum())} satellite(s) (e.g. {names}): decayed or invalid "
            "element sets; their results are NaN",
            RuntimeWarning,
            stacklevel=3,
        )


def _is_single_instant(times) -> bool:
    return isinstance(times, datetime.datetime) or getattr(times, "shape", None) == ()


def _check_fleet(fleet):
    if not isinstance(fleet, Fleet):
        raise TypeError(f"fleet: expected orbital.Fleet, got {type(fleet).__name__}")


def _full_field(fleet, times, circular_kernel, vector_kernel, *, dtype, block_sats, chunk_steps, with_velocity):
    _check_fleet(fleet)
    dtype = _working_dtype(dtype)
    grid = time_grid("times", times)
    out = None
    failed = np.zeros(len(fleet), dtype=bool)
    chunk_size = _bucket(grid.offsets_s.size, chunk_steps)
    for chunk in _chunks(fleet, grid, block_sats, chunk_size, dtype):
        if chunk.elements is not None:
            values = circular_kernel(chunk.elements, chunk.dt_s, chunk.sun_epoch)
        else:
            failed[chunk.sats] |= chunk.sgp4_error
            args = (chunk.position_km, chunk.velocity_km_s) if with_velocity else (chunk.position_km,)
            values = vector_kernel(*args, chunk.dt_s, chunk.sun_epoch)
        values = _to_host(values)
        if out is None:
            out = np.empty((len(fleet), grid.offsets_s.size) + values.shape[2:], dtype=values.dtype)
        n_s, n_t = chunk.sats.stop - chunk.sats.start, chunk.steps.stop - chunk.steps.start
        out[chunk.sats, chunk.steps] = values[:n_s, :n_t]
    out[failed] = np.nan
    _warn_sgp4(fleet, failed)
    return out[:, 0] if _is_single_instant(times) else out


# --- public API ------------------------------------------------------------------------------------------
def sunlit(
    fleet: Fleet, times, *, dtype=None, block_sats: int = DEFAULT_BLOCK_SATS, chunk_steps: int = DEFAULT_CHUNK_STEPS
) -> np.ndarray:
    """Illuminated fraction of the solar disc, (n_sat, n_time) in [0, 1], conical umbra and penumbra.

    ``times``: timezone-aware UTC datetimes, an astropy ``Time`` or a skyfield ``Time`` (a single instant gives
    shape (n_sat,)). ``dtype``: float32 or float64 (default: JAX's default float).
    """
    return _full_field(
        fleet,
        times,
        _jit_circular_fraction,
        _jit_vector_fraction,
        dtype=dtype,
        block_sats=block_sats,
        chunk_steps=chunk_steps,
        with_velocity=False,
    )


def beta_angle_deg(
    fleet: Fleet, times, *, dtype=None, block_sats: int = DEFAULT_BLOCK_SATS, chunk_steps: int = DEFAULT_CHUNK_STEPS
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
        with_velocity=True,
    )
    return np.rad2deg(out)


def positions_km(
    fleet: Fleet, times, *, dtype=None, block_sats: int = DEFAULT_BLOCK_SATS, chunk_steps: int = DEFAULT_CHUNK_STEPS
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
        """Shell-level summary: satellites, mean sunlit fraction, worst eclipse, most eclipse days."""
        frame = self.to_dataframe()
        return frame.groupby("shell", sort=False).agg(
            satellites=("name", "size"),
            sunlit_fraction=("sunlit_fraction", "mean"),
            min_sunlit_fraction=("sunlit_fraction", "min"),
            max_eclipse_min=("max_eclipse_min", "max"),
            eclipse_days_max=("eclipse_days", "max"),
        )


def _run_key(fleet: Fleet, grid: TimeGrid, dtype, block: int, chunk: int) -> str:
    """Fingerprint of everything that determines a run's chunks, so a checkpoint is never resumed by another run."""
    digest = hashlib.sha256()
    for part in (
        fleet.kind,
        len(fleet),
        str(jnp.dtype(dtype)),
        block,
        chunk,
        grid.utc_jd1,
        grid.utc_jd2,
        grid.offsets_s.size,
        float(grid.offsets_s[-1]),
    ):
        digest.update(repr(part).encode())
    if fleet.elements is not None:
        for field in fleet.elements:
            digest.update(np.ascontiguousarray(field, dtype=float).tobytes())
    else:
        digest.update("".join(str(name) for name in fleet.names).encode())
    return digest.hexdigest()


def _save_checkpoint(path: Path, run_key: str, next_step: int, states: dict, **extra: np.ndarray):
    """Atomically save per-block running states (NamedTuples of (block,) arrays keyed by first satellite) and
    ``extra`` arrays; resumable by ``_load_checkpoint``."""
    arrays = {
        f"{s0}:{name}": _to_host(value) for s0, state in states.items() for name, value in state._asdict().items()
    }
    if jax.process_index() != 0:  # one writer; every process took part in the gather above
        return

    def write(temporary: Path):
        with open(temporary, "wb") as handle:
            np.savez(handle, run_key=run_key, next_step=next_step, **extra, **arrays)

    write_atomic(path, write)


def _load_checkpoint(path: Path, run_key: str, state_type, mesh):
    """(next step, states, extra arrays) from ``path``, or None when there is no checkpoint yet."""
    if not path.exists():
        return None
    with np.load(path) as saved:
        if str(saved["run_key"]) != run_key:
            raise ValueError(
                f"checkpoint={str(path)!r} belongs to a different run (fleet, window, design, dtype or "
                "chunking differ); delete it or pass another path"
            )
        blocks = sorted({int(key.split(":")[0]) for key in saved.files if ":" in key})
        states = {
            s0: state_type(*(_put_sats(saved[f"{s0}:{name}"], mesh) for name in state_type._fields)) for s0 in blocks
        }
        extra = {
            key: saved[key].copy() for key in saved.files if ":" not in key and key not in ("run_key", "next_step")
        }
        return int(saved["next_step"]), states, extra


def illumination(
    fleet: Fleet,
    start,
    days: float,
    step_s: float = 60.0,
    *,
    dtype=None,
    block_sats: int | None = None,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
    progress: Callable[[int, int], None] | None = None,
    checkpoint: str | Path | None = None,
) -> IlluminationStats:
    """Per-satellite statistics over ``days`` from ``start`` (ISO date or aware datetime) at ``step_s`` steps.

    Memory stays bounded by ``block_sats`` satellites x ``chunk_steps`` steps (SGP4 fleets; their default block is
    8,192) or by ``block_sats`` satellites' running state (circular fleets, default block 32,768);
    ``progress(done_steps, total_steps)`` is called after each time chunk. With ``checkpoint`` (a file path), the
    running state is saved atomically after every time
    chunk and an interrupted run called again with the same arguments resumes from its last completed chunk;
    the file is removed when the run completes.
    """
    _check_fleet(fleet)
    dtype = _working_dtype(dtype)
    if block_sats is None:
        block_sats = default_block_sats(fleet.kind, "statistics")
    grid = uniform_grid("start", start, float(days), float(step_s))
    n_sat, n_time = len(fleet), grid.offsets_s.size
    mesh = _satellite_mesh()
    block = _block_size(n_sat, block_sats, mesh)
    states = {}
    failed = np.zeros(n_sat, dtype=bool)
    # A uniform grid packs a day's steps into each chunk (so long windows waste no padding); short windows
    # round up to a power-of-two bucket so that they share compiled shapes.
    chunk_size = max(1, min(_bucket(n_time, chunk_steps), int(SECONDS_PER_DAY // float(step_s))))
    run_key = _run_key(fleet, grid, dtype, block, chunk_size)
    start_step = 0
    if checkpoint is not None:
        checkpoint = Path(checkpoint)
        saved = _load_checkpoint(checkpoint, run_key, stats.IlluminationState, mesh)
        if saved is not None:
            start_step, states, extra = saved
            failed = extra["failed"]
    for chunk in _chunks(fleet, grid, block_sats, chunk_size, dtype, start_step):
        state = states.get(chunk.sats.start)
        if state is None:
            state = jax.tree.map(lambda x: _put_sats(x, mesh), stats.init(block, dtype))
        if chunk.elements is not None:
            state = _circular_update(state, chunk.elements, chunk.dt_s, chunk.sun_epoch, chunk.day_index, chunk.valid)
        else:
            failed[chunk.sats] |= chunk.sgp4_error
            state = _vector_update(state, chunk.position_km, chunk.dt_s, chunk.sun_epoch, chunk.day_index, chunk.valid)
        states[chunk.sats.start] = state
        if chunk.sats.stop == n_sat:
            if checkpoint is not None:
                _save_checkpoint(checkpoint, run_key, chunk.steps.stop, states, failed=failed)
            if progress is not None:
                progress(chunk.steps.stop, n_time)
    if checkpoint is not None and jax.process_index() == 0:
        checkpoint.unlink(missing_ok=True)
    merged = {
        name: np.concatenate([_to_host(getattr(states[s0], name))[: min(block, n_sat - s0)] for s0 in sorted(states)])
        for name in stats.IlluminationState._fields
    }
    sunlit_fraction = merged["sunlit_sum"].astype(float) / n_time
    eclipse_fraction = merged["eclipse_steps"] / n_time
    max_eclipse_min = merged["max_eclipse_run"] * float(step_s) / 60.0
    eclipse_days = merged["eclipse_days"].astype(float)
    for field in (sunlit_fraction, eclipse_fraction, max_eclipse_min, eclipse_days):
        field[failed] = np.nan
    _warn_sgp4(fleet, failed)
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
