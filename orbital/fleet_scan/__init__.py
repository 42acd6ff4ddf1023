"""The fleet scan engine shared by ``orbital.illumination`` and ``orbital.budget``: blocks of satellites sharded
over a device mesh, chunks of time (SGP4 states propagated per chunk), per-block running states gathered back to
the host (every process of a multi-host run), and checkpoints to resume an interrupted run.

Modules by job: ``layout`` (block and chunk sizes, padding, dtype), ``devices`` (mesh, placement, host
gathers), ``propagation`` (SGP4 blocks and chunks), ``checkpoint`` (run keys, save and load), ``scan`` (the
``FleetScan`` that cuts a run and folds its chunks)."""

from orbital.fleet_scan.checkpoint import (
    load_checkpoint,
    named_leaves,
    remove_checkpoint,
    restore_states,
    run_key,
    save_checkpoint,
)
from orbital.fleet_scan.devices import (
    SATELLITE_AXIS,
    device_count,
    is_writer,
    on_gpu,
    put_sats,
    resolve_mesh,
    satellite_mesh,
    to_host,
)
from orbital.fleet_scan.layout import (
    DEFAULT_BLOCK_SATS,
    DEFAULT_CHUNK_STEPS,
    DEFAULT_CIRCULAR_BLOCK_SATS,
    GPU_SGP4_BLOCK_SATS,
    GPU_STATE_BLOCK_SATS,
    block_size,
    bucket,
    chunk_bounds,
    default_block_sats,
    pad,
    window_chunk_steps,
    working_dtype,
)
from orbital.fleet_scan.propagation import kepler_iterations, sgp4_blocks, sgp4_states, warn_sgp4_failures
from orbital.fleet_scan.scan import Chunk, FleetScan, check_fleet

__all__ = [
    "DEFAULT_BLOCK_SATS",
    "DEFAULT_CHUNK_STEPS",
    "DEFAULT_CIRCULAR_BLOCK_SATS",
    "GPU_SGP4_BLOCK_SATS",
    "GPU_STATE_BLOCK_SATS",
    "SATELLITE_AXIS",
    "Chunk",
    "FleetScan",
    "block_size",
    "bucket",
    "check_fleet",
    "chunk_bounds",
    "default_block_sats",
    "device_count",
    "is_writer",
    "kepler_iterations",
    "load_checkpoint",
    "named_leaves",
    "on_gpu",
    "pad",
    "put_sats",
    "remove_checkpoint",
    "resolve_mesh",
    "restore_states",
    "run_key",
    "satellite_mesh",
    "save_checkpoint",
    "sgp4_blocks",
    "sgp4_states",
    "to_host",
    "warn_sgp4_failures",
    "window_chunk_steps",
    "working_dtype",
]
