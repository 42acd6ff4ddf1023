"""Planner scenarios: TOML files with unit-suffixed keys, validated on load (pydantic v2).

A scenario ties together the launch ramp (``launch``), the fleet's shells, the satellite design, the study
window and the Monte Carlo distributions. The launch tables and ``[design]`` are generated from the parameter
declarations of the classes they build (``orbital.planner.schema``); the planner declares only its own keys here.
``load_scenario(name_or_path)`` accepts a built-in name (the TOML files in ``scenarios/`` beside this module) or a
path. Any problem (unknown key, wrong unit suffix, value out of range, missing field, bad TOML) raises
``ScenarioError`` (a ``ValueError``) with ONE line: ``<file>: <dotted.key> = <value>: <what is allowed>``.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
import tomllib
import typing
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

import launch
from launch.params import calendar_year_range, is_calendar_year
from launch.validation import parameter_specs
from orbital.core.constants import SECONDS_PER_DAY
from orbital.design import SatelliteDesign
from orbital.environment.debris import CollisionEnvironment
from orbital.environment.parameters import Environment
from orbital.environment.radiation import RadiationEffects
from orbital.formation import ClusterFormation, OpticalTerminal, lattice
from orbital.planner.fleets import representative_shells
from orbital.planner.geometry import ECLIPSE_STEP_S
from orbital.planner.inputs import LAUNCH_SECTIONS, SHELL_SHARE, input_names, is_calendar_input
from orbital.planner.schema import Strict, bounds, declared_spec, number_type, parameter_model, spec_field
from orbital.resources import check_estimate, plan_geometry_estimate
from orbital.timescales import check_window

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
DEFAULT_SCENARIO = "ai1-100gw"


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message is one line naming the file, key, value and rule."""


# A scenario's name is its default output folder (orbital-results/<name>), so it must be a plain folder name:
# no separators, no leading '.' (no '..', no hidden folder), nothing a shell or file system reads specially.
SCENARIO_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,79}")


# --- sections ----------------------------------------------------------------------------------------------
class Meta(Strict):
    name: str = Field(min_length=1, max_length=80)
    description: str = ""
    # A built-in scenario this one starts from: every key it does not set is the base's (``inherit``).
    inherits: str | None = None

    @field_validator("name")
    @classmethod
    def _plain_folder_name(cls, name: str) -> str:
        if not SCENARIO_NAME.fullmatch(name):
            raise ValueError(
                "the name must be a plain folder name (it names orbital-results/<name>): letters, digits, "
                "'-', '_' and '.', not starting with '.', at most 80 characters"
            )
        return name


# launch.params declares its calendar-year defaults (cadence.ref_year 2027, vehicles.intro_year [2027, 2029],
# compute_share.ramp_start_year, cohorts.kw_ref_year, supply.*.ref_year: all 2027 but the second vehicle) for a
# projection that starts in 2027. The planner reads them as offsets from that year, so that a study starting later
# moves every anchor it does not set: anchor = start_year + (launch's default - REFERENCE_START_YEAR).
REFERENCE_START_YEAR = 2027
EARLIEST_YEAR, LATEST_YEAR = calendar_year_range()
CALENDAR_NOTE = (
    "an absolute calendar year when set; omitted, it follows [study] start_year "
    f"(start_year + launch's default - {REFERENCE_START_YEAR})"
)


class Study(Strict):
    """Years of the yearly plan, and the geometry window (one year by default: eclipse seasons need it)."""

    start_year: int = Field(REFERENCE_START_YEAR, ge=EARLIEST_YEAR, le=LATEST_YEAR)
    n_years: int = Field(19, ge=1, le=100)
    # Omitted: January 1 of start_year (filled in on validation; ``to_dict`` leaves it out again).
    geometry_start: str | None = None
    geometry_days: float = Field(365.0, gt=0.0, le=400.0)
    geometry_step_s: float = Field(600.0, ge=10.0, le=3600.0)
    # Representative satellites per shell (Walker: one per plane over evenly spread RAANs; SSO: one plane).
    sample_sats_per_shell: int = Field(8, ge=1, le=64)

    @model_validator(mode="after")
    def _calendar(self):
        end_year = self.start_year + self.n_years - 1
        if end_year > LATEST_YEAR:
            raise ValueError(
                f"study.start_year = {self.start_year}, study.n_years = {self.n_years}: the study would end in "
                f"{end_year}, after {LATEST_YEAR}, the latest calendar year the launch model accepts; "
                f"start earlier or plan at most {LATEST_YEAR - self.start_year + 1} years"
            )
        window_s = self.geometry_days * SECONDS_PER_DAY
        if self.geometry_step_s > window_s:
            # One instant would stand for more time than the window holds (orbital.timescales.uniform_grid).
            raise ValueError(
                f"study.geometry_step_s = {self.geometry_step_s:g}: longer than the geometry window "
                f"(study.geometry_days = {self.geometry_days:g}, {window_s:g} s); use a finer step or a longer window"
            )
        if self.geometry_start is None:
            # The model is frozen; the default is derived, so it is written in place once, on validation.
            self.__dict__["geometry_start"] = f"{self.start_year:04d}-01-01"
        return self

    @property
    def geometry_start_given(self) -> bool:
        """Whether the scenario set ``geometry_start`` (else it follows ``start_year``)."""
        return "geometry_start" in self.model_fields_set


