"""Every numeric scenario input as one flat vector ``theta``, and back: the plan model's one argument.

The input tree is ``{"launch": launch.LaunchScenario, "design": {field: value}, "environment": {field: value},
"collisions": ..., "radiation": ..., "shares": {shell: share}}``; its leaves, in pytree order, make ``theta``. Each
element has a dotted name (``cadence.ref_year``, ``vehicles.payload_t[1]``, ``design.compute_power_w``,
``environment.amplitude_scale``, ``collisions.shell_thickness_km``, ``shells.<name>.share``) and the declaration
of its unit and allowed range (``launch.validation.parameter_specs`` of the class that holds it), so that sweeps
and Monte Carlo check their values against the same declarations as the constructors.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import numpy as np

from launch.validation import ParameterSpec, parameter_specs
from orbital.design import SatelliteDesign
from orbital.environment.debris import CollisionEnvironment
from orbital.environment.parameters import Environment
from orbital.environment.radiation import RadiationEffects

# TOML section names of the launch scenario's parts (the pytree attribute ``share`` is ``[compute_share]``).
LAUNCH_SECTIONS = {
    "cadence": "cadence",
    "limits": "limits",
    "vehicles": "vehicles",
    "share": "compute_share",
    "cohorts": "cohorts",
    "supply": "supply",
    "economics": "economics",
}
# A shell's share of the satellites: the one numeric input the planner itself declares.
SHELL_SHARE = ParameterSpec(low=0.0, high=1.0, low_open=True, doc="share of the satellites in the shell")


class InputLayout(NamedTuple):
    """How ``theta`` maps onto the input tree. Tuples only: it is a static (hashable) argument of the compiled
    plan functions."""

    names: tuple  # one per vector element ("vehicles.payload_t[1]")
    leaf_names: tuple  # one per leaf
    sizes: tuple
    shapes: tuple
    treedef: object
    shell_names: tuple  # the scenario's shell order (the geometry's); the shares dict is in key order


def design_input_names() -> list:
    """The ``SatelliteDesign`` fields that are numeric inputs (its declared parameters)."""
    return list(parameter_specs(SatelliteDesign))


def input_tree(scenario, kw_per_tonne_initial: float | None = None) -> dict:
    """The scenario's numeric inputs as a pytree (``scenario``: an ``orbital.planner.Scenario``)."""
    design = scenario.satellite_design()
    return {
        "launch": scenario.launch_scenario(kw_per_tonne_initial),
        "design": {name: float(getattr(design, name)) for name in design_input_names()},
        "environment": {name: float(value) for name, value in scenario.environment.model_dump().items()},
        "collisions": {name: float(value) for name, value in scenario.collisions.model_dump().items()},
        "radiation": {name: float(value) for name, value in scenario.radiation.model_dump().items()},
        "shares": {s.name: float(s.share) for s in scenario.shells},
    }


def _keys(path) -> list:
    return [getattr(k, "name", None) or getattr(k, "key", None) for k in path]


def leaf_name(path) -> str:
    """Dotted input name of a leaf of the input tree, as in the scenario file."""
    keys = _keys(path)
    if keys[0] == "launch":
        return ".".join([LAUNCH_SECTIONS.get(keys[1], keys[1]), *keys[2:]])
    if keys[0] == "shares":
        return f"shells.{keys[1]}.share"
    return ".".join(keys)


def flatten_inputs(tree) -> tuple[np.ndarray, InputLayout]:
    """``(theta, layout)``: the input tree's leaves as one float vector, and how to rebuild the tree."""
    leaves, treedef = jax.tree_util.tree_flatten_with_path(tree)
    names, leaf_names, sizes, shapes, values = [], [], [], [], []
    for path, leaf in leaves:
        base = leaf_name(path)
        array = np.asarray(leaf, dtype=float)
        leaf_names.append(base)
        sizes.append(array.size)
        shapes.append(array.shape)
        values.append(array.ravel())
        names += [base] if array.ndim == 0 else [f"{base}[{i}]" for i in range(array.size)]
    layout = InputLayout(tuple(names), tuple(leaf_names), tuple(sizes), tuple(shapes), treedef, tuple(tree["shares"]))
    return np.concatenate(values), layout


