"""Orbital compute constellation planner: orbit geometry, illumination, power and the integrated planner."""

from orbital.budgets import Budget, budget
from orbital.design import MassBreakdown, SatelliteDesign, battery_mass_kg, design_mass
from orbital.fleet import Fleet, Shell
from orbital.geometry import (
    critical_beta_deg,
    eclipse_duration_min,
    eclipse_fraction,
    j2_raan_rate_deg_day,
    max_sun_synchronous_altitude_km,
    period_min,
    sso_inclination_deg,
)
from orbital.lighting import IlluminationStats, beta_angle_deg, illumination, positions_km, solar_flux_w_m2, sunlit

__all__ = [
    "Budget",
    "Fleet",
    "MassBreakdown",
    "SatelliteDesign",
    "Shell",
    "IlluminationStats",
    "battery_mass_kg",
    "budget",
    "design_mass",
    "solar_flux_w_m2",
    "beta_angle_deg",
    "critical_beta_deg",
    "eclipse_duration_min",
    "eclipse_fraction",
    "illumination",
    "j2_raan_rate_deg_day",
    "max_sun_synchronous_altitude_km",
    "period_min",
    "positions_km",
    "sso_inclination_deg",
    "sunlit",
]

# The integrated planner: scenarios and the yearly plan, re-exported lazily by name so that `import orbital`
# stays light (pydantic and pandas load only when used).


def __getattr__(name):
    if name in ("Scenario", "ScenarioError", "load_scenario", "builtin_scenarios", "plan", "PlanModel"):
        from orbital import planner

        return getattr(planner, name)
    raise AttributeError(f"module 'orbital' has no attribute {name!r}")
