"""The altitude trade of one design: eclipses, drag, propellant, natural lifetime, collision risk, radiation dose
and kW/t against altitude.

For each altitude, the scenario's shell (``shell_index``; a sun-synchronous shell keeps its local time and takes
the inclination of that altitude) is sampled as the plan samples it; its beta angle once a day over the geometry
window gives the eclipse fraction and the longest eclipse in Earth's cylindrical shadow (closed forms) and the
arrays' projection onto the velocity. The air is the plan's: NRLMSIS 2.1's orbit average at each altitude's own
inclination (``orbital.environment.atmosphere``'s tables), averaged over the solar cycle's monthly F10.7 over the
design life from the study's start year, so that at the shell's own altitude it is the plan's density; the mass
roll-up (``orbital.design.mass_breakdown``) uses it, and the natural lifetime (drag alone, from the altitude to
re-entry) the same life-mean density profile below the altitude.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from astropy.time import Time, TimeDelta

from orbital import kept_tables
from orbital.core import atmosphere as atmosphere_core
from orbital.core import debris as debris_core
from orbital.core import drag
from orbital.core import geometry as geometry_core
from orbital.core.constants import EARTH_RADIUS_KM, SECONDS_PER_DAY, SECONDS_PER_JULIAN_YEAR, SECONDS_PER_MINUTE
from orbital.cpu_compile import quick_jit
from orbital.design import mass_breakdown
from orbital.environment import atmosphere, debris, radiation
from orbital.environment.parameters import Environment
from orbital.environment.solar_cycle import f107_sfu
from orbital.fleet import Fleet
from orbital.lighting import beta_angle_deg
from orbital.planner.fleets import representative_shells
from orbital.planner.geometry import RADIATION_SOLAR_MAX_WEIGHT, ram_factor
from orbital.planner.model import LIFE_SAMPLES

DEFAULT_ALTITUDES_KM = tuple(float(h) for h in np.arange(400.0, 1201.0, 100.0))
PROFILE_STEP_KM = 5.0

# The trade's columns, in order.
TRADE_COLUMNS = (
    "altitude_km",
    "eclipse_fraction",
    "longest_eclipse_min",
    "ram_factor",
    "density_kg_m3",
    "station_keeping_dv_m_s_per_yr",
    "propellant_kg",
    "natural_lifetime_yr",
    "mass_kg",
    "kw_per_tonne",
    "debris_hazard_per_yr",
    "fleet_hazard_per_yr",
    "manoeuvres_per_satellite_yr",
    "dose_rad_per_yr",
)
# The scenario sections the trade reads (besides its shell).
TRADE_SECTIONS = ("study", "design", "environment", "collisions", "radiation")


def _environment(scenario) -> Environment:
    section = getattr(scenario, "environment", None)
    return Environment() if section is None else Environment(**section.model_dump(exclude_none=True))


def altitude_trade(scenario, altitudes_km=DEFAULT_ALTITUDES_KM, shell_index: int = 0) -> pd.DataFrame:
    """One row per altitude (km): eclipse_fraction, longest_eclipse_min, ram_factor, density_kg_m3,
    station_keeping_dv_m_s_per_yr, propellant_kg, natural_lifetime_yr, mass_kg, kw_per_tonne and the collision
    risk (``collision_risk``): debris_hazard_per_yr, fleet_hazard_per_yr, manoeuvres_per_satellite_yr; and the
    trapped-particle dose_rad_per_yr behind the design's shielding (``trapped_dose``). Read back from
    ``orbital.kept_tables`` when a program keeps tables and has computed it before (same shell and ``TRADE_SECTIONS``,
    same code)."""
    altitudes = np.asarray(altitudes_km, dtype=float)
    if altitudes.ndim != 1 or altitudes.size == 0:
        raise ValueError(f"altitudes_km={altitudes_km!r}: give a non-empty list of altitudes")
    low, high = 200.0, atmosphere.DEFAULT_GRID.altitude_km[-1]
    bad = altitudes[~((altitudes >= low) & (altitudes <= high))]
    if bad.size:
        raise ValueError(f"altitudes_km={bad[0]:g} km is outside the allowed range [{low:g}, {high:g}] km")
    if not 0 <= shell_index < len(scenario.shells):
        raise ValueError(f"shell_index={shell_index} is outside the scenario's shells [0, {len(scenario.shells) - 1}]")
    # Computed from the sections it reads alone, so that it is a function of them and of this package's code: a
    # program that keeps tables between runs (``orbital.kept_tables``, the ``orbital`` commands) reads it back
    # for any scenario that shares them (a what-if on the ramp, the costs or the other shells).
    reduced = trade_scenario(scenario, shell_index)
    key = repr((reduced.canonical_json(), altitudes.tolist(), kept_tables.code_digest(), jax.default_backend()))
    kept = kept_tables.load_arrays("altitude-trade", key)
    if (
        kept is not None
        and list(kept) == list(TRADE_COLUMNS)
        and all(v.shape == altitudes.shape and v.dtype == np.float64 for v in kept.values())
        and np.array_equal(kept["altitude_km"], altitudes)
    ):
        return pd.DataFrame(kept)
    table = _trade_table(reduced, altitudes)
    kept_tables.store_arrays("altitude-trade", key, {name: table[name].to_numpy(np.float64) for name in table})
    return table


def trade_scenario(scenario, shell_index: int = 0):
    """The scenario the altitude trade of ``scenario``'s shell ``shell_index`` is computed from: that shell alone
    (all of the fleet), the sections in ``TRADE_SECTIONS``, every other section at its defaults."""
    data = scenario.to_dict()
    reduced = {section: data[section] for section in TRADE_SECTIONS if section in data}
    reduced["scenario"] = {"name": "altitude-trade"}
    reduced["shells"] = [{**data["shells"][shell_index], "share": 1.0}]
    return type(scenario).model_validate(reduced)


def _trade_table(scenario, altitudes: np.ndarray) -> pd.DataFrame:
    base = scenario.shells[0].model_dump(exclude_none=True)
    shells = [{**base, "name": f"trade-{k}", "altitude_km": float(h), "share": 1.0} for k, h in enumerate(altitudes)]
    # Shares must sum to one in a scenario; the trade evaluates each shell alone.
    shells = [{**s, "share": 1.0 / len(shells)} for s in shells]
    study = scenario.study
    moved = scenario.with_changes(shells=shells)
    fleet = Fleet.from_shells(representative_shells(moved, min(study.sample_sats_per_shell, 4)))
    start = Time(Time(study.geometry_start, scale="utc").iso, scale="utc")
    days = max(1, int(study.geometry_days))
    beta = beta_angle_deg(fleet, start + TimeDelta(np.arange(days) * SECONDS_PER_DAY, format="sec"))
    n = len(altitudes)
    per_shell = [fleet.shell_index == k for k in range(n)]
    # Every sampled satellite at once (one compiled call of the closed forms), then per altitude.
    with jax.enable_x64(True):
        eclipse_all, longest_all = (
            np.asarray(x, float)
            for x in _cylindrical_eclipse(jnp.asarray(altitudes[fleet.shell_index], float), jnp.asarray(beta, float))
        )
    eclipse = np.array([eclipse_all[m].mean() for m in per_shell])
    longest = np.array([longest_all[m].max() for m in per_shell])
    ram = np.array([ram_factor(beta[m]).mean() for m in per_shell])

    design = scenario.satellite_design()
    env = _environment(scenario)
    life = study.start_year + design.design_life_years * (np.arange(LIFE_SAMPLES) + 0.5) / LIFE_SAMPLES
    profile_km = np.arange(
        drag.REENTRY_ALTITUDE_KM - PROFILE_STEP_KM, altitudes.max() + PROFILE_STEP_KM, PROFILE_STEP_KM
    )
    # Each altitude's own inclination (a sun-synchronous shell's changes with its altitude), which a derelict keeps
    # as it decays through the profile below it.
    inclinations = np.rad2deg([float(fleet.elements.inclination_rad[np.argmax(m)]) for m in per_shell])
    grid = atmosphere.DEFAULT_GRID
    profiles = np.stack([atmosphere.at_altitudes(atmosphere.density_table(i), profile_km) for i in inclinations])
    with jax.enable_x64(True):
        log_rho = np.log(
            np.asarray(
                _life_mean_density(
                    jnp.asarray(life, float),
                    env.solar_cycle(),
                    jnp.asarray(profiles),
                    *(jnp.asarray(axis, float) for axis in (grid.f107_sfu, grid.ap)),
                    float(env.ap),
                ),
                float,
            )
        )  # (altitudes, profile heights)
    density = np.exp([np.interp(h, profile_km, profile) for h, profile in zip(altitudes, log_rho)])
    with jax.enable_x64(True):  # one compiled roll-up for every altitude (op by op it compiled each operation)
        m = jax.tree.map(
            np.asarray, _roll_up(design, *(jnp.asarray(x, float) for x in (longest, altitudes, density, ram)))
        )
    with jax.enable_x64(True):
        unit_lifetime_s = np.asarray(
            _unit_lifetimes_s(
                *(jnp.asarray(x, float) for x in (altitudes, profile_km, log_rho, design.drag_coefficient))
            ),
            float,
        )
    lifetime_s = unit_lifetime_s * np.asarray(m.dry_kg, float) / np.asarray(m.drag_area_m2, float)
    rows = dict(
        altitude_km=altitudes,
        eclipse_fraction=eclipse,
        longest_eclipse_min=longest,
        ram_factor=ram,
        density_kg_m3=density,
        station_keeping_dv_m_s_per_yr=np.asarray(m.drag_force_n / m.total_kg) * SECONDS_PER_JULIAN_YEAR,
        propellant_kg=np.asarray(m.propellant_kg),
        natural_lifetime_yr=np.asarray(lifetime_s) / SECONDS_PER_JULIAN_YEAR,
        mass_kg=np.asarray(m.total_kg),
        kw_per_tonne=np.asarray(m.kw_per_tonne),
        **collision_risk(scenario, altitudes, np.asarray(m.total_kg)),
        dose_rad_per_yr=trapped_dose(scenario, design, altitudes, inclinations),
    )
    return pd.DataFrame(rows)


def trapped_dose(scenario, design, altitudes_km, inclinations_deg) -> np.ndarray:
    """Per altitude (at its inclination in ``inclinations_deg``): rad(Si)/yr behind the design's structure and added
    shielding, with the scenario's ``[radiation]`` inputs, at the plan's mid-cycle blend of AE8/AP8
    (``geometry.RADIATION_SOLAR_MAX_WEIGHT``)."""
    section = getattr(scenario, "radiation", None)
    params = radiation.RadiationEffects(**({} if section is None else section.model_dump(exclude_none=True)))
    thickness_mm = radiation.check_thickness_mm(design.structure_shielding_mm_al + design.compute_shielding_mm_al)
    low, high = radiation.table_altitude_range_km()
    tables = [
        radiation.dose_table(
            radiation.shell_radiation(min(max(h, low), high), float(i), weight=RADIATION_SOLAR_MAX_WEIGHT)
        )
        for h, i in zip(altitudes_km, inclinations_deg)
    ]
    stacked = jax.tree.map(lambda *nodes: np.stack(nodes), *tables)
    with jax.enable_x64(True):  # one compiled call for every altitude
        return np.asarray(_doses(params, stacked, jnp.asarray(thickness_mm, float)), float)


@quick_jit
def _doses(params, tables, thickness_mm):
    return jax.vmap(radiation.dose_kernel, in_axes=(None, 0, None))(params, tables, thickness_mm)


# The fleet the trade's collision column assumes in one band (a round number of the order of a ramp's shells).
TRADE_FLEET_SATELLITES = 100_000


def collision_risk(scenario, altitudes_km, mass_kg) -> dict:
    """Per altitude: the yearly loss hazard of one satellite from the background debris alone, and in a band
    holding ``TRADE_FLEET_SATELLITES`` of the design (one coordinated pattern, no derelicts), with the scenario's
    ``[collisions]`` inputs; and the avoidance manoeuvres each of those satellites makes per year."""
    section = getattr(scenario, "collisions", None)
    fields = {} if section is None else section.model_dump(exclude_none=True)
    table = debris.flux_table()
    low, high = float(table.altitude_km[0]), float(table.altitude_km[-1])
    altitudes = np.asarray(altitudes_km, float)
    outside = altitudes[(altitudes < low) | (altitudes > high)]
    if outside.size:
        raise ValueError(
            f"altitudes_km={outside[0]:g} km is outside the debris flux table's range [{low:g}, {high:g}] km"
        )
    # One checked parameter set per altitude (the satellite's mass differs), stacked for one compiled call.
    params = [
        debris.CollisionEnvironment(**fields, satellite_mass_kg=float(m), derelict_mass_kg=float(m)) for m in mass_kg
    ]
    stacked = jax.tree.map(lambda *values: np.asarray(values, float), *params)
    with jax.enable_x64(True):
        columns = _collision_columns(
            stacked, debris.FluxTable(*(jnp.asarray(x) for x in table)), jnp.asarray(altitudes), TRADE_FLEET_SATELLITES
        )
    return {name: np.asarray(value, float) for name, value in columns.items()}


@quick_jit
def _life_mean_density(life_years, cycle, log_density, f107_grid, ap_grid, ap):
    """The density (kg/m^3) of ``log_density``'s tables (..., n_f107, n_ap), already at fixed heights, averaged
    over the solar cycle's F10.7 at ``life_years``: as the plan model averages its shells' density."""
    return atmosphere_core.mean_density_over_activity(log_density, f107_grid, ap_grid, f107_sfu(life_years, cycle), ap)


@quick_jit
def _cylindrical_eclipse(altitude_km, beta_deg):
    """(sat, time) eclipse fraction and longest eclipse (min) in the cylindrical shadow of satellites at
    ``altitude_km`` (sat,) with beta angles ``beta_deg`` (sat, time): ``orbital.geometry``'s closed forms, compiled
    as one call (op by op, the public functions' first use cost 0.8 s a run)."""
    fraction = geometry_core.eclipse_fraction(altitude_km[:, None], jnp.deg2rad(beta_deg))
    period_min = geometry_core.period_s(EARTH_RADIUS_KM + altitude_km) / SECONDS_PER_MINUTE
    return fraction, fraction * period_min[:, None]


@quick_jit
def _unit_lifetimes_s(altitudes_km, profile_km, log_density_profiles, drag_coefficient):
    """Per altitude: the natural decay time (s) to re-entry of a satellite with m / A = 1 kg/m^2 through its own
    life-mean density profile (log-linear between its points), midpoint rule over ``drag.decay_heights_km``'s
    steps."""

    def one(altitude_km, log_density_profile):
        heights, step = drag.decay_heights_km(altitude_km)
        density = jnp.exp(jnp.interp(heights, profile_km, log_density_profile))
        return drag.decay_time_s(density, heights, step, drag_coefficient, 1.0, 1.0)

    return jax.vmap(one)(altitudes_km, log_density_profiles)


@quick_jit
def _roll_up(design, worst_eclipse_min, altitude_km, density_kg_m3, ram_factor):
    return jax.vmap(mass_breakdown, in_axes=(None, 0, 0, 0, 0))(
        design, worst_eclipse_min, altitude_km, density_kg_m3, ram_factor
    )


@quick_jit(static_argnums=3)
def _collision_columns(params, table, altitudes_km, n_satellites: int):
    def at_altitude(q, altitude_km):
        thickness_km = q.shell_thickness_km
        n = float(n_satellites)
        rates = debris_core.shell_collision_rates(q, table, n, 0.0, altitude_km, thickness_km, 1.0)
        return dict(
            debris_hazard_per_yr=debris_core.collision_hazard_per_satellite_yr(
                q, table, 0.0, 0.0, altitude_km, thickness_km, 1.0
            ),
            fleet_hazard_per_yr=debris_core.collision_hazard_per_satellite_yr(
                q, table, n, 0.0, altitude_km, thickness_km, 1.0
            ),
            manoeuvres_per_satellite_yr=rates["manoeuvres_per_yr"] / n,
        )

    return jax.vmap(at_altitude)(params, altitudes_km)
