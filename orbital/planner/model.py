"""The plan model: ONE pure JAX function of the flat input vector ``theta`` to the yearly plan arrays.

The design's mass roll-up per shell (``orbital.design.mass_breakdown``: battery sized for the shell's longest
eclipse, radiator for its Earth environment) gives kW/t, which becomes the cohorts' initial kW/t unless the
scenario sets ``cohorts.kw_per_tonne_initial``; the launch projection (``launch.project_arrays``) gives GW per
year; the plan columns follow. ``jax.grad`` of it gives exact sensitivities, ``jax.vmap`` of it sweeps and
Monte Carlo.

Compute availability per shell (share of compute delivered over the year):
``min(1, array margin) x (sunlit + eclipse_compute_fraction x (1 - sunlit))`` with array margin
``array_oversize (peak + bus)(tracks + (1 - tracks) <|sin beta|>) / (compute + bus)``: compute runs whenever the
arrays can carry it, and in eclipse the battery (sized for the longest eclipse) carries the design's eclipse
share. This closed form is the planner's (differentiable, cheap) stand-in for ``orbital.budget``'s time-stepped
availability; they agree for the built-in designs (tests compare them).

Firm capacity: the same closed form on each day's eclipse share (the geometry's daily profile) gives the fleet's
daily availability; the share of operating GW that can be sold as firm capacity is the yearly availability scaled
by the lowest day relative to the mean day (dawn-dusk shells lose power together in their eclipse season).
The cost of delivered compute, the ground's and the programme's cash flows come from ``launch`` at this
availability (``launch.core.costs``).

The orbital environment (docs/environment.md): each shell's orbit-averaged density (the geometry's NRLMSIS
tables, interpolated in solar activity here) at the solar cycle's F10.7 (``[environment]``) gives the mass
roll-up its station-keeping propellant (mean density over the design life from the start year) and the yearly
drag, station-keeping delta-v, thruster power, natural lifetime and disposal columns (``ENVIRONMENT_COLUMNS``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

import launch
from orbital import design as design_module
from orbital.core import atmosphere as atmosphere_core
from orbital.core import capacity as capacity_core
from orbital.core import debris as debris_core
from orbital.core import drag
from orbital.core.constants import SECONDS_PER_JULIAN_YEAR
from orbital.core.debris import FluxTable
from orbital.cpu_compile import batch_jit, quick_jit
from orbital.design import SatelliteDesign
from orbital.environment.debris import CollisionEnvironment
from orbital.environment.parameters import Environment
from orbital.environment.radiation import DoseTable, RadiationEffects, effects_kernel
from orbital.environment.solar_cycle import f107_sfu
from orbital.planner import kept_programs
from orbital.planner.geometry import Geometry, compute_geometry
from orbital.planner.inputs import (
    InputLayout,
    drawn_columns,
    flatten_inputs,
    input_specs,
    input_tree,
    unflatten_drawn,
    unflatten_inputs,
)

# The orbital environment per year: drag at that year's solar activity, propellant, decay and disposal; the
# debris, the fleet's collisions with itself and its derelicts, avoidance manoeuvres and the shells' capacity.
ENVIRONMENT_COLUMNS = [
    "f107_sfu",
    "station_keeping_dv_m_s_per_yr",
    "propellant_t",
    "thruster_power_kw",
    "natural_lifetime_yr",
    "deorbit_dv_m_s",
    "disposal_compliant",
    "derelicts_added",
    "derelicts",
    "collision_hazard_per_yr",
    "satellites_lost_to_collisions",
    "collisions_per_yr",
    "manoeuvres_per_yr",
    "manoeuvres_per_satellite_yr",
    "fragments_per_yr",
    "shell_fill_fraction",
    "shells_needed",
    "dose_rad_per_yr",
    "radiation_life_limit_yr",
    "upsets_per_satellite_yr",
    "radiation_availability_loss",
]
PLAN_COLUMNS = [
    "satellites_launched",
    "satellites_operating",
    "sunlit_fraction",
    "battery_t",
    "radiator_m2",
    "compute_availability",
    "gw_effective",
    "kw_per_tonne_rollup",
    "satellite_mass_kg",
    "firm_compute_fraction",
    "gw_firm",
    "seasonal_dip_revenue_usd",
    *ENVIRONMENT_COLUMNS,
]
# Per launch year (cohort): the cost of delivered compute by component (``economics.csv``).
ECONOMICS_COLUMNS = [
    "year",
    "gw_launched",
    "launch_usd_per_kg",
    "kw_per_tonne",
    "capex_usd_per_gw",
    "lifetime_delivered_fraction",
    *[f"lcoc_orbit_{name}_usd_per_kw_yr" for name in launch.ORBIT_COST_COMPONENTS],
    "lcoc_orbit_usd_per_kw_yr",
    *[f"lcoc_ground_{name}_usd_per_kw_yr" for name in launch.GROUND_COST_COMPONENTS],
    "lcoc_ground_usd_per_kw_yr",
    "lcoc_ratio",
    "lcoc_orbit_usd_per_accelerator_hr",
    "lcoc_ground_usd_per_accelerator_hr",
    "break_even_launch_usd_per_kg",
    "cohort_npv_usd_per_kw",
]
METRICS = [
    "gw_effective",
    "gw_operating",
    "gw_launched",
    "satellites_operating",
    "capex_usd",
    "compute_tonnes",
    "launches",
    "battery_t",
    "radiator_m2",
    "launch_usd_per_kg",
    "capex_usd_per_gw",
    "lcoc_orbit_usd_per_kw_yr",
    "lcoc_ground_usd_per_kw_yr",
    "lcoc_ratio",
    "lcoc_orbit_usd_per_accelerator_hr",
    "break_even_launch_usd_per_kg",
    "npv_usd",
    "gw_firm",
]
DEFAULT_METRIC = "gw_effective"


def output_names() -> list:
    """Every yearly output of the plan model (the metrics first)."""
    launch_columns = list(launch.TABLE_COLUMNS.values())
    return list(dict.fromkeys(METRICS + launch_columns + PLAN_COLUMNS + ECONOMICS_COLUMNS))


# Outputs that are labels, not quantities: the calendar year and the codes of the binding constraint. They have no
# derivative and no meaningful percentile, so sensitivities, sweeps and Monte Carlo refuse them as metrics.
CATEGORICAL_OUTPUTS = ("year", "launch_limit_code", "binding_code")


def check_metric(metric: str) -> str:
    allowed = [name for name in output_names() if name not in CATEGORICAL_OUTPUTS]
    if metric in CATEGORICAL_OUTPUTS:
        raise ValueError(
            f"metric={metric!r} is a label (a year or a code), not a plan quantity; allowed: {', '.join(allowed)}"
        )
    if metric not in allowed:
        raise ValueError(f"metric={metric!r} is not a plan output; allowed: {', '.join(allowed)}")
    return metric


def plan_arrays(theta, geo: dict, layout: InputLayout, start_year: int, n_years: int, kw_from_design: bool) -> dict:
    """The plan model; ``layout``, ``start_year``, ``n_years``, ``kw_from_design`` are static."""
    return plan_of_tree(unflatten_inputs(theta, layout), theta.dtype, geo, layout, start_year, n_years, kw_from_design)


def plan_of_tree(tree, dtype, geo: dict, layout: InputLayout, start_year: int, n_years: int, kw_from_design: bool):
    """``plan_arrays`` of the input tree (``inputs.unflatten_inputs``, or ``unflatten_drawn`` for batches)."""
    geo = jax.tree.map(lambda x: jnp.asarray(x, dtype), geo)
    design = SatelliteDesign(**tree["design"])
    # The shares dict is in key order; the geometry in the scenario's shell order.
    shares = jnp.stack([tree["shares"][name] for name in layout.shell_names])
    shares = shares / jnp.sum(shares)
    env = Environment(**tree["environment"])
    cycle = env.solar_cycle()

    def shell_density(f107):
        """(n_shells,) orbit-averaged density at the shells' altitudes."""
        return jnp.exp(
            atmosphere_core.log_density_at_activity(
                geo["log_density_shell"], geo["density_f107_sfu"], geo["density_ap"], f107, env.ap
            )
        )

    # Station keeping over the design life at the solar cycle's conditions from the first launch year on.
    life_years = start_year + design.design_life_years * (jnp.arange(LIFE_SAMPLES) + 0.5) / LIFE_SAMPLES
    life_density = atmosphere_core.mean_density_over_activity(
        geo["log_density_shell"], geo["density_f107_sfu"], geo["density_ap"], f107_sfu(life_years, cycle), env.ap
    )
    mass = jax.vmap(design_module.mass_breakdown, in_axes=(None, 0, 0, 0, 0, 0, 0, 0))(
        design,
        geo["worst_eclipse_min"],
        geo["altitude_km"],
        life_density,
        geo["ram_factor"],
        geo["cluster_terminal_kg"],
        geo["cluster_terminal_power_w"],
        geo["cluster_formation_propellant_kg"],
    )
    mass_kg = jnp.sum(shares * mass.total_kg)
    kw_rollup = design.compute_power_w / mass_kg  # W/kg = kW/t
    scenario = tree["launch"]
    if kw_from_design:
        scenario = eqx.tree_at(lambda s: s.cohorts.kw_per_tonne_initial, scenario, kw_rollup)
    array_margin = (
        design.array_oversize
        * (design.peak_compute_power_w + design.bus_power_w)
        * (design.array_tracks_sun + (1.0 - design.array_tracks_sun) * geo["cos_mean"])
        / (design.compute_power_w + design.bus_power_w)
    )
    radiation = radiation_outcome(design, RadiationEffects(**tree["radiation"]), geo)
    # Upsets cost restarts and recomputation: the same share of compute lost in sunlight and in eclipse.
    margin = jnp.minimum(1.0, array_margin) * (1.0 - radiation.availability_loss)
    ecf = design.eclipse_compute_fraction
    availability_shell = margin * (geo["sunlit"] + ecf * (1.0 - geo["sunlit"]))
    availability = jnp.sum(shares * availability_shell)
    daily = jnp.sum((shares * margin)[:, None] * (1.0 - (1.0 - ecf) * geo["daily_eclipse"]), axis=0)
    firm_fraction = availability * jnp.min(daily) / jnp.mean(daily)
    per_gw = 1e9 / design.compute_power_w
    collisions = CollisionEnvironment(**tree["collisions"], satellite_mass_kg=mass_kg, derelict_mass_kg=mass_kg)
    env_in = environment_inputs(design, env, collisions, geo, mass, shares, start_year, n_years, shell_density)
    hazard = fleet_hazard(env_in, env, shares, per_gw)
    out = dict(launch.project_arrays(scenario, start_year, n_years, availability=availability, hazard=hazard))
    if hazard is not None:  # None only where a benchmark switches the environment off
        out.update({f"hazard_{name}": value for name, value in hazard._asdict().items()})
    ones = jnp.ones_like(out["gw_launched"])
    operating = out["gw_operating_nameplate"] * per_gw
    out.update(
        satellites_launched=out["gw_launched"] * per_gw,
        satellites_operating=operating,
        sunlit_fraction=jnp.sum(shares * geo["sunlit"]) * ones,
        battery_t=operating * jnp.sum(shares * mass.battery_kg) / 1e3,
        radiator_m2=operating * jnp.sum(shares * mass.radiator_area_m2),
        compute_availability=availability * ones,
        gw_effective=out["gw_operating"] * availability,
        kw_per_tonne_rollup=kw_rollup * ones,
        satellite_mass_kg=mass_kg * ones,
        firm_compute_fraction=firm_fraction * ones,
        gw_firm=out["gw_operating"] * firm_fraction,
        seasonal_dip_revenue_usd=out["gw_operating"]
        * (availability - firm_fraction)
        * scenario.economics.utilisation
        * scenario.economics.revenue_usd_per_gw_yr,
        daily_availability=daily,
    )
    out.update(environment_columns(design, env, collisions, env_in, mass, shares, out, per_gw))
    out["shell_life_density_kg_m3"] = life_density
    out["shell_mass"] = mass._asdict()  # the roll-up per shell (shells.csv)
    out.update(
        dose_rad_per_yr=jnp.sum(shares * radiation.dose_rad_per_yr) * ones,
        radiation_life_limit_yr=jnp.min(radiation.life_limit_yr) * ones,
        upsets_per_satellite_yr=jnp.sum(shares * radiation.upsets_per_sat_yr) * ones,
        radiation_availability_loss=jnp.sum(shares * radiation.availability_loss) * ones,
        shell_radiation=radiation._asdict(),
    )
    return out


