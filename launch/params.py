"""Scenario parameters: ``equinox.Module`` pytrees, each number declared once with its unit, range and meaning.

Every float field is a differentiable scenario number (gradients flow to it; ``jax.vmap`` batches it for Monte
Carlo); ``model`` and ``price_model`` are static. The declarations (``launch.validation.parameter``) are the single
source of each default and allowed range: the checks at construction, the messages and the planner's scenario
schema are generated from them (``launch.validation.parameter_specs``). Pytree unflattening (inside ``jax.grad``,
``jax.vmap``, ``jax.tree.map``) bypasses ``__init__``, so gradients and batched trees are never "validated" as if
they were scenarios; only objects built by users are checked.

Units are in the names: launches per year, t, kW per tonne, GW per year, USD, calendar years.
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import numpy as np

from launch import validation as v
from launch.core.projection import CADENCE_MODELS, PRICE_MODELS

# Calendar years a scenario may name: from the first orbital launch (Sputnik 1, 4 October 1957) to a planning
# horizon far beyond any projection (an assumption; it only catches typos such as 20270).
EARLIEST_YEAR = 1957.0
LATEST_YEAR = 2200.0


def calendar_year_range() -> tuple[int, int]:
    """``(EARLIEST_YEAR, LATEST_YEAR)`` as integers, for static year arguments (``start_year``)."""
    return int(EARLIEST_YEAR), int(LATEST_YEAR)


def is_calendar_year(spec: v.ParameterSpec) -> bool:
    """True for a parameter declared as a calendar year (shifted, not scaled, when scenarios are sampled)."""
    return (spec.low, spec.high) == (EARLIEST_YEAR, LATEST_YEAR)


def is_fraction(spec: v.ParameterSpec) -> bool:
    """True for a parameter whose declared range lies within [0, 1]."""
    return spec.low >= 0.0 and spec.high <= 1.0


def leaf_specs(tree) -> list:
    """``[(path, ParameterSpec)]`` for every leaf of a parameter pytree (e.g. a ``LaunchScenario``), in
    ``jax.tree_util.tree_flatten_with_path`` order; the spec is the declaration of the field holding the leaf."""
    out = []
    for path, _ in jax.tree_util.tree_flatten_with_path(tree)[0]:
        owner = tree
        for key in path[:-1]:
            owner = getattr(owner, key.name)
        out.append((path, v.parameter_specs(owner)[path[-1].name]))
    return out


def _check_same_shape(label, a_name, a, b_name, b):
    if v.is_concrete_number(a) and v.is_concrete_number(b) and np.shape(a) != np.shape(b):
        raise ValueError(
            f"{label}.{a_name} (shape {np.shape(a)}) and {label}.{b_name} (shape {np.shape(b)}) "
            "must have the same shape"
        )


class Cadence(eqx.Module):
    """Launch demand of the ramp, launches per year.

    ``model="logistic"`` or ``"gompertz"``: an S-curve through ``start_launches_per_yr`` in ``ref_year`` that
    tends to ``ceiling_launches_per_yr`` at ``growth_rate_per_yr`` (the early exponential rate). ``"table"``:
    linear interpolation in ``table_years``/``table_launches`` (use ``Cadence.from_table``), held constant
    beyond the ends. Defaults: a Starship ramp from 20 launches in 2027 towards the long-term goal of ~10,000
    launches/yr in SpaceX's FCC filing; the start and the rate are assumptions.
    """

    start_launches_per_yr: float = v.parameter(
        20.0,
        unit="launches/yr",
        low=0.0,
        low_open=True,
        doc="launches per year in ref_year (assumption)",
        high=1e6,
    )
    ceiling_launches_per_yr: float = v.parameter(
        10_000.0,
        unit="launches/yr",
        low=0.0,
        high=1e6,
        low_open=True,
        doc="ceiling of the S-curve (SpaceX FCC filing, long-term goal)",
    )
    growth_rate_per_yr: float = v.parameter(
        0.55,
        unit="1/yr",
        low=0.0,
        high=5.0,
        low_open=True,
        doc="early exponential rate (assumption; Falcon's 2016-2023 rate was ~0.34/yr)",
    )
    ref_year: float = v.parameter(
        2027.0, low=EARLIEST_YEAR, high=LATEST_YEAR, doc="calendar year of start_launches_per_yr"
    )
    table_years: object = v.parameter(
        None, low=EARLIEST_YEAR, high=LATEST_YEAR, vector=True, doc="calendar years of the table (model='table')"
    )
    table_launches: object = v.parameter(
        None,
        unit="launches/yr",
        low=0.0,
        vector=True,
        doc="launches per year at table_years (model='table')",
        high=1e6,
    )
    model: str = eqx.field(default="logistic", static=True)

    def __check_init__(self):
        v.check_choice("Cadence.model", self.model, CADENCE_MODELS)
        v.check_parameters(self)
        if self.model == "table":
            if self.table_years is None or self.table_launches is None:
                raise ValueError("Cadence.model='table' needs table_years and table_launches")
            v.check_increasing("Cadence.table_years", self.table_years)
            _check_same_shape("Cadence", "table_years", self.table_years, "table_launches", self.table_launches)
        v.check_greater(
            "Cadence.ceiling_launches_per_yr",
            self.ceiling_launches_per_yr,
            "Cadence.start_launches_per_yr",
            self.start_launches_per_yr,
            unit="launches/yr",
        )

    @classmethod
    def from_table(cls, years, launches) -> Cadence:
        """Explicit cadence: launches per year at the given (strictly increasing) years."""
        return cls(
            table_years=v.to_array("years", years), table_launches=v.to_array("launches", launches), model="table"
        )


class LaunchLimits(eqx.Module):
    """Physical ceilings on launches per year: vehicles x flights per vehicle (reuse), pads x launches per pad
    per day. Counts grow linearly from the first projection year. All defaults are assumptions for Starship: a
    few ships in 2027, a ship factory adding ~25 a year, ~30 flights per ship per year, two pads adding one a
    year, one launch per pad per day."""

    vehicles_initial: float = v.parameter(
        5.0, low=0.0, low_open=True, doc="vehicles in service in the first projection year (assumption)", high=1e5
    )
    vehicles_built_per_yr: float = v.parameter(
        25.0, unit="1/yr", low=0.0, doc="vehicles added per year (assumption)", high=1e5
    )
    flights_per_vehicle_per_yr: float = v.parameter(
        30.0, unit="1/yr", low=0.0, high=1000.0, low_open=True, doc="flights per vehicle per year (assumption)"
    )
    pads_initial: float = v.parameter(
        2.0, low=0.0, low_open=True, doc="launch pads in the first projection year (assumption)", high=10000.0
    )
    pads_added_per_yr: float = v.parameter(
        1.0, unit="1/yr", low=0.0, doc="pads added per year (assumption)", high=10000.0
    )
    launches_per_pad_per_day: float = v.parameter(
        1.0, unit="1/day", low=0.0, high=24.0, low_open=True, doc="launches per pad per day (assumption)"
    )

    def __check_init__(self):
        v.check_parameters(self)


class VehicleMix(eqx.Module):
    """Payload per launch over time: vehicle k >= 1 takes over from vehicle k-1 over ``transition_yr`` years
    from ``intro_year[k]`` (``intro_year[0]`` is ignored). Defaults: Starship V3 ~100 t from 2027 and V4 ~200 t
    from 2029 (SpaceX figures as publicly quoted); the transition time is an assumption."""

    payload_t: object = v.parameter(
        (100.0, 200.0),
        unit="t",
        low=0.0,
        high=2000.0,
        low_open=True,
        vector=True,
        doc="payload to orbit per launch of each vehicle (Starship V3 ~100 t, V4 ~200 t, SpaceX)",
    )
    intro_year: object = v.parameter(
        (2027.0, 2029.0),
        low=EARLIEST_YEAR,
        high=LATEST_YEAR,
        vector=True,
        doc="calendar year each vehicle starts taking over (the first entry is ignored)",
    )
    transition_yr: float = v.parameter(
        2.0, unit="yr", low=0.1, high=50.0, doc="years a vehicle takes to replace its predecessor"
    )

    def __check_init__(self):
        v.check_parameters(self)
        v.check_increasing("VehicleMix.intro_year", self.intro_year, strict=False)
        payload, intro = self.payload_t, self.intro_year
        if (
            v.is_concrete_number(payload)
            and v.is_concrete_number(intro)
            and (np.ndim(payload) != 1 or np.shape(payload) != np.shape(intro))
        ):
            raise ValueError(
                f"VehicleMix.payload_t (shape {np.shape(payload)}) and VehicleMix.intro_year "
                f"(shape {np.shape(intro)}) must be 1-D with one entry per vehicle"
            )


class ComputeShare(eqx.Module):
    """Share of launches that carries compute (the rest is Starlink and customers): ``start`` until
    ``ramp_start_year``, then a C1 ramp to ``end`` over ``ramp_yr``. Defaults are assumptions: 5 % in 2027
    rising to 50 % by 2035, so that 10,000 launches of 200 t carry the 1 Mt/yr of compute of SpaceX's FCC
    filing."""

    start: float = v.parameter(0.05, low=0.0, high=1.0, doc="share of launches carrying compute before the ramp")
    end: float = v.parameter(0.5, low=0.0, high=1.0, doc="share of launches carrying compute after the ramp")
    ramp_start_year: float = v.parameter(
        2027.0, low=EARLIEST_YEAR, high=LATEST_YEAR, doc="calendar year the share starts to ramp"
    )
    ramp_yr: float = v.parameter(8.0, unit="yr", low=0.1, high=100.0, doc="years from start to end of the ramp")

    def __check_init__(self):
        v.check_parameters(self)


class CohortParams(eqx.Module):
    """Per-cohort hardware: kW per tonne by launch year, array degradation, failures, design life, and how
    much of last year's losses is re-launched first (``replacement_fraction``: 1 = all, 0 = none).

    kW/t: ``kw_per_tonne_initial`` in ``kw_ref_year`` approaching ``kw_per_tonne_final``: ~70 kW/t (SpaceX AI1
    figures as publicly quoted) towards 100 kW/t (SpaceX FCC filing: 1 Mt/yr at 100 kW/t = 100 GW/yr). Design
    life 5 yr as in Suncatcher (arXiv:2511.19468 §2.4); the improvement time, failure rate, degradation and the
    spread of retirement ages are assumptions.
    """

    kw_per_tonne_initial: float = v.parameter(
        70.0,
        unit="kW/t",
        low=0.0,
        high=10_000.0,
        low_open=True,
        doc="kW per tonne of the kw_ref_year cohort (SpaceX AI1, ~70 kW/t)",
    )
    kw_per_tonne_final: float = v.parameter(
        100.0,
        unit="kW/t",
        low=0.0,
        high=10_000.0,
        low_open=True,
        doc="kW per tonne that later cohorts approach (SpaceX FCC filing, 100 kW/t)",
    )
    kw_improvement_tau_yr: float = v.parameter(
        5.0, unit="yr", low=0.1, high=100.0, doc="time constant of the kW/t improvement (assumption)"
    )
    kw_ref_year: float = v.parameter(
        2027.0, low=EARLIEST_YEAR, high=LATEST_YEAR, doc="calendar year of the kw_per_tonne_initial cohort"
    )
    degradation_per_yr: float = v.parameter(
        0.02,
        unit="1/yr",
        low=0.0,
        high=1.0,
        high_open=True,
        doc="fraction of array power lost per year of age (assumption)",
    )
    failure_rate_per_yr: float = v.parameter(
        0.02, unit="1/yr", low=0.0, high=5.0, doc="constant failure hazard per year (assumption)"
    )
    # At least ~5 weeks: shorter lives are not designs, and the launched-power price (cost / (power x life))
    # overflows as the life tends to 0.
    design_life_yr: float = v.parameter(
        5.0,
        unit="yr",
        low=0.1,
        high=100.0,
        doc="mean retirement age (Suncatcher, arXiv:2511.19468 §2.4: 5 years)",
    )
    # >= 0.05 yr keeps the logistic retirement closed form finite in float32 (launch.core.curves).
    life_sd_yr: float = v.parameter(
        0.5, unit="yr", low=0.05, high=50.0, doc="standard deviation of retirement ages (assumption)"
    )
    replacement_fraction: float = v.parameter(
        1.0, low=0.0, high=1.0, doc="share of last year's failed and retired GW re-launched first"
    )

    def __check_init__(self):
        v.check_parameters(self)


class Capacity(eqx.Module):
    """A supply that ramps logistically: ``start_gw_per_yr`` in ``ref_year`` towards ``ceiling_gw_per_yr``.
    The defaults are placeholders; ``SupplyCaps`` sets each supply's own."""

    start_gw_per_yr: float = v.parameter(
        5.0, unit="GW/yr", low=0.0, low_open=True, doc="GW per year the supply delivers in ref_year", high=1e6
    )
    ceiling_gw_per_yr: float = v.parameter(
        800.0, unit="GW/yr", low=0.0, low_open=True, doc="GW per year the supply tends to", high=1e6
    )
    growth_rate_per_yr: float = v.parameter(
        0.5, unit="1/yr", low=0.0, high=5.0, low_open=True, doc="early exponential growth rate of the supply"
    )
    ref_year: float = v.parameter(2027.0, low=EARLIEST_YEAR, high=LATEST_YEAR, doc="calendar year of start_gw_per_yr")

    def __check_init__(self):
        v.check_parameters(self)
        v.check_greater(
            "Capacity.ceiling_gw_per_yr",
            self.ceiling_gw_per_yr,
            "Capacity.start_gw_per_yr",
            self.start_gw_per_yr,
            unit="GW/yr",
        )


