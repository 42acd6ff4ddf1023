"""The altitude trade of one design: eclipses, drag, propellant, natural lifetime, collision risk, radiation dose
and kW/t against altitude.

For each altitude, the scenario's shell (``shell_index``; a sun-synchronous shell keeps its local time and takes
the inclination of that altitude) is sampled as the plan samples it; its beta angle once a day over the geometry
window gives the eclipse fraction and the longest eclipse in Earth's cylindrical shadow (closed forms) and the
arrays' projection onto the velocity. The air is NRLMSIS 2.1 averaged over the orbit at the base shell's
inclination, at the solar cycle's monthly F10.7 over the design life from the study's start year; the mass
roll-up (``orbital.design.mass_breakdown``) uses its mean density, the natural lifetime (drag alone, from the
altitude to re-entry) the same life-mean density profile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from astropy.time import Time, TimeDelta

from orbital import geometry as closed_forms
from orbital.core import drag
from orbital.core.constants import SECONDS_PER_DAY, SECONDS_PER_JULIAN_YEAR
from orbital.design import design_mass
from orbital.environment import atmosphere, debris, radiation
from orbital.environment.parameters import Environment
from orbital.environment.solar_cycle import f107_sfu
from orbital.fleet import Fleet
from orbital.lighting import beta_angle_deg
from orbital.planner.fleets import representative_shells
from orbital.planner.geometry import RADIATION_SOLAR_MAX_WEIGHT, ram_factor

DEFAULT_ALTITUDES_KM = tuple(float(h) for h in np.arange(400.0, 1201.0, 100.0))
LIFE_SAMPLES = 12
PROFILE_STEP_KM = 5.0


def _environment(scenario) -> Environment:
    section = getattr(scenario, "environment", None)
    return Environment() if section is None else Environment(**section.model_dump(exclude_none=True))


def altitude_trade(scenario, altitudes_km=DEFAULT_ALTITUDES_KM, shell_index: int = 0) -> pd.DataFrame:
    """One row per altitude (km): eclipse_fraction, longest_eclipse_min, ram_factor, density_kg_m3,
    station_keeping_dv_m_s_per_yr, propellant_kg, natural_lifetime_yr, mass_kg, kw_per_tonne and the collision
    risk (``collision_risk``): debris_hazard_per_yr, fleet_hazard_per_yr, manoeuvres_per_satellite_yr; and the
    trapped-particle dose_rad_per_yr behind the design's shielding (``trapped_dose``)."""
    altitudes = np.asarray(altitudes_km, dtype=float)
    if altitudes.ndim != 1 or altitudes.size == 0:
        raise ValueError(f"altitudes_km={altitudes_km!r}: give a non-empty list of altitudes")
    low, high = 200.0, atmosphere.DEFAULT_GRID.altitude_km[-1]
    bad = altitudes[~((altitudes >= low) & (altitudes <= high))]
    if bad.size:
        raise ValueError(f"altitudes_km={bad[0]:g} km is outside the allowed range [{low:g}, {high:g}] km")
    if not 0 <= shell_index < len(scenario.shells):
        raise ValueError(f"shell_index={shell_index} is outside the scenario's shells [0, {len(scenario.shells) - 1}]")
    base = scenario.shells[shell_index].model_dump(exclude_none=True)
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
    eclipse = np.array([closed_forms.eclipse_fraction(h, beta[m]).mean() for h, m in zip(altitudes, per_shell)])
    longest = np.array([closed_forms.eclipse_duration_min(h, beta[m]).max() for h, m in zip(altitudes, per_shell)])
    ram = np.array([ram_factor(beta[m]).mean() for m in per_shell])

    design = scenario.satellite_design()
    env = _environment(scenario)
    life = study.start_year + design.design_life_years * (np.arange(LIFE_SAMPLES) + 0.5) / LIFE_SAMPLES
    f107 = np.clip(np.asarray(f107_sfu(life, env.solar_cycle()), float), 60.0, 360.0)
    profile_km = np.arange(
        drag.REENTRY_ALTITUDE_KM - PROFILE_STEP_KM, altitudes.max() + PROFILE_STEP_KM, PROFILE_STEP_KM
    )
    inclination = float(fleet.elements.inclination_rad[0]) * 180.0 / np.pi if fleet.elements is not None else 53.0
    rho = atmosphere.life_mean_density_kg_m3(profile_km, f107, env.ap, inclination)
    density = np.exp(np.interp(altitudes, profile_km, np.log(rho)))
    m = design_mass(design, longest, altitudes, density, ram)  # one vectorised roll-up for every altitude
    lifetime_s = []
    for k, h in enumerate(altitudes):
        heights, step = drag.decay_heights_km(h, xp=np)
        decay = np.exp(np.interp(heights, profile_km, np.log(rho)))
        rate = -np.asarray(drag.decay_rate_km_s(decay, heights, design.drag_coefficient, 1.0, 1.0), float)
        lifetime_s.append(np.sum(step / rate) * float(m.dry_kg[k]) / float(m.drag_area_m2[k]))
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
        dose_rad_per_yr=trapped_dose(scenario, design, altitudes, inclination),
    )
    return pd.DataFrame(rows)


