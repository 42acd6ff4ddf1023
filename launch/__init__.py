"""Launch cadence, fleet cohorts, supply caps, launch economics and the cost of delivered compute in orbit and on
the ground (pure JAX kernels, unit-aware API).

``launch`` never imports ``orbital`` (see docs/architecture.md). Kernels live in ``launch.core``; parameter
declarations and checks in ``launch.validation``.
"""

from launch.economics import (
    CONTRACTS,
    REVENUE_USD_PER_GW_YR,
    SHELL_CAPEX_USD_PER_GW,
    TERRESTRIAL_CAPEX_USD_PER_GW,
    LeaseContract,
    capex_comparison,
    payback_years,
    revenue_references,
)
from launch.mass import gw_per_year, launch_usd_per_kg, launched_power_usd_per_kw_yr, launches_per_year, tonnes_per_year
from launch.params import (
    Cadence,
    Capacity,
    CohortParams,
    ComputeShare,
    Economics,
    LaunchLimits,
    LaunchScenario,
    SupplyCaps,
    VehicleMix,
    default_scenario,
)
from launch.projection import (
    BINDING_NAMES,
    GROUND_COST_COMPONENTS,
    LAUNCH_LIMIT_NAMES,
    ORBIT_COST_COMPONENTS,
    TABLE_COLUMNS,
    FleetHazard,
    monte_carlo,
    project,
    project_arrays,
    project_cohorts,
    sample_scenarios,
)
from launch.ramp import Ramp, fit_ramp, load_launch_history

__all__ = [
    "BINDING_NAMES",
    "LAUNCH_LIMIT_NAMES",
    "TABLE_COLUMNS",
    "ORBIT_COST_COMPONENTS",
    "GROUND_COST_COMPONENTS",
    "CONTRACTS",
    "LeaseContract",
    "revenue_references",
    "REVENUE_USD_PER_GW_YR",
    "SHELL_CAPEX_USD_PER_GW",
    "TERRESTRIAL_CAPEX_USD_PER_GW",
    "Cadence",
    "Capacity",
    "CohortParams",
    "ComputeShare",
    "Economics",
    "LaunchLimits",
    "LaunchScenario",
    "SupplyCaps",
    "VehicleMix",
    "default_scenario",
    "gw_per_year",
    "tonnes_per_year",
    "launches_per_year",
    "launched_power_usd_per_kw_yr",
    "launch_usd_per_kg",
    "capex_comparison",
    "payback_years",
    "project",
    "project_arrays",
    "FleetHazard",
    "project_cohorts",
    "monte_carlo",
    "sample_scenarios",
    "Ramp",
    "fit_ramp",
    "load_launch_history",
]
