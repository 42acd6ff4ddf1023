"""The plan model: ONE pure JAX function of the flat input vector ``theta`` to the yearly plan arrays.

The design's mass roll-up per shell (``orbital.design.mass_breakdown``: battery sized for the shell's longest
eclipse, radiator for its Earth environment) gives kW/t, which becomes the cohorts' initial kW/t unless the
scenario sets ``cohorts.kw_per_tonne_initial``; the launch projection (``launch.project_arrays``) gives GW per
year; the plan columns follow. ``jax.grad`` of it gives exact sensitivities, ``jax.vmap`` of it sweeps and
Monte Carlo.

Compute availability per shell (share of compute delivered over the year):
``min(1, array margin) x (sunlit + eclipse_compute_fraction x (1 - sunlit))`` with array margin
``array_oversize (peak + bus)(tracks + (1 - tracks) <|sin beta|>) / (compute + bus)``: compute runs whenever the
arrays can carry it, and in eclipse the battery (sized for the longest eclipse) carries the design's eclipse
share. This closed form is the planner's (differentiable, cheap) stand-in for ``orbital.budget``'s time-stepped
availability; they agree for the built-in designs (tests compare them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

import launch
from orbital import design as design_module
from orbital.design import SatelliteDesign
from orbital.planner.geometry import Geometry, compute_geometry
from orbital.planner.inputs import (
    InputLayout,
    flatten_inputs,
    input_specs,
    input_tree,
    unflatten_inputs,
)

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
DEFAULT_METRIC = "gw_effective"


def output_names() -> list:
    """Every yearly output of the plan model (the metrics first)."""
    return list(dict.fromkeys(METRICS + [c for c in launch.TABLE_COLUMNS.values() if c not in METRICS] + PLAN_COLUMNS))


# Outputs that are labels, not quantities: the calendar year and the codes of the binding constraint. They have no
# derivative and no meaningful percentile, so sensitivities, sweeps and Monte Carlo refuse them as metrics.
CATEGORICAL_OUTPUTS = ("year", "launch_limit_code", "binding_code")


def check_metric(metric: str) -> str:
    allowed = [name for name in output_names() if name not in CATEGORICAL_OUTPUTS]
    if metric in CATEGORICAL_OUTPUTS:
        raise ValueError(
            f"metric={metric!r} is a label (a year or a code), not a plan quantity; allowed: {', '.join(allowed)}"
        )
    if metric not in allowed:
        raise ValueError(f"metric={metric!r} is not a plan output; allowed: {', '.join(allowed)}")
    return metric


def plan_arrays(theta, geo: dict, layout: InputLayout, start_year: int, n_years: int, kw_from_design: bool) -> dict:
    """The plan model; ``layout``, ``start_year``, ``n_years``, ``kw_from_design`` are static."""
    tree = unflatten_inputs(theta, layout)
    geo = jax.tree.map(lambda x: jnp.asarray(x, theta.dtype), geo)
    design = SatelliteDesign(**tree["design"])
    # The shares dict is in key order; the geometry in the scenario's shell order.
    shares = jnp.stack([tree["shares"][name] for name in layout.shell_names])
    shares = shares / jnp.sum(shares)
    mass = jax.vmap(design_module.mass_breakdown, in_axes=(None, 0, 0))(
        design, geo["worst_eclipse_min"], geo["altitude_km"]
    )
    mass_kg = jnp.sum(shares * mass.total_kg)
    kw_rollup = design.compute_power_w / mass_kg  # W/kg = kW/t
    scenario = tree["launch"]
    if kw_from_design:
        scenario = eqx.tree_at(lambda s: s.cohorts.kw_per_tonne_initial, scenario, kw_rollup)
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
_jit_outputs = jax.jit(plan_arrays, static_argnums=(2, 3, 4, 5))
_jit_batched = jax.jit(jax.vmap(plan_arrays, in_axes=(0, None, None, None, None, None)), static_argnums=(2, 3, 4, 5))


@functools.partial(jax.jit, static_argnums=(2, 3, 4, 5, 6, 7))
def _jit_value_and_grad(theta, geo, layout, start_year, n_years, kw_from_design, metric, index):
    return jax.value_and_grad(
        lambda th: plan_arrays(th, geo, layout, start_year, n_years, kw_from_design)[metric][index]
    )(theta)


class PlanModel:
    """One pure function ``outputs(theta)`` from the flat input vector to yearly arrays (jit/grad/vmap-safe)."""

    def __init__(self, scenario, geometry: Geometry, *, kw_from_design: bool | None = None):
        self.scenario = scenario
        self.geometry = geometry
        self.start_year = scenario.study.start_year
        self.n_years = scenario.study.n_years
        self.kw_from_design = (
            scenario.cohorts.kw_per_tonne_initial is None if kw_from_design is None else kw_from_design
        )
        tree = input_tree(scenario)
        theta0, self.layout = flatten_inputs(tree)
        self.theta0 = jnp.asarray(theta0, dtype=jnp.result_type(float))
        self.names = self.layout.names
        self.specs = input_specs(tree)  # the declared unit and range of each input
        # With kW/t from the design, the launch scenario's own initial kW/t is a placeholder that nothing reads.
        self.unused = {"cohorts.kw_per_tonne_initial"} if self.kw_from_design else set()
        dtype = self.theta0.dtype
        self.geometry_arrays = {k: jnp.asarray(v, dtype) for k, v in geometry.arrays().items()}
        self.static = (self.layout, self.start_year, self.n_years, bool(self.kw_from_design))

    @classmethod
    def from_scenario(cls, scenario, progress: Callable[[float, float], None] | None = None) -> PlanModel:
        """Evaluate the scenario's geometry (the slow step; ``progress(done, total)``) and build its model."""
        return cls(scenario, compute_geometry(scenario, progress))

    def index(self, name: str) -> int:
        return self.names.index(name)

    def outputs(self, theta) -> dict:
        """The plan's yearly outputs for one input vector (pure; jit/grad/vmap it freely)."""
        return plan_arrays(theta, self.geometry_arrays, *self.static)

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
        return _jit_outputs(theta, self.geometry_arrays, *self.static)

    def batched(self, thetas) -> dict:
        """``outputs`` of each row of ``thetas`` (one compiled vmapped call)."""
        return _jit_batched(thetas, self.geometry_arrays, *self.static)

    def value_and_grad(self, metric: str, year: int, theta=None):
        """``(value, gradient)`` of ``metric`` in ``year`` with respect to ``theta`` (default: the scenario's),
        the whole reverse pass compiled once: ~3x faster than tracing it op by op."""
        theta = self.theta0 if theta is None else theta
        return _jit_value_and_grad(theta, self.geometry_arrays, *self.static, metric, self.year_index(year))

    def table(self, theta=None) -> pd.DataFrame:
        """The yearly plan table (``plan.csv``)."""
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
        """Per-shell illumination, mass roll-up and availability (``shells.csv``)."""
        tree = unflatten_inputs(self.theta0 if theta is None else theta, self.layout)
        design = SatelliteDesign(**{k: float(v) for k, v in tree["design"].items()})
        g = self.geometry
        rows = []
        for k, name in enumerate(g.shell_names):
            m = design_module.design_mass(design, g.worst_eclipse_min[k], g.altitude_km[k])
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


def model_rollup(model: PlanModel):
    """The design's share-weighted kW/t roll-up at the scenario's inputs."""
    return model.outputs(model.theta0)["kw_per_tonne_rollup"][0]