def radiation_outcome(design, params, geo):
    """Per shell: dose behind the structure's and the added shielding, the life it allows, upsets and the compute
    they cost (``orbital.environment.radiation.effects_kernel``)."""
    thickness_mm = design.structure_shielding_mm_al + design.compute_shielding_mm_al

    def one(trapped, spe, inclination):
        table = DoseTable(geo["dose_thickness_mm"], trapped, spe, inclination)
        return effects_kernel(params, table, thickness_mm, design.compute_power_w, design.design_life_years)

    return jax.vmap(one)(geo["dose_trapped_rad_per_yr"], geo["dose_spe_rad_per_fluence"], geo["inclination_rad"])


# Samples of the solar cycle over the design life (the life is an input, so the sample count is fixed).
LIFE_SAMPLES = 48
# The year's mean F10.7 by two-point Gauss-Legendre quadrature (exact for cubics): within 0.04 sfu of the
# year's continuous mean over 2027-2045 at the default cycle (four quarter midpoints: 0.07), at half their cost
# (Monte Carlo evaluates it for every draw and year).
YEAR_NODES = 0.5 + np.array([-0.5, 0.5]) / np.sqrt(3.0)  # numpy: importing the planner must not start a JAX backend


class EnvironmentInputs(NamedTuple):
    """What the environment gives the plan before the launch projection: per year (and shell)."""

    f107_sfu: jax.Array  # (years,) yearly mean
    drag_force_n: jax.Array  # (years, shells)
    natural_lifetime_yr: jax.Array  # (years, shells) of a derelict from the shell's altitude
    overlap: jax.Array  # (shells, shells) share of band l inside band k (1 on the diagonal)
    capacity: jax.Array  # (shells,) satellites one band at the shell's altitude holds
    hazard_parts: dict  # per shell: hazard at no fleet ("base") and its slopes per satellite of each population
    altitude_km: jax.Array  # (shells,)
    flux_table: FluxTable
    fluxes: tuple  # (lethal, tracked) debris flux per m^2 per year at each shell, (shells,) each


