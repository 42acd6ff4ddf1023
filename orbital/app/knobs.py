"""The inputs the planner page shows as sliders, with labels, units, ranges and defaults read from the parameter
declarations (``PlanModel.specs``, the scenario schema's field bounds): nothing about an input is stated twice.

Every other numeric input can still be set from the page's text box (``key=value``, as ``orbital sweep --set``).
"""

from __future__ import annotations

import dataclasses
import math

from orbital.planner import ShellIn

# The inputs that move a plan most (the scenario files' own comments and `orbital sensitivity` rank them high):
# the launch ramp (cadence ceiling and growth, payload per flight, flights per ship), compute per tonne, launch
# price and its learning, the cost of capital, the share of launches that carry compute, the satellites' life,
# compute kept through eclipse and the chip supply. Vector inputs (one payload per vehicle) get one slider each.
SHOWN_INPUTS = (
    "cadence.ceiling_launches_per_yr",
    "cadence.growth_rate_per_yr",
    "vehicles.payload_t",
    "limits.flights_per_vehicle_per_yr",
    "cohorts.kw_per_tonne_initial",
    "cohorts.kw_per_tonne_final",
    "economics.launch_usd_per_kg_start",
    "economics.learning_rate",
    "economics.wacc_per_yr",
    "compute_share.end",
    "cohorts.design_life_yr",
    "design.eclipse_compute_fraction",
    "supply.chips.ceiling_gw_per_yr",
)
# The input the design's mass roll-up sets unless the scenario gives it (a checkbox switches between the two).
KW_PER_TONNE_INPUT = "cohorts.kw_per_tonne_initial"
# A slider spans the declared range when that is at most WHOLE_RANGE times the value, else the value / SPAN_FACTOR
# to the value x SPAN_FACTOR (a ceiling of 10,000 launches a year declared up to 10^6 would leave the slider no
# resolution). The text box beside each slider takes any value, checked against the declaration.
WHOLE_RANGE = 10.0
SPAN_FACTOR = 4.0
SLIDER_STEPS = 200


@dataclasses.dataclass(frozen=True)
class Knob:
    """One slider: the input's name (as in ``orbital sweep --set`` and the scenario file), its declaration, the
    slider's range and step, and the value to start from."""

    name: str
    unit: str
    doc: str
    value: float
    start: float
    end: float
    step: float

    @property
    def label(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name


def input_knobs(model, theta) -> list[Knob]:
    """The sliders of ``SHOWN_INPUTS`` for a plan model at the input vector ``theta``."""
    knobs = []
    for shown in SHOWN_INPUTS:
        for k, name in enumerate(model.names):
            if name == shown or name.split("[")[0] == shown:
                spec = model.specs[k]
                knobs.append(_knob(name, spec.unit, spec.doc, float(theta[k]), spec.low, spec.high, spec))
    return knobs


def altitude_knobs(scenario) -> list[Knob]:
    """One slider per shell for its altitude (``shells.<name>.altitude_km``), within the schema's bounds."""
    low, high = field_bounds(ShellIn, "altitude_km")
    doc = ShellIn.model_fields["altitude_km"].description or "altitude of the shell (circular orbits)"
    return [
        _knob(f"shells.{shell.name}.altitude_km", "km", doc, float(shell.altitude_km), low, high, None)
        for shell in scenario.shells
    ]


def field_bounds(model, name: str) -> tuple[float, float]:
    """The closed bounds ``(ge, le)`` a pydantic model declares for a field (-inf, inf where none)."""
    low, high = -math.inf, math.inf
    for item in model.model_fields[name].metadata:
        low = getattr(item, "ge", None) if getattr(item, "ge", None) is not None else low
        high = getattr(item, "le", None) if getattr(item, "le", None) is not None else high
    return float(low), float(high)


def _knob(name, unit, doc, value, low, high, spec) -> Knob:
    finite = math.isfinite(low) and math.isfinite(high)
    if finite and (value == 0 or high - low <= WHOLE_RANGE * abs(value)):
        start, end = low, high
    elif value > 0:
        start, end = max(low, value / SPAN_FACTOR), min(high, value * SPAN_FACTOR)
    else:
        start = low if math.isfinite(low) else value - 1.0
        end = high if math.isfinite(high) else value + 1.0
    step = nice_step((end - start) / SLIDER_STEPS)
    # Open ends are not allowed values: the slider stops a step short of them.
    if spec is not None and spec.low_open and start == spec.low:
        start += step
    if spec is not None and spec.high_open and end == spec.high:
        end -= step
    start, end = min(start, value), max(end, value)
    return Knob(name, unit, doc, value, start, end, step)


def nice_step(raw: float) -> float:
    """The 1-2-5 number nearest below ``raw`` (a slider step that reads well)."""
    if not raw > 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (5.0, 2.0, 1.0):
        if factor * power <= raw:
            return factor * power
    return power
