"""The yearly plan of a scenario: geometry, model, the plan, shells and economics tables, and the summary."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import warnings
from collections.abc import Callable

import jax
import pandas as pd

from orbital.planner import environment_trade
from orbital.planner.clusters import cluster_table
from orbital.planner.economics import cost_ratio_drivers, economics_summary, economics_table
from orbital.planner.geometry import Geometry, compute_geometry
from orbital.planner.model import PlanModel
from orbital.planner.outputs import provenance
from orbital.planner.scenario import DEFAULT_SCENARIO, Scenario, load_scenario

# The summary's headline milestone: the first year that launches this much compute.
MILESTONE_GW_LAUNCHED = 100.0


@dataclasses.dataclass
class Plan:
    """A scenario's plan: its geometry, its model, the yearly table (``plan.csv``), the shells (``shells.csv``) and
    the cost of delivered compute by launch year (``economics.csv``)."""

    scenario: Scenario
    geometry: Geometry
    model: PlanModel
    table: pd.DataFrame
    shells: pd.DataFrame
    economics: pd.DataFrame
    # Per cluster shell: bandwidth, formation keeping, closest approach (``clusters.csv``); None without one.
    clusters: pd.DataFrame | None = None
    # The summary runs a sensitivity and an IRR search: computed once, on first use.
    _summary: dict | None = dataclasses.field(default=None, repr=False, compare=False)
    # What ``plan(executor=)`` started early: "altitude_trade" and "cost_ratio_drivers" futures.
    _started: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)

    def summary(self) -> dict:
        """Headline numbers of the plan, with its provenance (``summary.json``)."""
        if self._summary is None:
            self._summary = self._make_summary()
        return self._summary

    def altitude_trade(self) -> pd.DataFrame:
        """The altitude trade of the scenario's first shell (``altitude_trade.png``;
        ``environment_trade.altitude_trade``)."""
        started = self._started.get("altitude_trade")
        return environment_trade.altitude_trade(self.scenario) if started is None else started.result()

    def _make_summary(self) -> dict:
        started = self._started.get("cost_ratio_drivers")
        drivers = None if started is None else started.result
        t = self.table.set_index("year")
        last = int(t.index[-1])
        peak_year = int(t["gw_launched"].idxmax())
        reach = t.index[t["gw_launched"] >= MILESTONE_GW_LAUNCHED]
        return {
            **provenance(self.scenario),
            "study": {"start_year": int(t.index[0]), "end_year": last},
            "headline": {
                "gw_launched_final_year": float(t.loc[last, "gw_launched"]),
                "gw_operating_final_year": float(t.loc[last, "gw_operating"]),
                "gw_effective_final_year": float(t.loc[last, "gw_effective"]),
                "satellites_operating_final_year": float(t.loc[last, "satellites_operating"]),
                "peak_gw_launched": float(t.loc[peak_year, "gw_launched"]),
                "peak_gw_launched_year": peak_year,
                "first_year_100_gw_launched": int(reach[0]) if len(reach) else None,
                # A null milestone says why, so a reader does not take it for a missing value.
                "first_year_100_gw_launched_note": (
                    f"reached in {int(reach[0])}"
                    if len(reach)
                    else f"not reached in {int(t.index[0])}-{last}: the peak is "
                    f"{float(t.loc[peak_year, 'gw_launched']):.1f} GW/yr in {peak_year}, limited by "
                    f"{t.loc[peak_year, 'binding_constraint']}"
                ),
                "binding_constraint_final_year": str(t.loc[last, "binding_constraint"]),
                "compute_availability": float(t["compute_availability"].iloc[0]),
                "kw_per_tonne_rollup": float(t["kw_per_tonne_rollup"].iloc[0]),
                "kw_per_tonne_source": "design roll-up" if self.model.kw_from_design else "scenario",
                "satellite_mass_kg": float(t["satellite_mass_kg"].iloc[0]),
                "cumulative_capex_usd": float(t["capex_usd"].sum()),
            },
            "economics": economics_summary(self.model, self.table, self.economics, drivers),
            "environment": environment_summary(t, last),
            "warnings": environment_warnings(
                self.table,
                self.shells,
                self.scenario.cohorts.failure_rate_per_yr,
                self.model.scenario.satellite_design().design_life_years,
            ),
            "geometry_sampling": {
                "satellites_per_shell": self.geometry.sample_sats,
                "start": self.geometry.start,
                "days": self.geometry.days,
                "step_s": self.geometry.step_s,
            },
        }


def environment_summary(t: pd.DataFrame, last: int) -> dict:
    """The orbital environment in the final year, and where it peaks."""
    peak_hazard_year = int(t["collision_hazard_per_yr"].idxmax())
    return {
        "collision_hazard_per_yr_final_year": float(t.loc[last, "collision_hazard_per_yr"]),
        "peak_collision_hazard_per_yr": float(t.loc[peak_hazard_year, "collision_hazard_per_yr"]),
        "peak_collision_hazard_year": peak_hazard_year,
        "satellites_lost_to_collisions_total": float(t["satellites_lost_to_collisions"].sum()),
        "manoeuvres_per_satellite_yr_final_year": float(t.loc[last, "manoeuvres_per_satellite_yr"]),
        "derelicts_final_year": float(t.loc[last, "derelicts"]),
        "fragments_total": float(t["fragments_per_yr"].sum()),
        "propellant_t_total": float(t["propellant_t"].sum()),
        "peak_shell_fill_fraction": float(t["shell_fill_fraction"].max()),
        "shells_needed_final_year": int(t.loc[last, "shells_needed"]),
        "dose_rad_per_yr": float(t.loc[last, "dose_rad_per_yr"]),
        "radiation_life_limit_yr": float(t.loc[last, "radiation_life_limit_yr"]),
        "radiation_availability_loss": float(t.loc[last, "radiation_availability_loss"]),
    }


def environment_warnings(
    table: pd.DataFrame, shells: pd.DataFrame, failure_rate_per_yr: float, design_life_yr: float
) -> list[str]:
    """Plain-language warnings: a shell's band overflows its capacity, collisions outrun the design's failures,
    the dose exceeds the accelerators' tolerance within the design life."""
    messages = []
    for _, shell in shells.iterrows():
        if shell["radiation_life_limit_yr"] < design_life_yr:
            messages.append(
                f"shell {shell['shell']}: {shell['dose_rad_per_yr']:.3g} rad(Si)/yr behind "
                f"{shell['shielding_mm_al']:g} mm of aluminium reaches the accelerators' dose tolerance in "
                f"{shell['radiation_life_limit_yr']:.2g} years, within the {design_life_yr:g}-year design life; "
                "add shielding (design.compute_shielding_mm_al) or fly lower"
            )
        if shell["first_overflow_year"]:
            messages.append(
                f"shell {shell['shell']}: its band holds "
                f"{shell['band_capacity']:.3g} satellites at the [collisions] separations and overflows in "
                f"{int(shell['first_overflow_year'])} (peak fill {shell['peak_band_fill']:.2f}); add shells or "
                "spread the fleet over more altitudes"
            )
    t = table.set_index("year")
    over = t.index[t["collision_hazard_per_yr"] > failure_rate_per_yr]
    if len(over):
        year = int(over[0])
        messages.append(
            f"collisions cost more satellites than random failures from {year} (hazard "
            f"{float(t.loc[year, 'collision_hazard_per_yr']):.3g}/yr, "
            f"{float(t.loc[year, 'manoeuvres_per_satellite_yr']):.3g} avoidance manoeuvres per satellite-year); "
            "thicker or more shells, better disposal or avoidance lower it ([collisions], [environment])"
        )
    return messages