# --- launch and design sections: generated from the classes' parameter declarations -------------------------
# The built-in launch inputs: every default of [cadence] ... [economics] is read from this object.
DEFAULT_LAUNCH = launch.LaunchScenario()


def _whole_table(field_name: str) -> bool:
    """Inside a nested table ([supply.chips]) every number but the reference year is required: the table
    replaces the built-in object, so a half-given ramp never mixes silently with the built-in's numbers."""
    return not is_calendar_input(field_name)


# Calendar years the scenario does not set follow the study (``Scenario.launch_scenario`` fills them in).
CALENDAR = {"unset": is_calendar_year, "unset_note": CALENDAR_NOTE}


def _section(model_name: str, attribute: str, **options):
    part = getattr(DEFAULT_LAUNCH, attribute)
    return parameter_model(model_name, type(part), part, **CALENDAR, **options)


CadenceIn = _section("CadenceIn", "cadence")
LimitsIn = _section("LimitsIn", "limits")
VehiclesIn = _section("VehiclesIn", "vehicles")
ComputeShareIn = _section("ComputeShareIn", "share")
_KW_INITIAL = parameter_specs(launch.CohortParams)["kw_per_tonne_initial"]
CohortsIn = _section(
    "CohortsIn",
    "cohorts",
    # Planner-only meaning: omitted (None), the cohorts start at the design's mass roll-up (share-weighted).
    extra_fields={"kw_per_tonne_initial": (number_type(_KW_INITIAL, optional=True), spec_field(_KW_INITIAL, None))},
)
SupplyIn = _section("SupplyIn", "supply", nested_required=_whole_table)
CapacityIn = parameter_model("CapacityIn", launch.Capacity, required=_whole_table, **CALENDAR)
EconomicsIn = _section("EconomicsIn", "economics")
# [design]: a preset (``base``) and any declared SatelliteDesign parameter as an override.
DESIGN_BASES = {"ai1": SatelliteDesign.ai1, "filing_100kw_per_t": SatelliteDesign.filing_100kw_per_t}
DesignIn = parameter_model(
    "DesignIn",
    SatelliteDesign,
    optional=True,
    extra_fields={"base": (Literal[tuple(DESIGN_BASES)], "ai1")},
)

# [environment]: the solar cycle after the shipped table, geomagnetic activity, the disposal rule and reliability.
EnvironmentIn = parameter_model("EnvironmentIn", Environment)
# [collisions]: debris, collisions, avoidance manoeuvres and shell capacity. The satellite's mass (for the
# fragments of a breakup) is the plan's own roll-up, so it is not a key here.
COLLISION_MASS_FIELDS = ("satellite_mass_kg", "derelict_mass_kg")
CollisionsIn = parameter_model("CollisionsIn", CollisionEnvironment, exclude=COLLISION_MASS_FIELDS)
# [radiation]: the accelerators' dose tolerance, upsets per rad, restart and recompute times, GCR and solar protons.
RadiationIn = parameter_model("RadiationIn", RadiationEffects)


# [shells.cluster] and [shells.terminal] of a cluster shell: the formation's and the terminal's declared
# parameters. The reference orbit is the shell's own (altitude_km, ltan_hours or inclination_deg); solar activity
# is the scenario's [environment] (the mean F10.7 over the design life, its Ap); the thruster's Isp and the
# mission length are the [design]'s (thruster_isp_s, design_life_years): the caller fills those in.
CLUSTER_SHELL_FIELDS = ("altitude_km", "inclination_deg", "ltan_h", "f107_sfu", "ap", "isp_s", "mission_yr")
ClusterIn = parameter_model("ClusterIn", ClusterFormation, exclude=CLUSTER_SHELL_FIELDS)
TerminalIn = parameter_model("TerminalIn", OpticalTerminal)
SHELL_KINDS = ("walker", "sun-synchronous", "cluster")


