"""The shells' geometry, evaluated once per plan on a representative sample (``fleets.representative_shells``).

Per shell: the sunlit fraction, the longest eclipse (which sizes the battery), eclipse days, the mean array
cosine and the daily share of time in eclipse (seasons). None of it depends on launch or design inputs, so sweeps,
sensitivities and Monte Carlo reuse it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax.numpy as jnp
import numpy as np
from astropy.time import Time, TimeDelta

from orbital.core.constants import SECONDS_PER_DAY
from orbital.core.stats import ECLIPSE_THRESHOLD
from orbital.fleet import Fleet
from orbital.lighting import beta_angle_deg, illumination, sunlit
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
    day_offsets: np.ndarray  # (n_days,) days since the window start
    daily_eclipse_fraction: np.ndarray  # (n_shells, n_days) share of time in eclipse, sample mean
    start: str
    days: float
    step_s: float
    sample_sats: int

    def arrays(self):
        """The numbers the plan model reads, as JAX arrays."""
        return dict(
            altitude_km=jnp.asarray(self.altitude_km),
            sunlit=jnp.asarray(self.sunlit_fraction),
            worst_eclipse_min=jnp.asarray(self.worst_eclipse_min),
            cos_mean=jnp.asarray(self.array_cos_mean),
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
    worst_eclipse = stats.max_eclipse_min
    if study.geometry_step_s > ECLIPSE_STEP_S:
        worst_eclipse = illumination(fleet, study.geometry_start, study.geometry_days, ECLIPSE_STEP_S).max_eclipse_min
    if progress:
        progress(1.0, 1.0)

    def per_shell(values, how):
        return np.array([how(values[fleet.shell_index == k]) for k in range(n_shell)], dtype=float)

    return Geometry(
        shell_names=[s.name for s in shells],
        altitude_km=np.array([s.altitude_km for s in shells]),
        inclination_deg=np.array([s.inclination_deg for s in shells]),
        sunlit_fraction=per_shell(stats.sunlit_fraction, np.mean),
        min_sunlit_fraction=per_shell(stats.sunlit_fraction, np.min),
        worst_eclipse_min=per_shell(np.nan_to_num(worst_eclipse), np.max),
        eclipse_days=per_shell(stats.eclipse_days, np.max),
        array_cos_mean=per_shell(cos_mean, np.mean),
        day_offsets=np.arange(n_days, dtype=float),
        daily_eclipse_fraction=daily,
        start=study.geometry_start,
        days=study.geometry_days,
        step_s=study.geometry_step_s,
        sample_sats=study.sample_sats_per_shell,
    )
