"""The integrated planner: scenario -> yearly plan, per-shell budgets, sensitivities, sweeps and Monte Carlo.

Data flow (DESIGN §2): the scenario's shells are evaluated once per plan on a small representative sample
(``Study.sample_sats_per_shell`` satellites per shell over ``geometry_days`` at ``geometry_step_s``; Walker shells
one satellite per plane over evenly spread RAANs, sun-synchronous shells one plane) -> per-shell sunlit fraction,
longest eclipse and mean array cosine. These geometry numbers do not depend on launch or design inputs.

Everything after the geometry is ONE pure JAX function of a flat vector of every numeric scenario input
(``PlanModel.outputs(theta)``): the design's mass roll-up per shell (``orbital.design.mass_breakdown``: battery
sized for the shell's longest eclipse, radiator for its Earth environment) gives kW/t, which becomes the cohorts'
initial kW/t unless the scenario sets ``cohorts.kw_per_tonne_initial``; the launch projection
(``launch.project_arrays``) gives GW per year; the plan columns follow. ``jax.grad`` of it gives exact
sensitivities, ``jax.vmap`` of it gives sweeps and Monte Carlo.

Compute availability per shell (share of compute delivered over the year):
``min(1, array margin) x (sunlit + eclipse_compute_fraction x (1 - sunlit))`` with array margin
``array_oversize (peak + bus)(tracks + (1 - tracks) <|sin beta|>) / (compute + bus)``: compute runs whenever the
arrays can carry it, and in eclipse the battery (sized for the longest eclipse) carries the design's eclipse
share. This closed form is the planner's (differentiable, cheap) stand-in for ``orbital.budget``'s time-stepped
availability; they agree for the built-in designs (tests compare them).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib.metadata
import itertools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

import launch
from orbital import design as design_module
from orbital.design import SatelliteDesign
from orbital.scenario import Scenario, load_scenario

PLAN_COLUMNS = [
    "satellites_launched",
    "satellites_operating",
    "sunlit_fraction",
    "battery_t",
    "radiator_m2",
    "compute_availability",
    "gw_effective",
    "kw_per_tonne_rollup",
    "satellite_mass_kg",
]
METRICS = [
    "gw_effective",
    "gw_operating",
    "gw_launched",
    "satellites_operating",
    "capex_usd",
    "compute_tonnes",
    "launches",
    "battery_t",
    "radiator_m2",
    "launch_usd_per_kg",
    "capex_usd_per_gw",
]
# TOML section names of the launch scenario's parts (the pytree attribute ``share`` is ``[compute_share]``).
_SECTION = {"share": "compute_share"}


# --- geometry (once per plan) -------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Geometry:
    """Per-shell geometry statistics of the representative sample, and daily eclipse fractions (seasons)."""

    shell_names: list
    altitude_km: np.ndarray
    inclination_deg: np.ndarray
    sunlit_fraction: np.ndarray  # mean over the sample and the window
    min_sunlit_fraction: np.ndarray  # worst satellite of the sample
    worst_eclipse_min: np.ndarray  # longest eclipse of any sampled satellite (sizes the battery)
    eclipse_days: np.ndarray  # most days with an eclipse, any sampled satellite
    array_cos_mean: np.ndarray  # mean |sin beta|: cosine of arrays fixed normal to the orbit plane
    day_offsets: np.ndarray  # (n_days,) days since the window start
    daily_eclipse_fraction: np.ndarray  # (n_shells, n_days) share of time in eclipse, sample mean
    start: str
    days: float
    step_s: float
    sample_sats: int

    def arrays(self):
        return dict(
            altitude_km=jnp.asarray(self.altitude_km),
            sunlit=jnp.asarray(self.sunlit_fraction),
            worst_eclipse_min=jnp.asarray(self.worst_eclipse_min),
            cos_mean=jnp.asarray(self.array_cos_mean),
        )


def compute_geometry(scenario: Scenario, progress: Callable[[float], None] | None = None) -> Geometry:
    from astropy.time import Time, TimeDelta

    from orbital.fleet import Fleet
    from orbital.lighting import beta_angle_deg, illumination, sunlit

    study = scenario.study
    shells = scenario.shell_objects()
    fleet = Fleet.from_shells(shells)
    n_shell = len(shells)
    stats = illumination(
        fleet,
        study.geometry_start,
        study.geometry_days,
        study.geometry_step_s,
        progress=(lambda done, total: progress(0.5 * done / total)) if progress else None,
    )
    # Daily eclipse fraction for the seasons plot: the full (sat, time) field is small for a sample.
    start = Time(Time(study.geometry_start, scale="utc").iso, scale="utc")
    n_steps = int(round(study.geometry_days * 86400.0 / study.geometry_step_s))
    times = start + TimeDelta(np.arange(n_steps) * study.geometry_step_s, format="sec")
    lit = sunlit(fleet, times)
    if progress:
        progress(0.85)
    steps_per_day = max(1, int(round(86400.0 / study.geometry_step_s)))
    n_days = max(1, n_steps // steps_per_day)
    eclipse = (lit[:, : n_days * steps_per_day] < 0.5).reshape(len(fleet), n_days, steps_per_day).mean(axis=2)
    daily = np.stack([eclipse[fleet.shell_index == k].mean(axis=0) for k in range(n_shell)])
    beta_times = start + TimeDelta(np.arange(n_days) * 86400.0, format="sec")
    beta = beta_angle_deg(fleet, beta_times)
    cos_mean = np.abs(np.sin(np.deg2rad(beta))).mean(axis=1)
    if progress:
        progress(1.0)

    def per_shell(values, how):
        return np.array([how(values[fleet.shell_index == k]) for k in range(n_shell)], dtype=float)

    return Geometry(
        shell_names=[s.name for s in shells],
        altitude_km=np.array([s.altitude_km for s in shells]),
        inclination_deg=np.array([s.inclination_deg for s in shells]),
        sunlit_fraction=per_shell(stats.sunlit_fraction, np.mean),
        min_sunlit_fraction=per_shell(stats.sunlit_fraction, np.min),
        worst_eclipse_min=per_shell(np.nan_to_num(stats.max_eclipse_min), np.max),
        eclipse_days=per_shell(stats.eclipse_days, np.max),
        array_cos_mean=per_shell(cos_mean, np.mean),
        day_offsets=np.arange(n_days, dtype=float),
        daily_eclipse_fraction=daily,
        start=study.geometry_start,
        days=study.geometry_days,
        step_s=study.geometry_step_s,
        sample_sats=study.sample_sats_per_shell,
    )


# --- inputs: one flat vector of every numeric scenario input --------------------------------------------------
def _input_tree(scenario: Scenario, kw_initial: float | None = None) -> dict:
    design = scenario.satellite_design()
    return {
        "launch": scenario.launch_scenario(kw_initial),
        "design": {f.name: float(getattr(design, f.name)) for f in dataclasses.fields(SatelliteDesign)},
        "shares": {s.name: float(s.share) for s in scenario.shells},
    }


def _leaf_name(path) -> str:
    keys = [getattr(k, "name", None) or getattr(k, "key", None) for k in path]
    if keys[0] == "launch":
        keys = keys[1:]
        keys[0] = _SECTION.get(keys[0], keys[0])
        return ".".join(keys)
    if keys[0] == "shares":
        return f"shells.{keys[1]}.share"
    return ".".join(keys)


class _Flat(NamedTuple):
    names: list  # one per vector element ("vehicles.payload_t[1]")
    leaf_names: list  # one per leaf
    sizes: list
    shapes: list
    treedef: object


def _flatten(tree):
    leaves, treedef = jax.tree_util.tree_flatten_with_path(tree)
    names, leaf_names, sizes, shapes, values = [], [], [], [], []
    for path, leaf in leaves:
        base = _leaf_name(path)
        array = np.asarray(leaf, dtype=float)
        leaf_names.append(base)
        sizes.append(array.size)
        shapes.append(array.shape)
        values.append(array.ravel())
        names += [base] if array.ndim == 0 else [f"{base}[{i}]" for i in range(array.size)]
    # Tuples: the structure is a static (hashable) argument of the compiled plan functions.
    return np.concatenate(values), _Flat(tuple(names), tuple(leaf_names), tuple(sizes), tuple(shapes), treedef)


def _unflatten(theta, flat: _Flat):
    pieces, start = [], 0
    for size, shape in zip(flat.sizes, flat.shapes):
        pieces.append(theta[start : start + size].reshape(shape))
        start += size
    return jax.tree_util.tree_unflatten(flat.treedef, pieces)


def input_names(scenario: Scenario) -> list:
    """Names of every numeric scenario input (as used by sweep, sensitivity and Monte Carlo)."""
    return _flatten(_input_tree(scenario))[1].names


# --- the plan model -----------------------------------------------------------------------------------------
def _plan_outputs(theta, geo, flat, start_year, n_years, kw_from_design) -> dict:
    """The plan model; ``flat``, ``start_year``, ``n_years``, ``kw_from_design`` are static."""
    tree = _unflatten(theta, flat)
    geo = jax.tree.map(lambda x: jnp.asarray(x, theta.dtype), geo)
    design = SatelliteDesign(**tree["design"])
    shares = jnp.stack(list(tree["shares"].values()))
    shares = shares / jnp.sum(shares)
    mass = jax.vmap(design_module.mass_breakdown, in_axes=(None, 0, 0))(
        design, geo["worst_eclipse_min"], geo["altitude_km"]
    )
    mass_kg = jnp.sum(shares * mass.total_kg)
    kw_rollup = design.compute_power_w / mass_kg  # W/kg = kW/t
    scenario = tree["launch"]
    if kw_from_design:
        cohorts = copy.copy(scenario.cohorts)
        object.__setattr__(cohorts, "kw_per_tonne_initial", kw_rollup)
        scenario = copy.copy(scenario)
        object.__setattr__(scenario, "cohorts", cohorts)
    out = dict(launch.project_arrays(scenario, start_year, n_years))
    array_margin = (
        design.array_oversize
        * (design.peak_compute_power_w + design.bus_power_w)
        * (design.array_tracks_sun + (1.0 - design.array_tracks_sun) * geo["cos_mean"])
        / (design.compute_power_w + design.bus_power_w)
    )
    availability_shell = jnp.minimum(1.0, array_margin) * (
        geo["sunlit"] + design.eclipse_compute_fraction * (1.0 - geo["sunlit"])
    )
    availability = jnp.sum(shares * availability_shell)
    per_gw = 1e9 / design.compute_power_w
    ones = jnp.ones_like(out["gw_launched"])
    operating = out["gw_operating_nameplate"] * per_gw
    out.update(
        satellites_launched=out["gw_launched"] * per_gw,
        satellites_operating=operating,
        sunlit_fraction=jnp.sum(shares * geo["sunlit"]) * ones,
        battery_t=operating * jnp.sum(shares * mass.battery_kg) / 1e3,
        radiator_m2=operating * jnp.sum(shares * mass.radiator_area_m2),
        compute_availability=availability * ones,
        gw_effective=out["gw_operating"] * availability,
        kw_per_tonne_rollup=kw_rollup * ones,
        satellite_mass_kg=mass_kg * ones,
    )
    return out


# Module-level compiled functions: models of the same structure (same shells, vehicles, years) share them.
_jit_outputs = jax.jit(_plan_outputs, static_argnums=(2, 3, 4, 5))
_jit_batched = jax.jit(jax.vmap(_plan_outputs, in_axes=(0, None, None, None, None, None)), static_argnums=(2, 3, 4, 5))


@functools.partial(jax.jit, static_argnums=(2, 3, 4, 5, 6, 7))
def _jit_value_and_grad(theta, geo, flat, start_year, n_years, kw_from_design, metric, index):
    return jax.value_and_grad(
        lambda th: _plan_outputs(th, geo, flat, start_year, n_years, kw_from_design)[metric][index]
    )(theta)


class PlanModel:
    """One pure function ``outputs(theta)`` from the flat input vector to yearly arrays (jit/grad/vmap-safe)."""

    def __init__(self, scenario: Scenario, geometry: Geometry, *, kw_from_design: bool | None = None):
        self.scenario = scenario
        self.geometry = geometry
        self.start_year = scenario.study.start_year
        self.n_years = scenario.study.n_years
        self.kw_from_design = (
            scenario.cohorts.kw_per_tonne_initial is None if kw_from_design is None else kw_from_design
        )
        self.theta0, self.flat = _flatten(_input_tree(scenario))
        self.theta0 = jnp.asarray(self.theta0, dtype=jnp.result_type(float))
        self.names = self.flat.names
        # With kW/t from the design, the launch scenario's own initial kW/t is a placeholder that nothing reads.
        self.unused = {"cohorts.kw_per_tonne_initial"} if self.kw_from_design else set()
        dtype = self.theta0.dtype
        self._geo = {k: jnp.asarray(v, dtype) for k, v in geometry.arrays().items()}
        self._static = (self.flat, self.start_year, self.n_years, bool(self.kw_from_design))

    def index(self, name: str) -> int:
        return self.names.index(name)

    def outputs(self, theta) -> dict:
        """The plan's yearly outputs for one input vector (pure; jit/grad/vmap it freely)."""
        return _plan_outputs(theta, self._geo, *self._static)

    def metric(self, theta, metric: str, year: int):
        return self.outputs(theta)[metric][self.year_index(year)]

    def year_index(self, year: int) -> int:
        if not self.start_year <= int(year) < self.start_year + self.n_years:
            raise ValueError(
                f"year={year}: outside the study window [{self.start_year}, {self.start_year + self.n_years - 1}]"
            )
        return int(year) - self.start_year

    def jitted(self, theta) -> dict:
        """``outputs`` compiled once per model (much faster than op-by-op for tables and single points)."""
        return _jit_outputs(theta, self._geo, *self._static)

    def batched(self, thetas) -> dict:
        return _jit_batched(thetas, self._geo, *self._static)

    def table(self, theta=None) -> pd.DataFrame:
        out = {
            k: np.asarray(v) for k, v in self.jitted(self.theta0 if theta is None else theta).items() if np.ndim(v) == 1
        }
        frame = pd.DataFrame({name: out[key] for name, key in launch.TABLE_COLUMNS.items()})
        for column in PLAN_COLUMNS:
            frame[column] = out[column]
        frame["year"] = frame["year"].round().astype(int)
        frame["binding_constraint"] = pd.Categorical.from_codes(frame["binding_constraint"], launch.BINDING_NAMES)
        frame["launch_limit"] = pd.Categorical.from_codes(frame["launch_limit"], launch.LAUNCH_LIMIT_NAMES)
        if not np.all(np.isfinite(frame.select_dtypes("number").to_numpy())):
            raise FloatingPointError("the plan produced non-finite values; check the scenario's numbers")
        return frame

    def shells_table(self, theta=None) -> pd.DataFrame:
        tree = _unflatten(self.theta0 if theta is None else theta, self.flat)
        design = SatelliteDesign(**{k: float(v) for k, v in tree["design"].items()})
        g = self.geometry
        mass = design_module.design_mass  # public, validated roll-up per shell
        rows = []
        for k, name in enumerate(g.shell_names):
            m = mass(design, g.worst_eclipse_min[k], g.altitude_km[k])
            rows.append(
                dict(
                    shell=name,
                    share=self.scenario.shells[k].share,
                    altitude_km=g.altitude_km[k],
                    inclination_deg=g.inclination_deg[k],
                    sampled_satellites=g.sample_sats,
                    sunlit_fraction=g.sunlit_fraction[k],
                    min_sunlit_fraction=g.min_sunlit_fraction[k],
                    worst_eclipse_min=g.worst_eclipse_min[k],
                    eclipse_days=g.eclipse_days[k],
                    array_cos_mean=g.array_cos_mean[k],
                    battery_capacity_wh=float(m.battery_capacity_wh),
                    battery_kg=float(m.battery_kg),
                    radiator_area_m2=float(m.radiator_area_m2),
                    radiator_kg=float(m.radiator_kg),
                    array_area_m2=float(m.array_area_m2),
                    array_kg=float(m.array_kg),
                    compute_kg=float(m.compute_kg),
                    bus_kg=float(m.bus_kg),
                    structure_kg=float(m.structure_kg),
                    mass_kg=float(m.total_kg),
                    kw_per_tonne=float(m.kw_per_tonne),
                )
            )
        frame = pd.DataFrame(rows)
        d = design
        tracking = d.array_tracks_sun + (1 - d.array_tracks_sun) * frame["array_cos_mean"]
        margin = np.minimum(
            1.0,
            d.array_oversize
            * (d.peak_compute_power_w + d.bus_power_w)
            * tracking
            / (d.compute_power_w + d.bus_power_w),
        )
        frame["compute_availability"] = margin * (
            frame["sunlit_fraction"] + d.eclipse_compute_fraction * (1 - frame["sunlit_fraction"])
        )
        return frame