class ShellIn(Strict):
    """One shell: a Walker shell (``inclination_deg``), a sun-synchronous one (``ltan_hours``; 6 or 18 is
    dawn-dusk), or, with ``kind = "cluster"``, compute clusters in formation about a reference orbit given by
    either of those (``[shells.cluster]``: the lattice, ``[shells.terminal]``: its optical crosslinks; both
    optional, defaults: Google's Suncatcher cluster). ``share`` is the share of satellites in the shell (shares
    sum to 1). Without ``kind`` the shell is what its orbit keys say."""

    name: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.\-]+$")
    altitude_km: float = Field(ge=160.0, le=3000.0)
    share: float = Field(**bounds(SHELL_SHARE))
    inclination_deg: float | None = Field(None, ge=0.0, le=180.0)
    ltan_hours: float | None = Field(None, ge=0.0, le=24.0)
    kind: Literal[SHELL_KINDS] | None = None
    cluster: ClusterIn | None = None
    terminal: TerminalIn | None = None

    @model_validator(mode="after")
    def _one_orbit_kind(self):
        if (self.inclination_deg is None) == (self.ltan_hours is None):
            what = " for the cluster's reference orbit" if self.kind == "cluster" else ""
            raise ValueError(
                f"give exactly one of inclination_deg (Walker shell) or ltan_hours (sun-synchronous){what}"
            )
        if self.kind in ("walker", "sun-synchronous") and self.kind != self.orbit_kind:
            key = "inclination_deg" if self.kind == "walker" else "ltan_hours"
            raise ValueError(f"kind = {self.kind!r} takes {key}")
        if self.kind != "cluster":
            for table in ("cluster", "terminal"):
                if getattr(self, table) is not None:
                    raise ValueError(f'[shells.{table}] belongs to a cluster shell; add kind = "cluster"')
            return self
        # Omitted tables are the defaults, written in place once so that the scenario's dump states them.
        for table, model in (("cluster", ClusterIn), ("terminal", TerminalIn)):
            if getattr(self, table) is None:
                self.__dict__[table] = model()
        try:
            lattice(self.cluster_formation())
            self.optical_terminal()
        except (ValueError, TypeError) as err:
            message = in_section(str(err).replace("ClusterFormation ", "cluster."), ClusterFormation, "cluster")
            raise ValueError(in_section(message, OpticalTerminal, "terminal")) from None
        return self

    @property
    def orbit_kind(self) -> str:
        """The reference orbit's kind: "walker" or "sun-synchronous"."""
        return "walker" if self.inclination_deg is not None else "sun-synchronous"

    @property
    def is_cluster(self) -> bool:
        return self.kind == "cluster"

    def cluster_formation(self, **fill) -> ClusterFormation:
        """The cluster of a cluster shell at the shell's reference orbit; ``fill`` sets the fields the scenario
        takes from elsewhere (``CLUSTER_SHELL_FIELDS``: f107_sfu, ap, isp_s, mission_yr), else the class's
        defaults."""
        if not self.is_cluster:
            raise ValueError(f'shell {self.name!r} is not a cluster shell (kind = "cluster")')
        orbit = {"altitude_km": self.altitude_km, "inclination_deg": self.inclination_deg}
        if self.ltan_hours is not None:
            orbit["ltan_h"] = self.ltan_hours % 24.0
        return ClusterFormation(**self.cluster.model_dump(), **orbit, **fill)

    def optical_terminal(self) -> OpticalTerminal:
        if not self.is_cluster:
            raise ValueError(f'shell {self.name!r} is not a cluster shell (kind = "cluster")')
        return OpticalTerminal(**self.terminal.model_dump())


class DistributionIn(Strict):
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


class CorrelationIn(Strict):
    a: str
    b: str
    rho: float = Field(ge=-0.99, le=0.99)


# Draws per call: every draw keeps a full yearly plan (about 40 outputs x the study's years, float64) in memory
# with the vmapped intermediates; 10^7 draws took 15.5 GB on the 2-core CPU, 10^6 stays near 2 GB.
MAX_DRAWS = 1_000_000
# Seeds feed jax.random.key, which takes a 32-bit seed unless x64 is on.
MAX_SEED = 2**32


class MonteCarloIn(Strict):
    draws: int = Field(1000, ge=2, le=MAX_DRAWS)
    seed: int = Field(0, ge=0, lt=MAX_SEED)
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


