"""Resumable runs: a fingerprint of everything that determines a run's chunks, and the per-block running states
saved atomically after a time chunk. Every process takes part in the gathers; process 0 alone writes."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from orbital.atomic_files import write_atomic
from orbital.fleet import Fleet
from orbital.fleet_scan.devices import is_writer, put_sats, to_host
from orbital.timescales import TimeGrid


def run_key(fleet: Fleet, grid: TimeGrid, dtype, block: int, chunk: int) -> str:
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


def _key_name(key) -> str:
    for attribute in ("name", "idx", "key"):
        if hasattr(key, attribute):
            return str(getattr(key, attribute))
    return str(key)


def named_leaves(state) -> list[tuple[str, object]]:
    """``(name, leaf)`` pairs of a state pytree, a leaf named by its path ("battery_wh", "power/battery_wh")."""
    leaves, _ = jax.tree_util.tree_flatten_with_path(state)
    return [("/".join(_key_name(key) for key in path), leaf) for path, leaf in leaves]


def save_checkpoint(path: Path, key: str, next_step: int, states: dict, **extra: np.ndarray):
    """Atomically save per-block running states (pytrees of (block,) arrays keyed by first satellite) and
    ``extra`` arrays; resumable by ``load_checkpoint``."""
    arrays = {f"{s0}:{name}": to_host(value) for s0, state in states.items() for name, value in named_leaves(state)}
    if not is_writer():  # one writer; every process took part in the gather above
        return

    def write(temporary: Path):
        with open(temporary, "wb") as handle:
            np.savez(handle, run_key=key, next_step=next_step, **extra, **arrays)

    write_atomic(path, write)


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of the checkpoint at ``path``, read into memory; one clear ValueError when the file is damaged
    (truncated, empty, random bytes), a directory, or not a checkpoint of this program."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            arrays = {name: saved[name].copy() for name in saved.files}
        missing = [name for name in ("run_key", "next_step") if name not in arrays]
        if missing:
            raise KeyError(f"no {missing[0]!r} entry")
        int(arrays["next_step"])
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile, zlib.error) as err:
        reason = f"{type(err).__name__}: {err}".replace("\n", " ")
        raise ValueError(
            f"checkpoint {str(path)!r} is damaged or not a checkpoint of this program ({reason}): delete it to "
            "start again, or pass another path"
        ) from None
    return arrays


def load_checkpoint(path: Path, key: str):
    """(next step, saved blocks, extra arrays) from ``path``, or None when there is no checkpoint yet. Saved
    blocks are ``{first satellite: {leaf name: array}}``; ``restore_states`` rebuilds them as states."""
    if not path.exists():
        return None
    saved = _read_arrays(path)
    if str(saved["run_key"]) != key:
        raise ValueError(
            f"checkpoint={str(path)!r} belongs to a different run (fleet, window, design, dtype or "
            "chunking differ); delete it or pass another path"
        )
    blocks = {}
    for name, value in saved.items():
        if ":" in name:
            s0, leaf = name.split(":", 1)
            blocks.setdefault(int(s0), {})[leaf] = value
    extra = {name: value for name, value in saved.items() if ":" not in name and name not in ("run_key", "next_step")}
    return int(saved["next_step"]), blocks, extra


def restore_states(blocks: dict, template, mesh) -> dict:
    """Saved blocks as states in the structure of ``template`` (a state, or its ``jax.eval_shape``), placed on
    ``mesh``."""
    names = [name for name, _ in named_leaves(template)]
    structure = jax.tree.structure(template)
    return {
        s0: jax.tree_util.tree_unflatten(structure, [put_sats(arrays[name], mesh) for name in names])
        for s0, arrays in sorted(blocks.items())
    }


def remove_checkpoint(path: Path):
    """Remove a completed run's checkpoint (process 0; the others never wrote it)."""
    if is_writer():
        path.unlink(missing_ok=True)
