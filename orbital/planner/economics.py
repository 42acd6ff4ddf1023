"""Is a GW in orbit worth it: the plan's cost of delivered compute against the ground, by launch year and for the
programme, its firm capacity, and the inputs that drive the answer.

The yearly numbers are outputs of the differentiable plan model (``PlanModel``; kernels in ``launch.core.costs``);
this module reads them into the ``economics.csv`` table and the summary, and adds what is not a yearly array: the
programme's lifecycle NPV and IRR (every cohort launched in the study over its whole life, not cut at the last
study year) and the year milestones.
"""

from __future__ import annotations

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from launch.core import costs
from orbital.planner.analysis import sensitivity
from orbital.planner.inputs import unflatten_inputs
from orbital.planner.model import ECONOMICS_COLUMNS, PlanModel

WACC_INPUT = "economics.wacc_per_yr"
# Rates searched for the lifecycle IRR (continuous, per year): from losing 90 % a year to earning 300 % a year.
IRR_SEARCH = (-0.9, 3.0)
IRR_GRID_POINTS = 256
# Bisections after the grid bracket (width 3.9/255 per year): 40 halvings leave ~1e-14 per year.
IRR_BISECTIONS = 40
# Inputs that drive the cost ratio, listed in the summary.
DRIVERS_LISTED = 6
# The metric whose drivers the summary lists: the orbit-to-ground cost of delivered compute.
COST_RATIO_METRIC = "lcoc_ratio"


def economics_table(model: PlanModel, theta=None) -> pd.DataFrame:
    """Per launch year (cohort): capex, delivered share and the cost of delivered compute by component in orbit
    and on the ground, their ratio, the break-even launch price and the cohort's NPV per kW (``economics.csv``)."""
    out = model.jitted(model.theta0 if theta is None else theta)
    frame = pd.DataFrame({column: np.asarray(out[column]) for column in ECONOMICS_COLUMNS})
    frame["year"] = frame["year"].round().astype(int)
    if not np.all(np.isfinite(frame.to_numpy(float))):
        bad = [c for c in frame.columns if not np.all(np.isfinite(frame[c].to_numpy(float)))]
        raise FloatingPointError(f"the economics produced non-finite values in {', '.join(bad)}; check [economics]")
    return frame


def daily_availability(model: PlanModel, theta=None) -> np.ndarray:
    """The fleet's compute availability on each day of the geometry window (the firm-capacity profile)."""
    return np.asarray(model.jitted(model.theta0 if theta is None else theta)["daily_availability"])


def lifecycle_npv_usd(model: PlanModel, rates, theta=None) -> np.ndarray:
    """Net present value at the start of the study of every cohort the plan launches, each over its whole
    design life, at each continuous discount rate of ``rates``.

    The plan's launches do not depend on the discount rate, so the cohorts' present values are re-evaluated at
    each rate with the cost kernels on the plan's yearly prices and kW/t (no new plan evaluation)."""
    return _npv_function(model, theta)(rates)


def _npv_function(model: PlanModel, theta):
    """``rates -> lifecycle NPV`` with the plan evaluated once."""
    theta = jnp.asarray(model.theta0 if theta is None else theta)
    out = model.jitted(theta)
    tree = unflatten_inputs(theta, model.layout)["launch"]
    keys = ("launch_usd_per_kg", "kw_per_tonne", "compute_availability", "gw_launched", "cohort_failure_rate_per_yr")
    yearly = {k: out[k] for k in keys}

    def npv(rates):
        rates = jnp.atleast_1d(jnp.asarray(rates, dtype=theta.dtype))
        return np.asarray(_lifecycle_npv(rates, tree.economics, tree.cohorts, yearly))

    return npv