def environment_inputs(design, env, collisions, geo, mass, shares, start_year, n_years, shell_density):
    """Drag, decay, band overlaps and capacities, and the collision hazard's parts, per year and shell."""
    dtype = shares.dtype
    years = start_year + jnp.arange(n_years, dtype=dtype)
    nodes = years[:, None] + YEAR_NODES[None, :]
    at_nodes = f107_sfu(nodes, env.solar_cycle(), latest_year=start_year + n_years)
    f107 = 0.5 * (at_nodes[:, 0] + at_nodes[:, 1])  # the yearly mean (an add, not a reduction: one fused loop)
    density = jax.vmap(shell_density)(f107)  # (years, shells)
    force = drag.drag_force_n(density, geo["altitude_km"], design.drag_coefficient, mass.drag_area_m2)
    # The decay integral scales as m / (C_D A): the geometry holds it for 1 kg/m^2 at each (F10.7, Ap) node.
    unit_lifetime_s = jax.vmap(
        lambda f: jnp.exp(
            atmosphere_core.log_density_at_activity(
                geo["log_unit_lifetime_s"], geo["density_f107_sfu"], geo["density_ap"], f, env.ap
            )
        )
    )(f107)  # (years, shells)
    lifetime_yr = (
        unit_lifetime_s * mass.dry_kg / (design.drag_coefficient * mass.drag_area_m2) / SECONDS_PER_JULIAN_YEAR
    )
    altitude = geo["altitude_km"]
    thickness = collisions.shell_thickness_km
    # Bands of equal thickness centred at each shell's altitude: the share of band l that lies inside band k.
    overlap = jnp.clip(1.0 - jnp.abs(altitude[:, None] - altitude[None, :]) / thickness, 0.0, 1.0)
    capacity = capacity_core.shell_capacity(
        altitude, thickness, collisions.min_separation_km, collisions.layer_separation_km
    )
    table = FluxTable(geo["flux_altitude_km"], geo["flux_log10_diameter_cm"], geo["flux_log10"])

    # The debris table is read once per shell; the populations then only scale kinetic-gas terms.
    fluxes = jax.vmap(lambda h: debris_core.shell_fluxes(collisions, table, h))(altitude)

    def hazard(n, n_d, n_x, h, f):
        return debris_core.collision_hazard_per_satellite_yr(collisions, table, n, n_d, h, thickness, 1.0, n_x, f)

    # The hazard is affine in the populations: its value at none, and its slopes as the hazard of one satellite
    # of each population with the debris left out (exact: no difference of nearly equal numbers, even in float32).
    zero, one = jnp.zeros((), dtype), jnp.ones((), dtype)
    no_debris = (jnp.zeros_like(altitude), jnp.zeros_like(altitude))
    by_shell = jax.vmap(hazard, in_axes=(None, None, None, 0, 0))
    parts = dict(
        base=by_shell(zero, zero, zero, altitude, fluxes),
        per_own=by_shell(one, zero, zero, altitude, no_debris),
        per_derelict=by_shell(zero, one, zero, altitude, no_debris),
        per_crossing=by_shell(zero, zero, one, altitude, no_debris),
    )
    return EnvironmentInputs(f107, force, lifetime_yr, overlap, capacity, parts, altitude, table, fluxes)


