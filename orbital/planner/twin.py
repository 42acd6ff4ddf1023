"""The plan's fleet twin: the operating fleet of one plan year, satellite by satellite, and its time-stepped budget.

``build_twin(model, year)`` lays out the fleet that the plan has operating at the end of ``year`` (plan.csv's row):

- satellites per launch cohort from the launch projection's cohort matrix (the plan's own inputs and collision
  hazard, rerun with cohorts; checked to close on the row's nameplate GW), split over the shells by their shares,
  rounded to whole satellites with every shell's and every cohort's total within one satellite of the plan's;
- each shell laid out in planes and slots: a sun-synchronous shell (one LTAN) is one plane of evenly spaced slots;
  a Walker shell of N satellites has ceil(sqrt N) planes evenly spread in RAAN, filled slot by slot across the
  planes (so planes differ by at most one satellite), phasing 1; a cluster shell is flown at its reference orbit,
  as the plan's geometry does;
- each satellite's cohort (launch year), its age at the year's end (launches spread uniformly over the launch
  year: the satellites of a cohort have ages evenly spread over one year, mean ``year - cohort + 0.5`` as in the
  plan), the compute derate its age gives (``cohorts.degradation_per_yr``: the plan's operating GW is the
  nameplate GW times this) and its cohort's kW/t (plan.csv's ``kw_per_tonne`` of the launch year).

kW/t does not enter the budget: every cohort flies the scenario's design (same compute power, arrays, battery and
radiator, so the same power and thermal budget), its battery sized as the plan sizes it, for the worst eclipse of
its shell in the plan's geometry (shells.csv's ``worst_eclipse_min``); a higher kW/t is the same satellite made
lighter, which changes launch mass and cost, not power. It is kept per satellite for the fleet's mass and its mean kW/t.

``sample=n`` flies a subsample: ``stratified`` (default) draws from every (shell, cohort) stratum in proportion to
its size, at least two satellites from each (so each stratum's spread is estimated), ``random`` draws from the
whole fleet; each flown satellite carries the weight of the satellites it stands for, and fleet totals come with
their standard error (the stratified, or simple random, estimator's, with the finite-population correction).

``run_twin`` runs the year's budget (``orbital.budget`` with per-satellite ages, and the fleet's delivered
compute summed inside the scan: each satellite's compute power x its weight x its compute derate x (1 - its
shell's radiation availability loss), the plan's three factors on top of the power budget), and reduces it to the
fleet's compute time series, firm capacity, energy shed, battery and temperature distributions, and the plan's
closed-form availability beside the twin's time-stepped one.
"""

from __future__ import annotations

import dataclasses
import math

import equinox as eqx
import numpy as np
import pandas as pd

import launch
from orbital.budgets import Budget, budget
from orbital.core.constants import SECONDS_PER_DAY, SECONDS_PER_HOUR
from orbital.design import SatelliteDesign
from orbital.fleet import Fleet, Shell, epoch_time
from orbital.planner.inputs import unflatten_inputs
from orbital.planner.model import PlanModel

SAMPLINGS = ("stratified", "random")
# A stratum's spread needs two of its satellites; a stratified sample gives each stratum at least this many.
MIN_PER_STRATUM = 2
# Walker shells' phasing factor F (Walker 1984): neighbouring planes' satellites offset by 360 F / total deg.
WALKER_PHASING = 1
# The plan's cohort matrix must close on its row's nameplate GW to this relative tolerance (float64 rounding).
CLOSURE_RTOL = 1e-9
# Percentiles of the satellites' distributions reported beside their extremes (weighted by the satellites stood for).
PERCENTILES = (1.0, 5.0, 50.0, 95.0, 99.0)
# The fleet series' lower percentile reported as firm capacity beside its lowest step.
FIRM_PERCENTILE = 1.0


