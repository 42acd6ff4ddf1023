"""Pydantic models generated from parameter declarations (``launch.validation.parameter``).

A parameter class (``launch.Cadence``, ``orbital.SatelliteDesign``, ...) declares each numeric field once: its
default, unit, allowed interval and meaning. ``parameter_model`` turns such a class into a strict pydantic model
of a TOML table: one key per field, its interval as ``Field(ge/gt/le/lt)``, its default read from a default
object, its unit and meaning in the JSON schema. Nothing is typed twice, so the scenario schema cannot drift from
the classes.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from launch.validation import ParameterSpec, parameter_specs

SPEC_KEY = "parameter"  # where a generated field keeps its declaration (``json_schema_extra``)


class Strict(BaseModel):
    """A TOML table: unknown keys are errors; validated models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def bounds(spec: ParameterSpec) -> dict:
    """``Field`` keyword arguments (``ge``/``gt``, ``le``/``lt``) of a declared interval."""
    out = {}
    if spec.low > -math.inf:
        out["gt" if spec.low_open else "ge"] = spec.low
    if spec.high < math.inf:
        out["lt" if spec.high_open else "le"] = spec.high
    return out


def number_type(spec: ParameterSpec, optional: bool = False):
    """The annotation of a declared number (a list of them for a vector), its interval on every element."""
    item = Annotated[float, Field(**bounds(spec))]
    annotation = list[item] if spec.vector else item
    return annotation | None if optional else annotation


def spec_field(spec: ParameterSpec, default: Any = ..., note: str = "") -> Any:
    """The ``Field`` of a declared number: its default, meaning and unit (and the declaration, for messages);
    ``note`` is appended to the meaning."""
    extra = {SPEC_KEY: dataclasses.asdict(spec), "unit": spec.unit, "interval": spec.interval()}
    length = {"min_length": 1} if spec.vector and default is not None else {}
    description = "; ".join(part for part in (spec.doc, note) if part) or None
    return Field(default, description=description, json_schema_extra=extra, **length)


def declared_spec(model: type[BaseModel], name: str) -> ParameterSpec | None:
    """The declaration behind a generated field, if it has one."""
    field = model.model_fields.get(name)
    extra = field.json_schema_extra if field is not None and isinstance(field.json_schema_extra, dict) else {}
    return ParameterSpec(**extra[SPEC_KEY]) if SPEC_KEY in extra else None


def _plain(value):
    """A default as it appears in TOML: arrays become lists of floats, parameter objects tables."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def parameter_model(
    name: str,
    cls: type,
    default: Any = None,
    *,
    optional: bool = False,
    required: typing.Callable[[str], bool] = lambda field_name: False,
    nested_required: typing.Callable[[str], bool] = lambda field_name: False,
    unset: typing.Callable[[ParameterSpec], bool] = lambda spec: False,
    unset_note: str = "",
    extra_fields: dict | None = None,
    exclude: tuple = (),
) -> type[BaseModel]:
    """A strict pydantic model with one key per field of the parameter class ``cls``.

    Numbers carry their declared interval. Defaults come from ``default`` (an instance; the class's own defaults
    when None), or are None with ``optional`` (every key is an override of something else); the fields for which
    ``required(name)`` holds have none. A field holding a parameter object becomes a nested table whose default
    is that object; inside it, the fields for which ``nested_required(name)`` holds have no default. Numbers
    whose declaration satisfies ``unset(spec)`` default to None at every level, nested tables included: the
    caller fills them in (the planner's calendar years follow the study's start year); ``unset_note`` is added
    to their meaning. Static fields (strings such as a model name) keep their default's type; their allowed
    values are checked by the class's constructor. ``extra_fields`` adds or replaces keys
    (``{name: (annotation, Field)}``); ``exclude`` leaves fields out (the caller sets them).
    """
    rules = _Rules(required, nested_required, unset, unset_note)
    return _model(name, cls, default, optional, rules, rules.required, extra_fields, exclude)


@dataclasses.dataclass(frozen=True)
class _Rules:
    required: typing.Callable[[str], bool]
    nested_required: typing.Callable[[str], bool]
    unset: typing.Callable[[ParameterSpec], bool]
    unset_note: str


def _model(name, cls, default, optional, rules, required, extra_fields, exclude=()):
    default = cls() if default is None and not optional else default
    specs = parameter_specs(cls)
    fields = {}
    for f in dataclasses.fields(cls):
        if f.name in exclude:
            continue
        value = None if optional else getattr(default, f.name)
        spec = specs.get(f.name)
        if spec is not None:
            unset = rules.unset(spec)
            wanted = ... if required(f.name) else None if unset else _plain(value)
            fields[f.name] = (
                number_type(spec, optional or unset or value is None),
                spec_field(spec, wanted, rules.unset_note if unset else ""),
            )
        elif dataclasses.is_dataclass(value):
            nested = _model(f"{name}_{f.name}", type(value), value, False, rules, rules.nested_required, None)
            fields[f.name] = (nested, Field(nested.model_validate(_without_unset(value, rules.unset))))
        else:
            fields[f.name] = (type(value) if value is not None else Any, Field(value))
    fields.update(extra_fields or {})
    return create_model(name, __base__=Strict, **fields)


def _without_unset(value, unset) -> dict:
    """A parameter object as a TOML table, without the numbers the caller fills in."""
    specs = parameter_specs(type(value))
    plain = _plain(value)
    return {key: item for key, item in plain.items() if key not in specs or not unset(specs[key])}
