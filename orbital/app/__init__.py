"""The interactive planner (``orbital serve``, or ``planner_app`` in a notebook): a scenario's plan that follows
its inputs as they move, in one compiled JAX function of the input vector (docs/interactive.md).

Modules, one job each: ``knobs`` (the sliders from the parameter declarations), ``state`` (scenario, model and
``theta``; validation and export), ``gradients`` (the metrics' Jacobian and elasticities), ``scenario_toml`` (a
scenario as TOML), ``plots`` (the bokeh views), ``layout`` (the Panel page and server), ``compiles`` (counting
JAX compilations)."""

from orbital.app.layout import PlannerPage, planner_app, serve
from orbital.app.state import GeometryCache, PlannerState

__all__ = ["GeometryCache", "PlannerPage", "PlannerState", "planner_app", "serve"]