def fleet_hazard(env_in: EnvironmentInputs, env, shares, per_gw) -> launch.FleetHazard:
    """The fleet-average collision hazard as the launch projection takes it (``launch.FleetHazard``): satellites
    spread over the shells by share, derelicts in one pool per shell, crossing shells met by overlap."""
    parts, overlap = env_in.hazard_parts, env_in.overlap
    n_years = env_in.f107_sfu.shape[0]
    ones = jnp.ones((n_years,), shares.dtype)
    crossing = overlap * (1.0 - jnp.eye(overlap.shape[0], dtype=shares.dtype))
    # Per satellite operating: shell k holds s_k N of its own and sum_l O_kl s_l N crossing.
    per_satellite = jnp.sum(shares * (parts["per_own"] * shares + parts["per_crossing"] * (crossing @ shares)))
    # Per derelict in pool l: shell k meets the share O_kl of it.
    per_derelict = jnp.sum((shares * parts["per_derelict"])[:, None] * overlap, axis=0)
    return launch.FleetHazard(
        base_per_yr=jnp.sum(shares * parts["base"]) * ones,
        per_operating_gw_per_yr=per_satellite * per_gw * ones,
        pool_share=shares * (1.0 - env.disposal_reliability),
        pool_lifetime_yr=env_in.natural_lifetime_yr,
        per_pool_gw_per_yr=per_derelict * per_gw * ones[:, None],
    )


