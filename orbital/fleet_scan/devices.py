"""Where a fleet scan runs: a one-axis mesh of devices that blocks of satellites are sharded along, and the way
back to the host, from every process of a multi-host run (``jax.distributed``)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import Mesh, NamedSharding, PartitionSpec

SATELLITE_AXIS = "sat"
GPU_PLATFORMS = ("gpu", "cuda", "rocm")


def satellite_mesh(devices=None) -> Mesh | None:
    """A one-axis mesh over ``devices`` (default: every device of the default backend, those of every process in
    a multi-host run); None for a single device, which needs no sharding."""
    devices = jax.devices() if devices is None else list(devices)
    return Mesh(np.array(devices), (SATELLITE_AXIS,)) if len(devices) > 1 else None


def resolve_mesh(mesh) -> Mesh | None:
    """The mesh a run uses: ``None`` means ``satellite_mesh()`` (all devices, as by default); otherwise a
    one-axis ``jax.sharding.Mesh`` (a one-device mesh keeps the run on that device)."""
    if mesh is None:
        return satellite_mesh()
    if not isinstance(mesh, Mesh):
        raise TypeError(f"mesh: expected a jax.sharding.Mesh or None, got {type(mesh).__name__}")
    if len(mesh.axis_names) != 1:
        raise ValueError(f"mesh: expected a one-axis mesh (satellites), got axes {mesh.axis_names}")
    return mesh


def device_count(mesh: Mesh | None) -> int:
    return 1 if mesh is None else int(mesh.devices.size)


def platform(mesh: Mesh | None) -> str:
    """The platform ("cpu", "gpu", ...) a run on ``mesh`` computes on."""
    return jax.default_backend() if mesh is None else mesh.devices.flat[0].platform


def on_gpu(mesh: Mesh | None) -> bool:
    return platform(mesh) in GPU_PLATFORMS


def put_sats(array, mesh: Mesh | None, dtype=None):
    """Place an array whose leading axis is satellites: sharded over ``mesh`` when there is one."""
    array = jnp.asarray(array, dtype)
    if mesh is None:
        return array
    spec = PartitionSpec(mesh.axis_names[0], *([None] * (array.ndim - 1)))
    return jax.device_put(array, NamedSharding(mesh, spec))


def to_host(array) -> np.ndarray:
    """A device array as numpy on every process: in a multi-host run the satellites' shards live on other hosts
    and are gathered first (a collective: every process must call it)."""
    if isinstance(array, jax.Array) and not array.is_fully_addressable:
        return np.asarray(multihost_utils.process_allgather(array, tiled=True))
    return np.asarray(array)


def is_writer() -> bool:
    """True on the one process that writes files (process 0)."""
    return jax.process_index() == 0
