"""The plan's one-point programs (its outputs and the gradient of one metric) kept between runs as exported
programs (``jax.export``), so that a later run of a scenario of the same structure calls them without tracing the
plan model again.

Tracing and lowering the plan model hold Python's lock for seconds (the summary's gradient about 4.7 s, the outputs
about 2 s on the 2-core CPU), every run, even when JAX's persistent compilation cache holds the executables. A
deserialized program lowers in about 0.6 s. It gives the numbers of the program traced in the run to rounding (a
few outputs differ in the last bit, 2e-16 relative: the program is lowered for export, and XLA orders a few
operations differently), and the same numbers in every run that reads it back.

A program is kept only while ``orbital.kept_tables`` keeps a folder (the ``orbital`` commands), under a key of
everything its trace depends on: this package's code and the numerical libraries (``kept_tables.code_digest``),
the static arguments (the input layout, pickled, with the tree of the scenario's modules and their static fields;
the study years; the metric), the shapes and dtypes of the arguments, the backend. Input values are arguments, so a
what-if on any input reuses the program; a scenario of another structure (more shells, other years, another price
model) gets its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Callable

import jax
import numpy as np
from jax import export

from launch.validation import any_traced
from orbital import kept_tables
from orbital.cpu_compile import CpuJit, quick_jit

_KIND = "plan-program"
_called: dict[str, CpuJit] = {}  # key -> the kept program, compiled with the one-point options, in this process


def _key(name: str, static: dict, args: tuple) -> str:
    leaves, tree = jax.tree.flatten(args)
    shapes = tuple((np.shape(x), str(x.dtype if hasattr(x, "dtype") else np.result_type(x))) for x in leaves)
    statics = hashlib.sha256(pickle.dumps(sorted(static.items()), protocol=4)).hexdigest()
    return repr((name, kept_tables.code_digest(), statics, str(tree), shapes, jax.default_backend()))


def _exported(key: str, function: Callable, static: dict, args: tuple) -> export.Exported:
    stored = kept_tables.load_arrays(_KIND, key)
    if stored is not None and "exported" in stored:
        with contextlib.suppress(Exception):  # a file that does not deserialize is rebuilt below
            return export.deserialize(bytearray(stored["exported"].tobytes()))
    exported = export.export(jax.jit(lambda *xs: function(*xs, **static)))(*args)
    kept_tables.store_arrays(_KIND, key, {"exported": np.frombuffer(exported.serialize(), np.uint8)})
    return exported


def call(name: str, function: Callable, static: dict, *args, otherwise: Callable):
    """``function(*args, **static)`` from the kept program when a folder is kept and the arguments are concrete;
    else ``otherwise(*args)`` (the caller's compiled function). ``name`` names the program in the key."""
    if not kept_tables.is_keeping() or any_traced(*args):
        return otherwise(*args)
    key = _key(name, static, args)
    program = _called.get(key)
    if program is None:
        program = _called[key] = quick_jit(_exported(key, function, static, args).call)
    return program(*args)