@dataclasses.dataclass(frozen=True)
class FleetTwin:
    """The operating fleet of a plan year, as flown: every satellite, or a weighted subsample (arrays (n_flown,))."""

    scenario_name: str
    year: int
    start: str  # the window's start and the layout's epoch
    design: SatelliteDesign
    fleet: Fleet
    plane: np.ndarray
    slot: np.ndarray
    cohort: np.ndarray  # launch year
    age_years: np.ndarray  # at the end of ``year``
    compute_derate: np.ndarray  # (1 - cohorts.degradation_per_yr) ** age
    kw_per_tonne: np.ndarray  # the cohort's (plan.csv's kw_per_tonne of its launch year)
    worst_eclipse_min: np.ndarray  # the eclipse its battery is sized for: its shell's in the plan (shells.csv)
    weight: np.ndarray  # satellites of the fleet each flown satellite stands for (1: the whole fleet)
    stratum: np.ndarray  # index into ``strata``
    strata: pd.DataFrame  # shell, cohort, population, flown
    shells: pd.DataFrame  # per shell: share, satellites (plan and twin), planes, closed-form availability
    cohorts: pd.DataFrame  # per cohort: nameplate GW, satellites (plan and twin), kW/t, mean age
    plan_row: dict
    sampling: str | None
    seed: int | None

    @property
    def population(self) -> int:
        return int(self.strata["population"].sum())

    @property
    def n_flown(self) -> int:
        return len(self.fleet)

    def gw_operating(self) -> float:
        """The twin's operating GW: its satellites' compute power derated by age (the plan's ``gw_operating``)."""
        return float(np.sum(self.weight * self.compute_derate) * self.design.compute_power_w / 1e9)

    def gw_operating_nameplate(self) -> float:
        return float(np.sum(self.weight) * self.design.compute_power_w / 1e9)

    def mean_kw_per_tonne(self) -> float:
        """The fleet's kW/t: its compute power over its mass, each satellite at its cohort's kW/t."""
        return float(np.sum(self.weight) / np.sum(self.weight / self.kw_per_tonne))

    def to_dataframe(self) -> pd.DataFrame:
        """One row per flown satellite: where it flies and what it is."""
        return pd.DataFrame(
            {
                "name": self.fleet.names,
                "shell": np.asarray(self.fleet.shell_names, dtype=object)[self.fleet.shell_index],
                "plane": self.plane,
                "slot": self.slot,
                "cohort": self.cohort,
                "age_years": self.age_years,
                "compute_derate": self.compute_derate,
                "kw_per_tonne": self.kw_per_tonne,
                "weight": self.weight,
            }
        )


# --- building the fleet -----------------------------------------------------------------------------------
def check_sample(sample, sampling: str = "stratified", seed=0):
    """One-line errors for the subsample's options, before anything is computed."""
    if sampling not in SAMPLINGS:
        raise ValueError(f"sampling={sampling!r} is not one of {', '.join(map(repr, SAMPLINGS))}")
    if sample is not None and (isinstance(sample, bool) or not float(sample).is_integer() or sample < 1):
        raise ValueError(f"sample={sample!r} is outside the allowed range: a whole number of satellites >= 1")
    if seed is not None and (isinstance(seed, bool) or not float(seed).is_integer() or not 0 <= seed < 2**63):
        raise ValueError(f"seed={seed!r} is outside the allowed range: an integer in [0, 2^63)")


def plan_cohorts(model: PlanModel, theta=None) -> dict:
    """The plan's cohort matrix at ``theta``: ``launch.project_arrays`` with cohorts on the plan's launch inputs
    (kW/t from the design's roll-up when the plan takes it), availability and collision hazard; checked to close on
    the plan's nameplate GW. Returns the cohort matrices (numpy) and the plan's outputs."""
    theta = model.theta0 if theta is None else theta
    out = model.jitted(theta)
    scenario = unflatten_inputs(theta, model.layout)["launch"]
    if model.kw_from_design:
        scenario = eqx.tree_at(lambda s: s.cohorts.kw_per_tonne_initial, scenario, out["kw_per_tonne_rollup"][0])
    cohorts = launch.project_arrays(
        scenario,
        model.start_year,
        model.n_years,
        with_cohorts=True,
        availability=out["compute_availability"][0],
        hazard=model.fleet_hazard(theta),
    )
    operating = np.asarray(cohorts["cohort_operating_gw"], float)
    nameplate = np.asarray(out["gw_operating_nameplate"], float)
    if not np.allclose(operating.sum(axis=1), nameplate, rtol=CLOSURE_RTOL, atol=0.0):
        raise FloatingPointError("the plan's cohorts do not add up to its operating GW; check the scenario's numbers")
    return {
        "operating_gw": operating,
        "degradation_per_yr": float(scenario.cohorts.degradation_per_yr),
        "outputs": out,
    }


