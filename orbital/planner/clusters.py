"""Cluster shells in the plan: what each cluster's links carry, what holding its formation costs, how close its
members come, and the per-satellite mass and power the design's roll-up adds for them.

A cluster shell (``[[shells]] kind = "cluster"``) is a reference orbit and a lattice of members about it
(``orbital.formation``). Every cluster of a shell shares the lattice and the orbit, so one cluster over one orbit
of its centre speaks for all of them: the figures here are per cluster and per satellite, and the plan's own
satellite counts say how many clusters fly. Inputs the scenario states elsewhere:

- solar activity: the scenario's ``[environment]`` solar cycle, its F10.7 averaged over the design life from the
  study's first year, and its Ap (the formation's own ``f107_sfu`` and ``ap`` defaults are not used); the density
  is the mean over the life of the orbit-averaged NRLMSIS 2.1 density at the shell's altitude, as the plan's
  station keeping takes it (``orbital.planner.model``);
- the thruster's Isp and the mission length: ``[design] thruster_isp_s`` and ``design_life_years``.

Per-satellite figures for the roll-up are means over the lattice (members carry 3 to 8 terminals; the fleet
launches the mean); the table also gives the worst member.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
import pandas as pd

from orbital import formation as cluster_api
from orbital.core import atmosphere as atmosphere_core
from orbital.core.constants import EARTH_MU_KM3_S2, EARTH_RADIUS_KM
from orbital.environment.parameters import Environment
from orbital.environment.solar_cycle import f107_sfu

# Time step of the one-orbit statistics: the lattice breathes twice per orbit (~97 min at 650 km), so a minute
# resolves each extreme to well under a metre.
ORBIT_STEP_S = 60.0
# Samples of the solar cycle over the design life (as the plan's station keeping).
LIFE_SAMPLES = 48


class ClusterShell(NamedTuple):
    """One cluster shell's objects, as the plan evaluates them."""

    index: int  # position among the scenario's shells
    name: str
    formation: cluster_api.ClusterFormation
    terminal: cluster_api.OpticalTerminal
    f107_sfu: float  # mean over the design life
    density_kg_m3: float  # mean over the design life


def cluster_shells(scenario, geometry=None) -> list[ClusterShell]:
    """The scenario's cluster shells with the inputs the scenario states elsewhere filled in. ``geometry``
    (``orbital.planner.geometry.Geometry`` of the same scenario) supplies the shells' density tables; without it
    the density is read from ``orbital.environment.atmosphere`` (slower the first time)."""
    shells = [(k, s) for k, s in enumerate(scenario.shells) if s.is_cluster]
    if not shells:
        return []
    design = scenario.satellite_design()
    env = Environment(**scenario.environment.model_dump())
    solar = env.solar_cycle()
    life = float(design.design_life_years)
    years = scenario.study.start_year + life * (np.arange(LIFE_SAMPLES) + 0.5) / LIFE_SAMPLES
    f107 = np.asarray(f107_sfu(years, solar), float)
    out = []
    for k, shell in shells:
        formation = shell.cluster_formation(
            f107_sfu=float(np.mean(f107)),
            ap=float(env.ap),
            isp_s=float(design.thruster_isp_s),
            mission_yr=life,
        )
        density = _life_density(formation, f107, float(env.ap), geometry, k)
        out.append(ClusterShell(k, shell.name, formation, shell.optical_terminal(), float(np.mean(f107)), density))
    return out


def _life_density(formation, f107: np.ndarray, ap: float, geometry, k: int) -> float:
    """Mean over the life's F10.7 samples of the orbit-averaged density at the formation's altitude."""
    if geometry is not None and k < len(geometry.shell_names):
        values = atmosphere_core.log_density_at_activity(
            jnp.asarray(geometry.log_density_shell[k]),
            jnp.asarray(geometry.density_f107_sfu),
            jnp.asarray(geometry.density_ap),
            jnp.asarray(f107),
            ap,
        )
        return float(np.mean(np.exp(np.asarray(values, float))))
    from orbital.environment import atmosphere

    inclination_deg = math.degrees(float(formation.inclination_rad()))
    return float(np.mean(atmosphere.density_kg_m3(float(formation.altitude_km), f107, ap, inclination_deg)))


