"""Collision environment of a shell: debris flux, kinetic-gas collisions, avoidance manoeuvres, breakups, derelicts.

Pure JAX, one shell (or one value) at a time; batch with ``vmap``. Internal units: km, s, kg (areas of the flux
table in m^2, its sizes in cm, as published); rates come out per Julian year.

Models (equations, sources and assumptions in docs/environment-debris.md):

- Debris flux: log10 of the flux table, interpolated linearly in altitude and in log10 of the size threshold.
- Kinetic gas: objects spread uniformly over a thin shell of volume V = 4 pi r^2 dh meet at the rate
  n1 n2 sigma v_rel / V (two populations) or 1/2 n^2 sigma v_rel / V (one population with itself), with
  sigma = pi (r1 + r2)^2 the collision cross-section.
- Breakups: the NASA standard breakup model (Johnson et al. 2001), number of fragments of size >= Lc
  N = 0.1 M^0.75 Lc^-1.71, M the sum of both masses (catastrophic) or projectile mass x v^2 (non-catastrophic).
- Derelicts: dD/dt = added - D / lifetime, stepped exactly for a rate constant over the step.

Nothing here divides by a fleet size, so every output and gradient is finite at N = 0.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp

from launch.core import curves
from orbital.core.constants import EARTH_RADIUS_KM, SECONDS_PER_JULIAN_YEAR
from orbital.core.interpolation import monotone_cubic

M2_PER_KM2 = 1.0e6
KM_PER_M = 1.0e-3
# NASA standard breakup model (Johnson, Krisko, Liou & Anz-Meador 2001, "NASA's new breakup model of EVOLVE 4.0",
# Advances in Space Research 28(9), 1377-1384): a collision is catastrophic when the projectile's kinetic energy
# per target mass reaches 40 J/g; fragments of size >= Lc (m) number 0.1 M^0.75 Lc^-1.71, M in kg.
CATASTROPHIC_J_PER_G = 40.0
BREAKUP_COEFFICIENT = 0.1
BREAKUP_MASS_EXPONENT = 0.75
BREAKUP_SIZE_EXPONENT = -1.71


class FluxTable(NamedTuple):
    """A debris flux table: altitudes (A,) km increasing, log10 size thresholds (S,) cm increasing, and
    log10 of the flux of objects at or above each threshold (A, S), impacts per m^2 per year."""

    altitude_km: object
    log10_diameter_cm: object
    log10_flux: object


def debris_flux_per_m2_yr(table: FluxTable, altitude_km, min_diameter_cm):
    """Flux (impacts per m^2 per year) of debris of diameter >= ``min_diameter_cm`` at ``altitude_km``.

    log10 flux, linear in altitude and a monotone cubic (``monotone_cubic``) in log10 size: the table is
    reproduced at its points, the flux falls with size between them, and it is smooth in size (sizes are plan
    inputs that sit on table points, 1 and 10 cm, where a piecewise-linear law would have no derivative). Out of
    the table's range the altitude's edge values are held and the size follows the end slopes (the public
    wrappers refuse such inputs before they get here)."""
    altitude_km = jnp.clip(altitude_km, table.altitude_km[0], table.altitude_km[-1])
    positive = jnp.where(min_diameter_cm > 0.0, min_diameter_cm, 1.0)  # log10 stays finite under tracing
    log_d = jnp.log10(positive)
    by_size = jax.vmap(lambda column: jnp.interp(altitude_km, table.altitude_km, column), in_axes=1)(table.log10_flux)
    return 10.0 ** monotone_cubic(table.log10_diameter_cm, by_size, log_d)


def shell_volume_km3(altitude_km, thickness_km):
    """Volume of a thin shell centred at ``altitude_km``: 4 pi r^2 dh."""
    radius_km = EARTH_RADIUS_KM + altitude_km
    return 4.0 * math.pi * radius_km**2 * thickness_km


def cross_section_km2(radius1_m, radius2_m):
    """Collision cross-section pi (r1 + r2)^2 of two objects of characteristic radii r1, r2 (m), in km^2."""
    return math.pi * ((radius1_m + radius2_m) * KM_PER_M) ** 2


def _per_year(rate_per_s):
    return rate_per_s * SECONDS_PER_JULIAN_YEAR


def _safe_volume(volume_km3):
    # A zero or traced-negative volume would divide by zero; the public wrappers refuse it, this keeps
    # gradients finite if one slips through under a transformation.
    return jnp.where(volume_km3 > 0.0, volume_km3, 1.0)


def cross_collisions_per_yr(n1, n2, cross_section_km2_, relative_velocity_km_s, volume_km3):
    """Expected encounters per year between two populations spread uniformly over one volume:
    n1 n2 sigma v_rel / V."""
    rate = n1 * n2 * cross_section_km2_ * relative_velocity_km_s / _safe_volume(volume_km3)
    return jnp.where(volume_km3 > 0.0, _per_year(rate), 0.0)


def self_collisions_per_yr(n, cross_section_km2_, relative_velocity_km_s, volume_km3):
    """Expected encounters per year within one population spread uniformly over a volume: 1/2 n^2 sigma v / V
    (each pair once)."""
    return 0.5 * cross_collisions_per_yr(n, n, cross_section_km2_, relative_velocity_km_s, volume_km3)


def breakup_fragments(target_kg, projectile_kg, relative_velocity_km_s, min_size_m):
    """Fragments of size >= ``min_size_m`` from one collision (NASA standard breakup model).

    Catastrophic (projectile energy per target mass >= 40 J/g): M = target + projectile mass. Otherwise
    M = projectile mass (kg) x impact speed^2 (km/s)^2."""
    energy_j = 0.5 * projectile_kg * (relative_velocity_km_s * 1.0e3) ** 2
    catastrophic = energy_j / (target_kg * 1.0e3) >= CATASTROPHIC_J_PER_G
    mass_kg = jnp.where(catastrophic, target_kg + projectile_kg, projectile_kg * relative_velocity_km_s**2)
    return BREAKUP_COEFFICIENT * mass_kg**BREAKUP_MASS_EXPONENT * min_size_m**BREAKUP_SIZE_EXPONENT


def sphere_mass_kg(diameter_cm, density_g_cm3):
    """Mass of a solid sphere (kg) of the given diameter (cm) and density (g/cm^3)."""
    return density_g_cm3 * math.pi / 6.0 * diameter_cm**3 * 1.0e-3


def coordination_multiplier(params, coordinated):
    """1 for a shell of uncoordinated orbits, ``params.coordination_factor`` for a fully coordinated one
    (``coordinated`` = 1), linear in between."""
    coordinated = jnp.asarray(coordinated, dtype=jnp.result_type(float))
    return 1.0 - coordinated * (1.0 - params.coordination_factor)


def shell_fluxes(params, table: FluxTable, altitude_km):
    """The lethal and the tracked (screened) debris flux at a shell's altitude, impacts per m^2 per year, with the
    inclination factor: what the collision kernels read from the table (pass them as ``fluxes`` to evaluate the
    table once per shell when the populations vary)."""
    p = params
    lethal = debris_flux_per_m2_yr(table, altitude_km, p.lethal_debris_diameter_cm) * p.inclination_flux_factor
    tracked = debris_flux_per_m2_yr(table, altitude_km, p.tracked_debris_diameter_cm) * p.inclination_flux_factor
    return lethal, tracked


def shell_collision_rates(
    params,
    table: FluxTable,
    n_satellites,
    n_derelicts,
    altitude_km,
    thickness_km,
    coordinated,
    n_crossing=0.0,
    fluxes=None,
):
    """Yearly expected collisions, manoeuvres, losses and fragments in one shell.

    ``params``: a ``CollisionEnvironment`` (any object with its fields). ``n_satellites`` active, manoeuvrable
    satellites and ``n_derelicts`` failed ones of the fleet share the shell (altitude, thickness, km);
    ``coordinated`` in [0, 1]: 1 when the active satellites fly one coordinated pattern (Walker or
    sun-synchronous plane set), which scales their mutual encounters by ``params.coordination_factor``.
    The background debris of ``table`` hits every active satellite through its cross-section. ``n_crossing``:
    active satellites of the fleet's other patterns (shells at overlapping altitudes, other inclinations) inside
    this band, met without coordination; each such collision destroys one satellite here and one of the other
    pattern, so this shell's rates count half of those collisions, conjunctions and fragments (summed over the
    shells, each counts once) and all of its own losses.

    Returns a dict of per-year rates (see ``RATE_KEYS``)."""
    p = params
    n = n_satellites
    n_d = n_derelicts
    volume = shell_volume_km3(altitude_km, thickness_km)
    v = p.relative_velocity_km_s
    keep = coordination_multiplier(p, coordinated)
    missed = 1.0 - p.avoidance_efficacy

    sigma_ss = cross_section_km2(p.satellite_collision_radius_m, p.satellite_collision_radius_m)
    sigma_sd = cross_section_km2(p.satellite_collision_radius_m, p.derelict_collision_radius_m)
    sigma_dd = cross_section_km2(p.derelict_collision_radius_m, p.derelict_collision_radius_m)
    sigma_screen = math.pi * p.screening_distance_km**2

    # Encounters inside the collision cross-section; manoeuvres remove the share ``fleet_avoidance_efficacy`` of
    # those between two active satellites (shared ephemerides, either may move) and ``avoidance_efficacy`` of those
    # with a derelict (tracked, but it cannot move); derelicts meet each other unhindered.
    ff = (1.0 - p.fleet_avoidance_efficacy) * keep * self_collisions_per_yr(n, sigma_ss, v, volume)
    fd = missed * cross_collisions_per_yr(n, n_d, sigma_sd, v, volume)
    dd = self_collisions_per_yr(n_d, sigma_dd, v, volume)
    fx = (1.0 - p.fleet_avoidance_efficacy) * cross_collisions_per_yr(n, n_crossing, sigma_ss, v, volume)

    # Background debris: the lethal flux hits the satellite's mean cross-section; the tracked part of it is
    # screened and avoided with the same efficacy.
    area_m2 = math.pi * p.satellite_collision_radius_m**2
    flux_lethal, flux_tracked = shell_fluxes(p, table, altitude_km) if fluxes is None else fluxes
    lethal_per_sat = area_m2 * (flux_lethal - p.avoidance_efficacy * flux_tracked)
    f_debris = n * lethal_per_sat

    # Conjunctions inside the screening distance; one active satellite manoeuvres for a share of them.
    screen_ff = keep * self_collisions_per_yr(n, sigma_screen, v, volume)
    screen_fd = cross_collisions_per_yr(n, n_d, sigma_screen, v, volume)
    screen_fx = 0.5 * cross_collisions_per_yr(n, n_crossing, sigma_screen, v, volume)
    screen_debris = n * flux_tracked * sigma_screen * M2_PER_KM2
    conjunctions = screen_ff + screen_fd + screen_fx + screen_debris

    catastrophic_ss = breakup_fragments(p.satellite_mass_kg, p.satellite_mass_kg, v, p.fragment_min_size_m)
    catastrophic_sd = breakup_fragments(p.satellite_mass_kg, p.derelict_mass_kg, v, p.fragment_min_size_m)
    catastrophic_dd = breakup_fragments(p.derelict_mass_kg, p.derelict_mass_kg, v, p.fragment_min_size_m)
    projectile_kg = sphere_mass_kg(p.lethal_debris_diameter_cm, p.debris_density_g_cm3)
    cratering = breakup_fragments(p.satellite_mass_kg, projectile_kg, v, p.fragment_min_size_m)

    return {
        "collisions_fleet_fleet_per_yr": ff,
        "collisions_fleet_derelict_per_yr": fd,
        "collisions_derelict_derelict_per_yr": dd,
        "collisions_fleet_debris_per_yr": f_debris,
        "collisions_fleet_crossing_per_yr": 0.5 * fx,
        "conjunctions_per_yr": conjunctions,
        "manoeuvres_per_yr": p.manoeuvre_share * conjunctions,
        "satellites_lost_per_yr": 2.0 * ff + fd + f_debris + fx,
        "derelicts_destroyed_per_yr": fd + 2.0 * dd,
        "fragments_per_yr": (ff + 0.5 * fx) * catastrophic_ss
        + fd * catastrophic_sd
        + dd * catastrophic_dd
        + f_debris * cratering,
    }


RATE_KEYS = (
    "collisions_fleet_fleet_per_yr",
    "collisions_fleet_derelict_per_yr",
    "collisions_derelict_derelict_per_yr",
    "collisions_fleet_debris_per_yr",
    "collisions_fleet_crossing_per_yr",
    "conjunctions_per_yr",
    "manoeuvres_per_yr",
    "satellites_lost_per_yr",
    "derelicts_destroyed_per_yr",
    "fragments_per_yr",
)


def collision_hazard_per_satellite_yr(
    params,
    table: FluxTable,
    n_satellites,
    n_derelicts,
    altitude_km,
    thickness_km,
    coordinated,
    n_crossing=0.0,
    fluxes=None,
):
    """Yearly probability rate that one active satellite is lost to a collision at this fleet size: the
    ``satellites_lost_per_yr`` of ``shell_collision_rates`` per satellite, written without dividing by N."""
    p = params
    volume = shell_volume_km3(altitude_km, thickness_km)
    v = p.relative_velocity_km_s
    keep = coordination_multiplier(p, coordinated)
    missed = 1.0 - p.avoidance_efficacy
    sigma_ss = cross_section_km2(p.satellite_collision_radius_m, p.satellite_collision_radius_m)
    sigma_sd = cross_section_km2(p.satellite_collision_radius_m, p.derelict_collision_radius_m)
    # A fleet-fleet collision loses two satellites: 2 x (1/2 N^2 sigma v / V) / N = N sigma v / V.
    fleet = (1.0 - p.fleet_avoidance_efficacy) * keep * cross_collisions_per_yr(n_satellites, 1.0, sigma_ss, v, volume)
    derelict = missed * cross_collisions_per_yr(n_derelicts, 1.0, sigma_sd, v, volume)
    crossing = (1.0 - p.fleet_avoidance_efficacy) * cross_collisions_per_yr(n_crossing, 1.0, sigma_ss, v, volume)
    area_m2 = math.pi * p.satellite_collision_radius_m**2
    flux_lethal, flux_tracked = shell_fluxes(p, table, altitude_km) if fluxes is None else fluxes
    return fleet + derelict + crossing + area_m2 * (flux_lethal - p.avoidance_efficacy * flux_tracked)


# Derelicts -----------------------------------------------------------------------------------------------------


def derelicts_added_per_yr(failures_per_yr, disposal_reliability):
    """Satellites left in orbit per year: failures (or retirements) x (1 - disposal reliability)."""
    return failures_per_yr * (1.0 - disposal_reliability)


def derelict_step(derelicts, added_per_yr, natural_lifetime_yr, dt_yr):
    """Derelicts after ``dt_yr`` of dD/dt = added - D / lifetime with the rate held over the step (exact):
    D' = D exp(-dt/T) + added T (1 - exp(-dt/T)). A lifetime of 0 or less clears them at once. The same
    population law carries the derelicts inside the launch projection (``launch.core.curves``)."""
    return curves.decaying_pool_step(derelicts, added_per_yr, natural_lifetime_yr, dt_yr)


def derelict_steady_state(added_per_yr, natural_lifetime_yr):
    """The population that the inflow and decay balance at: added x lifetime."""
    return added_per_yr * jnp.maximum(natural_lifetime_yr, 0.0)


def derelict_history(initial, added_per_yr, natural_lifetime_yr, dt_yr):
    """Derelicts at the end of each step for per-step inflows and lifetimes ((T,) arrays), by ``lax.scan``."""

    def step(derelicts, inputs):
        added, lifetime = inputs
        after = derelict_step(derelicts, added, lifetime, dt_yr)
        return after, after

    dtype = jnp.result_type(float)
    added_per_yr, natural_lifetime_yr = jnp.broadcast_arrays(
        jnp.asarray(added_per_yr, dtype=dtype), jnp.asarray(natural_lifetime_yr, dtype=dtype)
    )
    initial = jnp.asarray(initial, dtype=dtype)
    _, history = jax.lax.scan(step, initial, (added_per_yr, natural_lifetime_yr))
    return history
