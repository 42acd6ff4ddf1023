"""Property-based robustness of scenario input: random mutations of the built-in scenarios.

Each mutation replaces one value by a bad or extreme one (NaN, infinities, huge and tiny numbers, signs, wrong
types), deletes a key, adds an unknown one, or sets a calendar anchor the built-ins leave to the study's start year
(``ref_year``, ``intro_year``, ``geometry_start``, ...) to a bad value. Loading it must either fail with ONE line
that names the mutated key, or give a scenario whose launch projection is finite everywhere. Never a traceback of
another kind, never a NaN.

The bounded run below is part of the suite (``ORBITAL_ROBUSTNESS_EXAMPLES``, default 2,000 cases); set it higher
for a longer search on demand, e.g. ``ORBITAL_ROBUSTNESS_EXAMPLES=50000 pytest tests/test_robustness.py``.
"""

import copy
import math
import os
import tomllib

import jax
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import launch
from orbital import planner
from orbital.design import mass_breakdown

EXAMPLES = int(os.environ.get("ORBITAL_ROBUSTNESS_EXAMPLES", "2000"))
BASES = {name: tomllib.loads(planner.resolve(name).read_text()) for name in planner.builtin_scenarios()}


def leaf_paths(tree, prefix=()):
    """Dotted paths of every value of a parsed TOML (array-of-tables entries by index)."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from leaf_paths(value, (*prefix, key))
    elif isinstance(tree, list) and tree and isinstance(tree[0], dict):
        for index, value in enumerate(tree):
            yield from leaf_paths(value, (*prefix, index))
    else:
        yield prefix


PATHS = sorted({(name, path) for name, raw in BASES.items() for path in leaf_paths(raw)}, key=str)
# Calendar anchors the built-in files no longer state (they follow [study] start_year): set, they are absolute.
BASE_NAMES = sorted(BASES)
ANCHORS = [
    ("cadence", "ref_year"),
    ("vehicles", "intro_year"),
    ("compute_share", "ramp_start_year"),
    ("cohorts", "kw_ref_year"),
    ("supply", "arrays", "ref_year"),
    ("economics", "table_years"),
    ("study", "geometry_start"),
]
BAD_VALUES = [
    math.nan,
    math.inf,
    -math.inf,
    0.0,
    -1.0,
    -1e308,
    1e308,
    1e-308,
    2**70,
    True,
    "ten",
    "",
    [],
    {},
    [math.nan],
    [1e308, -5.0],
    1956,
    2201,
    [2029.0, 2027.0],
    "1800-01-01",
    "2100-01-02",
]


def parent_and_key(raw, path):
    node = raw
    for key in path[:-1]:
        node = node[key]
    return node, path[-1]


def key_names(path) -> list:
    return [str(part) for part in path if not isinstance(part, int)]


@st.composite
def mutations(draw):
    kind = draw(st.sampled_from(["replace", "replace", "replace", "delete", "unknown", "anchor"]))
    if kind == "anchor":
        name, path = draw(st.sampled_from(BASE_NAMES)), draw(st.sampled_from(ANCHORS))
        raw = copy.deepcopy(BASES[name])
        parent = raw
        for key in path[:-1]:
            parent = parent.setdefault(key, {})
        parent[path[-1]] = draw(st.sampled_from(BAD_VALUES) | st.floats(allow_nan=True, allow_infinity=True))
        return raw, path, kind
    name, path = draw(st.sampled_from(PATHS))
    raw = copy.deepcopy(BASES[name])
    parent, key = parent_and_key(raw, path)
    if kind == "replace":
        parent[key] = draw(st.sampled_from(BAD_VALUES) | st.floats(allow_nan=True, allow_infinity=True))
    elif kind == "delete":
        del parent[key]
    else:
        parent[f"{key}_typo"] = 1.0
    return raw, path, kind


def finite(tree) -> bool:
    return all(np.all(np.isfinite(np.asarray(leaf, dtype=float))) for leaf in jax.tree.leaves(tree))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutations())
def test_a_mutated_scenario_loads_finite_or_fails_in_one_line_naming_its_key(case):
    raw, path, kind = case
    try:
        scenario = planner.parse_scenario(raw, "mutated.toml")
        launch_scenario = scenario.launch_scenario()
        design = scenario.satellite_design()
    except ValueError as err:  # ScenarioError is a ValueError
        message = str(err)
        assert "\n" not in message, message
        assert "Traceback" not in message
        mentioned = [name for name in key_names(path) if name in message]
        assert mentioned or kind == "unknown" and "_typo" in message, (path, kind, message)
        return
    study = scenario.study
    outputs = launch.project_arrays(launch_scenario, study.start_year, study.n_years)
    assert finite(outputs), (path, kind)
    # The design's mass roll-up (kW/t) for the longest eclipse of a 600 km shell at beta 0 (35.6 min).
    assert finite(mass_breakdown(design, 35.6, 600.0)), (path, kind)
