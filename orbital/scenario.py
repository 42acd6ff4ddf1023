"""Planner scenarios: TOML files with unit-suffixed keys, validated on load (pydantic v2).

A scenario ties together the launch ramp (``launch``), the fleet's shells, the satellite design, the study
window and the Monte Carlo distributions. ``load_scenario(name_or_path)`` accepts a built-in name (the TOML files
in ``orbital/scenarios/``) or a path. Any problem (unknown key, wrong unit suffix, value out of range, missing
field, bad TOML) raises ``ScenarioError`` (a ``ValueError``) with ONE line:
``<file>: <dotted.key> = <value>: <what is allowed>``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import tomllib
import typing
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
DEFAULT_SCENARIO = "ai1-100gw"


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message is one line naming the file, key, value and rule."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- sections ----------------------------------------------------------------------------------------------
class Meta(_Strict):
    name: str = Field(min_length=1, max_length=80)
    description: str = ""


class Study(_Strict):
    """Years of the yearly plan, and the geometry window (one year by default: eclipse seasons need it)."""

    start_year: int = Field(2027, ge=1957, le=2200)
    n_years: int = Field(19, ge=1, le=100)
    geometry_start: str = "2027-01-01"
    geometry_days: float = Field(365.0, gt=0.0, le=400.0)
    geometry_step_s: float = Field(600.0, ge=10.0, le=3600.0)
    # Representative satellites per shell (Walker: one per plane over evenly spread RAANs; SSO: one plane).
    sample_sats_per_shell: int = Field(8, ge=1, le=64)


class CadenceIn(_Strict):
    model: Literal["logistic", "gompertz", "table"] = "logistic"
    start_launches_per_yr: float = Field(20.0, gt=0.0)
    ceiling_launches_per_yr: float = Field(10_000.0, gt=0.0, le=1e6)  # SpaceX FCC filing long-term goal
    growth_rate_per_yr: float = Field(0.55, gt=0.0, le=5.0)  # assumption (launch.Cadence)
    ref_year: float = Field(2027.0, ge=1957.0, le=2200.0)
    table_years: list[float] | None = None
    table_launches: list[float] | None = None


class LimitsIn(_Strict):
    vehicles_initial: float = Field(5.0, gt=0.0)
    vehicles_built_per_yr: float = Field(25.0, ge=0.0)
    flights_per_vehicle_per_yr: float = Field(30.0, gt=0.0, le=1000.0)
    pads_initial: float = Field(2.0, gt=0.0)
    pads_added_per_yr: float = Field(1.0, ge=0.0)
    launches_per_pad_per_day: float = Field(1.0, gt=0.0, le=24.0)


class VehiclesIn(_Strict):
    payload_t: list[float] = Field([100.0, 200.0], min_length=1)  # Starship V3 ~100 t, V4 ~200 t (DESIGN §1)
    intro_year: list[float] = Field([2027.0, 2029.0], min_length=1)
    transition_yr: float = Field(2.0, gt=0.0, le=50.0)

    @model_validator(mode="after")
    def _same_length(self):
        if len(self.payload_t) != len(self.intro_year):
            raise ValueError(
                f"payload_t has {len(self.payload_t)} entries and intro_year {len(self.intro_year)}: "
                "give one of each per vehicle"
            )
        if any(p <= 0 or p > 2000 for p in self.payload_t):
            raise ValueError("payload_t: every payload must be in (0, 2000] t")
        return self


class ComputeShareIn(_Strict):
    start: float = Field(0.05, ge=0.0, le=1.0)
    end: float = Field(0.5, ge=0.0, le=1.0)
    ramp_start_year: float = Field(2027.0, ge=1957.0, le=2200.0)
    ramp_yr: float = Field(8.0, gt=0.0, le=100.0)


class CohortsIn(_Strict):
    # None: the cohort's initial kW/t is the design's mass roll-up (share-weighted over shells).
    kw_per_tonne_initial: float | None = Field(None, gt=0.0, le=10_000.0)
    kw_per_tonne_final: float = Field(100.0, gt=0.0, le=10_000.0)  # SpaceX FCC filing
    kw_improvement_tau_yr: float = Field(5.0, gt=0.0, le=100.0)
    kw_ref_year: float = Field(2027.0, ge=1957.0, le=2200.0)
    degradation_per_yr: float = Field(0.02, ge=0.0, lt=1.0)
    failure_rate_per_yr: float = Field(0.02, ge=0.0, le=5.0)
    design_life_yr: float = Field(5.0, gt=0.0, le=100.0)  # Suncatcher §2.4
    life_sd_yr: float = Field(0.5, ge=0.05, le=50.0)
    replacement_fraction: float = Field(1.0, ge=0.0, le=1.0)


class CapacityIn(_Strict):
    start_gw_per_yr: float = Field(gt=0.0)
    ceiling_gw_per_yr: float = Field(gt=0.0)
    growth_rate_per_yr: float = Field(gt=0.0, le=5.0)
    ref_year: float = Field(2027.0, ge=1957.0, le=2200.0)


class SupplyIn(_Strict):
    # Defaults as launch.SupplyCaps (chips ceiling: Terafab ~1 TW/yr, ~80 % for space; the rest assumptions).
    chips: CapacityIn = CapacityIn(start_gw_per_yr=2.0, ceiling_gw_per_yr=800.0, growth_rate_per_yr=0.45)
    arrays: CapacityIn = CapacityIn(start_gw_per_yr=0.5, ceiling_gw_per_yr=1000.0, growth_rate_per_yr=0.6)
    factory: CapacityIn = CapacityIn(start_gw_per_yr=0.05, ceiling_gw_per_yr=500.0, growth_rate_per_yr=0.7)
    demand_gw_per_yr: float = Field(10_000.0, ge=0.0)


class EconomicsIn(_Strict):
    price_model: Literal["wright", "table"] = "wright"
    launch_usd_per_kg_start: float = Field(3600.0, gt=0.0, le=1e6)  # Suncatcher §2.4
    cum_mass_start_t: float = Field(6000.0, gt=0.0)
    learning_rate: float = Field(0.20, ge=0.0, lt=1.0)  # Suncatcher §2.4
    floor_usd_per_kg: float = Field(0.0, ge=0.0)
    satellite_usd_per_kw: float = Field(25_000.0, ge=0.0)
    table_years: list[float] | None = None
    table_usd_per_kg: list[float] | None = None


class ShellIn(_Strict):
    """One shell: a Walker shell (``inclination_deg``) or a sun-synchronous one (``ltan_hours``; 6 or 18 is
    dawn-dusk). ``share`` is the share of satellites in the shell (shares sum to 1)."""

    name: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.\-]+$")
    altitude_km: float = Field(ge=160.0, le=3000.0)
    share: float = Field(gt=0.0, le=1.0)
    inclination_deg: float | None = Field(None, ge=0.0, le=180.0)
    ltan_hours: float | None = Field(None, ge=0.0, le=24.0)

    @model_validator(mode="after")
    def _one_orbit_kind(self):
        if (self.inclination_deg is None) == (self.ltan_hours is None):
            raise ValueError("give exactly one of inclination_deg (Walker shell) or ltan_hours (sun-synchronous)")
        return self


def _design_model():
    """``[design]``: ``base`` ("ai1" or "filing_100kw_per_t") plus any SatelliteDesign field as an override;
    ranges are checked by ``SatelliteDesign`` itself when the design is built."""
    import dataclasses

    from orbital.design import SatelliteDesign

    fields = {f.name: (float | None, None) for f in dataclasses.fields(SatelliteDesign)}
    return create_model("DesignIn", __base__=_Strict, base=(Literal["ai1", "filing_100kw_per_t"], "ai1"), **fields)


DesignIn = _design_model()


class DistributionIn(_Strict):
    """An uncertain input. normal: mean, sd; lognormal: median, sd_log; uniform: low, high;
    triangular: low, mode, high."""

    dist: Literal["normal", "lognormal", "uniform", "triangular"]
    mean: float | None = None
    sd: float | None = Field(None, gt=0.0)
    median: float | None = Field(None, gt=0.0)
    sd_log: float | None = Field(None, gt=0.0, le=5.0)
    low: float | None = None
    mode: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _parameters(self):
        needed = {
            "normal": ("mean", "sd"),
            "lognormal": ("median", "sd_log"),
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
        }[self.dist]
        given = {k for k in ("mean", "sd", "median", "sd_log", "low", "mode", "high") if getattr(self, k) is not None}
        if given != set(needed):
            raise ValueError(f"dist '{self.dist}' takes exactly {', '.join(needed)} (got {', '.join(sorted(given))})")
        if self.dist in ("uniform", "triangular") and not self.low < self.high:
            raise ValueError(f"low={self.low} must be below high={self.high}")
        if self.dist == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode={self.mode} must lie in [low, high] = [{self.low}, {self.high}]")
        return self


class CorrelationIn(_Strict):
    a: str
    b: str
    rho: float = Field(ge=-0.99, le=0.99)


class MonteCarloIn(_Strict):
    draws: int = Field(1000, ge=2, le=10_000_000)
    seed: int = Field(0, ge=0)
    percentiles: list[float] = Field([5.0, 25.0, 50.0, 75.0, 95.0], min_length=1)
    inputs: dict[str, DistributionIn] = {}
    correlations: list[CorrelationIn] = []

    @model_validator(mode="after")
    def _check(self):
        if any(not 0.0 < p < 100.0 for p in self.percentiles) or sorted(self.percentiles) != self.percentiles:
            raise ValueError("percentiles must be increasing and inside (0, 100)")
        for c in self.correlations:
            for key in (c.a, c.b):
                if key not in self.inputs:
                    raise ValueError(f"correlation names '{key}', which has no distribution in [montecarlo.inputs]")
            if c.a == c.b:
                raise ValueError(f"correlation of '{c.a}' with itself")
        return self


class Scenario(_Strict):
    scenario: Meta
    study: Study = Study()
    cadence: CadenceIn = CadenceIn()
    limits: LimitsIn = LimitsIn()
    vehicles: VehiclesIn = VehiclesIn()
    compute_share: ComputeShareIn = ComputeShareIn()
    cohorts: CohortsIn = CohortsIn()
    supply: SupplyIn = SupplyIn()
    economics: EconomicsIn = EconomicsIn()
    design: DesignIn = DesignIn()
    shells: list[ShellIn] = Field(min_length=1, max_length=20)
    montecarlo: MonteCarloIn = MonteCarloIn()

    @model_validator(mode="after")
    def _shells(self):
        total = sum(s.share for s in self.shells)
        if abs(total - 1.0) > 1e-6:
            shares = [s.share for s in self.shells]
            raise ValueError(
                f"shells[*].share = {shares}: shares sum to {total:g}; the shares of the shells must sum to 1"
            )
        names = [s.name for s in self.shells]
        if len(set(names)) != len(names):
            raise ValueError(f"shell names must be unique, got {names}")
        return self

    # --- derived objects -------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.scenario.name

    def to_dict(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True)

    def canonical_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def sha256(self) -> str:
        """SHA-256 of the canonical scenario (all fields with defaults filled in, sorted keys)."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()

    def with_changes(self, **sections) -> Scenario:
        """A re-validated copy with some fields changed, e.g. ``with_changes(study={"geometry_days": 30})``."""
        data = self.to_dict()
        for section, changes in sections.items():
            if isinstance(changes, dict) and isinstance(data.get(section), dict):
                data[section] = {**data[section], **changes}
            else:
                data[section] = changes
        return parse_scenario(data, f"{self.name} (changed)")

    def launch_scenario(self, kw_per_tonne_initial: float | None = None):
        """The ``launch.LaunchScenario``; the cohorts' initial kW/t is the scenario's value, else
        ``kw_per_tonne_initial`` (the design's roll-up, supplied by the planner), else launch's default."""
        import launch

        c = self.cadence
        if c.model == "table":
            if c.table_years is None or c.table_launches is None:
                raise ValueError("cadence.model = 'table' needs cadence.table_years and cadence.table_launches")
            cadence = launch.Cadence(
                table_years=c.table_years, table_launches=c.table_launches, model="table", ref_year=c.ref_year
            )
        else:
            cadence = launch.Cadence(
                c.start_launches_per_yr, c.ceiling_launches_per_yr, c.growth_rate_per_yr, c.ref_year, model=c.model
            )
        co = self.cohorts.model_dump()
        co["kw_per_tonne_initial"] = (
            co["kw_per_tonne_initial"] or kw_per_tonne_initial or launch.CohortParams().kw_per_tonne_initial
        )
        e = self.economics.model_dump()
        if e["price_model"] == "table" and (e["table_years"] is None or e["table_usd_per_kg"] is None):
            raise ValueError(
                "economics.price_model = 'table' needs economics.table_years and economics.table_usd_per_kg"
            )
        if e["price_model"] != "table":
            e.pop("table_years"), e.pop("table_usd_per_kg")
        s = self.supply
        return launch.LaunchScenario(
            cadence=cadence,
            limits=launch.LaunchLimits(**self.limits.model_dump()),
            vehicles=launch.VehicleMix(**self.vehicles.model_dump()),
            share=launch.ComputeShare(**self.compute_share.model_dump()),
            cohorts=launch.CohortParams(**co),
            supply=launch.SupplyCaps(
                chips=launch.Capacity(**s.chips.model_dump()),
                arrays=launch.Capacity(**s.arrays.model_dump()),
                factory=launch.Capacity(**s.factory.model_dump()),
                demand_gw_per_yr=s.demand_gw_per_yr,
            ),
            economics=launch.Economics(**e),
        )

    def satellite_design(self):
        from orbital.design import SatelliteDesign

        values = self.design.model_dump(exclude_none=True)
        base = values.pop("base")
        design = SatelliteDesign.ai1() if base == "ai1" else SatelliteDesign.filing_100kw_per_t()
        return design.replace(**values)

    def shell_objects(self, sample_sats: int | None = None):
        """Representative sample of each shell (see ``Study.sample_sats_per_shell``)."""
        from orbital.fleet import Shell

        n = sample_sats or self.study.sample_sats_per_shell
        out = []
        for s in self.shells:
            if s.ltan_hours is not None:
                # One dawn-dusk (or other LTAN) plane; satellites spread in argument of latitude.
                out.append(
                    Shell.sun_synchronous(
                        s.altitude_km,
                        s.ltan_hours,
                        planes=1,
                        sats_per_plane=n,
                        epoch=self.study.geometry_start,
                        name=s.name,
                    )
                )
            else:
                # One satellite per plane, planes spread over 360 deg of RAAN: the beta-angle history (which sets
                # eclipses) depends on the RAAN, not on the phase within a plane.
                out.append(
                    Shell.walker(
                        s.altitude_km, s.inclination_deg, n, 1, 0, epoch=self.study.geometry_start, name=s.name
                    )
                )
        return out