def _chips():
    return Capacity(2.0, 800.0, 0.45, 2027.0)


def _arrays():
    return Capacity(0.5, 1000.0, 0.6, 2027.0)


def _factory():
    return Capacity(0.05, 500.0, 0.7, 2027.0)


class SupplyCaps(eqx.Module):
    """GW per year that chips, solar arrays and the satellite factory can supply, and the demand for new
    (growth) GW per year. Chips ceiling: the Terafab goal of ~1 TW/yr of compute as publicly quoted, ~80 % of it
    for space (assumption); the starts and rates of all three, and the arrays and factory ceilings, are
    assumptions. ``demand_gw_per_yr`` defaults to 10 TW/yr, i.e. effectively unconstrained."""

    chips: Capacity = eqx.field(default_factory=_chips)
    arrays: Capacity = eqx.field(default_factory=_arrays)
    factory: Capacity = eqx.field(default_factory=_factory)
    demand_gw_per_yr: float = v.parameter(
        10_000.0,
        unit="GW/yr",
        low=0.0,
        doc="demand for new (growth) GW per year (default: unconstrained)",
        high=1e6,
    )

    def __check_init__(self):
        for name in ("chips", "arrays", "factory"):
            if not isinstance(getattr(self, name), Capacity):
                raise TypeError(f"SupplyCaps.{name} must be a Capacity, got {getattr(self, name)!r}")
        v.check_parameters(self)


