"""Scenario parameters as frozen pytrees, validated at construction when their values are concrete.

Every float field is a differentiable scenario number (gradients flow to it; ``jax.vmap`` batches it for
Monte Carlo). String fields (``model``, ``price_model``) are static. Pytree unflattening (inside ``jax.grad``,
``jax.vmap``, ``jax.tree.map``) bypasses ``__init__``, so gradients and batched trees are never "validated" as
if they were scenarios; only objects built by users are checked.

Units are in the names: launches per year, t, kW per tonne, GW per year, USD, calendar years.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import jax
import numpy as np

from launch import _validate as v


def _static(default):
    return field(default=default, metadata={"static": True})


def _pytree_dataclass(cls):
    """Frozen dataclass registered as a pytree whose unflatten does not call ``__init__``/``__post_init__``."""
    cls = dataclass(frozen=True)(cls)
    fields = dataclasses.fields(cls)
    data_names = tuple(f.name for f in fields if not f.metadata.get("static", False))
    meta_names = tuple(f.name for f in fields if f.metadata.get("static", False))

    def flatten_with_keys(obj):
        children = tuple((jax.tree_util.GetAttrKey(n), getattr(obj, n)) for n in data_names)
        return children, tuple(getattr(obj, n) for n in meta_names)

    def flatten(obj):
        return tuple(getattr(obj, n) for n in data_names), tuple(getattr(obj, n) for n in meta_names)

    def unflatten(meta, children):
        obj = object.__new__(cls)
        for n, value in zip(data_names, children):
            object.__setattr__(obj, n, value)
        for n, value in zip(meta_names, meta):
            object.__setattr__(obj, n, value)
        return obj

    jax.tree_util.register_pytree_with_keys(cls, flatten_with_keys, unflatten, flatten)
    return cls


def _as_vector(obj, name):
    value = getattr(obj, name)
    if isinstance(value, (list, tuple)):
        value = v.to_array(f"{type(obj).__name__}.{name}", value)
        object.__setattr__(obj, name, value)
    return value


def _label(obj, name):
    return f"{type(obj).__name__}.{name}"


@_pytree_dataclass
class Cadence:
    """Launch demand of the ramp, launches per year.

    ``model="logistic"`` or ``"gompertz"``: an S-curve through ``start_launches_per_yr`` in ``ref_year`` that
    tends to ``ceiling_launches_per_yr`` at ``growth_rate_per_yr`` (the early exponential rate). ``"table"``:
    linear interpolation in ``table_years``/``table_launches`` (use ``Cadence.from_table``), held constant
    beyond the ends. Defaults: a Starship ramp from 20 launches in 2027 towards the FCC filing's long-term
    goal of ~10,000 launches/yr (DESIGN §1); the start and rate are assumptions.
    """

    start_launches_per_yr: float = 20.0
    ceiling_launches_per_yr: float = 10_000.0  # SpaceX FCC filing, long-term goal (DESIGN §1)
    growth_rate_per_yr: float = 0.55  # assumption: Falcon's 2016-2023 exponential rate was ~0.34/yr
    ref_year: float = 2027.0
    table_years: object = None
    table_launches: object = None
    model: str = _static("logistic")

    def __post_init__(self):
        v.check_choice("Cadence.model", self.model, ("logistic", "gompertz", "table"))
        if self.model == "table":
            years = _as_vector(self, "table_years")
            launches = _as_vector(self, "table_launches")
            if years is None or launches is None:
                raise ValueError("Cadence.model='table' needs table_years and table_launches")
            v.check_increasing("Cadence.table_years", years)
            v.check_range("Cadence.table_launches", launches, 0.0, unit="launches/yr")
            if v.is_concrete_number(years) and v.is_concrete_number(launches) and np.shape(years) != np.shape(launches):
                raise ValueError(
                    f"Cadence.table_years (shape {np.shape(years)}) and Cadence.table_launches "
                    f"(shape {np.shape(launches)}) must have the same shape"
                )
        v.check_range(
            _label(self, "start_launches_per_yr"), self.start_launches_per_yr, 0.0, low_open=True, unit="launches/yr"
        )
        v.check_range(
            _label(self, "ceiling_launches_per_yr"),
            self.ceiling_launches_per_yr,
            0.0,
            low_open=True,
            unit="launches/yr",
        )
        v.check_greater(
            _label(self, "ceiling_launches_per_yr"),
            self.ceiling_launches_per_yr,
            _label(self, "start_launches_per_yr"),
            self.start_launches_per_yr,
            unit="launches/yr",
        )
        v.check_range(_label(self, "growth_rate_per_yr"), self.growth_rate_per_yr, 0.0, low_open=True, unit="1/yr")
        v.check_range(_label(self, "ref_year"), self.ref_year, 1900.0, 2300.0)

    @classmethod
    def from_table(cls, years, launches) -> Cadence:
        """Explicit cadence: launches per year at the given (strictly increasing) years."""
        return cls(
            table_years=v.to_array("years", years), table_launches=v.to_array("launches", launches), model="table"
        )


@_pytree_dataclass
class LaunchLimits:
    """Physical ceilings on launches per year: vehicles x flights per vehicle (reuse), pads x launches per pad
    per day. Counts grow linearly from the first projection year. Defaults are assumptions for Starship
    (a few ships in 2027, a ship factory adding ~25 a year, ~30 flights per ship per year, two pads adding
    one a year, one launch per pad per day)."""

    vehicles_initial: float = 5.0
    vehicles_built_per_yr: float = 25.0
    flights_per_vehicle_per_yr: float = 30.0
    pads_initial: float = 2.0
    pads_added_per_yr: float = 1.0
    launches_per_pad_per_day: float = 1.0

    def __post_init__(self):
        for name in ("vehicles_initial", "pads_initial"):
            v.check_range(_label(self, name), getattr(self, name), 0.0, low_open=True)
        for name in ("vehicles_built_per_yr", "pads_added_per_yr"):
            v.check_range(_label(self, name), getattr(self, name), 0.0, unit="1/yr")
        v.check_range(
            _label(self, "flights_per_vehicle_per_yr"), self.flights_per_vehicle_per_yr, 0.0, low_open=True, unit="1/yr"
        )
        v.check_range(
            _label(self, "launches_per_pad_per_day"), self.launches_per_pad_per_day, 0.0, low_open=True, unit="1/day"
        )


@_pytree_dataclass
class VehicleMix:
    """Payload per launch over time: vehicle k >= 1 takes over from vehicle k-1 over ``transition_yr`` years
    from ``intro_year[k]`` (``intro_year[0]`` is ignored). Defaults: Starship V3 ~100 t from 2027 and V4
    ~200 t from 2029 (SpaceX figures quoted in the issue and DESIGN §1)."""

    payload_t: object = (100.0, 200.0)
    intro_year: object = (2027.0, 2029.0)
    transition_yr: float = 2.0

    def __post_init__(self):
        payload = _as_vector(self, "payload_t")
        intro = _as_vector(self, "intro_year")
        v.check_range(_label(self, "payload_t"), payload, 0.0, low_open=True, unit="t")
        v.check_increasing(_label(self, "intro_year"), intro, strict=False)
        if (
            v.is_concrete_number(payload)
            and v.is_concrete_number(intro)
            and (np.ndim(payload) != 1 or np.shape(payload) != np.shape(intro))
        ):
            raise ValueError(
                f"VehicleMix.payload_t (shape {np.shape(payload)}) and VehicleMix.intro_year "
                f"(shape {np.shape(intro)}) must be 1-D with one entry per vehicle"
            )
        v.check_range(_label(self, "transition_yr"), self.transition_yr, 0.0, low_open=True, unit="yr")


@_pytree_dataclass
class ComputeShare:
    """Share of launches that carries compute (the rest is Starlink and customers): ``start`` until
    ``ramp_start_year``, then a C1 ramp to ``end`` over ``ramp_yr``. Defaults are assumptions: 5 % in 2027
    rising to 50 % by 2035, so that 10,000 launches of 200 t carry the FCC filing's 1 Mt/yr of compute."""

    start: float = 0.05
    end: float = 0.5
    ramp_start_year: float = 2027.0
    ramp_yr: float = 8.0

    def __post_init__(self):
        for name in ("start", "end"):
            v.check_range(_label(self, name), getattr(self, name), 0.0, 1.0)
        v.check_range(_label(self, "ramp_yr"), self.ramp_yr, 0.0, low_open=True, unit="yr")