def plan(
    scenario: Scenario | str | None = None,
    progress: Callable[[float, float], None] | None = None,
    *,
    executor: concurrent.futures.Executor | None = None,
) -> Plan:
    """Run a scenario (object, built-in name or path; default ``ai1-100gw``); ``progress(done, total)`` reports
    the geometry step (the slow one). The orbital environment's warnings (``summary()["warnings"]``) are also
    issued as ``PlanWarning``s.

    ``executor`` (threads, e.g. ``concurrent.futures.ThreadPoolExecutor(2)``): the plan's two slow derived
    products start on it as soon as they can, the altitude trade at once and the summary's cost-ratio sensitivity
    (a gradient that compiles for seconds) once the model exists, each in the caller's 64-bit mode. Their XLA
    compiles run outside Python's lock, beside the geometry and the tables; the results are the same. Without an
    executor each is computed on first use (``Plan.altitude_trade``, ``Plan.summary``)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario or DEFAULT_SCENARIO)
    started = {}
    if executor is not None:
        started["altitude_trade"] = executor.submit(_in_callers_x64_mode(environment_trade.altitude_trade), scenario)
    geometry = compute_geometry(scenario, progress)
    model = PlanModel(scenario, geometry)
    if executor is not None:
        started["cost_ratio_drivers"] = executor.submit(_in_callers_x64_mode(cost_ratio_drivers), model)
    result = Plan(
        scenario,
        geometry,
        model,
        model.table(),
        model.shells_table(),
        economics_table(model),
        clusters=cluster_table(scenario, geometry),
        _started=started,
    )
    life_yr = scenario.satellite_design().design_life_years
    for message in environment_warnings(result.table, result.shells, scenario.cohorts.failure_rate_per_yr, life_yr):
        warnings.warn(message, PlanWarning, stacklevel=2)
    return result


def _in_callers_x64_mode(function: Callable) -> Callable:
    """``function`` to run on another thread in this thread's 64-bit mode (``jax.enable_x64`` scopes it per
    thread)."""
    x64 = bool(jax.config.jax_enable_x64)

    def run(*args):
        with jax.enable_x64(x64):
            return function(*args)

    return run


class PlanWarning(UserWarning):
    """Something in a plan that its user should act on (a shell overflowing, collisions outrunning failures)."""