def orbit_times_s(formation) -> np.ndarray:
    """One orbit of the cluster centre at ``ORBIT_STEP_S`` (both ends included, so the orbit closes)."""
    a_km = EARTH_RADIUS_KM + float(formation.altitude_km)
    period_s = 2.0 * math.pi * math.sqrt(a_km**3 / EARTH_MU_KM3_S2)
    return np.linspace(0.0, period_s, int(math.ceil(period_s / ORBIT_STEP_S)) + 1)


def _row(shell: ClusterShell) -> dict:
    formation, terminal = shell.formation, shell.terminal
    times = orbit_times_s(formation)
    stats = cluster_api.neighbour_statistics(formation, times, dtype=np.float64)
    bandwidth = cluster_api.cluster_bandwidth(formation, terminal, times)
    keeping = cluster_api.formation_keeping(formation, shell.density_kg_m3)
    budget = cluster_api.terminal_budget(formation, terminal)
    members = int(budget.terminals.size)
    return {
        "shell": shell.name,
        "layout": formation.layout,
        "members_per_cluster": members,
        "links_per_cluster": int(stats.pairs.shape[0]),
        "cluster_radius_m": float(stats.radius_m[0]),
        "neighbour_distance_min_m": float(stats.min_distance_m.min()),
        "neighbour_distance_max_m": float(stats.max_distance_m.max()),
        "closest_approach_m": float(stats.closest_approach_m[0]),
        "link_rate_min_gbps": float(bandwidth.link_min_bps.min()) / 1e9,
        "bisection_min_gbps": float(bandwidth.bisection_bps.min()) / 1e9,
        "injection_min_gbps_per_satellite": float(bandwidth.injection_min_bps.min()) / 1e9,
        "f107_sfu_life_mean": shell.f107_sfu,
        "density_kg_m3_life_mean": shell.density_kg_m3,
        "formation_dv_m_s_per_yr_mean": float(np.mean(keeping.dv_m_s_per_yr)),
        "formation_dv_m_s_per_yr_max": float(np.max(keeping.dv_m_s_per_yr)),
        "formation_propellant_kg_mean": float(np.mean(keeping.propellant_kg)),
        "formation_propellant_kg_max": float(np.max(keeping.propellant_kg)),
        "terminals_per_satellite_mean": float(np.mean(budget.terminals)),
        "terminals_per_satellite_max": int(np.max(budget.terminals)),
        "terminal_mass_kg_mean": float(np.mean(budget.mass_kg)),
        "terminal_power_w_mean": float(np.mean(budget.power_w)),
        "design_life_yr": float(formation.mission_yr),
    }


def cluster_table(scenario, geometry=None) -> pd.DataFrame | None:
    """One row per cluster shell (None when the scenario has none): members and links per cluster, cluster
    radius, neighbour distances, closest approach (passive safety) and the least link, bisection and
    per-satellite injection bandwidth (one way) over one orbit; formation-keeping delta-v and propellant over the
    design life; optical terminals per satellite with their mass and power. See the module docstring for where
    solar activity, Isp and the life come from."""
    shells = cluster_shells(scenario, geometry)
    if not shells:
        return None
    return pd.DataFrame([_row(shell) for shell in shells])


class ClusterLoads(NamedTuple):
    """Per satellite of each shell (n_shells,), the means over its lattice; zero for shells that are not
    clusters."""

    terminal_kg: np.ndarray  # optical terminals
    terminal_power_w: np.ndarray  # their electrical power, drawn day and night
    formation_propellant_kg: np.ndarray  # holding the lattice over the design life


def cluster_loads(scenario, geometry=None) -> ClusterLoads:
    """What the design's roll-up adds to a member of each cluster shell (``orbital.design.mass_breakdown``)."""
    n = len(scenario.shells)
    loads = ClusterLoads(np.zeros(n), np.zeros(n), np.zeros(n))
    for shell in cluster_shells(scenario, geometry):
        keeping = cluster_api.formation_keeping(shell.formation, shell.density_kg_m3)
        budget = cluster_api.terminal_budget(shell.formation, shell.terminal)
        loads.terminal_kg[shell.index] = float(np.mean(budget.mass_kg))
        loads.terminal_power_w[shell.index] = float(np.mean(budget.power_w))
        loads.formation_propellant_kg[shell.index] = float(np.mean(keeping.propellant_kg))
    return loads


__all__ = ["ClusterLoads", "ClusterShell", "cluster_loads", "cluster_shells", "cluster_table", "orbit_times_s"]