def environment_columns(design, env, collisions, env_in: EnvironmentInputs, mass, shares, out, per_gw) -> dict:
    """The yearly environment columns (see ``ENVIRONMENT_COLUMNS``) and the per-shell figures of ``shells.csv``."""
    force, lifetime_yr = env_in.drag_force_n, env_in.natural_lifetime_yr
    dv = force / mass.total_kg * SECONDS_PER_JULIAN_YEAR
    power_w = drag.thruster_power_w(force, design.thruster_isp_s, design.thruster_efficiency)
    lingering = jnp.sum(shares * (lifetime_yr > env.disposal_rule_yr), axis=1)  # share that outlives the rule
    ending = (out["gw_failed"] + out["gw_retired"]) * per_gw
    ones = jnp.ones_like(env_in.f107_sfu)

    # Populations by year and shell: the fleet by share, its derelicts from the projection's pools.
    operating = out["satellites_operating"]
    own = operating[:, None] * shares[None, :]  # (years, shells)
    derelicts_pool = out["derelict_pool_gw"] * per_gw  # (years, shells)
    overlap = env_in.overlap
    crossing = own @ (overlap * (1.0 - jnp.eye(overlap.shape[0], dtype=shares.dtype))).T
    derelicts_seen = derelicts_pool @ overlap.T
    # Derelicts meet each other in their own shell only, so that the sum over shells counts each pair once.
    # The table is read once per shell; the rates then vary only with the populations.
    fluxes = env_in.fluxes
    rates = jax.vmap(
        jax.vmap(
            lambda n, n_d, n_x, h, f: debris_core.shell_collision_rates(
                collisions, env_in.flux_table, n, n_d, h, collisions.shell_thickness_km, 1.0, n_x, f
            ),
            in_axes=(0, 0, 0, 0, 0),
        ),
        in_axes=(0, 0, 0, None, None),
    )(own, derelicts_seen, crossing, env_in.altitude_km, fluxes)
    total = {key: jnp.sum(value, axis=1) for key, value in rates.items()}
    collision_keys = [key for key in debris_core.RATE_KEYS if key.startswith("collisions_")]
    in_band = (own @ overlap.T) / env_in.capacity  # (years, shells) occupancy of each shell's band
    has_fleet = operating > 0.0
    return dict(
        f107_sfu=env_in.f107_sfu,
        station_keeping_dv_m_s_per_yr=jnp.sum(shares * dv, axis=1),
        propellant_t=out["satellites_launched"] * jnp.sum(shares * mass.propellant_kg) / 1e3,
        thruster_power_kw=jnp.sum(shares * power_w, axis=1) / 1e3,
        natural_lifetime_yr=jnp.sum(shares * lifetime_yr, axis=1),
        deorbit_dv_m_s=jnp.sum(shares * mass.deorbit_dv_m_s) * ones,
        disposal_compliant=env.disposal_reliability + (1.0 - env.disposal_reliability) * (1.0 - lingering),
        derelicts_added=ending * (1.0 - env.disposal_reliability),
        derelicts=jnp.sum(derelicts_pool, axis=1),
        collision_hazard_per_yr=out["collision_hazard_per_yr"],
        satellites_lost_to_collisions=out["gw_collision_lost"] * per_gw,
        collisions_per_yr=sum(total[key] for key in collision_keys),
        manoeuvres_per_yr=total["manoeuvres_per_yr"],
        manoeuvres_per_satellite_yr=jnp.where(
            has_fleet, total["manoeuvres_per_yr"] / jnp.where(has_fleet, operating, 1.0), 0.0
        ),
        fragments_per_yr=total["fragments_per_yr"],
        shell_fill_fraction=jnp.max(in_band, axis=1),
        shells_needed=jnp.ceil(jnp.sum(own / env_in.capacity, axis=1)),
        shell_natural_lifetime_yr=jnp.mean(lifetime_yr, axis=0),  # over the plan's years
        shell_capacity=env_in.capacity,
        shell_band_fill=in_band,  # (years, shells)
    )


