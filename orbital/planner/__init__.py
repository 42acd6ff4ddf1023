"""The integrated planner: scenario -> yearly plan, per-shell budgets, sensitivities, sweeps and Monte Carlo.

Modules, one job each (docs/planner.md describes the model):

- ``scenario``: the TOML schema (launch and design sections generated from their parameter declarations) and
  loading, with one-line errors; the built-in scenarios are ``scenarios/*.toml``;
- ``inputs``: every numeric scenario input as one flat vector, its names and declared ranges;
- ``fleets``: the representative sample of a scenario's shells, and ``orbital illumination``'s built-in fleet;
- ``geometry``: the shells' illumination statistics, once per plan;
- ``model``: ``PlanModel``, the pure JAX function from the input vector to the yearly plan arrays;
- ``yearly_plan``: ``plan()``, the ``Plan`` tables and their summary;
- ``analysis``: sensitivities (``jax.grad``), sweeps and Monte Carlo (``jax.vmap``) and their checks;
- ``economics``: the cost of delivered compute by launch year, the programme's lifecycle NPV and IRR, the summary;
- ``goal_seek``: ``solve``, the value of one input at which an output reaches a target (``orbital solve``);
- ``outputs``: provenance, each command's file set, atomic writing;
- ``published_cases``: the ``orbital validate`` table;
- ``plots``: matplotlib figures.
"""

from orbital.planner.analysis import (
    MAX_SWEEP_POINTS,
    MONTECARLO_METRICS,
    bucket_size,
    check_draw_ranges,
    check_draws,
    check_inputs,
    check_sweep,
    montecarlo,
    parse_set,
    resolve_input,
    sample_inputs,
    sensitivity,
    sweep,
)
from orbital.planner.economics import economics_summary, economics_table, lifecycle_irr, lifecycle_npv_usd
from orbital.planner.fleets import (
    DEFAULT_WINDOW_START,
    default_shells,
    default_window_start,
    illumination_fleet,
    representative_shells,
)
from orbital.planner.geometry import Geometry, compute_geometry
from orbital.planner.goal_seek import SolveResult, check_solve, parse_target, solve
from orbital.planner.inputs import InputLayout, drawn_columns, input_names, is_calendar_input
from orbital.planner.model import (
    CATEGORICAL_OUTPUTS,
    DEFAULT_METRIC,
    METRICS,
    PLAN_COLUMNS,
    PlanModel,
    check_metric,
    model_rollup,
    output_names,
)
from orbital.planner.outputs import (
    check_output_dir,
    default_output_dir,
    montecarlo_files,
    plan_files,
    provenance,
    sensitivity_files,
    solve_files,
    sweep_files,
    validation_files,
    write_files,
)
from orbital.planner.plots import (
    plot_cost_bands,
    plot_cost_waterfall,
    plot_costs,
    plot_fan,
    plot_firm_capacity,
    plot_mass,
    plot_ramp,
    plot_seasons,
    plot_solve,
    plot_sweep,
    plot_tornado,
)
from orbital.planner.published_cases import validation_cases
from orbital.planner.scenario import (
    DEFAULT_SCENARIO,
    MAX_DRAWS,
    MAX_SEED,
    SCENARIO_DIR,
    CadenceIn,
    CapacityIn,
    CohortsIn,
    ComputeShareIn,
    CorrelationIn,
    DesignIn,
    DistributionIn,
    EconomicsIn,
    LimitsIn,
    Meta,
    MonteCarloIn,
    Scenario,
    ScenarioError,
    ShellIn,
    Study,
    SupplyIn,
    VehiclesIn,
    builtin_scenarios,
    load_scenario,
    parse_scenario,
    resolve,
)
from orbital.planner.twin import FleetTwin, TwinResult, build_twin, run_twin
from orbital.planner.yearly_plan import Plan, PlanWarning, plan

__all__ = [
    "DEFAULT_WINDOW_START",
    "default_window_start",
    "CATEGORICAL_OUTPUTS",
    "MAX_DRAWS",
    "MAX_SEED",
    "DEFAULT_METRIC",
    "DEFAULT_SCENARIO",
    "MAX_SWEEP_POINTS",
    "METRICS",
    "MONTECARLO_METRICS",
    "PLAN_COLUMNS",
    "SCENARIO_DIR",
    "CadenceIn",
    "CapacityIn",
    "CohortsIn",
    "ComputeShareIn",
    "CorrelationIn",
    "DesignIn",
    "DistributionIn",
    "EconomicsIn",
    "Geometry",
    "InputLayout",
    "LimitsIn",
    "Meta",
    "MonteCarloIn",
    "Plan",
    "PlanWarning",
    "PlanModel",
    "Scenario",
    "ScenarioError",
    "ShellIn",
    "SolveResult",
    "Study",
    "SupplyIn",
    "VehiclesIn",
    "bucket_size",
    "builtin_scenarios",
    "check_draw_ranges",
    "check_draws",
    "check_inputs",
    "check_metric",
    "check_output_dir",
    "check_solve",
    "check_sweep",
    "compute_geometry",
    "default_output_dir",
    "default_shells",
    "drawn_columns",
    "illumination_fleet",
    "input_names",
    "is_calendar_input",
    "load_scenario",
    "model_rollup",
    "montecarlo",
    "montecarlo_files",
    "output_names",
    "parse_scenario",
    "parse_set",
    "parse_target",
    "plan",
    "plan_files",
    "plot_fan",
    "plot_mass",
    "plot_ramp",
    "plot_seasons",
    "plot_solve",
    "plot_cost_bands",
    "plot_cost_waterfall",
    "plot_costs",
    "plot_firm_capacity",
    "economics_table",
    "economics_summary",
    "lifecycle_irr",
    "lifecycle_npv_usd",
    "plot_sweep",
    "plot_tornado",
    "provenance",
    "representative_shells",
    "resolve",
    "resolve_input",
    "sample_inputs",
    "sensitivity",
    "sensitivity_files",
    "solve",
    "solve_files",
    "sweep",
    "sweep_files",
    "validation_cases",
    "validation_files",
    "write_files",
    "FleetTwin",
    "TwinResult",
    "build_twin",
    "run_twin",
]
