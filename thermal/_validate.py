"""Eager checks of concrete inputs at the public boundary of ``thermal``.

Traced values (inside ``jax.jit``, ``jax.grad`` or ``jax.vmap``) cannot be inspected; they pass through and the
kernels' own ``where`` guards keep their outputs finite. ``thermal`` cannot import ``orbital``, so this mirrors
``orbital/_validate.py`` (same messages) rather than sharing it.

Quantities are duck-typed (anything with ``unit`` and ``to_value``), so astropy is never imported here unless the
caller already did (only then is its temperature equivalency fetched, to accept degrees Celsius).
"""

from __future__ import annotations

import math
import numbers
import sys

import jax
import numpy as np


def is_traced(value) -> bool:
    return isinstance(value, jax.core.Tracer)


def _quantity_to_value(name: str, value, unit: str):
    if unit is None:
        raise TypeError(f"{name}: got a Quantity {value!r}, expected a plain number")
    # astropy's UnitConversionError is a ValueError and UnitTypeError a TypeError: no astropy import needed.
    try:
        return value.to_value(unit)
    except (ValueError, TypeError) as first_error:
        error = first_error
    units_module = sys.modules.get("astropy.units")
    if units_module is not None and unit == "K":  # temperatures in deg_C or deg_F need an equivalency
        try:
            return value.to_value(unit, equivalencies=units_module.temperature())
        except (ValueError, TypeError):
            pass
    raise ValueError(f"{name}: cannot convert {value!r} to {unit or 'a dimensionless number'}: {error}") from None


def to_input(name: str, value, unit: str | None = ""):
    """Return ``value`` ready for the kernels, converted once from a Quantity to ``unit`` if need be.

    Tracers and jax arrays pass unchanged; numpy arrays keep a floating dtype (so float32 stays float32); Python
    numbers stay Python floats (weakly typed in JAX, so they never promote float32 arrays to float64).
    """
    if hasattr(value, "unit") and hasattr(value, "to_value"):
        value = _quantity_to_value(name, value, unit)
    if is_traced(value) or isinstance(value, jax.Array):
        return value
    if isinstance(value, bool):
        raise TypeError(f"{name}: expected a number or array of numbers, got {value!r}")
    if isinstance(value, numbers.Real) and not isinstance(value, np.generic):
        return float(value)
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a number or array of numbers, got {value!r}") from None
    if array.dtype.kind == "f":
        return array
    if array.dtype.kind in "iu":
        return array.astype(float)
    raise TypeError(f"{name}: expected a number or array of numbers, got {value!r}")


def _format_bound(value: float) -> str:
    return "inf" if value == math.inf else "-inf" if value == -math.inf else f"{value:g}"


def check_range(name: str, value, low=-math.inf, high=math.inf, *, low_open=False, high_open=False, unit: str = ""):
    """Raise ValueError naming ``name`` if any concrete element is NaN or outside the interval."""
    if is_traced(value):
        return value
    array = np.asarray(value, dtype=float)
    below = array <= low if low_open else array < low
    above = array >= high if high_open else array > high
    bad = np.isnan(array) | below | above
    if np.any(bad):
        offender = array[bad].flat[0] if array.ndim else float(array)
        interval = (
            ("(" if low_open or low == -math.inf else "[")
            + f"{_format_bound(low)}, {_format_bound(high)}"
            + (")" if high_open or high == math.inf else "]")
        )
        suffix = f" {unit}" if unit else ""
        raise ValueError(f"{name}={offender:g}{suffix} is outside the allowed range {interval}{suffix}")
    return value


def checked(
    name: str,
    value,
    low=-math.inf,
    high=math.inf,
    *,
    low_open=False,
    high_open=False,
    unit: str | None = "",
    unit_label: str = "",
):
    """``to_input`` then ``check_range``: the one call the public functions make per argument."""
    value = to_input(name, value, unit)
    return check_range(name, value, low, high, low_open=low_open, high_open=high_open, unit=unit_label)


def any_traced(*values) -> bool:
    return any(is_traced(leaf) for value in values for leaf in jax.tree_util.tree_leaves(value))