@_pytree_dataclass
class CohortParams:
    """Per-cohort hardware: kW per tonne by launch year, array degradation, failures, design life, and how
    much of last year's losses is re-launched first (``replacement_fraction``: 1 = all, 0 = none).

    kW/t: ``kw_per_tonne_initial`` in ``kw_ref_year`` approaching ``kw_per_tonne_final``: 70 kW/t (SpaceX AI1,
    DESIGN §1) towards 100 kW/t (SpaceX FCC filing). Design life 5 yr as in Suncatcher §2.4; failure rate,
    degradation and the spread of retirement ages are assumptions.
    """

    kw_per_tonne_initial: float = 70.0  # SpaceX AI1 (DESIGN §1)
    kw_per_tonne_final: float = 100.0  # SpaceX FCC filing: 1 Mt/yr at 100 kW/t = 100 GW/yr
    kw_improvement_tau_yr: float = 5.0
    kw_ref_year: float = 2027.0
    degradation_per_yr: float = 0.02
    failure_rate_per_yr: float = 0.02
    design_life_yr: float = 5.0  # Suncatcher §2.4 uses a 5-year life
    life_sd_yr: float = 0.5
    replacement_fraction: float = 1.0

    def __post_init__(self):
        for name in ("kw_per_tonne_initial", "kw_per_tonne_final"):
            v.check_range(_label(self, name), getattr(self, name), 0.0, low_open=True, unit="kW/t")
        v.check_range(_label(self, "kw_improvement_tau_yr"), self.kw_improvement_tau_yr, 0.0, low_open=True, unit="yr")
        v.check_range(
            _label(self, "degradation_per_yr"), self.degradation_per_yr, 0.0, 1.0, high_open=True, unit="1/yr"
        )
        v.check_range(_label(self, "failure_rate_per_yr"), self.failure_rate_per_yr, 0.0, unit="1/yr")
        v.check_range(_label(self, "design_life_yr"), self.design_life_yr, 0.0, low_open=True, unit="yr")
        # >= 0.05 yr keeps the logistic retirement closed form finite in float32 (launch.core.curves).
        v.check_range(_label(self, "life_sd_yr"), self.life_sd_yr, 0.05, unit="yr")
        v.check_range(_label(self, "replacement_fraction"), self.replacement_fraction, 0.0, 1.0)