@jax.jit
def _lifecycle_npv(rates, economics, cohorts, yearly):
    economics_at = eqx.tree_at(lambda e: e.wacc_per_yr, economics, rates[:, None])
    # Each cohort keeps the loss rate the plan costed it with (its failures and the fleet's collision hazard).
    cohorts = eqx.tree_at(lambda c: c.failure_rate_per_yr, cohorts, yearly["cohort_failure_rate_per_yr"])
    cohort = costs.orbit_levelised(
        economics_at, cohorts, yearly["launch_usd_per_kg"], yearly["kw_per_tonne"], yearly["compute_availability"]
    )
    revenue_usd_per_kw_yr = economics.revenue_usd_per_gw_yr / 1e6
    npv_per_kw = revenue_usd_per_kw_yr * cohort["delivered_kw_yr_per_kw"] - cohort["pv_total_usd_per_kw"]
    discount = jnp.exp(-rates[:, None] * (jnp.arange(yearly["gw_launched"].shape[-1]) + 0.5))
    return jnp.sum(yearly["gw_launched"] * 1e6 * npv_per_kw * discount, axis=1)


def lifecycle_irr(model: PlanModel, theta=None) -> tuple[float | None, str]:
    """The continuous rate at which the lifecycle NPV is zero, and a note; ``None`` (with the reason) when no
    rate in ``IRR_SEARCH`` makes it zero."""
    low, high = IRR_SEARCH
    grid = np.linspace(low, high, IRR_GRID_POINTS)
    npv_at = _npv_function(model, theta)
    npv = npv_at(grid)
    changes = np.flatnonzero(np.sign(npv[:-1]) != np.sign(npv[1:]))
    if len(changes) == 0:
        sign = "negative" if npv[0] < 0 else "positive"
        return None, (
            f"no IRR: the lifecycle NPV is {sign} at every rate from {low:+.0%} to {high:+.0%} a year "
            f"({npv[0]:.3g} to {npv[-1]:.3g} USD)"
        )
    a, b = grid[changes[0]], grid[changes[0] + 1]
    fa = npv[changes[0]]
    for _ in range(IRR_BISECTIONS):
        mid = 0.5 * (a + b)
        fm = npv_at([mid])[0]
        if np.sign(fm) == np.sign(fa):
            a, fa = mid, fm
        else:
            b = mid
    note = "IRR of the lifecycle cash flows (continuous rate)"
    if len(changes) > 1:
        note += f"; the NPV changes sign {len(changes)} times in the search range: the lowest root is given"
    return float(0.5 * (a + b)), note


def _ratio_at_free_launch(cohort: pd.Series) -> float:
    """Orbit-to-ground cost ratio of a cohort at a launch price of zero: the levelised cost is affine in the
    launch price and equals the ground's at the break-even price, which fixes its slope."""
    price, break_even = cohort["launch_usd_per_kg"], cohort["break_even_launch_usd_per_kg"]
    orbit, ground = cohort["lcoc_orbit_usd_per_kw_yr"], cohort["lcoc_ground_usd_per_kw_yr"]
    slope = (orbit - ground) / (price - break_even)
    return float((orbit - price * slope) / ground)


def _first_year(years, condition) -> int | None:
    hits = np.flatnonzero(condition)
    return int(years[hits[0]]) if len(hits) else None


def cost_ratio_drivers(model: PlanModel) -> pd.DataFrame:
    """The inputs that drive the orbit-to-ground cost ratio in the plan's last year, ranked (``sensitivity``)."""
    return sensitivity(model, COST_RATIO_METRIC)


