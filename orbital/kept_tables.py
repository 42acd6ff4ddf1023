"""Host-side tables kept between runs in a folder that a program names: the ``orbital`` commands keep the NRLMSIS
density tables built at run time, the altitude trade and the plan's exported programs
(``orbital.planner.kept_programs``) there, so that a second run does not build them again. The library itself writes
nothing to disk: until ``keep_tables_in(folder)`` is called every lookup misses and every store is skipped.

Each file is named by a digest of everything its content depends on (the caller's key). A table computed by this
package's own code also carries ``code_digest()``: every file of the installed ``orbital``, ``launch`` and
``thermal`` packages (code and data) and the versions of the numerical libraries, so that any change to either
makes a new name and the old file is never read again. Files are written atomically, read without pickle, and a
file that cannot be read or does not hold what the caller expects is ignored (then rebuilt and rewritten).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import importlib.metadata
import platform
from pathlib import Path

import numpy as np

from orbital.atomic_files import write_atomic

_kept_in: list[Path] = []  # the folder set by keep_tables_in; empty: nothing read from or written to disk

# The libraries whose numbers reach a kept table.
NUMERICAL_LIBRARIES = ("jax", "jaxlib", "numpy", "pandas", "astropy", "pyerfa", "pymsis", "aep8", "equinox")
# The packages whose code and data compute the tables (all of this repository's packages).
OWN_PACKAGES = ("orbital", "launch", "thermal")


def keep_tables_in(folder) -> None:
    """Keep tables between processes in ``folder`` (None: nothing on disk, the default). For programs that own
    their process, like JAX's compilation-cache setting."""
    _kept_in.clear()
    if folder is not None:
        _kept_in.append(Path(folder))


def is_keeping() -> bool:
    """Whether a folder is kept (``keep_tables_in``): lookups read it and stores write it."""
    return bool(_kept_in)


def _path(kind: str, key: str) -> Path | None:
    if not _kept_in:
        return None
    return _kept_in[0] / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:32]}.npz"


def load_arrays(kind: str, key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``kind`` and ``key``, or None when nothing is kept, the file is missing or it cannot
    be read."""
    path = _path(kind, key)
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except (OSError, ValueError, KeyError, EOFError):
        return None


def store_arrays(kind: str, key: str, arrays: dict[str, np.ndarray]) -> None:
    """Store ``arrays`` under ``kind`` and ``key`` (atomically), when a folder is kept."""
    path = _path(kind, key)
    if path is None:
        return

    def write(temporary):
        with open(temporary, "wb") as out:
            np.savez(out, **{name: np.asarray(value) for name, value in arrays.items()})

    # A cache: a folder that cannot be written costs only the rebuild next time, so it never fails the run.
    with contextlib.suppress(OSError):
        write_atomic(path, write)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


@functools.cache
def code_digest() -> str:
    """SHA-256 of this repository's packages (every file's path and bytes, caches of compiled bytecode aside), the
    Python version and the numerical libraries' versions: part of the key of a table computed by this code."""
    digest = hashlib.sha256(platform.python_version().encode())
    for library in NUMERICAL_LIBRARIES:
        digest.update(f"\0{library}={_version(library)}".encode())
    for package in OWN_PACKAGES:
        root = Path(importlib.import_module(package).__file__).parent
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"\0{package}/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
