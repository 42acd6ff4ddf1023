"""Eager checks of concrete inputs at the public boundary of ``launch``.

Traced values (inside ``jax.jit``, ``jax.grad`` or ``jax.vmap``) cannot be inspected: they pass through and
the kernels' own where-guards keep their outputs finite. ``launch`` never imports ``orbital`` (DESIGN §2), so
these helpers are its own.
"""

from __future__ import annotations

import math

import jax
import numpy as np

INF = math.inf


def is_traced(value) -> bool:
    return isinstance(value, jax.core.Tracer)


def is_concrete_number(value) -> bool:
    """True for Python/numpy numbers and concrete arrays; False for tracers, None and placeholders."""
    if is_traced(value) or value is None:
        return False
    if isinstance(value, (int, float, np.ndarray, np.generic, jax.Array)) and not isinstance(value, bool):
        return True
    return False


def to_array(name: str, value, unit: str | None = None):
    """Array-like (or an astropy Quantity, converted once to ``unit``) to a float numpy array; tracers and
    jax arrays pass through unchanged so that the public functions stay traceable."""
    if hasattr(value, "unit") and hasattr(value, "to_value"):
        if unit is None:
            raise TypeError(f"{name}: got a Quantity {value!r}, expected a plain number")
        try:
            value = value.to_value(unit)
        except Exception as err:  # astropy UnitConversionError
            raise ValueError(f"{name}: cannot convert {value!r} to {unit}: {err}") from None
    if is_traced(value) or isinstance(value, jax.Array):
        return value
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}={value!r} is not a number or an array of numbers")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name}={value!r} is not a number or an array of numbers") from None


def _interval(low, high, low_open, high_open):
    # An infinite bound is never attained, so it is shown open.
    left = "(" if low_open or math.isinf(low) else "["
    right = ")" if high_open or math.isinf(high) else "]"
    return f"{left}{low:g}, {high:g}{right}"


def check_range(name: str, value, low=-INF, high=INF, *, low_open=False, high_open=False, unit: str = ""):
    """Raise ValueError naming ``name`` if any concrete element is NaN or outside the interval."""
    if not is_concrete_number(value):
        return value
    array = np.asarray(value, dtype=float)
    below = array <= low if low_open else array < low
    above = array >= high if high_open else array > high
    bad = np.isnan(array) | below | above
    if np.any(bad):
        offender = array[bad].flat[0] if array.ndim else float(array)
        suffix = f" {unit}" if unit else ""
        raise ValueError(
            f"{name}={offender:g} is outside the allowed range {_interval(low, high, low_open, high_open)}{suffix}"
        )
    return value


def check_greater(name: str, value, other_name: str, other, *, unit: str = ""):
    """Raise ValueError if a concrete ``value`` is not strictly greater than a concrete ``other``."""
    if not (is_concrete_number(value) and is_concrete_number(other)):
        return value
    a, b = np.broadcast_arrays(np.asarray(value, dtype=float), np.asarray(other, dtype=float))
    bad = ~(a > b)
    if np.any(bad):
        suffix = f" {unit}" if unit else ""
        raise ValueError(
            f"{name}={a[bad].flat[0]:g}{suffix} must be greater than {other_name}={b[bad].flat[0]:g}{suffix}"
        )
    return value


def check_increasing(name: str, value, *, strict=True):
    """Raise ValueError if a concrete 1-D array is not (strictly) increasing, e.g. years out of order."""
    if not is_concrete_number(value):
        return value
    array = np.asarray(value, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    step = np.diff(array)
    bad = step <= 0 if strict else step < 0
    if np.any(bad):
        k = int(np.argmax(bad))
        order = "strictly increasing" if strict else "non-decreasing"
        raise ValueError(
            f"{name} must be {order}: {name}[{k}]={array[k]:g} is followed by {name}[{k + 1}]={array[k + 1]:g}"
        )
    return value


def check_static_int(name: str, value, low: int, high: int | None = None) -> int:
    """Static sizes (years of a projection) must be plain Python integers, never traced."""
    if is_traced(value) or isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}={value!r} must be a Python int (it fixes array shapes, so it cannot be traced)")
    value = int(value)
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name}={value} is outside the allowed range [{low}, {high if high is not None else 'inf'}]")
    return value


def check_choice(name: str, value, choices):
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not one of {', '.join(repr(c) for c in choices)}")
    return value