# --- loading -----------------------------------------------------------------------------------------------
def builtin_scenarios() -> dict[str, Path]:
    """Built-in scenario names -> TOML files shipped in ``orbital/scenarios/``."""
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}


def resolve(name_or_path) -> Path:
    text = str(name_or_path)
    builtins = builtin_scenarios()
    if text in builtins:
        return builtins[text]
    path = Path(text)
    if path.is_file():
        return path
    raise ScenarioError(f"{text}: no such scenario; give a TOML file or one of the built-ins: {', '.join(builtins)}")


def load_scenario(name_or_path=DEFAULT_SCENARIO) -> Scenario:
    """Load and validate a scenario (a built-in name or a TOML path)."""
    path = resolve(name_or_path)
    label = path.name if path.parent == SCENARIO_DIR else str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{label}: not valid TOML: {err}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{label}: cannot read the file ({err})") from None
    return parse_scenario(raw, label)


def parse_scenario(raw: dict, label: str = "<scenario>") -> Scenario:
    """Validate a scenario given as a dict (e.g. parsed TOML); errors are one-line ``ScenarioError``."""
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(_one_line(label, err, raw)) from None
    try:
        from orbital.fleet import _epoch_time

        _epoch_time(scenario.study.geometry_start)
    except (ValueError, TypeError) as err:
        raise ScenarioError(
            f"{label}: study.geometry_start = {scenario.study.geometry_start!r}: {' '.join(str(err).split())}"
        ) from None
    # Cross-checks that need the launch/design classes (their own range checks) and the input names.
    try:
        scenario.launch_scenario()
        scenario.satellite_design()
        _check_montecarlo_names(scenario)
    except (ValueError, TypeError) as err:
        section = _section_of(str(err))
        raise ScenarioError(f"{label}: {section}{err}") from None
    return scenario


