"""A fleet scan: a fleet and a time grid cut into blocks of satellites (sharded over a mesh) and chunks of time,
each chunk carrying what the kernels need for one block (circular elements advanced to the chunk's start, or
SGP4 states), folded into per-block running states."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh

from launch.validation import any_traced
from orbital.core import orbits, sgp4, sun
from orbital.core.constants import SECONDS_PER_DAY
from orbital.fleet import Fleet
from orbital.fleet_scan.checkpoint import run_key
from orbital.fleet_scan.devices import device_count, on_gpu, put_sats, resolve_mesh, to_host
from orbital.fleet_scan.layout import block_size, chunk_bounds, default_block_sats, pad, working_dtype
from orbital.fleet_scan.propagation import host_states, sgp4_blocks, sgp4_states
from orbital.timescales import TimeGrid


class Chunk(NamedTuple):
    """One block of satellites over one chunk of time, padded to the scan's fixed shapes."""

    sats: slice
    steps: slice
    dt_s: object  # (chunk,) seconds after the chunk's first step
    sun_epoch: object  # (3,) SunEpoch angles at the chunk's first step
    day_index: object  # (chunk,) int32
    valid: object  # (chunk,) bool
    elements: orbits.CircularElements | None
    position_km: object | None  # (block, chunk, 3) SGP4 fleets
    velocity_km_s: object | None
    sgp4_error: np.ndarray | None  # (block,) bool: SGP4 failed at some step of this chunk


def check_fleet(fleet):
    if not isinstance(fleet, Fleet):
        raise TypeError(f"fleet: expected orbital.Fleet, got {type(fleet).__name__}")


@dataclasses.dataclass(frozen=True)
class FleetScan:
    """How a run over ``fleet`` and ``grid`` is cut and placed: blocks of ``block`` satellites sharded over
    ``mesh``, chunks of ``chunk`` steps, computed in ``dtype``."""

    fleet: Fleet
    grid: TimeGrid
    dtype: np.dtype
    mesh: Mesh | None
    block: int
    chunk: int

    @classmethod
    def plan(
        cls,
        fleet: Fleet,
        grid: TimeGrid,
        *,
        chunk: int,
        dtype=None,
        mesh=None,
        block_sats: int | None = None,
        scan: str = "statistics",
    ) -> FleetScan:
        """The layout of a run: ``mesh=None`` shards over every device (``satellite_mesh``); ``block_sats=None``
        takes the default block of ``scan`` ("statistics" or "budget") for the fleet and the mesh's platform."""
        dtype = working_dtype(dtype)
        mesh = resolve_mesh(mesh)
        if block_sats is None:
            block_sats = default_block_sats(fleet.kind, scan, on_gpu(mesh))
        return cls(fleet, grid, dtype, mesh, block_size(len(fleet), block_sats, device_count(mesh)), chunk)

    @property
    def n_sat(self) -> int:
        return len(self.fleet)

    @property
    def n_time(self) -> int:
        return self.grid.offsets_s.size

    def block_starts(self) -> range:
        return range(0, self.n_sat, self.block)

    def block_stop(self, s0: int) -> int:
        return min(s0 + self.block, self.n_sat)

    def place(self, tree):
        """A pytree of (block, ...) arrays placed on the mesh like the blocks."""
        return jax.tree.map(lambda x: put_sats(x, self.mesh), tree)

    def run_key(self) -> str:
        return run_key(self.fleet, self.grid, self.dtype, self.block, self.chunk)

    def chunks(self, start_step: int = 0) -> Iterator[Chunk]:
        """Every (time chunk, block) from ``start_step`` on, time-major: all blocks of a chunk, then the next."""
        fleet, grid, block, chunk, mesh, dtype = self.fleet, self.grid, self.block, self.chunk, self.mesh, self.dtype
        day_index = grid.utc_day_index()
        kernels, kepler_iterations = sgp4_blocks(fleet, block, mesh, dtype) if fleet.kind == "sgp4" else (None, 0)
        jd_whole, jd_fraction = grid.utc_jd_parts()
        # Fleets with deep-space sets: one python-sgp4 SatrecArray per block, built once (rebuilding it per chunk
        # cost more than the propagation).
        block_fleets = (
            {s0: fleet[s0 : self.block_stop(s0)] for s0 in self.block_starts()}
            if fleet.kind == "sgp4" and kernels is None
            else {}
        )
        for c0, c1 in chunk_bounds(grid.offsets_s, chunk, start_step):
            start_s = float(grid.offsets_s[c0])
            dt_s = pad(grid.offsets_s[c0:c1] - start_s, chunk)
            valid = np.arange(chunk) < (c1 - c0)
            sun_epoch = np.asarray(sun.sun_epoch(grid.tt_jd + start_s / SECONDS_PER_DAY), dtype=float)
            days = pad(day_index[c0:c1], chunk)
            elements = fleet.elements_at(grid, start_s) if fleet.kind == "circular" else None
            for s0 in self.block_starts():
                s1 = self.block_stop(s0)
                block_elements = position = velocity = error = None
                if elements is not None:
                    block_elements = orbits.CircularElements(
                        *(put_sats(pad(np.asarray(f)[s0:s1], block), mesh, dtype) for f in elements)
                    )
                elif kernels is not None:
                    kernel = kernels[s0]
                    # Minutes since each epoch at the chunk's start in float64 on the host; the kernel adds offsets
                    # within the chunk.
                    minutes0 = sgp4.minutes_since_epoch(kernel, jd_whole[c0], jd_fraction[c0])
                    position, velocity, failed = sgp4_states(
                        kernel, put_sats(minutes0, mesh, dtype), jnp.asarray(dt_s, dtype), kepler_iterations
                    )
                    error = to_host(failed)[: s1 - s0]
                else:
                    position, velocity, error = host_states(
                        block_fleets[s0], grid, grid.offsets_s[c0:c1], chunk, block, mesh, dtype
                    )
                yield Chunk(
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

    def fold(
        self,
        advance: Callable,
        states: dict | None = None,
        *,
        start_step: int = 0,
        after_chunk: Callable[[int, dict], None] | None = None,
    ) -> dict:
        """Run the scan: ``advance(state, chunk)`` returns a block's running state after ``chunk`` (``state`` is
        None on the block's first chunk); ``after_chunk(next_step, states)`` runs once every block has folded a
        time chunk (checkpoints, progress). Returns ``{first satellite of a block: state}``."""
        states = {} if states is None else dict(states)
        for chunk in self.chunks(start_step):
            states[chunk.sats.start] = advance(states.get(chunk.sats.start), chunk)
            if chunk.sats.stop == self.n_sat and after_chunk is not None:
                after_chunk(chunk.steps.stop, states)
        return states

    def gather(self, states: dict):
        """Per-satellite values of per-block states: each leaf joined over the blocks and trimmed to the fleet;
        numpy on every process for concrete states (multi-host shards included), JAX arrays when traced."""
        starts = sorted(states)
        blocks = [states[s0] for s0 in starts]
        traced = any_traced(blocks)

        def join(*parts):
            if not traced:
                parts = [to_host(part) for part in parts]
            trimmed = [part[: self.block_stop(s0) - s0] for part, s0 in zip(parts, starts)]
            return jnp.concatenate(trimmed) if traced else np.concatenate(trimmed)

        return jax.tree.map(join, *blocks)
