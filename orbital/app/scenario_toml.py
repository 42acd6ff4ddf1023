"""A scenario as TOML text that ``orbital.planner.load_scenario`` reads back to the same scenario.

The standard library reads TOML but does not write it; scenarios hold only tables, arrays of tables, numbers,
strings, booleans and arrays of numbers, so a small writer suffices. Floats are written with ``repr`` (the
shortest text that reads back as the same double), so the inputs of an exported scenario are bit for bit those
of the session that exported it.
"""

from __future__ import annotations

import json
import math
import re

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def scenario_toml(scenario) -> str:
    """The TOML text of ``scenario`` (an ``orbital.planner.Scenario``), complete: every input is stated, so the
    file does not inherit (``[scenario] inherits`` is dropped: the values it brought are written out)."""
    data = scenario.to_dict()
    data["scenario"] = {k: v for k, v in data["scenario"].items() if k != "inherits"}
    header = (
        f"# Exported by `orbital serve` from scenario {scenario.name!r}; `orbital plan FILE` reproduces the session's\n"
        "# plan. Every input is stated (calendar anchors that are absent follow [study] start_year).\n"
    )
    return header + to_toml(data)


def to_toml(data: dict) -> str:
    """TOML text of a dict of tables (values: dicts, lists of dicts, numbers, strings, booleans, lists)."""
    lines: list[str] = []
    _table(lines, (), data)
    return "\n".join(lines).lstrip("\n") + "\n"


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def _is_table_array(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _table(lines: list, path: tuple, table: dict, header: str | None = None):
    plain = {k: v for k, v in table.items() if not isinstance(v, dict) and not _is_table_array(v)}
    nested = {k: v for k, v in table.items() if isinstance(v, dict) or _is_table_array(v)}
    if header is not None:
        lines += ["", header]
    for key, value in plain.items():
        lines.append(f"{_key(key)} = {_value(value, '.'.join((*path, key)))}")
    for key, value in nested.items():
        here = (*path, _key(key))
        if isinstance(value, dict):
            if not value:
                lines += ["", f"[{'.'.join(here)}]"]
            else:
                _table(lines, here, value, f"[{'.'.join(here)}]" if _has_plain(value) or not value else None)
        else:
            for item in value:
                _table(lines, here, item, f"[[{'.'.join(here)}]]")


def _has_plain(table: dict) -> bool:
    return any(not isinstance(v, dict) and not _is_table_array(v) for v in table.values())


def _value(value, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} = {value!r}: not a finite number; a scenario holds finite numbers only")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v, where) for v in value) + "]"
    raise TypeError(f"{where}: cannot write a {type(value).__name__} to TOML")