@_pytree_dataclass
class Capacity:
    """A supply that ramps logistically: ``start_gw_per_yr`` in ``ref_year`` towards ``ceiling_gw_per_yr``."""

    start_gw_per_yr: float = 5.0
    ceiling_gw_per_yr: float = 800.0
    growth_rate_per_yr: float = 0.5
    ref_year: float = 2027.0

    def __post_init__(self):
        v.check_range(_label(self, "start_gw_per_yr"), self.start_gw_per_yr, 0.0, low_open=True, unit="GW/yr")
        v.check_greater(
            _label(self, "ceiling_gw_per_yr"),
            self.ceiling_gw_per_yr,
            _label(self, "start_gw_per_yr"),
            self.start_gw_per_yr,
            unit="GW/yr",
        )
        v.check_range(_label(self, "growth_rate_per_yr"), self.growth_rate_per_yr, 0.0, low_open=True, unit="1/yr")
        v.check_range(_label(self, "ref_year"), self.ref_year, 1900.0, 2300.0)


@_pytree_dataclass
class SupplyCaps:
    """GW per year that chips, solar arrays and the satellite factory can supply, and the demand for new
    (growth) GW per year. Chips default: the Terafab goal of ~1 TW/yr of compute with ~80 % for space
    (issue 4) as the ceiling; starts and rates of all three, and the arrays and factory ceilings, are
    assumptions. ``demand_gw_per_yr`` defaults to 10 TW/yr, i.e. effectively unconstrained."""

    chips: Capacity = field(default_factory=lambda: Capacity(2.0, 800.0, 0.45, 2027.0))
    arrays: Capacity = field(default_factory=lambda: Capacity(0.5, 1000.0, 0.6, 2027.0))
    factory: Capacity = field(default_factory=lambda: Capacity(0.05, 500.0, 0.7, 2027.0))
    demand_gw_per_yr: float = 10_000.0

    def __post_init__(self):
        for name in ("chips", "arrays", "factory"):
            if not isinstance(getattr(self, name), Capacity):
                raise TypeError(f"SupplyCaps.{name} must be a Capacity, got {getattr(self, name)!r}")
        v.check_range(_label(self, "demand_gw_per_yr"), self.demand_gw_per_yr, 0.0, unit="GW/yr")