class Scenario(Strict):
    """A validated scenario file; ``launch_scenario()`` and ``satellite_design()`` build the objects it
    describes."""

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
    environment: EnvironmentIn = EnvironmentIn()
    collisions: CollisionsIn = CollisionsIn()
    radiation: RadiationIn = RadiationIn()
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
        """The scenario as written, defaults filled in; calendar anchors it does not set stay out (they follow
        ``study.start_year``), so ``parse_scenario(to_dict())`` and ``with_changes`` give the same scenario."""
        exclude = None if self.study.geometry_start_given else {"study": {"geometry_start"}}
        return self.model_dump(mode="json", exclude_none=True, exclude=exclude)

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
        ``kw_per_tonne_initial`` (the design's roll-up, supplied by the planner), else launch's default. Calendar
        years the scenario does not set follow ``study.start_year`` (``REFERENCE_START_YEAR``)."""
        shift = self.study.start_year - REFERENCE_START_YEAR
        parts = {}
        for attribute, section in LAUNCH_SECTIONS.items():
            given = getattr(self, section).model_dump(exclude_none=True)
            values = _with_anchors(given, getattr(DEFAULT_LAUNCH, attribute), shift)
            if attribute == "cohorts":
                kw = self.cohorts.kw_per_tonne_initial or kw_per_tonne_initial
                if kw is not None:
                    values["kw_per_tonne_initial"] = kw
            parts[attribute] = build_parameters(section, type(getattr(DEFAULT_LAUNCH, attribute)), values)
        return launch.LaunchScenario(**parts)

    def satellite_design(self) -> SatelliteDesign:
        """The ``[design]`` preset with the scenario's overrides."""
        values = self.design.model_dump(exclude_none=True)
        design = DESIGN_BASES[values.pop("base")]()
        try:
            return design.replace(**values)
        except (ValueError, TypeError) as err:
            raise ValueError(in_section(str(err), SatelliteDesign, "design")) from None

    def shell_objects(self, sample_sats: int | None = None):
        """Representative sample of each shell (see ``Study.sample_sats_per_shell``)."""
        return representative_shells(self, sample_sats)


def _with_anchors(values: dict, default, shift: int) -> dict:
    """``values`` (a section as validated) with each calendar year it lacks set to launch's default + ``shift``,
    nested tables ([supply.chips]) included."""
    values = dict(values)
    specs = parameter_specs(type(default))
    for f in dataclasses.fields(default):
        base = getattr(default, f.name)
        spec = specs.get(f.name)
        if spec is not None and is_calendar_year(spec) and f.name not in values and base is not None:
            values[f.name] = (np.asarray(base, dtype=float) + shift).tolist()
        elif dataclasses.is_dataclass(base) and isinstance(values.get(f.name), dict):
            values[f.name] = _with_anchors(values[f.name], base, shift)
    return values


# --- loading -----------------------------------------------------------------------------------------------
def builtin_scenarios() -> dict[str, Path]:
    """Built-in scenario names -> TOML files shipped in ``orbital/planner/scenarios/``."""
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


# Keys a scenario replaces whole when it sets them (its shells; its Monte Carlo, whose inputs and correlations go
# together); every other table is merged key by key over its base's.
REPLACED_WHOLE = {("shells",), ("montecarlo",)}


def _merged(base: dict, overrides: dict, path: tuple = ()) -> dict:
    merged = dict(base)
    for key, value in overrides.items():
        here = (*path, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict) and here not in REPLACED_WHOLE:
            merged[key] = _merged(base[key], value, here)
        else:
            merged[key] = value
    return merged


def inherit(raw: dict, label: str, seen: tuple = ()) -> dict:
    """The scenario ``raw`` on top of the built-in it names in ``[scenario] inherits`` (recursively), so that a
    scenario states only what it changes and every other input is the base's, not the library's default."""
    meta = raw.get("scenario")
    base_name = meta.get("inherits") if isinstance(meta, dict) else None
    if base_name is None:
        return raw
    builtins = builtin_scenarios()
    if not isinstance(base_name, str) or base_name not in builtins:
        raise ScenarioError(
            f"{label}: scenario.inherits = {base_name!r}: not a built-in scenario; one of {', '.join(builtins)}"
        )
    if base_name in seen:
        raise ScenarioError(f"{label}: scenario.inherits = {base_name!r}: inheritance loops ({' -> '.join(seen)})")
    base = inherit(tomllib.loads(builtins[base_name].read_text(encoding="utf-8")), label, (*seen, base_name))
    return _merged(base, raw)


def parse_scenario(raw: dict, label: str = "<scenario>") -> Scenario:
    """Validate a scenario given as a dict (e.g. parsed TOML); errors are one-line ``ScenarioError``.

    With ``[scenario] inherits = "<built-in>"`` the keys the scenario does not set come from that built-in."""
    raw = inherit(raw, label)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(_one_line(label, err, raw)) from None
    study = scenario.study
    try:
        check_window("study.geometry_start", study.geometry_start, study.geometry_days)
    except (ValueError, TypeError) as err:
        message = " ".join(str(err).split())
        if not message.startswith("study.geometry_start"):
            message = f"study.geometry_start = {study.geometry_start!r}: {message}"
        if not study.geometry_start_given:
            message += (
                f"; omitted, it is January 1 of study.start_year ({study.start_year}): set study.geometry_start "
                "inside that range (the geometry repeats from year to year)"
            )
        raise ScenarioError(f"{label}: {message}") from None
    try:
        check_geometry_resources(scenario)
    except ValueError as err:
        raise ScenarioError(f"{label}: {err}") from None
    # Checks across fields (the launch and design constructors' own) and the Monte Carlo input names.
    try:
        scenario.launch_scenario()
        scenario.satellite_design()
        _check_montecarlo_names(scenario)
    except (ValueError, TypeError) as err:
        raise ScenarioError(f"{label}: {err}") from None
    return scenario


def check_geometry_resources(scenario: Scenario):
    """Refuse (one line naming the [study] keys) a geometry window whose estimated memory or time is beyond
    ``orbital.resources``' limits, before anything is computed."""
    study = scenario.study
    n_sat = len(scenario.shells) * study.sample_sats_per_shell
    estimate = plan_geometry_estimate(n_sat, study.geometry_days, study.geometry_step_s, ECLIPSE_STEP_S)
    n_steps = int(estimate.sat_steps) // n_sat
    check_estimate(
        estimate,
        f"study.geometry_days = {study.geometry_days:g}, study.geometry_step_s = {study.geometry_step_s:g}, "
        f"study.sample_sats_per_shell = {study.sample_sats_per_shell}: the geometry of {n_sat:,} sampled "
        f"satellites x {n_steps:,} steps",
        "use fewer geometry_days, a coarser geometry_step_s or fewer sample_sats_per_shell",
    )


def build_parameters(section: str, cls: type, values: dict):
    """``cls(**values)``, nested parameter objects first; a constructor's message names the scenario key."""
    values = dict(values)
    for f in dataclasses.fields(cls):
        if isinstance(values.get(f.name), dict):
            nested = type(getattr(cls(), f.name))
            values[f.name] = build_parameters(f"{section}.{f.name}", nested, values[f.name])
    try:
        return cls(**values)
    except (ValueError, TypeError) as err:
        raise ValueError(in_section(str(err), cls, section)) from None


_VERB = re.compile(r"^(?P<key>[\w.\[\]]+)=(?P<value>.+?) (?P<rule>(?:is|are|must|needs|should|cannot)\b.*)$")


def in_section(message: str, cls: type, section: str) -> str:
    """A constructor's message (``Cadence.ref_year=1800 is outside ...``) in the scenario's terms:
    ``cadence.ref_year = 1800: is outside ...``."""
    message = message.replace(f"{cls.__name__}.", f"{section}.")
    first = re.split(r"[=\s]", message, maxsplit=1)[0]
    if first in {f.name for f in dataclasses.fields(cls)}:
        message = f"{section}.{message}"
    match = _VERB.match(message)
    if match and match["key"].startswith(f"{section}."):
        return f"{match['key']} = {match['value']}: {match['rule']}"
    return message


def _check_montecarlo_names(scenario: Scenario):
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


def _field_at(loc) -> tuple:
    """``(model, field name)`` of the key at ``loc`` (list indices and dict keys skipped)."""
    cls: type[BaseModel] = Scenario
    name = None
    for part in loc:
        if not isinstance(part, str) or part not in cls.model_fields:
            continue
        found = _find_model(cls.model_fields[part].annotation)
        if found is None:
            return cls, part
        cls, name = found, None
    return cls, name


_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


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
    if kind in _BOUND_ERRORS:
        spec = declared_spec(*_field_at(loc))
        if spec is not None:
            unit = f" {spec.unit}" if spec.unit else ""
            message += f"; allowed range {spec.interval()}{unit}"
    if not loc:  # a check across sections: the message names the keys
        return f"{label}: {message}"
    if isinstance(value, dict):
        # A check across a table's keys names them itself.
        return f"{label}: {message}" if message.startswith(f"{key}.") else f"{label}: {key}: {message}"
    return f"{label}: {key} = {value!r}: {message}"