def _section_of(message: str) -> str:
    """Prefix launch/design messages (which name the field) with the scenario section they come from."""
    import dataclasses

    from orbital.design import SatelliteDesign

    first = message.split("=")[0].split(" ")[0]
    if first in {f.name for f in dataclasses.fields(SatelliteDesign)}:
        return "design."
    sections = {
        "Cadence.": "cadence",
        "LaunchLimits.": "limits",
        "VehicleMix.": "vehicles",
        "ComputeShare.": "compute_share",
        "CohortParams.": "cohorts",
        "Capacity.": "supply",
        "SupplyCaps.": "supply",
        "Economics.": "economics",
    }
    for prefix, section in sections.items():
        if message.startswith(prefix):
            return f"[{section}] "
    return ""


def _check_montecarlo_names(scenario: Scenario):
    from orbital.planner import input_names

    names = input_names(scenario)
    for key in scenario.montecarlo.inputs:
        if key == "cohorts.kw_per_tonne_initial" and scenario.cohorts.kw_per_tonne_initial is None:
            raise ValueError(
                f"montecarlo.inputs.{key}: the design's mass roll-up sets it; give [cohorts] "
                "kw_per_tonne_initial in the scenario to draw it, or draw design inputs instead"
            )
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else "; see `orbital sensitivity` for the input names"
            raise ValueError(f"montecarlo.inputs.{key}: not a numeric scenario input{hint}")