def largest_remainder(values, total: int) -> np.ndarray:
    """Whole numbers that sum to ``total``, each within one of ``values`` scaled to that total (Hamilton's method)."""
    values = np.asarray(values, float)
    scaled = values * (total / values.sum()) if values.sum() > 0 else np.zeros_like(values)
    whole = np.floor(scaled).astype(np.int64)
    order = np.argsort(-(scaled - whole), kind="stable")
    whole[order[: total - int(whole.sum())]] += 1
    return whole


def round_matrix(real: np.ndarray) -> np.ndarray:
    """Whole numbers for a non-negative (rows, columns) matrix whose total, row sums and column sums are those of
    ``real`` rounded (largest remainder): floors, then one more in the cells with the largest remainders among those
    whose row and column still need one (always possible: the needs of the rows and the columns sum alike)."""
    total = int(round(float(real.sum())))
    need_rows = largest_remainder(real.sum(axis=1), total)
    need_cols = largest_remainder(real.sum(axis=0), total)
    whole = np.floor(real).astype(np.int64)
    need_rows = need_rows - whole.sum(axis=1)
    need_cols = need_cols - whole.sum(axis=0)
    remainder = real - whole
    while need_rows.sum() > 0:
        open_cells = (need_rows[:, None] > 0) & (need_cols[None, :] > 0)
        r, c = np.unravel_index(np.argmax(np.where(open_cells, remainder, -np.inf)), real.shape)
        whole[r, c] += 1
        remainder[r, c] -= 1.0
        need_rows[r] -= 1
        need_cols[c] -= 1
    return whole