def trapped_dose(scenario, design, altitudes_km, inclination_deg) -> np.ndarray:
    """Per altitude: rad(Si)/yr behind the design's structure and added shielding, with the scenario's
    ``[radiation]`` inputs, at the plan's mid-cycle blend of AE8/AP8 (``geometry.RADIATION_SOLAR_MAX_WEIGHT``)."""
    section = getattr(scenario, "radiation", None)
    params = radiation.RadiationEffects(**({} if section is None else section.model_dump(exclude_none=True)))
    thickness_mm = design.structure_shielding_mm_al + design.compute_shielding_mm_al
    low, high = radiation.table_altitude_range_km()
    return np.array(
        [
            float(
                radiation.dose_rad_per_yr(
                    radiation.shell_radiation(
                        min(max(h, low), high), inclination_deg, weight=RADIATION_SOLAR_MAX_WEIGHT
                    ),
                    thickness_mm,
                    params,
                )
            )
            for h in altitudes_km
        ]
    )


# The fleet the trade's collision column assumes in one band (a round number of the order of a ramp's shells).
TRADE_FLEET_SATELLITES = 100_000


def collision_risk(scenario, altitudes_km, mass_kg) -> dict:
    """Per altitude: the yearly loss hazard of one satellite from the background debris alone, and in a band
    holding ``TRADE_FLEET_SATELLITES`` of the design (one coordinated pattern, no derelicts), with the scenario's
    ``[collisions]`` inputs; and the avoidance manoeuvres each of those satellites makes per year."""
    section = getattr(scenario, "collisions", None)
    fields = {} if section is None else section.model_dump(exclude_none=True)
    background, fleet, manoeuvres = [], [], []
    for h, m in zip(altitudes_km, mass_kg):
        params = debris.CollisionEnvironment(**fields, satellite_mass_kg=float(m), derelict_mass_kg=float(m))
        thickness = params.shell_thickness_km
        background.append(float(debris.collision_hazard_per_satellite_yr(params, 0.0, 0.0, h, thickness)))
        n = float(TRADE_FLEET_SATELLITES)
        fleet.append(float(debris.collision_hazard_per_satellite_yr(params, n, 0.0, h, thickness)))
        manoeuvres.append(float(debris.shell_collision_rates(params, n, 0.0, h, thickness)["manoeuvres_per_yr"]) / n)
    return dict(
        debris_hazard_per_yr=np.asarray(background),
        fleet_hazard_per_yr=np.asarray(fleet),
        manoeuvres_per_satellite_yr=np.asarray(manoeuvres),
    )
