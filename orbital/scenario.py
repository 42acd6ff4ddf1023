"""Old import path of the planner's scenarios: ``orbital.planner.scenario`` holds them (re-exported here)."""

from orbital.planner.scenario import (
    DEFAULT_SCENARIO,
    SCENARIO_DIR,
    Scenario,
    ScenarioError,
    builtin_scenarios,
    load_scenario,
    parse_scenario,
    resolve,
)

__all__ = [
    "DEFAULT_SCENARIO",
    "SCENARIO_DIR",
    "Scenario",
    "ScenarioError",
    "builtin_scenarios",
    "load_scenario",
    "parse_scenario",
    "resolve",
]