def unflatten_inputs(theta, layout: InputLayout) -> dict:
    """The input tree of ``theta`` (traceable: slices of ``theta`` become the leaves)."""
    pieces, start = [], 0
    for size, shape in zip(layout.sizes, layout.shapes):
        pieces.append(theta[start : start + size].reshape(shape))
        start += size
    return jax.tree_util.tree_unflatten(layout.treedef, pieces)


def drawn_columns(thetas) -> tuple:
    """The columns of ``thetas`` (rows, inputs) whose values differ between rows, in increasing order."""
    thetas = np.asarray(thetas)
    return tuple(int(k) for k in np.flatnonzero(np.any(thetas != thetas[:1], axis=0)))


def unflatten_drawn(theta_fixed, drawn, columns: tuple, layout: InputLayout) -> dict:
    """The input tree of ``theta_fixed`` with its ``columns`` (static) replaced by ``drawn`` (len(columns),).

    Leaves without a drawn element are slices of ``theta_fixed`` alone, so under ``jax.vmap`` over ``drawn`` they
    stay unbatched, and what depends on them alone is computed once for every draw (vmapping the whole vector
    would make every leaf, and everything computed from it, a per-draw value)."""
    position = {column: k for k, column in enumerate(columns)}
    pieces, start = [], 0
    for size, shape in zip(layout.sizes, layout.shapes):
        piece = theta_fixed[start : start + size]
        inside = [column for column in range(start, start + size) if column in position]
        if inside:
            taken = drawn[np.array([position[column] for column in inside])]
            piece = piece.at[np.array(inside) - start].set(taken.astype(piece.dtype))
        pieces.append(piece.reshape(shape))
        start += size
    return jax.tree_util.tree_unflatten(layout.treedef, pieces)


def input_names(scenario) -> tuple:
    """Names of every numeric scenario input (as used by sweep, sensitivity and Monte Carlo)."""
    return flatten_inputs(input_tree(scenario))[1].names


def input_specs(tree) -> tuple:
    """One ``ParameterSpec`` (or None where nothing is declared) per element of the flattened ``tree``."""
    specs = []
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        keys = _keys(path)
        if keys[0] == "shares":
            spec = SHELL_SHARE
        elif keys[0] == "design":
            spec = parameter_specs(SatelliteDesign).get(keys[1])
        elif keys[0] == "environment":
            spec = parameter_specs(Environment).get(keys[1])
        elif keys[0] == "collisions":
            spec = parameter_specs(CollisionEnvironment).get(keys[1])
        elif keys[0] == "radiation":
            spec = parameter_specs(RadiationEffects).get(keys[1])
        else:
            parent = tree[keys[0]]
            for key in keys[1:-1]:
                parent = getattr(parent, key)
            spec = parameter_specs(type(parent)).get(keys[-1])
        specs += [spec] * max(1, np.size(leaf))
    return tuple(specs)


def check_input_ranges(names, specs, thetas: np.ndarray, what: str):
    """Raise ValueError naming the first input of any row of ``thetas`` outside its declared range."""
    for k, (name, spec) in enumerate(zip(names, specs)):
        if spec is None:
            continue
        try:
            spec.check(name, thetas[:, k])
        except ValueError as err:
            raise ValueError(f"{what} out of range: {err}") from None


def is_calendar_input(name: str) -> bool:
    """Calendar years (``ref_year``, ``intro_year[k]``, ``table_years[k]``): shifts, not scales."""
    leaf = name.split("[")[0].split(".")[-1]
    return leaf.endswith("year") or leaf == "table_years"
