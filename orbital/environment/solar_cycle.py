"""The solar cycle as monthly F10.7: a shipped table for cycle 25, a parametric cycle for the ones after it.

Cycle 25 (``orbital/data/f107-cycle25-monthly.csv``, origin in ``orbital/data/README.md``) is the Hathaway,
Wilson & Reichmann (1994, Solar Physics 151, 177) cycle shape ``(t / b)^3 / (exp((t / b)^2) - 0.71)`` (``t`` in
months since the cycle's start), fitted to cycle 25's published start (the minimum of December 2019, announced by
the NASA/NOAA Solar Cycle 25 Prediction Panel, September 2020), its peak timing (October 2024, the SILSO
13-month smoothed sunspot maximum) and amplitude, sampled monthly from the start to December 2035. It stands for
a table of smoothed observed and predicted values and can be replaced by one with the same two columns.

After the table: cycles 26, 27, ... of the same shape, each ``period_yr`` after the previous one plus
``phase_shift_yr``, with ``amplitude_scale`` times cycle 25's amplitude. Those three and the geomagnetic ``ap``
are a ``SolarCycle``'s declared parameters, so sweeps and Monte Carlo vary them (cycle 25 itself is fixed).
"""

from __future__ import annotations

import functools
import math

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from launch.validation import check_parameters, parameter, parameter_specs
from orbital import data

TABLE_FILE = "f107-cycle25-monthly.csv"
CYCLE25_START_YR = 2019.917  # December 2019 (mid-month), the cycle 24/25 minimum
CYCLE25_PEAK_YR = 2024.792  # October 2024 (mid-month), the smoothed maximum
# Smoothed F10.7 at the cycle 24/25 minimum (~70 sfu) and cycle 25's smoothed maximum: ~180 sfu, from the
# 13-month smoothed sunspot number maximum of 160.9 (SILSO, October 2024) with F10.7 ~ 67 + 0.7 R (a linear
# sunspot-to-flux relation, an approximation).
F107_MIN_SFU = 70.0
F107_PEAK_SFU = 180.0
HATHAWAY_C = 0.71  # Hathaway, Wilson & Reichmann (1994)
MONTHS_PER_YEAR = 12.0
N_LATER_CYCLES = 6  # cycles 26-31: beyond 2090 at the default period


def _peak_x() -> float:
    """x = (t / b)^2 at the maximum of x^1.5 / (exp(x) - c): the root of 3 (1 - c e^-x) = 2 x."""
    x = 1.0
    for _ in range(60):
        x = 1.5 * (1.0 - HATHAWAY_C * math.exp(-x))
    return x


PEAK_X = _peak_x()
# The shape's width b (months) that puts the maximum at the peak date.
WIDTH_MONTHS = (CYCLE25_PEAK_YR - CYCLE25_START_YR) * MONTHS_PER_YEAR / math.sqrt(PEAK_X)
SHAPE_PEAK = PEAK_X**1.5 / (math.exp(PEAK_X) - HATHAWAY_C)


def cycle_shape(years_since_start, xp=jnp):
    """Hathaway cycle shape normalised to 1 at its maximum; 0 before the cycle's start."""
    t = xp.maximum(years_since_start, 0.0) * MONTHS_PER_YEAR / WIDTH_MONTHS
    return t**3 / (xp.exp(xp.minimum(t * t, 600.0)) - HATHAWAY_C) / SHAPE_PEAK


def cycle25_f107_sfu(year, xp=np):
    """The fitted cycle 25 (the shipped table's values)."""
    return F107_MIN_SFU + (F107_PEAK_SFU - F107_MIN_SFU) * cycle_shape(year - CYCLE25_START_YR, xp)


class SolarCycle(eqx.Module):
    """Cycles after the shipped table: amplitude, timing and period; and the geomagnetic activity."""

    amplitude_scale: float = parameter(
        1.0, low=0.0, high=2.0, doc="amplitude of cycles 26 onwards over cycle 25's (~110 sfu above the minimum)"
    )
    phase_shift_yr: float = parameter(
        0.0, unit="yr", low=-5.0, high=5.0, doc="shift of cycles 26 onwards from one period after cycle 25's start"
    )
    period_yr: float = parameter(11.0, unit="yr", low=8.0, high=15.0, doc="cycle length from minimum to minimum")
    ap: float = parameter(
        15.0, low=0.0, high=100.0, doc="daily geomagnetic Ap index held through the plan (~15: a mean level)"
    )

    def __check_init__(self):
        check_parameters(self)


@functools.lru_cache(maxsize=1)
def cycle25_table() -> tuple[np.ndarray, np.ndarray]:
    """``(year, f107_sfu)`` of the shipped monthly table (decimal years, mid-month)."""
    rows = np.loadtxt(data.path(TABLE_FILE), delimiter=",", skiprows=1, usecols=(1, 2))
    return rows[:, 0], rows[:, 1]


def f107_sfu(year, cycle: SolarCycle, *, latest_year: float | None = None):
    """Pure JAX: monthly-smoothed F10.7 (sfu) at decimal ``year``: the table (its first value before it, the
    minimum after it) plus the parametric cycles 26 onwards.

    ``latest_year`` (a Python number, optional): no ``year`` is later. Cycles that cannot have started by then,
    with the period and phase shift anywhere in their declared ranges, add exactly zero and are left out of the
    computation (the plan evaluates this for every Monte Carlo draw: half the cycles over a 19-year plan)."""
    years, values = (jnp.asarray(x) for x in cycle25_table())
    year = jnp.asarray(year)
    table = jnp.interp(year, years, values, left=values[0], right=F107_MIN_SFU)
    n_cycles = N_LATER_CYCLES
    if latest_year is not None:
        specs = parameter_specs(SolarCycle)
        earliest_start = CYCLE25_START_YR + specs["phase_shift_yr"].low
        shortest_period = specs["period_yr"].low
        # Cycle k can have started by latest_year only if earliest_start + k shortest_period < latest_year.
        n_cycles = min(N_LATER_CYCLES, max(0, math.ceil((float(latest_year) - earliest_start) / shortest_period) - 1))
    later = 0.0
    for k in range(1, n_cycles + 1):
        start = CYCLE25_START_YR + k * cycle.period_yr + cycle.phase_shift_yr
        later = later + cycle_shape(year - start)
    return table + cycle.amplitude_scale * (F107_PEAK_SFU - F107_MIN_SFU) * later


def write_table(path) -> None:
    """Regenerate the shipped table from the fit (how ``f107-cycle25-monthly.csv`` was made)."""
    lines = ["month,year,f107_sfu"]
    for index in range(16 * 12 + 1):  # December 2019 to December 2035, where the fit has fallen to the minimum
        y, m = divmod(2019 * 12 + 11 + index, 12)
        year = y + (m + 0.5) / MONTHS_PER_YEAR
        lines.append(f"{y:04d}-{m + 1:02d},{year:.4f},{cycle25_f107_sfu(year):.1f}")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")


__all__ = ["SolarCycle", "f107_sfu", "cycle25_table", "cycle25_f107_sfu"]