def shell_layout(shell_in, n: int, epoch: str):
    """(inclination deg, raan deg (n,), argument of latitude deg (n,), plane (n,), slot (n,)) of ``n`` satellites
    of one scenario shell (see the module's docstring)."""
    index = np.arange(n)
    if shell_in.ltan_hours is not None:
        reference = Shell.sun_synchronous(shell_in.altitude_km, shell_in.ltan_hours, 1, 1, epoch=epoch)
        raan = np.full(n, reference.raan_deg[0])
        return reference.inclination_deg, raan, 360.0 * index / n, np.zeros(n, np.int64), index
    planes = max(1, math.ceil(math.sqrt(n)))
    per_plane = -(-n // planes)
    plane, slot = index % planes, index // planes
    raan = 360.0 * plane / planes
    total = planes * per_plane
    arg_latitude = np.mod(360.0 * slot / per_plane + 360.0 * WALKER_PHASING * plane / total, 360.0)
    return shell_in.inclination_deg, raan, arg_latitude, plane, slot


def build_twin(
    model: PlanModel,
    year: int,
    *,
    sample: int | None = None,
    sampling: str = "stratified",
    seed: int = 0,
    start: str | None = None,
    theta=None,
) -> FleetTwin:
    """The operating fleet of plan ``year`` (see the module's docstring); ``sample``: fly that many satellites
    (``sampling`` "stratified" or "random", drawn with ``seed``), each weighted by the satellites it stands for.
    ``start``: the window's start and the layout's epoch (default January 1 of ``year``)."""
    check_sample(sample, sampling, seed)
    index = model.year_index(year)
    year = int(year)
    start = f"{year:04d}-01-01" if start is None else str(start)
    theta = model.theta0 if theta is None else theta
    scenario = model.scenario
    design = scenario.satellite_design()
    cohorts = plan_cohorts(model, theta)
    table = model.table(theta)
    row = table.iloc[index]
    per_gw = 1e9 / float(design.compute_power_w)
    shares = np.array([s.share for s in scenario.shells], float)
    shares = shares / shares.sum()
    cohort_years = model.start_year + np.arange(model.n_years)
    cohort_sats = cohorts["operating_gw"][index] * per_gw  # (cohorts,) real satellites at the year's end
    counts = round_matrix(shares[:, None] * cohort_sats[None, :])  # (shells, cohorts)
    kw_by_year = table["kw_per_tonne"].to_numpy(float)
    shells_table = model.shells_table(theta)

    parts, strata = [], []
    for k, shell_in in enumerate(scenario.shells):
        n_shell = int(counts[k].sum())
        if n_shell == 0:
            continue
        inclination, raan, arg_latitude, plane, slot = shell_layout(shell_in, n_shell, start)
        # Oldest cohorts first along the shell's fill order: each cohort spreads over the planes.
        cohort = np.repeat(cohort_years, counts[k])
        first = np.repeat(np.cumsum(counts[k]) - counts[k], counts[k])
        size = np.repeat(counts[k], counts[k])
        within = np.arange(n_shell) - first
        age = (year - cohort) + (within + 0.5) / size
        stratum = len(strata) + np.repeat(np.cumsum(counts[k] > 0) - 1, counts[k])
        for c in np.flatnonzero(counts[k]):
            strata.append((shell_in.name, int(cohort_years[c]), int(counts[k, c])))
        parts.append((shell_in, inclination, raan, arg_latitude, plane, slot, cohort, age, stratum))
    if not parts:
        raise ValueError(
            f"year={year}: the plan has {float(row['satellites_operating']):.3g} satellites operating, fewer than "
            "one to fly; choose a later year"
        )
    strata = pd.DataFrame(strata, columns=["shell", "cohort", "population"])
    stratum_all = np.concatenate([p[-1] for p in parts])
    picked, weight = _draw(stratum_all, strata["population"].to_numpy(), sample, sampling, seed)
    strata["flown"] = np.bincount(stratum_all[picked], minlength=len(strata))

    shells, offset = [], 0
    columns = {name: [] for name in ("plane", "slot", "cohort", "age", "stratum", "names")}
    epoch = epoch_time(start)
    for shell_in, inclination, raan, arg_latitude, plane, slot, cohort, age, stratum in parts:
        n_shell = len(cohort)
        mine = picked[(picked >= offset) & (picked < offset + n_shell)] - offset
        offset += n_shell
        if mine.size == 0:
            continue
        shells.append(Shell(shell_in.name, shell_in.altitude_km, inclination, raan[mine], arg_latitude[mine], epoch))
        for name, values in (("plane", plane), ("slot", slot), ("cohort", cohort), ("age", age), ("stratum", stratum)):
            columns[name].append(values[mine])
        columns["names"].append(np.array([f"{shell_in.name}-p{p}-s{s}" for p, s in zip(plane[mine], slot[mine])]))
    built = Fleet.from_shells(shells)
    fleet = Fleet(
        names=np.concatenate(columns["names"]).astype(object),
        shell_index=built.shell_index,
        shell_names=built.shell_names,
        epoch=built.epoch,
        elements=built.elements,
    )
    cohort = np.concatenate(columns["cohort"])
    age = np.concatenate(columns["age"])
    derate = (1.0 - cohorts["degradation_per_yr"]) ** age
    radiation = dict(zip(shells_table["shell"], shells_table["radiation_availability_loss"]))
    sizing_eclipse_min = dict(zip(shells_table["shell"], shells_table["worst_eclipse_min"]))
    availability = dict(zip(shells_table["shell"], shells_table["compute_availability"]))
    shell_rows = []
    for k, shell_in in enumerate(scenario.shells):
        planes = shell_layout(shell_in, int(counts[k].sum()), start)[3] if counts[k].sum() else np.zeros(0)
        shell_rows.append(
            dict(
                shell=shell_in.name,
                share=shares[k],
                satellites_plan=float(shares[k] * cohort_sats.sum()),
                satellites=int(counts[k].sum()),
                planes=int(planes.max() + 1) if planes.size else 0,
                radiation_availability_loss=float(radiation[shell_in.name]),
                closed_form_availability=float(availability[shell_in.name]),
            )
        )
    shells_frame = pd.DataFrame(shell_rows)
    shell_of = np.asarray(fleet.shell_names, dtype=object)[fleet.shell_index]
    shells_frame["flown"] = [int(np.sum(shell_of == name)) for name in shells_frame["shell"]]
    cohort_frame = pd.DataFrame(
        dict(
            cohort=cohort_years,
            gw_operating_nameplate=cohorts["operating_gw"][index],
            satellites_plan=cohort_sats,
            satellites=counts.sum(axis=0),
            kw_per_tonne=kw_by_year,
        )
    )
    cohort_frame = cohort_frame[cohort_frame["cohort"] <= year].reset_index(drop=True)
    return FleetTwin(
        scenario_name=scenario.name,
        year=year,
        start=start,
        design=design,
        fleet=fleet,
        plane=np.concatenate(columns["plane"]),
        slot=np.concatenate(columns["slot"]),
        cohort=cohort,
        age_years=age,
        compute_derate=derate,
        kw_per_tonne=kw_by_year[cohort - model.start_year],
        worst_eclipse_min=np.array([sizing_eclipse_min[name] for name in fleet.shell_names], float)[fleet.shell_index],
        weight=weight,
        stratum=np.concatenate(columns["stratum"]),
        strata=strata,
        shells=shells_frame,
        cohorts=cohort_frame,
        plan_row={key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()},
        sampling=None if sample is None or int(sample) >= len(stratum_all) else sampling,
        seed=None if sample is None or int(sample) >= len(stratum_all) else int(seed),
    )


def _draw(stratum: np.ndarray, population: np.ndarray, sample, sampling: str, seed):
    """(indices of the flown satellites, sorted; their weights)."""
    n = stratum.size
    if sample is None or int(sample) >= n:
        return np.arange(n), np.ones(n)
    sample = int(sample)
    rng = np.random.default_rng(seed)
    if sampling == "random":
        picked = np.sort(rng.choice(n, sample, replace=False))
        return picked, np.full(sample, n / sample)
    floor = np.minimum(MIN_PER_STRATUM, population)
    if sample < floor.sum():
        raise ValueError(
            f"sample={sample}: a stratified sample takes at least {MIN_PER_STRATUM} satellites from each of the "
            f"{population.size} (shell, cohort) strata, {int(floor.sum())} in all; sample more, or use random sampling"
        )
    extra = largest_remainder(population - floor, sample - int(floor.sum()))
    taken = np.minimum(floor + extra, population)
    order = np.argsort(stratum, kind="stable")
    starts = np.concatenate([[0], np.cumsum(population)[:-1]])
    picked, weight = [], []
    for h in range(population.size):
        members = order[starts[h] : starts[h] + population[h]]
        chosen = rng.choice(members, taken[h], replace=False)
        picked.append(chosen)
        weight.append(np.full(taken[h], population[h] / taken[h]))
    picked, weight = np.concatenate(picked), np.concatenate(weight)
    order = np.argsort(picked)
    return picked[order], weight[order]


# --- running it -------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class TwinResult:
    """The twin's budget over a window: per satellite (``budget``), the fleet's delivered compute per step
    (``fleet_gw``) and the reductions of ``summary`` (``shells``: per shell)."""

    twin: FleetTwin
    budget: Budget
    days: float
    step_s: float
    offsets_s: np.ndarray
    fleet_gw: np.ndarray
    summary: dict
    shells: pd.DataFrame

    def satellites_frame(self) -> pd.DataFrame:
        """Per flown satellite: the twin's columns and the budget's statistics."""
        frame = self.twin.to_dataframe()
        stats = self.budget.to_dataframe().drop(columns=["name", "shell"])
        frame = pd.concat([frame, stats.reset_index(drop=True)], axis=1)
        frame["min_state_of_charge"] = self.min_state_of_charge()
        return frame

    def min_state_of_charge(self) -> np.ndarray:
        """Each satellite's lowest battery state of charge over the window (share of its capacity)."""
        return 1.0 - np.asarray(self.budget.battery_depth_reached, float)

    def compute_series(self) -> pd.DataFrame:
        """The fleet's delivered compute at each step: seconds from the start, UTC instant, GW."""
        instants = np.datetime64(self.twin.start, "ms") + (self.offsets_s * 1e3).astype("timedelta64[ms]")
        return pd.DataFrame(
            {"seconds": self.offsets_s, "utc": np.datetime_as_string(instants, unit="s"), "delivered_gw": self.fleet_gw}
        )


def run_twin(
    twin: FleetTwin,
    days: float = 365.0,
    step_s: float = 60.0,
    *,
    dtype=None,
    block_sats: int | None = None,
    progress=None,
) -> TwinResult:
    """The twin's budget over ``days`` from its start at ``step_s``; ``progress(done, total)`` per time chunk."""
    radiation = twin.shells.set_index("shell")["radiation_availability_loss"]
    shell_of = np.asarray(twin.fleet.shell_names, dtype=object)[twin.fleet.shell_index]
    kept = 1.0 - radiation.reindex(shell_of).to_numpy(float)  # compute left by upsets and restarts
    delivered_weight = twin.weight * twin.compute_derate * kept
    result = budget(
        twin.fleet,
        twin.design,
        twin.start,
        days,
        step_s,
        age_years=twin.age_years,
        series_weights=delivered_weight,
        # The plan's batteries, sized for its geometry's worst eclipse of each shell: the twin flies the hardware
        # the plan costs, and its budget is one pass over the window.
        worst_eclipse_min=twin.worst_eclipse_min,
        dtype=dtype,
        block_sats=block_sats,
        progress=progress,
    )
    n_time = np.size(result.fleet_compute_w)
    fleet_gw = np.asarray(result.fleet_compute_w, float) / 1e9
    hours = n_time * float(step_s) / SECONDS_PER_HOUR
    compute_w = float(twin.design.compute_power_w)
    # Per satellite: what the fleet totals add up (each x its weight).
    delivered_gwh = np.asarray(result.compute_energy_kwh, float) * twin.compute_derate * kept / 1e6
    possible_gwh = np.full(twin.n_flown, compute_w * hours / 1e9) * twin.compute_derate
    per_sat = {
        "delivered_energy_gwh": delivered_gwh,
        "shed_energy_gwh": possible_gwh - delivered_gwh,
        "curtailed_array_energy_gwh": np.asarray(result.curtailed_kwh, float) / 1e6,
        "array_energy_gwh": np.asarray(result.array_energy_kwh, float) / 1e6,
    }
    totals = {name: _estimate(twin, values) for name, values in per_sat.items()}
    # Time-stepped availability: compute delivered over compute asked, the plan's definition (no age derate).
    availability_sat = np.asarray(result.compute_availability, float) * kept
    availability = _estimate(twin, availability_sat, mean=True)
    plan_availability = float(twin.plan_row["compute_availability"])
    shells = twin.shells.copy()
    shells["twin_availability"] = [
        float(np.average(availability_sat[shell_of == name], weights=twin.weight[shell_of == name]))
        if np.any(shell_of == name)
        else float("nan")
        for name in shells["shell"]
    ]
    shells["sunlit_fraction"] = [
        float(np.average(result.illumination.sunlit_fraction[shell_of == name], weights=twin.weight[shell_of == name]))
        if np.any(shell_of == name)
        else float("nan")
        for name in shells["shell"]
    ]
    shells = shells.dropna().reset_index(drop=True)
    distributions = {
        "max_chip_k": _distribution(result.max_chip_k, twin.weight),
        "max_radiator_k": _distribution(result.max_radiator_k, twin.weight),
        "min_radiator_k": _distribution(result.min_radiator_k, twin.weight),
        "min_state_of_charge": _distribution(1.0 - np.asarray(result.battery_depth_reached, float), twin.weight),
    }
    summary = {
        "scenario": twin.scenario_name,
        "year": twin.year,
        "window": {"start": twin.start, "days": float(days), "step_s": float(step_s), "steps": int(n_time)},
        "satellites": {
            "operating": twin.population,
            "flown": twin.n_flown,
            "sampling": twin.sampling or "all",
            "seed": twin.seed,
            "strata": len(twin.strata),
        },
        "plan": {
            "satellites_operating": float(twin.plan_row["satellites_operating"]),
            "gw_operating": float(twin.plan_row["gw_operating"]),
            "gw_effective": float(twin.plan_row["gw_effective"]),
            "gw_firm": float(twin.plan_row["gw_firm"]),
            "compute_availability": plan_availability,
        },
        "twin": {
            "gw_operating": twin.gw_operating(),
            "mean_kw_per_tonne": twin.mean_kw_per_tonne(),
            "mean_delivered_gw": float(np.mean(fleet_gw)),
            "firm_gw_lowest": float(np.min(fleet_gw)),
            f"firm_gw_p{FIRM_PERCENTILE:g}": float(np.percentile(fleet_gw, FIRM_PERCENTILE)),
            "compute_availability": availability,
            "availability_minus_plan": availability["value"] - plan_availability,
            **totals,
        },
        "distributions": distributions,
    }
    offsets_s = np.arange(n_time) * float(step_s)
    return TwinResult(twin, result, float(days), float(step_s), offsets_s, fleet_gw, summary, shells)


def _estimate(twin: FleetTwin, values: np.ndarray, mean: bool = False) -> dict:
    """The fleet total (or the per-satellite mean) of ``values`` from the flown satellites' weights, with its
    standard error: 0 for the whole fleet; stratified or simple random sampling's, finite-population corrected."""
    values = np.asarray(values, float)
    total = float(np.sum(twin.weight * values))
    population = twin.population
    if twin.sampling is None:
        variance = 0.0
    elif twin.sampling == "random":
        n = twin.n_flown
        variance = population**2 * (1.0 - n / population) * np.var(values, ddof=1) / n
    else:
        variance = 0.0
        for h, (size, flown) in enumerate(zip(twin.strata["population"], twin.strata["flown"])):
            if flown < size:
                spread = np.var(values[twin.stratum == h], ddof=1)
                variance += size**2 * (1.0 - flown / size) * spread / flown
    error = math.sqrt(variance)
    if mean:
        return {"value": total / population, "standard_error": error / population}
    return {"value": total, "standard_error": error}


def weighted_percentiles(values, weights, percentiles) -> np.ndarray:
    """Percentiles of ``values`` in a population where each stands for ``weights`` members (inverse of the
    weighted empirical distribution function)."""
    values = np.asarray(values, float)
    order = np.argsort(values)
    cumulative = np.cumsum(np.asarray(weights, float)[order])
    positions = np.searchsorted(cumulative, np.asarray(percentiles) / 100.0 * cumulative[-1], side="left")
    return values[order][np.minimum(positions, values.size - 1)]


def _distribution(values, weights) -> dict:
    values = np.asarray(values, float)
    points = weighted_percentiles(values, weights, PERCENTILES)
    return {
        "min": float(values.min()),
        **{f"p{p:g}": float(v) for p, v in zip(PERCENTILES, points)},
        "max": float(values.max()),
    }


# --- plots ------------------------------------------------------------------------------------------------
def plot_twin_compute(result: TwinResult):
    """The fleet's delivered compute step by step, its mean, firm capacity and the plan's figures."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10.0, 4.8), layout="constrained")
    ax = fig.add_subplot()
    days = result.offsets_s / SECONDS_PER_DAY
    twin = result.summary["twin"]
    ax.plot(days, result.fleet_gw, lw=0.6, label="delivered (time-stepped twin)")
    ax.axhline(twin["mean_delivered_gw"], color="tab:green", ls="--", label="twin mean")
    ax.axhline(twin["firm_gw_lowest"], color="tab:red", ls=":", label="twin lowest step (firm)")
    ax.axhline(twin[f"firm_gw_p{FIRM_PERCENTILE:g}"], color="tab:orange", ls=":", label=f"twin p{FIRM_PERCENTILE:g}")
    ax.axhline(result.summary["plan"]["gw_effective"], color="black", ls="-.", lw=0.8, label="plan gw_effective")
    ax.set_xlabel(f"days from {result.twin.start}")
    ax.set_ylabel("compute delivered (GW)")
    flown = result.summary["satellites"]
    ax.set_title(
        f"{result.twin.scenario_name} {result.twin.year}: {flown['operating']:,} satellites "
        f"({flown['flown']:,} flown, {flown['sampling']}) at {result.step_s:g} s"
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_twin_distributions(result: TwinResult):
    """Histograms over the satellites (weighted): hottest chip, radiator range and lowest battery state of charge."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.0, 4.2), layout="constrained")
    weights = result.twin.weight
    b = result.budget
    panels = (
        ("hottest chip (K)", [(b.max_chip_k, "max chip")], result.twin.design.chip_max_temperature_k),
        ("radiator (K)", [(b.min_radiator_k, "coldest"), (b.max_radiator_k, "hottest")], None),
        ("lowest battery state of charge", [(result.min_state_of_charge(), "min SoC")], None),
    )
    for i, (label, series, limit) in enumerate(panels):
        ax = fig.add_subplot(1, 3, i + 1)
        for values, name in series:
            ax.hist(np.asarray(values, float), bins=40, weights=weights, alpha=0.7, label=name)
        if limit is not None:
            ax.axvline(float(limit), color="tab:red", ls=":", label="chip limit")
        ax.set_xlabel(label)
        ax.set_ylabel("satellites")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return fig
