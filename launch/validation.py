"""Parameter declarations and eager checks of concrete inputs at the public boundary.

One module serves the three packages. ``launch`` and ``thermal`` may not import ``orbital``, nor each other, so
``launch/validation.py`` and ``thermal/validation.py`` are the same file, kept byte-identical by
``tests/test_architecture.py``; ``orbital`` imports ``launch.validation``.

Parameter objects are ``equinox.Module`` pytrees. Each numeric field is declared once with ``parameter(...)``:
its default, unit, allowed range and one-line meaning live beside the field, and everything else (the checks at
construction, the scenario schema, the messages, Monte Carlo and sweep range checks) is generated from that
declaration through ``parameter_specs``.

Traced values (inside ``jax.jit``, ``jax.grad`` or ``jax.vmap``) cannot be inspected: they pass through and the
kernels' own ``where`` guards keep their outputs finite. Pytree unflattening (inside transformations and
``jax.tree.map``) bypasses ``__init__``, so gradients and batched trees are never "validated" as if they were
inputs; only objects built by users are checked.

Quantities are duck-typed (anything with ``unit`` and ``to_value``), so astropy is never imported here unless the
caller already did (only then is its temperature equivalency fetched, to accept degrees Celsius).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import sys

import equinox as eqx
import jax
import numpy as np

PARAMETER_KEY = "parameter"


@dataclasses.dataclass(frozen=True)
class ParameterSpec:
    """What a parameter field declares: unit, allowed interval and meaning (its default is the field's)."""

    unit: str = ""
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    doc: str = ""
    vector: bool = False  # a 1-D array (one entry per vehicle, table row, ...), not a scalar

    def check(self, name: str, value):
        return check_range(
            name, value, self.low, self.high, low_open=self.low_open, high_open=self.high_open, unit=self.unit
        )

    def interval(self) -> str:
        return format_interval(self.low, self.high, self.low_open, self.high_open)


def parameter(
    default=dataclasses.MISSING,
    *,
    unit: str = "",
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
    doc: str = "",
    vector: bool = False,
    default_factory=dataclasses.MISSING,
):
    """Declare a numeric field of an ``equinox.Module`` parameter object: default, unit, range and meaning.

    Vector fields accept lists and tuples and store them as float arrays (a converter, run at construction only).
    """
    spec = ParameterSpec(unit, float(low), float(high), low_open, high_open, doc, vector)
    kwargs = {"metadata": {PARAMETER_KEY: spec}}
    if vector:
        kwargs["converter"] = _vector_converter
    if default is not dataclasses.MISSING:
        kwargs["default"] = default
    if default_factory is not dataclasses.MISSING:
        kwargs["default_factory"] = default_factory
    return eqx.field(**kwargs)


def _vector_converter(value):
    # The converter does not know the field's name: what does not convert is left for ``check_parameters``,
    # which names it.
    if isinstance(value, (list, tuple)):
        try:
            return np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return value
    return value


def parameter_specs(cls_or_obj) -> dict:
    """``{field name: ParameterSpec}`` of the declared parameters of a parameter class or object."""
    return {f.name: f.metadata[PARAMETER_KEY] for f in dataclasses.fields(cls_or_obj) if PARAMETER_KEY in f.metadata}


def parameter_defaults(cls) -> dict:
    """``{field name: default}`` of the declared parameters that have a plain default."""
    return {
        f.name: f.default
        for f in dataclasses.fields(cls)
        if PARAMETER_KEY in f.metadata and f.default is not dataclasses.MISSING
    }


def check_parameters(obj) -> None:
    """Check every declared parameter of ``obj`` against its declared range (concrete values only)."""
    label = type(obj).__name__
    for name, spec in parameter_specs(obj).items():
        value = getattr(obj, name)
        if value is not None:
            if spec.vector:
                to_array(f"{label}.{name}", value)  # a named TypeError for what is not numbers
            spec.check(f"{label}.{name}", value)


def is_traced(value) -> bool:
    return isinstance(value, jax.core.Tracer)


def any_traced(*values) -> bool:
    return any(is_traced(leaf) for value in values for leaf in jax.tree_util.tree_leaves(value))


def is_concrete_number(value) -> bool:
    """True for Python/numpy numbers and concrete arrays; False for tracers, None and placeholders."""
    if is_traced(value) or value is None or isinstance(value, bool):
        return False
    return isinstance(value, (int, float, np.ndarray, np.generic, jax.Array))


def _quantity_to_value(name: str, value, unit):
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


def _is_quantity(value) -> bool:
    return hasattr(value, "unit") and hasattr(value, "to_value")


def to_input(name: str, value, unit: str | None = ""):
    """Return ``value`` ready for the kernels, converted once from a Quantity to ``unit`` if need be.

    Tracers and jax arrays pass unchanged; numpy arrays keep a floating dtype (so float32 stays float32); Python
    numbers stay Python floats (weakly typed in JAX, so they never promote float32 arrays to float64).
    """
    if _is_quantity(value):
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


def to_array(name: str, value, unit: str | None = None):
    """Array-like (or a Quantity, converted once to ``unit``) to a float64 numpy array; tracers and jax arrays
    pass through unchanged so that the public functions stay traceable."""
    if _is_quantity(value):
        value = _quantity_to_value(name, value, unit)
    if is_traced(value) or isinstance(value, jax.Array):
        return value
    if isinstance(value, (str, bytes, bool)) or value is None:
        raise TypeError(f"{name}={value!r} is not a number or an array of numbers")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name}={value!r} is not a number or an array of numbers") from None


def _format_bound(value: float) -> str:
    return "inf" if value == math.inf else "-inf" if value == -math.inf else f"{value:g}"


def format_interval(low=-math.inf, high=math.inf, low_open=False, high_open=False) -> str:
    """``[low, high)`` with the bracket kinds of the interval; an infinite bound is never attained, so open."""
    left = "(" if low_open or low == -math.inf else "["
    right = ")" if high_open or high == math.inf else "]"
    return f"{left}{_format_bound(low)}, {_format_bound(high)}{right}"


def check_range(name: str, value, low=-math.inf, high=math.inf, *, low_open=False, high_open=False, unit: str = ""):
    """Raise ValueError naming ``name`` if any concrete element is NaN, infinite or outside the interval.

    An infinite bound is never attained (the interval prints open there), so +-inf is always refused: a scenario
    number of ``inf`` would otherwise flow into the plan and its JSON outputs."""
    if is_traced(value) or value is None:
        return value
    array = np.asarray(value, dtype=float)
    below = array <= low if low_open else array < low
    above = array >= high if high_open else array > high
    bad = ~np.isfinite(array) | below | above
    if np.any(bad):
        offender = array[bad].flat[0] if array.ndim else float(array)
        suffix = f" {unit}" if unit else ""
        interval = format_interval(low, high, low_open, high_open)
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


def host64(function, *args):
    """Evaluate a JAX kernel on concrete host values in float64 (scoped; the global flag is never flipped)."""
    with jax.enable_x64(True):
        return jax.tree.map(np.asarray, function(*args))


def evaluate(function, *args):
    """Run a kernel for the public API: float64 numpy results (0-d as float) for concrete inputs, the plain
    JAX computation when any input is traced, so the public function works under jit, grad and vmap."""
    if any_traced(args):
        return function(*args)
    result = host64(function, *args)
    return jax.tree.map(lambda x: float(x) if np.ndim(x) == 0 else x, result)