@_pytree_dataclass
class Economics:
    """Launch price and satellite cost.

    ``price_model="wright"``: launch $/kg falls by ``learning_rate`` per doubling of cumulative mass to orbit
    (Wright's law, Suncatcher §2.4: ~20 %), from ``launch_usd_per_kg_start`` at ``cum_mass_start_t``, towards
    ``floor_usd_per_kg``. ``"table"``: interpolate ``table_usd_per_kg`` over ``table_years``
    (``Economics.from_table``). $3,600/kg is the current price in Suncatcher §2.4; the cumulative mass at the
    start (~6,000 t, roughly SpaceX's Falcon history) and ``satellite_usd_per_kw`` (whole satellite including
    compute hardware, $25B/GW, below xAI's all-in terrestrial $26.5-30B/GW from the seed report) are
    assumptions.
    """

    launch_usd_per_kg_start: float = 3600.0  # Suncatcher §2.4
    cum_mass_start_t: float = 6000.0
    learning_rate: float = 0.20  # Suncatcher §2.4
    floor_usd_per_kg: float = 0.0
    satellite_usd_per_kw: float = 25_000.0
    table_years: object = None
    table_usd_per_kg: object = None
    price_model: str = _static("wright")

    def __post_init__(self):
        v.check_choice("Economics.price_model", self.price_model, ("wright", "table"))
        if self.price_model == "table":
            years = _as_vector(self, "table_years")
            price = _as_vector(self, "table_usd_per_kg")
            if years is None or price is None:
                raise ValueError("Economics.price_model='table' needs table_years and table_usd_per_kg")
            v.check_increasing("Economics.table_years", years)
            v.check_range("Economics.table_usd_per_kg", price, 0.0, unit="USD/kg")
        v.check_range(
            _label(self, "launch_usd_per_kg_start"), self.launch_usd_per_kg_start, 0.0, low_open=True, unit="USD/kg"
        )
        v.check_range(_label(self, "cum_mass_start_t"), self.cum_mass_start_t, 0.0, low_open=True, unit="t")
        v.check_range(_label(self, "learning_rate"), self.learning_rate, 0.0, 1.0, high_open=True)
        v.check_range(_label(self, "floor_usd_per_kg"), self.floor_usd_per_kg, 0.0, unit="USD/kg")
        v.check_range(_label(self, "satellite_usd_per_kw"), self.satellite_usd_per_kw, 0.0, unit="USD/kW")

    @classmethod
    def from_table(cls, years, usd_per_kg, satellite_usd_per_kw=25_000.0) -> Economics:
        return cls(
            table_years=v.to_array("years", years),
            table_usd_per_kg=v.to_array("usd_per_kg", usd_per_kg),
            satellite_usd_per_kw=satellite_usd_per_kw,
            price_model="table",
        )


@_pytree_dataclass
class LaunchScenario:
    """Everything the yearly projection needs. All float leaves are differentiable scenario numbers."""

    cadence: Cadence = field(default_factory=Cadence)
    limits: LaunchLimits = field(default_factory=LaunchLimits)
    vehicles: VehicleMix = field(default_factory=VehicleMix)
    share: ComputeShare = field(default_factory=ComputeShare)
    cohorts: CohortParams = field(default_factory=CohortParams)
    supply: SupplyCaps = field(default_factory=SupplyCaps)
    economics: Economics = field(default_factory=Economics)

    def __post_init__(self):
        expected = dict(
            cadence=Cadence,
            limits=LaunchLimits,
            vehicles=VehicleMix,
            share=ComputeShare,
            cohorts=CohortParams,
            supply=SupplyCaps,
            economics=Economics,
        )
        for name, kind in expected.items():
            if not isinstance(getattr(self, name), kind):
                raise TypeError(f"LaunchScenario.{name} must be a {kind.__name__}, got {getattr(self, name)!r}")

    def replace(self, **changes) -> LaunchScenario:
        return dataclasses.replace(self, **changes)


def default_scenario() -> LaunchScenario:
    """ "AI1-class satellites on a Starship ramp towards 1 Mt/yr of compute" (the planner builds on it).

    Assumptions (each class's docstring gives its sources): a logistic Starship cadence from 20 launches in
    2027 towards 10,000/yr (FCC filing), capped by ships x 30 flights/yr and pads x 1 launch/day; V3 100 t
    from 2027 and V4 200 t from 2029; the compute share of launches rising from 5 % to 50 % over 2027-2035
    (so the ceiling carries 1 Mt/yr of compute); 70 kW/t (AI1) in 2027 improving towards 100 kW/t (FCC
    filing) with a 5-year time constant; 2 %/yr array degradation and failures, a 5-year design life
    (Suncatcher §2.4) with a 0.5-year spread, losses re-launched first; chips capped by the Terafab goal
    (~800 GW/yr for space); launch $/kg from $3,600 on a 20 % Wright curve (Suncatcher §2.4).
    """
    return LaunchScenario()