def _model_at(loc) -> type[BaseModel] | None:
    """The pydantic model that holds the last element of ``loc``."""
    cls: type[BaseModel] = Scenario
    for part in loc[:-1]:
        if not isinstance(part, str) or part not in cls.model_fields:
            continue  # list index or dict key
        found = _find_model(cls.model_fields[part].annotation)
        if found is None:
            return None
        cls = found
    return cls


def _find_model(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _find_model(arg)
        if found is not None:
            return found
    return None


def _dotted(loc, raw) -> str:
    parts, node = [], raw
    for part in loc:
        if isinstance(part, int):
            name = (
                node[part].get("name")
                if isinstance(node, list) and part < len(node) and isinstance(node[part], dict)
                else None
            )
            parts[-1] += f"[{part}]" if name is None else f"[{part}:{name}]"
        else:
            parts.append(str(part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts) or "(top level)"


_UNIT_TOKENS = {
    "km",
    "m",
    "cm",
    "mm",
    "kg",
    "t",
    "g",
    "w",
    "kw",
    "mw",
    "gw",
    "tw",
    "wh",
    "kwh",
    "s",
    "min",
    "h",
    "hours",
    "day",
    "days",
    "yr",
    "deg",
    "rad",
    "k",
    "c",
    "m2",
    "usd",
    "tonne",
    "tonnes",
    "lb",
    "ft",
    "percent",
    "pct",
}


def _stem(key: str) -> tuple:
    """The key without its unit tokens: ``kw_per_kg_final`` and ``kw_per_tonne_final`` share ``(per, final)``."""
    return tuple(token for token in key.lower().split("_") if token not in _UNIT_TOKENS)


def _one_line(label: str, err: ValidationError, raw: dict) -> str:
    found = err.errors(include_url=False)
    # An unknown key first: a wrong unit suffix also makes the right key "missing"; name the cause.
    e = next((x for x in found if x["type"] == "extra_forbidden"), found[0])
    loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal["))))
    key = _dotted(loc, raw)
    value = e.get("input")
    kind = e["type"]
    if kind == "extra_forbidden":
        model = _model_at(loc)
        allowed = sorted(model.model_fields) if model is not None else []
        bad = str(loc[-1])
        # Same name once the unit tokens are dropped: a wrong (or missing) unit suffix; name the expected key.
        same_stem = [a for a in allowed if _stem(a) == _stem(bad) and a != bad and _stem(a)]
        if same_stem:
            return (
                f"{label}: {key} = {value!r}: wrong unit suffix, expected key '{same_stem[0]}' "
                f"(units are part of the key name)"
            )
        close = difflib.get_close_matches(bad, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"{label}: {key} = {value!r}: unknown key; {hint}allowed keys here: {', '.join(allowed)}"
    if kind == "missing":
        return f"{label}: {key}: required field is missing"
    message = e["msg"].removeprefix("Value error, ")
    if not loc:  # a check across sections: the message names the keys
        return f"{label}: {message}"
    if isinstance(value, dict):
        return f"{label}: {key}: {message}"
    return f"{label}: {key} = {value!r}: {message}"


__all__ = [
    "Scenario",
    "ScenarioError",
    "builtin_scenarios",
    "load_scenario",
    "parse_scenario",
    "resolve",
    "DEFAULT_SCENARIO",
]