# --- the plan -----------------------------------------------------------------------------------------------
@dataclasses.dataclass
class Plan:
    scenario: Scenario
    geometry: Geometry
    model: PlanModel
    table: pd.DataFrame
    shells: pd.DataFrame

    def summary(self) -> dict:
        t = self.table.set_index("year")
        last = int(t.index[-1])
        peak_year = int(t["gw_launched"].idxmax())
        reach = t.index[t["gw_launched"] >= 100.0]
        return {
            **provenance(self.scenario),
            "study": {"start_year": int(t.index[0]), "end_year": last},
            "headline": {
                "gw_launched_final_year": float(t.loc[last, "gw_launched"]),
                "gw_operating_final_year": float(t.loc[last, "gw_operating"]),
                "gw_effective_final_year": float(t.loc[last, "gw_effective"]),
                "satellites_operating_final_year": float(t.loc[last, "satellites_operating"]),
                "peak_gw_launched": float(t.loc[peak_year, "gw_launched"]),
                "peak_gw_launched_year": peak_year,
                "first_year_100_gw_launched": int(reach[0]) if len(reach) else None,
                "binding_constraint_final_year": str(t.loc[last, "binding_constraint"]),
                "compute_availability": float(t["compute_availability"].iloc[0]),
                "kw_per_tonne_rollup": float(t["kw_per_tonne_rollup"].iloc[0]),
                "kw_per_tonne_source": "design roll-up" if self.model.kw_from_design else "scenario",
                "satellite_mass_kg": float(t["satellite_mass_kg"].iloc[0]),
                "cumulative_capex_usd": float(t["capex_usd"].sum()),
            },
            "geometry_sampling": {
                "satellites_per_shell": self.geometry.sample_sats,
                "start": self.geometry.start,
                "days": self.geometry.days,
                "step_s": self.geometry.step_s,
            },
        }


