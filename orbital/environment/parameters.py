"""The plan's environment inputs that are not properties of the satellite: the solar cycle after the shipped
table, the geomagnetic activity, and the disposal rule and reliability. One declared parameter class: every
field is an ``[environment]`` scenario key and an input of sweeps, sensitivities and Monte Carlo
(``environment.<field>``)."""

from __future__ import annotations

import equinox as eqx

from launch.validation import check_parameters, parameter
from orbital.environment.solar_cycle import SolarCycle

_CYCLE = {name: getattr(SolarCycle, name) for name in ("amplitude_scale", "phase_shift_yr", "period_yr", "ap")}


class Environment(eqx.Module):
    """Solar cycle (as ``SolarCycle``) and disposal assumptions."""

    amplitude_scale: float = parameter(
        1.0, low=0.0, high=2.0, doc="amplitude of solar cycles 26 onwards over cycle 25's (~110 sfu above the minimum)"
    )
    phase_shift_yr: float = parameter(
        0.0,
        unit="yr",
        low=-5.0,
        high=5.0,
        doc="shift of solar cycles 26 onwards from one period after cycle 25's start",
    )
    period_yr: float = parameter(11.0, unit="yr", low=8.0, high=15.0, doc="solar cycle length, minimum to minimum")
    ap: float = parameter(15.0, low=0.0, high=100.0, doc="daily geomagnetic Ap index held through the plan")
    disposal_rule_yr: float = parameter(
        5.0,
        unit="yr",
        low=0.1,
        high=100.0,
        doc="longest time in orbit after the mission: the FCC's 5-year rule (FCC 22-74, Second Report and Order, "
        "2022); 25 for the older IADC guideline",
    )
    disposal_reliability: float = parameter(
        0.9,
        low=0.0,
        high=1.0,
        doc="share of satellites at end of life or failing that still carry out the propulsive disposal (assumption)",
    )

    def __check_init__(self):
        check_parameters(self)

    def solar_cycle(self) -> SolarCycle:
        return SolarCycle(self.amplitude_scale, self.phase_shift_yr, self.period_yr, self.ap)


__all__ = ["Environment"]
