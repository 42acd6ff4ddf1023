"""The shells' geometry, evaluated once per plan on a representative sample (``fleets.representative_shells``).

Per shell: the sunlit fraction, the longest eclipse (which sizes the battery), eclipse days, the mean array
cosine, the daily share of time in eclipse (seasons), the sun-tracking arrays' mean projection onto the velocity
(their drag area) and the shell's thermosphere density table (NRLMSIS 2.1 for its inclination). None of it
depends on launch, design or environment inputs, so sweeps, sensitivities and Monte Carlo reuse it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax.numpy as jnp
import numpy as np
from astropy.time import Time, TimeDelta

from orbital.core import drag
from orbital.core.constants import SECONDS_PER_DAY
from orbital.core.stats import ECLIPSE_THRESHOLD
from orbital.environment import atmosphere, debris, radiation
from orbital.fleet import Fleet
from orbital.lighting import beta_angle_deg, illumination, sunlit
from orbital.planner.clusters import ClusterLoads, cluster_loads
from orbital.planner.fleets import representative_shells

# The longest eclipse sizes the battery. Counted in whole steps it is right only to a step (10 min at the default
# 600 s), so it is measured again at this step whenever the geometry step is coarser: right to half a minute.
ECLIPSE_STEP_S = 30.0


@dataclasses.dataclass(frozen=True)
class Geometry:
    """Per-shell geometry statistics of the representative sample, and daily eclipse fractions (seasons)."""

    shell_names: list
    altitude_km: np.ndarray
    inclination_deg: np.ndarray
    sunlit_fraction: np.ndarray  # mean over the sample and the window
    min_sunlit_fraction: np.ndarray  # worst satellite of the sample
    worst_eclipse_min: np.ndarray  # longest eclipse of any sampled satellite, at ECLIPSE_STEP_S (sizes the battery)
    eclipse_days: np.ndarray  # most days with an eclipse, any sampled satellite
    array_cos_mean: np.ndarray  # mean |sin beta|: cosine of arrays fixed normal to the orbit plane
    ram_factor: np.ndarray  # mean |sun . velocity| = 2/pi x mean |cos beta|: sun-tracking arrays' drag projection
    day_offsets: np.ndarray  # (n_days,) days since the window start
    daily_eclipse_fraction: np.ndarray  # (n_shells, n_days) share of time in eclipse, sample mean
    start: str
    days: float
    step_s: float
    sample_sats: int
    density_altitude_km: np.ndarray  # (n_alt,) the density tables' grid
    density_f107_sfu: np.ndarray  # (n_f107,)
    density_ap: np.ndarray  # (n_ap,)
    log_density: np.ndarray  # (n_shells, n_alt, n_f107, n_ap) ln(kg/m^3), orbit-averaged at each shell's inclination
    log_density_shell: np.ndarray  # (n_shells, n_f107, n_ap) at each shell's altitude
    # (n_shells, n_f107, n_ap) ln of the natural lifetime (s) of a satellite with m / (C_D A) = 1 kg/m^2: the
    # decay integral scales as m / (C_D A), so the plan multiplies by its own ballistic coefficient.
    log_unit_lifetime_s: np.ndarray
    # Trapped-particle dose (AE8/AP8 blended at mid-cycle, RADIATION_SOLAR_MAX_WEIGHT) behind aluminium of each
    # thickness node, orbit-averaged per shell; solar protons per unit fluence; share of time in the SAA.
    dose_thickness_mm: np.ndarray  # (n_thickness,)
    dose_trapped_rad_per_yr: np.ndarray  # (n_shells, n_thickness)
    dose_spe_rad_per_fluence: np.ndarray  # (n_shells, n_thickness)
    saa_fraction: np.ndarray  # (n_shells,)
    # What a cluster member carries for its links and formation (``orbital.planner.clusters.ClusterLoads``), per
    # shell; None: no cluster shells.
    cluster_loads: ClusterLoads | None = None

    def arrays(self):
        """The numbers the plan model reads, as JAX arrays."""
        flux = debris.flux_table()
        return dict(
            altitude_km=jnp.asarray(self.altitude_km),
            sunlit=jnp.asarray(self.sunlit_fraction),
            worst_eclipse_min=jnp.asarray(self.worst_eclipse_min),
            cos_mean=jnp.asarray(self.array_cos_mean),
            daily_eclipse=jnp.asarray(self.daily_eclipse_fraction),
            ram_factor=jnp.asarray(self.ram_factor),
            density_f107_sfu=jnp.asarray(self.density_f107_sfu),
            density_ap=jnp.asarray(self.density_ap),
            log_density_shell=jnp.asarray(self.log_density_shell),
            log_unit_lifetime_s=jnp.asarray(self.log_unit_lifetime_s),
            # The debris flux table (not geometry, but a table the plan model reads the same way).
            flux_altitude_km=jnp.asarray(flux.altitude_km),
            flux_log10_diameter_cm=jnp.asarray(flux.log10_diameter_cm),
            flux_log10=jnp.asarray(flux.log10_flux),
            inclination_rad=jnp.asarray(np.deg2rad(self.inclination_deg)),
            dose_thickness_mm=jnp.asarray(self.dose_thickness_mm),
            dose_trapped_rad_per_yr=jnp.asarray(self.dose_trapped_rad_per_yr),
            dose_spe_rad_per_fluence=jnp.asarray(self.dose_spe_rad_per_fluence),
            **{
                f"cluster_{name}": jnp.asarray(
                    np.zeros(len(self.shell_names)) if self.cluster_loads is None else values
                )
                for name, values in zip(ClusterLoads._fields, self.cluster_loads or ClusterLoads(None, None, None))
            },
        )


def compute_geometry(scenario, progress: Callable[[float, float], None] | None = None) -> Geometry:
    """Evaluate the scenario's shells over its geometry window; ``progress(done, total)`` as it goes."""
    study = scenario.study
    shells = representative_shells(scenario)
    fleet = Fleet.from_shells(shells)
    n_shell = len(shells)
    stats = illumination(
        fleet,
        study.geometry_start,
        study.geometry_days,
        study.geometry_step_s,
        progress=(lambda done, total: progress(0.5 * done / total, 1.0)) if progress else None,
    )
    # Daily eclipse fraction for the seasons plot: the full (sat, time) field is small for a sample.
    start = Time(Time(study.geometry_start, scale="utc").iso, scale="utc")
    n_steps = int(round(study.geometry_days * SECONDS_PER_DAY / study.geometry_step_s))
    times = start + TimeDelta(np.arange(n_steps) * study.geometry_step_s, format="sec")
    lit = sunlit(fleet, times)
    if progress:
        progress(0.85, 1.0)
    steps_per_day = max(1, int(round(SECONDS_PER_DAY / study.geometry_step_s)))
    n_days = max(1, n_steps // steps_per_day)
    in_eclipse = lit[:, : n_days * steps_per_day] < ECLIPSE_THRESHOLD
    eclipse = in_eclipse.reshape(len(fleet), n_days, steps_per_day).mean(axis=2)
    daily = np.stack([eclipse[fleet.shell_index == k].mean(axis=0) for k in range(n_shell)])
    beta_times = start + TimeDelta(np.arange(n_days) * SECONDS_PER_DAY, format="sec")
    beta = beta_angle_deg(fleet, beta_times)
    cos_mean = np.abs(np.sin(np.deg2rad(beta))).mean(axis=1)
    ram = ram_factor(beta)
    worst_eclipse = stats.max_eclipse_min
    if study.geometry_step_s > ECLIPSE_STEP_S:
        worst_eclipse = illumination(fleet, study.geometry_start, study.geometry_days, ECLIPSE_STEP_S).max_eclipse_min
    if progress:
        progress(1.0, 1.0)

    def per_shell(values, how):
        return np.array([how(values[fleet.shell_index == k]) for k in range(n_shell)], dtype=float)

    geometry = Geometry(
        shell_names=[s.name for s in shells],
        altitude_km=np.array([s.altitude_km for s in shells]),
        inclination_deg=np.array([s.inclination_deg for s in shells]),
        sunlit_fraction=per_shell(stats.sunlit_fraction, np.mean),
        min_sunlit_fraction=per_shell(stats.sunlit_fraction, np.min),
        worst_eclipse_min=per_shell(np.nan_to_num(worst_eclipse), np.max),
        eclipse_days=per_shell(stats.eclipse_days, np.max),
        array_cos_mean=per_shell(cos_mean, np.mean),
        ram_factor=per_shell(ram, np.mean),
        day_offsets=np.arange(n_days, dtype=float),
        daily_eclipse_fraction=daily,
        start=study.geometry_start,
        days=study.geometry_days,
        step_s=study.geometry_step_s,
        sample_sats=study.sample_sats_per_shell,
        **density_tables([s.inclination_deg for s in shells], [s.altitude_km for s in shells]),
        **dose_tables([s.inclination_deg for s in shells], [s.altitude_km for s in shells]),
    )
    if not any(shell.is_cluster for shell in scenario.shells):
        return geometry
    # The formation's propellant reads the shells' density tables, so it comes after them.
    return dataclasses.replace(geometry, cluster_loads=cluster_loads(scenario, geometry))


# AE8/AP8 exist for solar minimum and maximum only; a plan spans cycles, so the shells' tables blend them at
# mid-cycle (weight 0.5 on MAX). The trapped protons that dominate the dose are ~1.5x higher at minimum.
RADIATION_SOLAR_MAX_WEIGHT = 0.5


def dose_tables(inclinations_deg, altitudes_km) -> dict:
    """Each shell's dose-depth table (``orbital.environment.radiation``). Shells below the trapped-particle
    table's floor take its lowest altitude (their trapped dose is smaller still: an upper bound)."""
    low, high = radiation.table_altitude_range_km()
    shells = [
        radiation.shell_radiation(min(max(h, low), high), i, weight=RADIATION_SOLAR_MAX_WEIGHT)
        for i, h in zip(inclinations_deg, altitudes_km)
    ]
    tables = [radiation.dose_table(shell) for shell in shells]
    return dict(
        dose_thickness_mm=np.asarray(tables[0].thickness_mm, float),
        dose_trapped_rad_per_yr=np.stack([t.trapped_rad_per_yr for t in tables]),
        dose_spe_rad_per_fluence=np.stack([t.spe_rad_per_fluence for t in tables]),
        saa_fraction=np.array([float(s.saa_fraction) for s in shells]),
    )


def ram_factor(beta_deg) -> np.ndarray:
    """Mean over an orbit and over ``beta_deg``'s last axis of |s . v| (sun and velocity unit vectors) of a circular
    orbit: the Sun's component in the orbit plane is cos beta, the velocity turns through that plane uniformly, so
    the orbit mean of |cos beta cos(u - u0)| is (2/pi) cos beta."""
    return (2.0 / np.pi) * np.abs(np.cos(np.deg2rad(beta_deg))).mean(axis=-1)


def density_tables(inclinations_deg, altitudes_km) -> dict:
    """The shells' density tables on a common grid that reaches just above the highest shell, each table
    interpolated in altitude to its shell, and the natural-decay integral of each shell at every (F10.7, Ap) node
    (the plan then interpolates in solar activity only)."""
    full = atmosphere.DEFAULT_GRID
    grid_altitudes = np.asarray(full.altitude_km)
    top = min(int(np.searchsorted(grid_altitudes, max(altitudes_km), side="left")) + 1, grid_altitudes.size - 1)
    grid = atmosphere.DensityGrid(tuple(grid_altitudes[: top + 1]), full.f107_sfu, full.ap)
    tables = [atmosphere.density_table(inclination, grid) for inclination in inclinations_deg]
    shell, lifetime = [], []
    for table, altitude in zip(tables, altitudes_km):
        heights, step = drag.decay_heights_km(np.float64(altitude), xp=np)
        density = np.exp(atmosphere.at_altitudes(table, heights))  # (steps, n_f107, n_ap)
        rate = -np.asarray(drag.decay_rate_km_s(density, heights[:, None, None], 1.0, 1.0, 1.0), float)
        lifetime.append(np.log(np.sum(step / rate, axis=0)))
        shell.append(atmosphere.at_altitudes(table, [altitude])[0])
    return dict(
        density_altitude_km=np.asarray(grid.altitude_km),
        density_f107_sfu=np.asarray(grid.f107_sfu),
        density_ap=np.asarray(grid.ap),
        log_density=np.stack([t.log_density for t in tables]),
        log_density_shell=np.stack(shell),
        log_unit_lifetime_s=np.stack(lifetime),
    )
