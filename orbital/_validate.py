"""Eager checks of concrete inputs at the public boundary.

Traced values (inside ``jax.jit``, ``jax.grad`` or ``jax.vmap``) cannot be inspected; they pass through and the
kernels' own ``where`` guards keep their outputs finite.
"""

from __future__ import annotations

import jax
import numpy as np

# orbital and thermal share one range check and tracer test; orbital may import thermal (DESIGN §2), not the
# reverse, so thermal holds them.
from thermal._validate import check_range, is_traced  # noqa: F401  (re-exported for orbital's modules)


def to_array(name: str, value, unit=None):
    """Convert an array-like (or an astropy Quantity, converted once to ``unit``) to a numpy array or a tracer."""
    if hasattr(value, "unit") and hasattr(value, "to_value"):
        if unit is None:
            raise TypeError(f"{name}: got a Quantity {value!r}, expected a plain number")
        try:
            value = value.to_value(unit)
        except Exception as err:  # astropy UnitConversionError
            raise ValueError(f"{name}: cannot convert {value!r} to {unit}: {err}") from None
    if is_traced(value) or isinstance(value, jax.Array):
        return value
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a number or array of numbers, got {value!r}") from None


def host64(function, *args):
    """Evaluate a JAX kernel on concrete host values in float64 (scoped; the global flag is never flipped)."""
    with jax.enable_x64(True):
        return jax.tree.map(np.asarray, function(*args))


def evaluate(function, *args):
    """Run a kernel for the public API: float64 numpy results (0-d as float) for concrete inputs, the plain
    JAX computation when any input is traced, so the public function works under jit, grad and vmap."""
    if any(is_traced(leaf) for leaf in jax.tree.leaves(args)):
        return function(*args)
    result = host64(function, *args)
    return jax.tree.map(lambda x: float(x) if np.ndim(x) == 0 else x, result)