# Module-level compiled functions: models of the same structure (same shells, vehicles, years) share them.
_jit_outputs = quick_jit(plan_arrays, static_argnums=(2, 3, 4, 5))


@batch_jit(static_argnums=(3, 4, 5, 6, 7, 8))
def _jit_batched(drawn, theta_fixed, geo, columns, layout, start_year, n_years, kw_from_design, names):
    # Only the drawn columns are batched (inputs.unflatten_drawn): the work that depends on the other inputs alone
    # (with the default Monte Carlo: the environment, the mass roll-up, radiation, availability) runs once.
    # With ``names``, only those outputs leave the compiled function, so XLA drops whatever computes nothing else.
    def one(values):
        tree = unflatten_drawn(theta_fixed, values, columns, layout)
        out = plan_of_tree(tree, theta_fixed.dtype, geo, layout, start_year, n_years, kw_from_design)
        return out if names is None else {name: out[name] for name in names}

    return jax.vmap(one)(drawn)


def _value_and_grad(theta, geo, layout, start_year, n_years, kw_from_design, metric, index):
    return jax.value_and_grad(
        lambda th: plan_arrays(th, geo, layout, start_year, n_years, kw_from_design)[metric][index]
    )(theta)


_jit_value_and_grad = quick_jit(_value_and_grad, static_argnums=(2, 3, 4, 5, 6, 7))