def economics_summary(
    model: PlanModel,
    table: pd.DataFrame,
    economics: pd.DataFrame,
    drivers: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
) -> dict:
    """Headline economics of a plan: costs per delivered compute in orbit and on the ground, the parity year, the
    break-even launch price, firm capacity, the programme's NPV, IRR and payback, and the inputs that drive the
    orbit-to-ground cost ratio (exact elasticities; ``drivers``: ``cost_ratio_drivers(model)`` if computed
    already, or a function that returns it, called last: a sensitivity still compiling elsewhere is waited for
    only once everything else is computed)."""
    years = table["year"].to_numpy()
    first, last = int(years[0]), int(years[-1])
    ratio = table["lcoc_ratio"].to_numpy()
    parity = _first_year(years, ratio <= 1.0)
    break_even = float(table["break_even_launch_usd_per_kg"].iloc[-1])
    cumulative = table["cumulative_cash_flow_usd"].to_numpy()
    payback = _first_year(years, (cumulative >= 0) & (np.minimum.accumulate(cumulative) < 0))
    irr, irr_note = lifecycle_irr(model)
    lifecycle_npv = float(lifecycle_npv_usd(model, [float(model.theta0[model.index(WACC_INPUT)])])[0])
    if drivers is None:
        drivers = cost_ratio_drivers(model)
    elif callable(drivers):
        drivers = drivers()
    drivers = drivers.head(DRIVERS_LISTED)
    availability = float(table["compute_availability"].iloc[0])
    firm = float(table["firm_compute_fraction"].iloc[0])
    return {
        "orbit_usd_per_kw_yr_first_year": float(table["lcoc_orbit_usd_per_kw_yr"].iloc[0]),
        "orbit_usd_per_kw_yr_final_year": float(table["lcoc_orbit_usd_per_kw_yr"].iloc[-1]),
        "ground_usd_per_kw_yr": float(table["lcoc_ground_usd_per_kw_yr"].iloc[-1]),
        "orbit_usd_per_accelerator_hr_first_year": float(table["lcoc_orbit_usd_per_accelerator_hr"].iloc[0]),
        "orbit_usd_per_accelerator_hr_final_year": float(table["lcoc_orbit_usd_per_accelerator_hr"].iloc[-1]),
        "ground_usd_per_accelerator_hr": float(table["lcoc_ground_usd_per_accelerator_hr"].iloc[-1]),
        "cost_ratio_first_year": float(ratio[0]),
        "cost_ratio_final_year": float(ratio[-1]),
        "parity_year": parity,
        "parity_note": (
            f"orbit's delivered compute first costs no more than the ground's in {parity}"
            if parity is not None
            else f"no parity in {first}-{last}: orbit costs {ratio[-1]:.2f}x the ground in {last}"
        ),
        "break_even_launch_usd_per_kg_final_year": break_even,
        "break_even_note": (
            f"launch at ${break_even:,.0f}/kg would make orbit match the ground for the {last} cohort"
            if break_even >= 0
            else f"no launch price makes orbit match the ground in {last}: even free launch leaves orbit "
            f"{_ratio_at_free_launch(economics.iloc[-1]):.2f}x the ground; the satellite, the hardware or its "
            "derating in orbit must fall (see cost_ratio_drivers)"
        ),
        "compute_availability": availability,
        "firm_compute_fraction": firm,
        "firm_share_of_average": firm / availability,
        "gw_firm_final_year": float(table["gw_firm"].iloc[-1]),
        "seasonal_dip_revenue_usd_final_year": float(table["seasonal_dip_revenue_usd"].iloc[-1]),
        "revenue_usd_per_gw_yr": float(model.theta0[model.index("economics.revenue_usd_per_gw_yr")]),
        "npv_usd_study_window": float(table["npv_usd"].iloc[-1]),
        "lifecycle_npv_usd": lifecycle_npv,
        "lifecycle_irr": irr,
        "irr_note": irr_note,
        "payback_year": payback,
        "payback_note": (
            f"cumulative cash flow turns positive in {payback}"
            if payback is not None
            else f"cumulative cash flow still {cumulative[-1]:.3g} USD in {last} (a growing programme keeps "
            "investing ahead of revenue; see lifecycle_npv_usd)"
        ),
        "cost_ratio_drivers": [
            {"input": row.input, "elasticity": float(row.elasticity), "per": row.per} for row in drivers.itertuples()
        ],
    }
