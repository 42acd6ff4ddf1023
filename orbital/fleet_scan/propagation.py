"""SGP4 fleets in blocks and chunks: the JAX SGP4 kernel on the device for near-Earth sets, python-sgp4's
``SatrecArray`` on the host for fleets holding a deep-space set (period >= 225 min). Failed propagations
(decayed or invalid element sets) get harmless finite states and a flag; callers report those satellites as NaN,
with a warning."""

from __future__ import annotations

import functools
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from orbital.core import sgp4
from orbital.fleet import Fleet
from orbital.fleet_scan.devices import put_sats
from orbital.fleet_scan.layout import pad

# Stand-ins for a failed propagation's state: a circular LEO position (km) and speed (km/s), finite everywhere.
FAILED_POSITION_KM = 7000.0
FAILED_VELOCITY_KM_S = 7.5


@functools.partial(jax.jit, static_argnames="kepler_iterations")
def sgp4_states(elements: sgp4.Sgp4Elements, minutes0, dt_s, kepler_iterations: int):
    """(sat, time, 3) TEME states of a block by the JAX SGP4 kernel, and (sat,) flags of failed propagations
    (their states are replaced by harmless finite ones)."""
    minutes = minutes0[:, None] + dt_s[None, :] / 60.0
    over_times = jax.vmap(functools.partial(sgp4.propagate, kepler_iterations=kepler_iterations), in_axes=(None, 0))
    position, velocity, code = jax.vmap(over_times)(elements, minutes)
    failed = jnp.any(code != 0, axis=1) | ~jnp.all(jnp.isfinite(position), axis=(1, 2))
    position = jnp.where(failed[:, None, None], FAILED_POSITION_KM, position)
    velocity = jnp.where(failed[:, None, None], FAILED_VELOCITY_KM_S, velocity)
    return position, velocity, failed


def kepler_iterations(eccentricity) -> int:
    """Newton steps on Kepler's equation that reach the reference's 1e-12 rad tolerance for the fleet's largest
    eccentricity (orbital.core.sgp4.propagate): 3 below 0.01 (Starlink-like fleets), 5 below 0.5, else 8."""
    largest = float(np.max(eccentricity))
    return 3 if largest < 0.01 else 5 if largest < 0.5 else sgp4.KEPLER_ITERATIONS


def sgp4_blocks(fleet: Fleet, block: int, mesh, dtype):
    """Per-block device copies of the fleet's SGP4 constants (padded like every block) and the Kepler iterations
    they need; (None, 0) when the fleet holds a deep-space set, which only python-sgp4 propagates: those fleets
    take the host path (``host_states``)."""
    elements = sgp4.sgp4_elements_from_satrecs(fleet.satrecs, allow_deep_space=True)
    if np.any(elements.deep_space):
        return None, 0
    n_sat = len(fleet)
    blocks = {}
    for s0 in range(0, n_sat, block):
        part = sgp4.Sgp4Elements(*(pad(np.asarray(f)[s0 : min(s0 + block, n_sat)], block) for f in elements))
        kernel = sgp4.Sgp4Elements(
            *(
                f if name in ("epoch_jd", "epoch_fraction") else put_sats(f, mesh, None if f.dtype == bool else dtype)
                for name, f in zip(part._fields, part)
            )
        )
        blocks[s0] = kernel
    return blocks, kepler_iterations(elements.ecco)


def host_states(block_fleet: Fleet, grid, offsets_s, chunk: int, block: int, mesh, dtype):
    """(position, velocity, failed) of a block over a chunk by python-sgp4 on the host, padded to ``block`` x
    ``chunk`` and placed on ``mesh``; ``failed`` (unpadded, numpy) flags satellites whose propagation failed at
    some step."""
    position, velocity, codes = block_fleet.sgp4_states(grid, offsets_s)
    failed = np.any(codes != 0, axis=1) | ~np.all(np.isfinite(position), axis=(1, 2))
    position = np.where(failed[:, None, None], FAILED_POSITION_KM, position)
    velocity = np.where(failed[:, None, None], FAILED_VELOCITY_KM_S, velocity)
    position = put_sats(pad(pad(position, chunk, axis=1), block), mesh, dtype)
    velocity = put_sats(pad(pad(velocity, chunk, axis=1), block), mesh, dtype)
    return position, velocity, failed


def warn_sgp4_failures(fleet: Fleet, failed: np.ndarray, stacklevel: int = 3):
    """Warn about satellites whose SGP4 propagation failed (their results are NaN), pointing at the caller of the
    public function (``stacklevel`` frames up from this one: 3 when that function calls this directly)."""
    if np.any(failed):
        names = ", ".join(str(n) for n in fleet.names[failed][:5])
        warnings.warn(
            f"SGP4 failed for {int(failed.sum())} satellite(s) (e.g. {names}): decayed or invalid "
            "element sets; their results are NaN",
            RuntimeWarning,
            stacklevel=stacklevel,
        )