class PlanModel:
    """One pure function ``outputs(theta)`` from the flat input vector to yearly arrays (jit/grad/vmap-safe)."""

    def __init__(self, scenario, geometry: Geometry, *, kw_from_design: bool | None = None):
        self.scenario = scenario
        self.geometry = geometry
        self.start_year = scenario.study.start_year
        self.n_years = scenario.study.n_years
        self.kw_from_design = (
            scenario.cohorts.kw_per_tonne_initial is None if kw_from_design is None else kw_from_design
        )
        tree = input_tree(scenario)
        theta0, self.layout = flatten_inputs(tree)
        self.theta0 = jnp.asarray(theta0, dtype=jnp.result_type(float))
        self.names = self.layout.names
        self.specs = input_specs(tree)  # the declared unit and range of each input
        # With kW/t from the design, the launch scenario's own initial kW/t is a placeholder that nothing reads.
        self.unused = {"cohorts.kw_per_tonne_initial"} if self.kw_from_design else set()
        dtype = self.theta0.dtype
        self.geometry_arrays = {k: jnp.asarray(v, dtype) for k, v in geometry.arrays().items()}
        self.static = (self.layout, self.start_year, self.n_years, bool(self.kw_from_design))

    @classmethod
    def from_scenario(cls, scenario, progress: Callable[[float, float], None] | None = None) -> PlanModel:
        """Evaluate the scenario's geometry (the slow step; ``progress(done, total)``) and build its model."""
        return cls(scenario, compute_geometry(scenario, progress))

    def with_kw_per_tonne_input(self, theta=None) -> PlanModel:
        """This model with the design's kW/t roll-up switched off, so that ``cohorts.kw_per_tonne_initial`` is an
        input (for sweeps and solves of it), starting from the roll-up's value at ``theta``."""
        rollup = float(self.jitted(self.theta0 if theta is None else theta)["kw_per_tonne_rollup"][0])
        model = PlanModel(self.scenario, self.geometry, kw_from_design=False)
        model.theta0 = model.theta0.at[model.index("cohorts.kw_per_tonne_initial")].set(rollup)
        return model

    def fleet_hazard(self, theta=None) -> launch.FleetHazard:
        """The collision hazard the plan gives the launch projection at ``theta`` (to rerun the projection alone)."""
        out = self.jitted(self.theta0 if theta is None else theta)
        return launch.FleetHazard(*(out[f"hazard_{name}"] for name in launch.FleetHazard._fields))

    def index(self, name: str) -> int:
        return self.names.index(name)

    def outputs(self, theta) -> dict:
        """The plan's yearly outputs for one input vector (pure; jit/grad/vmap it freely)."""
        return plan_arrays(theta, self.geometry_arrays, *self.static)

    def metric(self, theta, metric: str, year: int):
        return self.outputs(theta)[metric][self.year_index(year)]

    def year_index(self, year: int) -> int:
        if not self.start_year <= int(year) < self.start_year + self.n_years:
            raise ValueError(
                f"year={year}: outside the study window [{self.start_year}, {self.start_year + self.n_years - 1}]"
            )
        return int(year) - self.start_year

    def jitted(self, theta) -> dict:
        """``outputs`` compiled once per model (much faster than op-by-op for tables and single points); kept
        between runs where ``orbital.kept_tables`` keeps a folder (``orbital.planner.kept_programs``)."""
        return kept_programs.call(
            "outputs",
            plan_arrays,
            self._static_kwargs(),
            theta,
            self.geometry_arrays,
            otherwise=lambda th, geo: _jit_outputs(th, geo, *self.static),
        )

    def _static_kwargs(self) -> dict:
        return dict(zip(("layout", "start_year", "n_years", "kw_from_design"), self.static))

    def batched(self, thetas, names: tuple | None = None) -> dict:
        """``outputs`` of each row of ``thetas`` (one compiled vmapped call); only ``names`` when given (Monte
        Carlo of a few metrics then skips the work of the others)."""
        return _jit_batched(*self.batched_arguments(thetas), *self.static, None if names is None else tuple(names))

    def batched_arguments(self, thetas) -> tuple:
        """``(drawn, theta_fixed, geometry, columns)``, the first arguments of ``batched``'s compiled function:
        the columns of ``thetas`` that vary between rows (``inputs.drawn_columns``), their values, and the first
        row, whose other columns every row shares."""
        columns = drawn_columns(thetas)
        thetas = jnp.asarray(thetas)
        return thetas[:, np.array(columns, dtype=int)], thetas[0], self.geometry_arrays, columns

    def value_and_grad(self, metric: str, year: int, theta=None):
        """``(value, gradient)`` of ``metric`` in ``year`` with respect to ``theta`` (default: the scenario's),
        the whole reverse pass compiled once: ~3x faster than tracing it op by op."""
        theta = self.theta0 if theta is None else theta
        index = self.year_index(year)
        return kept_programs.call(
            "value_and_grad",
            _value_and_grad,
            self._static_kwargs() | {"metric": metric, "index": index},
            theta,
            self.geometry_arrays,
            otherwise=lambda th, geo: _jit_value_and_grad(th, geo, *self.static, metric, index),
        )

    def table(self, theta=None) -> pd.DataFrame:
        """The yearly plan table (``plan.csv``)."""
        out = {
            k: np.asarray(v) for k, v in self.jitted(self.theta0 if theta is None else theta).items() if np.ndim(v) == 1
        }
        frame = pd.DataFrame({name: out[key] for name, key in launch.TABLE_COLUMNS.items()})
        for column in PLAN_COLUMNS:
            frame[column] = out[column]
        frame["year"] = frame["year"].round().astype(int)
        frame["binding_constraint"] = pd.Categorical.from_codes(frame["binding_constraint"], launch.BINDING_NAMES)
        frame["launch_limit"] = pd.Categorical.from_codes(frame["launch_limit"], launch.LAUNCH_LIMIT_NAMES)
        if not np.all(np.isfinite(frame.select_dtypes("number").to_numpy())):
            raise FloatingPointError("the plan produced non-finite values; check the scenario's numbers")
        return frame

    def shells_table(self, theta=None) -> pd.DataFrame:
        """Per-shell illumination, mass roll-up and availability (``shells.csv``)."""
        theta = self.theta0 if theta is None else theta
        tree = unflatten_inputs(theta, self.layout)
        design = SatelliteDesign(**{k: float(v) for k, v in tree["design"].items()})
        g = self.geometry
        out = self.jitted(theta)
        life_density = np.asarray(out["shell_life_density_kg_m3"], float)
        lifetime_yr = np.asarray(out["shell_natural_lifetime_yr"], float)
        capacity = np.asarray(out["shell_capacity"], float)
        rad = {k: np.asarray(v, float) for k, v in out["shell_radiation"].items()}
        band_fill = np.asarray(out["shell_band_fill"], float)  # (years, shells)
        rows = []
        masses = {key: np.asarray(value, float) for key, value in out["shell_mass"].items()}
        for k, name in enumerate(g.shell_names):
            m = design_module.MassBreakdown(**{key: value[k] for key, value in masses.items()})
            rows.append(
                dict(
                    shell=name,
                    share=self.scenario.shells[k].share,
                    altitude_km=g.altitude_km[k],
                    inclination_deg=g.inclination_deg[k],
                    sampled_satellites=g.sample_sats,
                    sunlit_fraction=g.sunlit_fraction[k],
                    min_sunlit_fraction=g.min_sunlit_fraction[k],
                    worst_eclipse_min=g.worst_eclipse_min[k],
                    eclipse_days=g.eclipse_days[k],
                    array_cos_mean=g.array_cos_mean[k],
                    battery_capacity_wh=float(m.battery_capacity_wh),
                    battery_kg=float(m.battery_kg),
                    radiator_area_m2=float(m.radiator_area_m2),
                    radiator_kg=float(m.radiator_kg),
                    array_area_m2=float(m.array_area_m2),
                    array_kg=float(m.array_kg),
                    compute_kg=float(m.compute_kg),
                    bus_kg=float(m.bus_kg),
                    structure_kg=float(m.structure_kg),
                    terminal_kg=float(m.terminal_kg),
                    mass_kg=float(m.total_kg),
                    kw_per_tonne=float(m.kw_per_tonne),
                    ram_factor=g.ram_factor[k],
                    drag_area_m2=float(m.drag_area_m2),
                    density_kg_m3=life_density[k],  # mean over the design life from the start year
                    station_keeping_dv_m_s_per_yr=float(m.drag_force_n / m.total_kg * SECONDS_PER_JULIAN_YEAR),
                    propellant_kg=float(m.propellant_kg),
                    thruster_kg=float(m.thruster_kg),
                    tank_kg=float(m.tank_kg),
                    thruster_power_w=float(m.thruster_power_w),
                    deorbit_dv_m_s=float(m.deorbit_dv_m_s),
                    natural_lifetime_yr=lifetime_yr[k],  # mean over the plan's years
                    band_capacity=capacity[k],
                    peak_band_fill=float(band_fill[:, k].max()),
                    first_overflow_year=first_year(band_fill[:, k] > 1.0, self.start_year),
                    saa_fraction=g.saa_fraction[k],
                    shielding_mm_al=float(design.structure_shielding_mm_al + design.compute_shielding_mm_al),
                    shielding_kg=float(m.shielding_kg),
                    dose_rad_per_yr=rad["dose_rad_per_yr"][k],
                    radiation_life_limit_yr=rad["life_limit_yr"][k],
                    upsets_per_satellite_yr=rad["upsets_per_sat_yr"][k],
                    silent_corruptions_per_satellite_yr=rad["silent_corruptions_per_sat_yr"][k],
                    radiation_availability_loss=rad["availability_loss"][k],
                )
            )
        frame = pd.DataFrame(rows)
        d = design
        tracking = d.array_tracks_sun + (1 - d.array_tracks_sun) * frame["array_cos_mean"]
        margin = np.minimum(
            1.0,
            d.array_oversize
            * (d.peak_compute_power_w + d.bus_power_w)
            * tracking
            / (d.compute_power_w + d.bus_power_w),
        )
        frame["compute_availability"] = (
            margin
            * (1.0 - frame["radiation_availability_loss"])
            * (frame["sunlit_fraction"] + d.eclipse_compute_fraction * (1 - frame["sunlit_fraction"]))
        )
        return frame


def first_year(flags, start_year: int) -> int:
    """The first year whose flag is set, or 0 when none is (an integer column that CSV keeps as such)."""
    hits = np.flatnonzero(flags)
    return int(start_year + hits[0]) if hits.size else 0


def model_rollup(model: PlanModel):
    """The design's share-weighted kW/t roll-up at the scenario's inputs."""
    return model.outputs(model.theta0)["kw_per_tonne_rollup"][0]