def plan(scenario: Scenario | str | None = None, progress: Callable[[float], None] | None = None) -> Plan:
    """Run a scenario (object, built-in name or path; default ``ai1-100gw``)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario or "ai1-100gw")
    geometry = compute_geometry(scenario, progress)
    model = PlanModel(scenario, geometry)
    return Plan(scenario, geometry, model, model.table(), model.shells_table())


def provenance(scenario: Scenario) -> dict:
    """What every output records: scenario, its hash, package version and JAX backend."""
    try:
        version = importlib.metadata.version("orbital-compute-planner")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        version = "unknown"
    return {
        "scenario_name": scenario.name,
        "scenario_sha256": scenario.sha256(),
        "package_version": version,
        "jax_backend": jax.default_backend(),
        "jax_x64": bool(jax.config.jax_enable_x64),
        "scenario": scenario.to_dict(),
    }


# --- sensitivities ------------------------------------------------------------------------------------------
def sensitivity(model: PlanModel, metric: str = "gw_effective", year: int | None = None) -> pd.DataFrame:
    """Exact ``jax.grad`` of ``metric`` in ``year`` with respect to every numeric input; elasticities
    (d ln metric / d ln input) ranked by magnitude. Inputs equal to zero get elasticity 0 (their gradient is
    still reported)."""
    _check_metric(metric)
    year = model.start_year + model.n_years - 1 if year is None else year
    model.year_index(year)
    # jit(value_and_grad) compiles the whole reverse pass once: ~3x faster than tracing it op by op.
    value, grad = _jit_value_and_grad(model.theta0, model._geo, *model._static, metric, model.year_index(year))
    value, grad = float(value), np.asarray(grad)
    theta = np.asarray(model.theta0)
    # Calendar years (ref_year, intro_year, ...) have no meaningful "1 % change": their elasticity is the relative
    # change of the metric per +1 year shift instead (column ``per``).
    calendar = np.array([_is_calendar(name) for name in model.names])
    scale = np.where(calendar, 1.0, theta)
    elasticity = grad * scale / value if value != 0 else np.zeros_like(grad)
    frame = pd.DataFrame(
        {
            "input": model.names,
            "value": theta,
            "gradient": grad,
            "elasticity": elasticity,
            "per": np.where(calendar, "+1 year", "+1 %"),
        }
    )
    frame = frame[~frame["input"].isin(model.unused)]
    frame = frame.reindex(frame["elasticity"].abs().sort_values(ascending=False, kind="stable").index)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame.attrs.update(metric=metric, year=int(year), metric_value=value)
    return frame.reset_index(drop=True)


def _is_calendar(name: str) -> bool:
    leaf = name.split("[")[0].split(".")[-1]
    return leaf.endswith("year") or leaf == "table_years"


def _check_metric(metric: str):
    allowed = METRICS + [c for c in launch.TABLE_COLUMNS.values() if c not in METRICS] + PLAN_COLUMNS
    if metric not in allowed:
        raise ValueError(f"metric={metric!r} is not a plan output; allowed: {', '.join(dict.fromkeys(allowed))}")


# --- sweeps -------------------------------------------------------------------------------------------------
def resolve_input(model: PlanModel, key: str) -> list:
    """Input vector indices named by ``key``: a full name, a unique dotted suffix (``payload_t``,
    ``ceiling_launches_per_yr``), or a vector input without index (sets every element)."""
    names = model.names
    if key in names:
        return [names.index(key)]
    exact_leaf = [i for i, n in enumerate(names) if n.split("[")[0] == key]
    if exact_leaf:
        return exact_leaf
    leaf_matches = sorted(
        {n.split("[")[0] for n in names if ("." + n.split("[")[0]).endswith("." + key) or ("." + n).endswith("." + key)}
    )
    if len(leaf_matches) == 1:
        match = leaf_matches[0]
        return [
            i
            for i, n in enumerate(names)
            if n == match
            or n.split("[")[0] == match
            and "[" in n
            and ("." + n).endswith("." + key)
            or n.split("[")[0] == match
            and "[" not in key
        ]
    if len(leaf_matches) > 1:
        raise ValueError(f"--set {key}: ambiguous; it matches {', '.join(leaf_matches)}")
    import difflib

    close = difflib.get_close_matches(key, names, n=3)
    raise ValueError(
        f"--set {key}: not a numeric scenario input"
        + (f"; did you mean {', '.join(close)}?" if close else "; `orbital sensitivity` lists them")
    )


def parse_set(text: str) -> tuple[str, list]:
    """``key=v1,v2,...`` -> (key, [floats])."""
    if "=" not in text:
        raise ValueError(f"--set {text!r}: expected key=v1,v2,... (e.g. limits.flights_per_vehicle_per_yr=15,30)")
    key, values = text.split("=", 1)
    try:
        numbers = [float(v) for v in values.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"--set {text!r}: the values must be numbers separated by commas") from None
    if not numbers:
        raise ValueError(f"--set {text!r}: give at least one value")
    return key.strip(), numbers


def sweep(model: PlanModel, settings: dict) -> pd.DataFrame:
    """What-if grid: every combination of ``settings`` (key -> values), evaluated in one vmapped call. Returns a
    long table: one row per grid point and year."""
    if (
        "cohorts.kw_per_tonne_initial" in {model.names[i] for k in settings for i in resolve_input(model, k)}
        and model.kw_from_design
    ):
        model = PlanModel(model.scenario, model.geometry, kw_from_design=False)
        rollup = float(model_rollup(model))
        model.theta0 = model.theta0.at[model.index("cohorts.kw_per_tonne_initial")].set(rollup)
    keys = list(settings)
    indices = [resolve_input(model, k) for k in keys]
    grid = list(itertools.product(*[settings[k] for k in keys]))
    thetas = np.tile(np.asarray(model.theta0), (len(grid), 1))
    for row, point in enumerate(grid):
        for idx, value in zip(indices, point):
            thetas[row, idx] = value
    _check_thetas(model, thetas)
    # Pad the grid to a bucket size (shared compiled shapes across sweeps and small Monte Carlo runs).
    padded = np.concatenate([thetas, np.repeat(thetas[-1:], _bucket(len(thetas)) - len(thetas), axis=0)])
    out = {k: np.asarray(v)[: len(thetas)] for k, v in model.batched(jnp.asarray(padded)).items() if np.ndim(v) == 2}
    years = model.start_year + np.arange(model.n_years)
    rows = []
    for g, point in enumerate(grid):
        frame = pd.DataFrame({"case": g, **{k: v for k, v in zip(keys, point)}, "year": years})
        for metric in [
            "launches",
            "payload_t",
            "kw_per_tonne",
            "gw_launched",
            "gw_operating",
            "gw_effective",
            "satellites_operating",
            "capex_usd",
            "binding_code",
        ]:
            frame[metric] = out[metric][g]
        rows.append(frame)
    table = pd.concat(rows, ignore_index=True)
    table["binding_constraint"] = pd.Categorical.from_codes(table.pop("binding_code").astype(int), launch.BINDING_NAMES)
    return table


def _bucket(n: int) -> int:
    """Batch size for ``n`` cases: a power of two, at least 64 (one compiled shape for many small runs)."""
    return max(64, 1 << (int(n) - 1).bit_length())


def model_rollup(model: PlanModel):
    return model.outputs(model.theta0)["kw_per_tonne_rollup"][0]


def _check_thetas(model: PlanModel, thetas: np.ndarray, what: str = "what-if value"):
    """Validate every grid point / draw by building its launch scenario and design (one clear message)."""
    for row in np.unique(thetas, axis=0)[:256]:
        tree = _unflatten(jnp.asarray(row), model.flat)
        tree = jax.tree.map(lambda x: np.asarray(x, float), tree)
        try:
            SatelliteDesign(**{k: float(v) for k, v in tree["design"].items()})
            launch_tree = tree["launch"]
            # Rebuild through the constructors so that launch's own range checks run.
            dataclasses.replace(
                launch_tree,
                **{f.name: dataclasses.replace(getattr(launch_tree, f.name)) for f in dataclasses.fields(launch_tree)},
            )
        except (ValueError, TypeError) as err:
            raise ValueError(f"{what} out of range: {err}") from None


# --- Monte Carlo --------------------------------------------------------------------------------------------
def _norm_cdf(z):
    return 0.5 * (1.0 + jax.scipy.special.erf(z / np.sqrt(2.0)))


def _draw(dist, z):
    if dist.dist == "normal":
        return dist.mean + dist.sd * z
    if dist.dist == "lognormal":
        return dist.median * np.exp(dist.sd_log * z)
    u = np.clip(np.asarray(_norm_cdf(z)), 1e-12, 1 - 1e-12)
    if dist.dist == "uniform":
        return dist.low + (dist.high - dist.low) * u
    a, c, b = dist.low, dist.mode, dist.high  # triangular inverse CDF
    split = (c - a) / (b - a)
    return np.where(u < split, a + np.sqrt(u * (b - a) * (c - a)), b - np.sqrt((1 - u) * (b - a) * (b - c)))


def sample_inputs(model: PlanModel, n: int, seed: int) -> np.ndarray:
    """``n`` input vectors: inputs with a distribution in ``[montecarlo.inputs]`` are drawn from ``seed`` with
    ``jax.random`` (correlations through a Gaussian copula: correlated standard normals mapped through each
    marginal's inverse CDF); the other inputs stay at their scenario values."""
    mc = model.scenario.montecarlo
    keys = list(mc.inputs)
    thetas = np.tile(np.asarray(model.theta0, dtype=float), (n, 1))
    if not keys:
        raise ValueError(
            f"scenario '{model.scenario.name}': [montecarlo.inputs] is empty; give at least one "
            'uncertain input (e.g. [montecarlo.inputs."limits.flights_per_vehicle_per_yr"])'
        )
    corr = np.eye(len(keys))
    for c in mc.correlations:
        i, j = keys.index(c.a), keys.index(c.b)
        corr[i, j] = corr[j, i] = c.rho
    try:
        chol = np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        raise ValueError(
            "montecarlo.correlations: the correlation matrix is not positive definite; "
            "lower the magnitudes of the correlations"
        ) from None
    with jax.enable_x64(True):
        normals = np.asarray(jax.random.normal(jax.random.key(seed), (n, len(keys)), dtype=jnp.float64))
    z = normals @ chol.T
    for k, key in enumerate(keys):
        thetas[:, model.index(key)] = _draw(mc.inputs[key], z[:, k])
    return thetas


def montecarlo(
    model: PlanModel,
    n: int | None = None,
    seed: int | None = None,
    *,
    chunk: int = 20_000,
    progress: Callable[[float], None] | None = None,
    metrics=("gw_effective", "gw_operating", "gw_launched", "satellites_operating", "capex_usd"),
) -> dict:
    """Monte Carlo of the plan: ``jax.vmap`` of ``PlanModel.outputs`` over sampled inputs (in chunks of
    ``chunk`` draws). Returns ``{"draws": {metric: (n, n_years)}, "bands": DataFrame, "inputs": DataFrame}``;
    bands are percentiles per year (ordered by construction)."""
    mc = model.scenario.montecarlo
    n = mc.draws if n is None else int(n)
    seed = mc.seed if seed is None else int(seed)
    if n < 2:
        raise ValueError(f"n={n}: Monte Carlo needs at least 2 draws")
    thetas = sample_inputs(model, n, seed)
    bad = ~np.isfinite(thetas).all(axis=1)
    if bad.any():
        raise ValueError("montecarlo: a distribution produced non-finite values")
    _check_draw_ranges(model, thetas)
    # The draws holding each drawn input's extremes go through the launch/design constructors' range checks.
    columns = [model.index(key) for key in mc.inputs]
    extremes = sorted({int(i) for c in columns for i in (np.argmin(thetas[:, c]), np.argmax(thetas[:, c]))})
    _check_thetas(model, thetas[extremes], "montecarlo: a draw")
    draws = {m: np.empty((n, model.n_years)) for m in metrics}
    # Pad the last chunk to the chunk size so that one compiled shape serves every chunk.
    size = min(chunk, _bucket(n))
    for start in range(0, n, size):
        part = thetas[start : start + size]
        m = part.shape[0]
        if m < size:
            part = np.concatenate([part, np.repeat(part[-1:], size - m, axis=0)])
        out = model.batched(jnp.asarray(part))
        for metric in metrics:
            draws[metric][start : start + m] = np.asarray(out[metric])[:m]
        if progress:
            progress(min(1.0, (start + m) / n))
    years = model.start_year + np.arange(model.n_years)
    rows = []
    for metric in metrics:
        q = np.percentile(draws[metric], mc.percentiles, axis=0)
        frame = pd.DataFrame({"metric": metric, "year": years, "mean": draws[metric].mean(axis=0)})
        for p, row in zip(mc.percentiles, q):
            frame[f"p{p:g}"] = row
        rows.append(frame)
    inputs = pd.DataFrame({key: thetas[:, model.index(key)] for key in mc.inputs})
    return {"draws": draws, "bands": pd.concat(rows, ignore_index=True), "inputs": inputs, "n": n, "seed": seed}


def _check_draw_ranges(model: PlanModel, thetas: np.ndarray):
    """Draws outside an input's allowed range would silently give NaN; name the first offender instead."""
    lows = {
        "compute_share.start": (0, 1),
        "compute_share.end": (0, 1),
        "cohorts.replacement_fraction": (0, 1),
        "economics.learning_rate": (0, 0.999999),
        "cohorts.degradation_per_yr": (0, 0.999999),
    }
    for key in model.scenario.montecarlo.inputs:
        column = thetas[:, model.index(key)]
        low, high = lows.get(key, (None, None))
        if low is not None and (column.min() < low or column.max() > high):
            raise ValueError(
                f"montecarlo.inputs.{key}: draws reach {column.min():g}..{column.max():g}, outside "
                f"the allowed range [{low:g}, {high:g}]; narrow the distribution"
            )
        if (
            low is None
            and key.split(".")[-1].split("[")[0] not in ("mean",)
            and column.min() <= 0
            and not key.endswith("_year")
        ):
            raise ValueError(
                f"montecarlo.inputs.{key}: draws reach {column.min():g}, but the input must be "
                "positive; use a lognormal or a narrower distribution"
            )


# --- published-case table -----------------------------------------------------------------------------------
def validation_cases(quick: bool = False) -> pd.DataFrame:
    """DESIGN §4 and the cases the tests reproduce: source, expected, computed, tolerance, pass/fail."""
    import datetime as dt

    import thermal
    from orbital import geometry
    from orbital.lighting import solar_flux_w_m2

    cases = []

    def case(name, source, expected, computed, tolerance):
        computed = float(computed)
        cases.append(
            dict(
                case=name,
                source=source,
                expected=expected,
                computed=computed,
                tolerance=tolerance,
                passed=bool(abs(computed - expected) <= tolerance),
            )
        )

    case("eclipse fraction, circular 400 km, beta 0", "DESIGN §4", 0.390, geometry.eclipse_fraction(400.0, 0.0), 5e-4)
    case("eclipse duration, 400 km, beta 0 (min)", "DESIGN §4", 36.1, geometry.eclipse_duration_min(400.0, 0.0), 0.05)
    case("period, 400 km (min)", "DESIGN §4", 92.56, geometry.period_min(400.0), 0.01)
    case("sun-synchronous inclination, 650 km (deg)", "DESIGN §4", 97.99, geometry.sso_inclination_deg(650.0), 0.01)
    case("period, 650 km (min)", "DESIGN §4", 97.73, geometry.period_min(650.0), 0.005)
    starcloud = dict(
        solar_flux_w_m2=1366.0,
        solar_absorptivity=0.09,
        sun_view_factor=1.0,
        earth_view_factor=0.25,
        albedo=0.3,
        earth_temperature_k=253.15,
    )
    case(
        "two-sided radiator net flux, Starcloud convention (W/m^2)",
        "Starcloud white paper (DESIGN §4)",
        633.0,
        thermal.net_flux_w_m2(293.15, 0.92, sides=2, ir_absorptivity=0.09, **starcloud),
        0.5,
    )
    case(
        "ideal one-sided radiator, 1 MW at 300 K (m^2)",
        "DESIGN §4",
        2419.0,
        thermal.radiator_area_m2(1e6, 300.0, 0.9, sides=1),
        0.5,
    )
    case(
        "launched-power price at $3,600/kg ($/kW/yr)",
        "Google Suncatcher §2.4",
        14_700.0,
        launch.launched_power_usd_per_kw_yr(575.0, 28.0, 5.0, 3600.0),
        0.015 * 14_700.0,
    )  # the paper rounds
    case(
        "launched-power price at $200/kg ($/kW/yr)",
        "Google Suncatcher §2.4",
        810.0,
        launch.launched_power_usd_per_kw_yr(575.0, 28.0, 5.0, 200.0),
        0.015 * 810.0,
    )
    case("1 Mt/yr at 100 kW/t (GW/yr)", "SpaceX FCC filing (DESIGN §4)", 100.0, launch.gw_per_year(1e6, 100.0), 1e-9)
    case("launches for 1 Mt/yr at 100 t", "DESIGN §4", 10_000.0, launch.launches_per_year(1e6, 100.0), 1e-6)
    case("launches for 1 Mt/yr at 200 t", "DESIGN §4", 5_000.0, launch.launches_per_year(1e6, 200.0), 1e-6)
    case("1 Mt/yr at 70 kW/t, AI1 (GW/yr)", "SpaceX AI1 (DESIGN §4)", 70.0, launch.gw_per_year(1e6, 70.0), 1e-9)
    case("tonnes for 100 GW/yr at 70 kW/t (Mt/yr)", "DESIGN §4", 1.43, 100.0 / 70.0, 0.005)
    jan = solar_flux_w_m2(dt.datetime(2027, 1, 3, tzinfo=dt.UTC))
    jul = solar_flux_w_m2(dt.datetime(2027, 7, 5, tzinfo=dt.UTC))
    case("solar flux, early January (W/m^2)", "DESIGN §4", 1407.6, jan, 1.0)
    case("solar flux, early July (W/m^2)", "DESIGN §4", 1316.6, jul, 1.0)
    from orbital.fleet import Fleet, Shell
    from orbital.lighting import illumination

    days, step = (60.0, 900.0) if quick else (365.0, 600.0)
    fleet = Fleet.from_shells([Shell.sun_synchronous(650.0, 18.0, planes=1, sats_per_plane=4)])
    sunlit = illumination(fleet, "2027-01-01", days, step).sunlit_fraction.mean()
    if not quick:
        case("dawn-dusk 650 km, sunlit fraction over a year", "issue 5 / Suncatcher (~96 %)", 0.96, sunlit, 0.02)
    from orbital.design import SatelliteDesign, design_mass

    case(
        "AI1-class roll-up (kW/t)",
        "SpaceX AI1 ~70 kW/t (DESIGN §1)",
        70.0,
        design_mass(SatelliteDesign.ai1(), 0.0, 600.0).kw_per_tonne,
        3.5,
    )
    case(
        "filing-class roll-up (kW/t)",
        "SpaceX FCC filing 100 kW/t (DESIGN §1)",
        100.0,
        design_mass(SatelliteDesign.filing_100kw_per_t(), 0.0, 600.0).kw_per_tonne,
        5.0,
    )
    return pd.DataFrame(cases)


__all__ = [
    "Geometry",
    "Plan",
    "PlanModel",
    "compute_geometry",
    "input_names",
    "montecarlo",
    "parse_set",
    "plan",
    "provenance",
    "resolve_input",
    "sample_inputs",
    "sensitivity",
    "sweep",
    "validation_cases",
    "METRICS",
    "PLAN_COLUMNS",
]


# --- plots (matplotlib figures; the caller saves them) ---------------------------------------------------------
def _figure(width=9.0, height=5.0):
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _integer_years(ax):
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year")


def plot_ramp(table: pd.DataFrame, title: str = ""):
    """GW launched per year, GW operating and GW effective (operating x availability), binding constraint
    marked by the shading under the launched curve."""
    fig = _figure()
    ax = fig.add_subplot()
    years = table["year"].to_numpy()
    ax.plot(years, table["gw_launched"], "o-", label="GW launched per year")
    ax.plot(years, table["gw_operating"], "s-", label="GW operating (year end, derated)")
    ax.plot(years, table["gw_effective"], "^-", label="GW effective (x compute availability)")
    colours = {
        "launch": "tab:blue",
        "factory": "tab:orange",
        "arrays": "tab:green",
        "chips": "tab:red",
        "demand": "tab:purple",
    }
    binding = table["binding_constraint"].astype(str).to_numpy()
    for name in dict.fromkeys(binding):
        mask = binding == name
        ax.fill_between(
            years,
            0,
            table["gw_launched"],
            where=mask,
            step="mid",
            alpha=0.15,
            color=colours.get(name, "grey"),
            label=f"binding: {name}",
        )
    _integer_years(ax)
    ax.set_ylabel("GW")
    ax.set_title(title or "Deployment ramp")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_seasons(geometry: Geometry, title: str = ""):
    """Share of each day spent in eclipse, by shell (sample mean) over the geometry window."""
    fig = _figure(9.0, 4.5)
    ax = fig.add_subplot()
    for k, name in enumerate(geometry.shell_names):
        ax.plot(geometry.day_offsets, 100.0 * geometry.daily_eclipse_fraction[k], label=name)
    ax.set_xlabel(f"days from {geometry.start}")
    ax.set_ylabel("time in eclipse (% of day)")
    ax.set_title(
        title or f"Eclipse seasons ({geometry.sample_sats} sampled satellites per shell, {geometry.step_s:g} s steps)"
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_mass(shells: pd.DataFrame, title: str = ""):
    """Stacked mass breakdown per satellite, one bar per shell."""
    fig = _figure(7.0, 4.5)
    ax = fig.add_subplot()
    parts = ["compute_kg", "array_kg", "battery_kg", "radiator_kg", "bus_kg", "structure_kg"]
    bottom = np.zeros(len(shells))
    for part in parts:
        ax.bar(shells["shell"], shells[part], bottom=bottom, label=part.removesuffix("_kg"))
        bottom += shells[part].to_numpy()
    for x, (total, kwt) in enumerate(zip(shells["mass_kg"], shells["kw_per_tonne"])):
        ax.annotate(f"{total:,.0f} kg\n{kwt:.1f} kW/t", (x, total), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("kg per satellite")
    ax.set_title(title or "Mass breakdown per satellite")
    ax.set_ylim(0, bottom.max() * 1.2)
    ax.legend(fontsize=8)
    return fig


def plot_tornado(sens: pd.DataFrame, top: int = 15):
    fig = _figure(8.0, 0.35 * min(top, len(sens)) + 1.5)
    ax = fig.add_subplot()
    rows = sens.head(top).iloc[::-1]
    colours = ["tab:blue" if e >= 0 else "tab:red" for e in rows["elasticity"]]
    ax.barh(rows["input"], rows["elasticity"], color=colours)
    ax.axvline(0.0, color="black", lw=0.8)
    ax.set_xlabel(
        f"elasticity of {sens.attrs.get('metric', 'metric')} in {sens.attrs.get('year', '')}\n"
        "(% change per +1 % of the input, or per +1 year for calendar years; exact, jax.grad)"
    )
    ax.tick_params(axis="y", labelsize=8)
    return fig


def plot_fan(bands: pd.DataFrame, metric: str = "gw_effective", title: str = ""):
    fig = _figure()
    ax = fig.add_subplot()
    frame = bands[bands["metric"] == metric]
    columns = [c for c in frame.columns if c.startswith("p")]
    years = frame["year"].to_numpy()
    n = len(columns)
    for i in range(n // 2):
        ax.fill_between(
            years,
            frame[columns[i]],
            frame[columns[n - 1 - i]],
            alpha=0.2 + 0.2 * i,
            color="tab:blue",
            lw=0,
            label=f"{columns[i][1:]}-{columns[n - 1 - i][1:]} %",
        )
    if n % 2:
        ax.plot(years, frame[columns[n // 2]], color="tab:blue", label=f"median ({columns[n // 2]})")
    _integer_years(ax)
    ax.set_ylabel(metric)
    ax.set_title(title or f"Monte Carlo bands of {metric}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_sweep(table: pd.DataFrame, keys: list, metric: str = "gw_effective"):
    fig = _figure()
    ax = fig.add_subplot()
    for _, frame in table.groupby("case"):
        label = ", ".join(f"{k}={frame[k].iloc[0]:g}" for k in keys)
        ax.plot(frame["year"], frame[metric], label=label)
    _integer_years(ax)
    ax.set_ylabel(metric)
    ax.set_title(f"What-if sweep: {metric}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return fig