class Economics(eqx.Module):
    """Launch price, the cost of a satellite and of running it, the cost of capital, revenue, and the ground data
    centre the orbit is compared with (``launch.core.costs`` says how they combine).

    ``price_model="wright"``: launch $/kg falls by ``learning_rate`` per doubling of cumulative mass to orbit
    (Wright's law; Suncatcher, arXiv:2511.19468 §2.4: ~20 %), from ``launch_usd_per_kg_start`` at
    ``cum_mass_start_t``, towards ``floor_usd_per_kg``. ``"table"``: interpolate ``table_usd_per_kg`` over
    ``table_years`` (``Economics.from_table``). $3,600/kg is the current price in Suncatcher §2.4.

    Accelerators: one GB300-class accelerator draws ``accelerator_power_w`` = 2 kW of IT power (Google's lease of
    110,000 GB300 for ~220 MW of IT power; ``launch.economics.CONTRACTS`` derives it) and costs
    ``accelerator_usd`` = $50,000 with its share of host, memory and network (assumption, consistent with xAI's
    ~$26.5-30B per GW all-in less its ~$3B/GW shell, ``launch.economics``). The ground data centre: shell
    $10M/MW (industry, against $3M/MW at xAI), PUE 1.2 (liquid cooled: 1.1-1.2), 12-24 months to build. Revenue
    per GW-year of delivered compute: the CSP reference, $15B. Every other number is an assumption, stated in
    its declaration; the cumulative mass at the start (~6,000 t) is roughly SpaceX's Falcon history.
    """

    launch_usd_per_kg_start: float = v.parameter(
        3600.0,
        unit="USD/kg",
        low=0.0,
        high=1e6,
        low_open=True,
        doc="launch price at cum_mass_start_t (Suncatcher, arXiv:2511.19468 §2.4: $3,600/kg)",
    )
    cum_mass_start_t: float = v.parameter(
        6000.0,
        unit="t",
        low=0.0,
        low_open=True,
        doc="cumulative mass to orbit at the start (assumption)",
        high=1e9,
    )
    learning_rate: float = v.parameter(
        0.20,
        low=0.0,
        high=1.0,
        high_open=True,
        doc="price drop per doubling of cumulative mass (Suncatcher, arXiv:2511.19468 §2.4: ~20 %)",
    )
    floor_usd_per_kg: float = v.parameter(
        0.0, unit="USD/kg", low=0.0, doc="price the Wright curve tends to (assumption: none)", high=1e6
    )
    bus_usd_per_kg: float = v.parameter(
        1000.0,
        unit="USD/kg",
        low=0.0,
        high=1e6,
        doc="satellite without its accelerators (bus, structure, arrays, radiators, battery) per kg of satellite "
        "(assumption)",
    )
    accelerator_usd: float = v.parameter(
        50_000.0,
        unit="USD",
        low=0.0,
        high=1e7,
        doc="one accelerator with its share of host, memory and network (assumption, GB300 class)",
    )
    accelerator_power_w: float = v.parameter(
        2000.0,
        unit="W",
        low=1.0,
        high=1e6,
        doc="IT power per accelerator (Google's lease: ~220 MW for 110,000 GB300)",
    )
    spares_fraction: float = v.parameter(
        0.05, low=0.0, high=1.0, doc="overbuild for failures, share of the satellite and launch cost (assumption)"
    )
    insurance_launch_fraction: float = v.parameter(
        0.05, low=0.0, high=1.0, doc="launch and first-year insurance, share of the insured value (assumption)"
    )
    insurance_in_orbit_per_yr: float = v.parameter(
        0.01,
        unit="1/yr",
        low=0.0,
        high=1.0,
        doc="in-orbit insurance per year, share of the satellite's value (assumption)",
    )
    operations_usd_per_kw_yr: float = v.parameter(
        500.0,
        unit="USD/kW/yr",
        low=0.0,
        high=1e6,
        doc="operations, ground segment and downlink per kW in orbit per year (assumption)",
    )
    wacc_per_yr: float = v.parameter(
        0.08, unit="1/yr", low=0.0, high=1.0, doc="cost of capital, continuous rate (assumption)"
    )
    # At least 1 %: the cost per delivered kW-year divides by it.
    utilisation: float = v.parameter(
        0.9, low=0.01, high=1.0, doc="share of available compute sold, in orbit and on the ground (assumption)"
    )
    revenue_usd_per_gw_yr: float = v.parameter(
        15e9,
        unit="USD/GW/yr",
        low=0.0,
        high=1e12,
        doc="revenue per GW-year of delivered compute (CSP reference, ~$15B; launch.economics lists others)",
    )
    ground_shell_usd_per_kw: float = v.parameter(
        10_000.0,
        unit="USD/kW",
        low=0.0,
        high=1e6,
        doc="ground data centre shell (building, power and cooling plant) per kW of IT power (industry >$10M/MW; "
        "xAI ~$3M/MW)",
    )
    ground_pue: float = v.parameter(
        1.2, low=1.0, high=3.0, doc="power usage effectiveness (liquid cooled 1.1-1.2, air cooled 1.3-1.5)"
    )
    electricity_usd_per_mwh: float = v.parameter(
        80.0, unit="USD/MWh", low=0.0, high=10_000.0, doc="electricity price on the ground (assumption)"
    )
    ground_build_yr: float = v.parameter(
        1.5,
        unit="yr",
        low=0.05,
        high=20.0,
        doc="time to build before the first revenue (industry 12-24 months; xAI 91-122 days)",
    )
    ground_shell_life_yr: float = v.parameter(
        20.0, unit="yr", low=1.0, high=100.0, doc="life of the ground shell (assumption)"
    )
    ground_hardware_life_yr: float = v.parameter(
        5.0, unit="yr", low=0.1, high=100.0, doc="life of the ground hardware before refresh (assumption)"
    )
    ground_operations_usd_per_kw_yr: float = v.parameter(
        300.0, unit="USD/kW/yr", low=0.0, high=1e6, doc="ground operations and maintenance per kW-year (assumption)"
    )
    table_years: object = v.parameter(
        None, low=EARLIEST_YEAR, high=LATEST_YEAR, vector=True, doc="calendar years of the table (price_model='table')"
    )
    table_usd_per_kg: object = v.parameter(
        None,
        unit="USD/kg",
        low=0.0,
        vector=True,
        doc="launch price at table_years (price_model='table')",
        high=1e6,
    )
    price_model: str = eqx.field(default="wright", static=True)

    def __check_init__(self):
        v.check_choice("Economics.price_model", self.price_model, PRICE_MODELS)
        v.check_parameters(self)
        if self.price_model == "table":
            if self.table_years is None or self.table_usd_per_kg is None:
                raise ValueError("Economics.price_model='table' needs table_years and table_usd_per_kg")
            v.check_increasing("Economics.table_years", self.table_years)
            _check_same_shape("Economics", "table_years", self.table_years, "table_usd_per_kg", self.table_usd_per_kg)

    @classmethod
    def from_table(cls, years, usd_per_kg, **others) -> Economics:
        """Launch price by year from a table; ``others`` are any other fields (default: their declarations)."""
        return cls(
            table_years=v.to_array("years", years),
            table_usd_per_kg=v.to_array("usd_per_kg", usd_per_kg),
            price_model="table",
            **others,
        )


class LaunchScenario(eqx.Module):
    """Everything the yearly projection needs. All float leaves are differentiable scenario numbers."""

    cadence: Cadence = eqx.field(default_factory=Cadence)
    limits: LaunchLimits = eqx.field(default_factory=LaunchLimits)
    vehicles: VehicleMix = eqx.field(default_factory=VehicleMix)
    share: ComputeShare = eqx.field(default_factory=ComputeShare)
    cohorts: CohortParams = eqx.field(default_factory=CohortParams)
    supply: SupplyCaps = eqx.field(default_factory=SupplyCaps)
    economics: Economics = eqx.field(default_factory=Economics)

    def __check_init__(self):
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
    (Suncatcher, arXiv:2511.19468 §2.4) with a 0.5-year spread, losses re-launched first; chips capped by the
    Terafab goal (~800 GW/yr for space); launch $/kg from $3,600 on a 20 % Wright curve (Suncatcher §2.4).
    """
    return LaunchScenario()
