"""The yearly projection kernel: one scenario, ``n_years`` years, an ``(init, step)`` pair run by ``lax.scan``.

Everything that does not depend on the fleet (cadence, vehicle mix, caps, kW/t by cohort, launch prices) is
computed for all years at once; the scan carries only what is recursive: the cohort arrays (indexed by launch
year) and last year's losses, which replacement re-launches first from this year's deliverable capacity.

Cohort conventions (end-of-year accounting, all GW nameplate at launch):
- launches are spread uniformly over the launch year, so at the end of year ``i`` a cohort launched in year
  ``c`` has ages uniform over [i - c, i - c + 1] (mean i - c + 0.5);
- failures: constant hazard ``failure_rate_per_yr`` (exposure 0.5 yr in the launch year, 1 yr after);
- retirement: retirement ages logistic with mean design_life_yr and sd life_sd_yr; the fraction retired in a
  year is the closed-form mean over that year's spread of ages (smooth, so gradients and finite differences
  agree);
  failures come first, retirement applies to the survivors, so launched = operating + failed + retired
  holds per cohort per year to rounding;
- operating power is derated by (1 - degradation_per_yr) ** mean_age.

Scenario objects are duck-typed (attribute access only) so this module imports nothing from the public API.
"""

from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp

from launch.core import costs, curves

GW_TO_KW = 1.0e6  # 1 GW = 1e6 kW; tonnes = GW * 1e6 / (kW/t)
# Days per year: the Julian year, exactly 365.25 d of 86,400 s (IAU Style Manual, Wilkins 1989; astropy's ``yr``).
DAYS_PER_YEAR = 365.25

# Static choices of the curves: the cadence ramp and the launch price.
CADENCE_MODELS = ("logistic", "gompertz", "table")
PRICE_MODELS = ("wright", "table")

# Integer codes of the constraint that sets deployment (GW launched) in a year, in the order of the stack.
BINDING_NAMES = ("launch", "factory", "arrays", "chips", "demand")
# Integer codes of the constraint that sets the number of launches in a year.
LAUNCH_LIMIT_NAMES = ("ramp", "vehicles", "pads")


class CohortState(NamedTuple):
    """Scan carry. Cohort arrays are indexed by launch year (index 0 = first projection year). The cumulative
    per-cohort arrays are carried only when cohort matrices are requested (``with_cohorts``): the yearly
    aggregates need only what is still operating, which keeps the Monte Carlo hot loop light."""

    operating_gw: jax.Array  # (n,) nameplate GW still operating
    loss_prev_gw: jax.Array  # () nameplate GW failed + retired during the previous year
    launched_gw: jax.Array | None = None  # (n,) nameplate GW launched per cohort
    failed_gw: jax.Array | None = None  # (n,) cumulative nameplate GW failed
    retired_gw: jax.Array | None = None  # (n,) cumulative nameplate GW retired
    pool_gw: jax.Array | None = None  # (K,) nameplate GW of failed satellites left in orbit, per pool
    # () the sum of ``operating_gw``, carried with a hazard (whose rate reads it) so that no step sums it twice
    operating_total_gw: jax.Array | None = None


class FleetHazard(NamedTuple):
    """A loss hazard on every operating satellite that the fleet makes for itself (collisions), beside the
    cohorts' constant failure rate. In year ``i`` (all arrays traceable):

        hazard = base_per_yr[i] + per_operating_gw_per_yr[i] G + sum_k per_pool_gw_per_yr[i, k] P_k

    with G the nameplate GW operating after the year's launches and P_k the nameplate GW of failed or retired
    satellites left in orbit in pool k (e.g. one pool per shell) at the start of the year. Pool k receives
    ``pool_share[k]`` of each year's failed and retired GW (the share not disposed of) and empties with the
    natural lifetime ``pool_lifetime_yr[i, k]`` (``curves.decaying_pool_step``). Satellites lost to this hazard
    are destroyed, not left in a pool. The caller sets the physics (``orbital`` does: debris flux, collisions with
    the fleet and its derelicts); this module only integrates it with the cohorts."""

    base_per_yr: jax.Array  # (n,)
    per_operating_gw_per_yr: jax.Array  # (n,)
    pool_share: jax.Array  # (K,)
    pool_lifetime_yr: jax.Array  # (n, K)
    per_pool_gw_per_yr: jax.Array  # (n, K)


def cadence_launches(cadence, years):
    """Launch demand of the ramp (launches/yr) for each year; ``cadence.model`` is static."""
    if cadence.model == "logistic":
        return curves.logistic_ramp(
            years,
            cadence.start_launches_per_yr,
            cadence.ceiling_launches_per_yr,
            cadence.growth_rate_per_yr,
            cadence.ref_year,
        )
    if cadence.model == "gompertz":
        return curves.gompertz_ramp(
            years,
            cadence.start_launches_per_yr,
            cadence.ceiling_launches_per_yr,
            cadence.growth_rate_per_yr,
            cadence.ref_year,
        )
    if cadence.model == "table":
        return jnp.interp(years, cadence.table_years, cadence.table_launches)
    raise ValueError(f"cadence.model={cadence.model!r} is not one of {CADENCE_MODELS}")


def capacity_curve(cap, years):
    return curves.logistic_ramp(years, cap.start_gw_per_yr, cap.ceiling_gw_per_yr, cap.growth_rate_per_yr, cap.ref_year)


def yearly_drivers(scenario, years):
    """Exogenous yearly quantities, each of shape ``years.shape``."""
    ramp = cadence_launches(scenario.cadence, years)
    lim = scenario.limits
    elapsed = years - years[0]
    vehicles = lim.vehicles_initial + lim.vehicles_built_per_yr * elapsed
    vehicle_cap = vehicles * lim.flights_per_vehicle_per_yr
    pads = lim.pads_initial + lim.pads_added_per_yr * elapsed
    pad_cap = pads * lim.launches_per_pad_per_day * DAYS_PER_YEAR
    launch_stack = jnp.stack([ramp, vehicle_cap, pad_cap])
    launches = jnp.min(launch_stack, axis=0)
    launch_code = jnp.argmin(launch_stack, axis=0)

    mix = scenario.vehicles
    payload_t = curves.vehicle_mix_payload_t(years, mix.payload_t, mix.intro_year, mix.transition_yr)
    sh = scenario.share
    compute_share = curves.ramp_between(years, sh.start, sh.end, sh.ramp_start_year, sh.ramp_yr)
    co = scenario.cohorts
    kw_per_tonne = curves.kw_per_tonne_by_cohort(
        years, co.kw_per_tonne_initial, co.kw_per_tonne_final, co.kw_improvement_tau_yr, co.kw_ref_year
    )
    launch_gw = launches * compute_share * payload_t * kw_per_tonne / GW_TO_KW
    sup = scenario.supply
    return dict(
        ramp_launches=ramp,
        vehicle_cap_launches=vehicle_cap,
        pad_cap_launches=pad_cap,
        launches=launches,
        launch_limit_code=launch_code,
        payload_t=payload_t,
        compute_share=compute_share,
        kw_per_tonne=kw_per_tonne,
        cap_launch_gw=launch_gw,
        cap_factory_gw=capacity_curve(sup.factory, years),
        cap_arrays_gw=capacity_curve(sup.arrays, years),
        cap_chips_gw=capacity_curve(sup.chips, years),
        demand_gw=jnp.broadcast_to(sup.demand_gw_per_yr, years.shape).astype(years.dtype),
    )


def age_tables(cohorts, n_years, dtype):
    """Per-age fractions for the cohorts, laid out for slicing without a gather.

    Entry j of each returned (2n,) array is for age a = n - 1 - j at the end of a year (negative ages:
    cohorts launched after the current year, which neither fail nor retire). A step at year i slices
    ``[n - 1 - i, 2n - 1 - i)`` and gets the value for every cohort c (age i - c). Computed elementwise on
    that grid (no reversal or concatenation) so that XLA emits one cheap fusion per table.
    """
    age = (n_years - 1) - jnp.arange(2 * n_years, dtype=dtype)
    launched = age >= 0.0
    exposure = jnp.where(age == 0.0, 0.5, 1.0).astype(dtype)
    fail_frac = jnp.where(launched, -jnp.expm1(-cohorts.failure_rate_per_yr * exposure), 0.0)
    survive = curves.retirement_survival(age, cohorts.design_life_yr, cohorts.life_sd_yr)
    survive_prev = jnp.where(
        age >= 1.0, curves.retirement_survival(age - 1.0, cohorts.design_life_yr, cohorts.life_sd_yr), 1.0
    )
    ok = launched & (survive_prev > curves.divisor_floor(dtype))
    ratio = jnp.where(ok, survive / jnp.where(ok, survive_prev, 1.0), 1.0)
    ret_frac = jnp.where(launched, 1.0 - jnp.clip(ratio, 0.0, 1.0), 0.0)
    safe_age = jnp.where(launched, age, 0.0)
    derate = jnp.exp((safe_age + 0.5) * jnp.log1p(-jnp.minimum(cohorts.degradation_per_yr, 1.0 - 1e-6)))
    # Fractions of what operated at the start of the step (after this year's launch) that fail, retire and
    # stay; they sum to 1, so the per-cohort accounting closes to rounding.
    retire_frac = (1.0 - fail_frac) * ret_frac
    keep_frac = (1.0 - fail_frac) * (1.0 - ret_frac)
    return fail_frac, retire_frac, keep_frac, keep_frac * derate


def init(n_years, dtype, with_cohorts=False, n_pools=None):
    zeros = jnp.zeros((n_years,), dtype)
    pools = None if n_pools is None else jnp.zeros((n_pools,), dtype)
    total = None if n_pools is None else jnp.zeros((), dtype)
    if with_cohorts:
        return CohortState(zeros, jnp.zeros((), dtype), zeros, zeros, zeros, pools, total)
    return CohortState(zeros, jnp.zeros((), dtype), pool_gw=pools, operating_total_gw=total)


def make_step(replacement_fraction, tables, n_years, with_cohorts, value_usd_per_kw, hazard=None):
    fail_table, retire_table, keep_table, keep_derated_table = tables
    cohort_index = jnp.arange(n_years)
    # The derelict pools' decay over each year, for all years at once (the lifetimes do not depend on the fleet).
    pool_factors = None if hazard is None else curves.decaying_pool_factors(hazard.pool_lifetime_yr, 1.0)

    def step(state, x):
        i, cap_supply_gw, cap_launch_gw, cap_factory_gw, cap_arrays_gw, cap_chips_gw, demand_gw = x
        need_gw = replacement_fraction * state.loss_prev_gw
        target_gw = demand_gw + need_gw
        stack = jnp.stack([cap_launch_gw, cap_factory_gw, cap_arrays_gw, cap_chips_gw, target_gw])
        gw_launched = jnp.minimum(cap_supply_gw, target_gw)  # plain min: subgradient at ties
        binding = jnp.argmin(stack)
        replacement_gw = jnp.minimum(need_gw, gw_launched)

        new = jnp.where(cohort_index == i, gw_launched, 0.0)
        operating = state.operating_gw + new
        start = n_years - 1 - i
        fail_frac, retire_frac, keep_frac, keep_derated = (
            jax.lax.dynamic_slice_in_dim(table, start, n_years)
            for table in (fail_table, retire_table, keep_table, keep_derated_table)
        )
        fleet_out = {}
        if hazard is None:
            # Few materialised (cohort,) arrays per step: the sums read ``operating`` with the tables directly.
            gw_failed = jnp.sum(operating * fail_frac)
            gw_retired = jnp.sum(operating * retire_frac)
            gw_derated = jnp.sum(operating * keep_derated)
        else:
            # Read by year from the closed-over arrays, not scanned over: under Monte Carlo's vmap, scanned inputs
            # would each be transposed to put the years first.
            base, per_operating, pool_kept, pool_filled, per_pool = (
                h[i]
                for h in (hazard.base_per_yr, hazard.per_operating_gw_per_yr, *pool_factors, hazard.per_pool_gw_per_yr)
            )
            share = hazard.pool_share
            # The hazard strikes first; failures and retirement then apply to the survivors. This year's
            # cohort is exposed for half a year on average (launches spread over the year). The carried cohorts
            # are zero from cohort i on, so the strike only scales two parts: what operated before (kept
            # e^-rate) and this year's cohort (e^-rate/2, every table at its age-0 entry, index n - 1). Each
            # sum is then read from the carried cohorts before the strike, the rate reads the carried total, and
            # no struck (cohort,) array is formed (Monte Carlo runs this for every draw).
            before_gw = state.operating_total_gw
            rate = base + per_operating * (before_gw + gw_launched) + jnp.sum(per_pool * state.pool_gw)
            struck_before, struck_new = -jnp.expm1(-rate), -jnp.expm1(-rate * 0.5)
            kept_before, kept_new = 1.0 - struck_before, 1.0 - struck_new

            def after_strike(table, table_now):
                before = jnp.sum(state.operating_gw * table_now)
                return kept_before * before + kept_new * gw_launched * table[n_years - 1]

            gw_failed = after_strike(fail_table, fail_frac)
            gw_retired = after_strike(retire_table, retire_frac)
            gw_derated = after_strike(keep_derated_table, keep_derated)
            gw_struck = struck_before * before_gw + struck_new * gw_launched
            operating = state.operating_gw * kept_before + new * kept_new
            fleet_out = dict(collision_hazard_per_yr=rate, gw_collision_lost=gw_struck)
        operating_next = operating * keep_frac
        # The insured value of what still operates: each cohort at its own satellite cost per kW.
        operating_value = jnp.sum(operating_next * value_usd_per_kw) * GW_TO_KW
        losses = gw_failed + gw_retired
        pools = None
        if hazard is not None:
            pools = state.pool_gw * pool_kept + losses * share * pool_filled  # as curves.decaying_pool_step
            fleet_out["derelict_pool_gw"] = pools
            losses = losses + gw_struck
        if with_cohorts:
            new_state = CohortState(
                operating_next,
                losses,
                state.launched_gw + new,
                state.failed_gw + operating * fail_frac,
                state.retired_gw + operating * retire_frac,
                pools,
            )
        else:
            new_state = CohortState(operating_next, losses, pool_gw=pools)
        operating = operating_next
        nameplate_gw = jnp.sum(operating)
        if hazard is not None:
            new_state = new_state._replace(operating_total_gw=nameplate_gw)
        out = dict(
            gw_launched=gw_launched,
            gw_replacement=replacement_gw,
            gw_growth=gw_launched - replacement_gw,
            binding_code=binding,
            gw_operating=gw_derated,
            gw_operating_nameplate=nameplate_gw,
            gw_failed=gw_failed,
            gw_retired=gw_retired,
            operating_value_usd=operating_value,
            **fleet_out,
        )
        if with_cohorts:
            out.update(
                cohort_launched_gw=new_state.launched_gw,
                cohort_operating_gw=operating,
                cohort_failed_gw=new_state.failed_gw,
                cohort_retired_gw=new_state.retired_gw,
            )
        return new_state, out

    return step


def launch_prices(economics, years, tonnes_to_orbit):
    """Launch $/kg of each year: Wright's law on the cumulative mass before the year, or the price table."""
    if economics.price_model == "wright":
        cum_mass_before = economics.cum_mass_start_t + jnp.cumsum(tonnes_to_orbit) - tonnes_to_orbit
        return curves.wright_price(
            cum_mass_before,
            economics.launch_usd_per_kg_start,
            economics.cum_mass_start_t,
            economics.learning_rate,
            economics.floor_usd_per_kg,
        )
    if economics.price_model == "table":
        return jnp.interp(years, economics.table_years, economics.table_usd_per_kg)
    raise ValueError(f"economics.price_model={economics.price_model!r} is not one of {PRICE_MODELS}")


def project(scenario, start_year, n_years, with_cohorts=False, availability=1.0, hazard=None):
    """Yearly projection of one scenario. ``start_year`` and ``n_years`` are static Python ints.

    Returns a dict of arrays of shape (n_years,) (and (n_years, n_years) cohort matrices, [year, cohort], when
    ``with_cohorts``). Vmap it over a batch of scenarios for Monte Carlo. ``availability`` (traceable): the
    share of time the fleet's compute runs (eclipse shedding), for the cost of delivered compute and revenue.
    ``hazard``: a ``FleetHazard`` (traceable arrays), the losses the fleet's own environment adds; with it the
    outputs gain ``collision_hazard_per_yr``, ``gw_collision_lost`` and ``derelict_pool_gw`` (n, K), and the
    losses that replacement re-launches include the satellites it destroys.
    """
    leaves = jax.tree_util.tree_leaves(scenario)
    dtype = jnp.result_type(*leaves, float)
    years = start_year + jnp.arange(n_years, dtype=dtype)
    d = yearly_drivers(scenario, years)
    co = scenario.cohorts
    tables = age_tables(co, n_years, dtype)
    cap_supply = jnp.minimum(
        jnp.minimum(d["cap_launch_gw"], d["cap_factory_gw"]), jnp.minimum(d["cap_arrays_gw"], d["cap_chips_gw"])
    )
    xs = (
        jnp.arange(n_years),
        cap_supply,
        d["cap_launch_gw"],
        d["cap_factory_gw"],
        d["cap_arrays_gw"],
        d["cap_chips_gw"],
        d["demand_gw"],
    )
    eco = scenario.economics
    usd_per_kg = launch_prices(eco, years, d["launches"] * d["payload_t"])
    capex_kw = costs.orbit_capex_usd_per_kw(eco, usd_per_kg, d["kw_per_tonne"])
    value_kw = capex_kw["bus"] + capex_kw["hardware"]
    n_pools = None
    if hazard is not None:
        hazard = FleetHazard(*(jnp.asarray(h, dtype) for h in hazard))
        n_pools = hazard.pool_share.shape[0]
        hazard = hazard._replace(
            base_per_yr=jnp.broadcast_to(hazard.base_per_yr, (n_years,)),
            per_operating_gw_per_yr=jnp.broadcast_to(hazard.per_operating_gw_per_yr, (n_years,)),
            pool_lifetime_yr=jnp.broadcast_to(hazard.pool_lifetime_yr, (n_years, n_pools)),
            per_pool_gw_per_yr=jnp.broadcast_to(hazard.per_pool_gw_per_yr, (n_years, n_pools)),
        )
    step = make_step(co.replacement_fraction, tables, n_years, with_cohorts, value_kw, hazard)
    _, out = jax.lax.scan(step, init(n_years, dtype, with_cohorts, n_pools), xs)

    gw = out["gw_launched"]
    kw_t = d["kw_per_tonne"]
    payload_t = d["payload_t"]
    compute_tonnes = gw * GW_TO_KW / kw_t
    tonnes_to_orbit = d["launches"] * payload_t
    cum_mass_end = jnp.cumsum(tonnes_to_orbit)
    kw_launched = gw * GW_TO_KW
    capex = kw_launched * capex_kw["total"]
    has_gw = gw > 0
    capex_per_gw = jnp.where(has_gw, capex / jnp.where(has_gw, gw, 1.0), 0.0)
    operations = out["gw_operating_nameplate"] * GW_TO_KW * eco.operations_usd_per_kw_yr
    insurance_in_orbit = out["operating_value_usd"] * eco.insurance_in_orbit_per_yr
    result = dict(d)
    result.update(out)
    result.update(
        year=years,
        compute_launches=compute_tonnes / payload_t,
        compute_tonnes=compute_tonnes,
        tonnes_to_orbit=tonnes_to_orbit,
        cum_mass_t=eco.cum_mass_start_t + cum_mass_end,
        gw_cumulative_launched=jnp.cumsum(gw),
        launch_usd_per_kg=usd_per_kg,
        launch_cost_usd=kw_launched * capex_kw["launch"],
        satellite_cost_usd=kw_launched * value_kw,
        spares_cost_usd=kw_launched * capex_kw["spares"],
        launch_insurance_usd=kw_launched * capex_kw["insurance"],
        capex_usd=capex,
        capex_usd_per_gw=capex_per_gw,
        operations_usd=operations,
        orbit_insurance_usd=insurance_in_orbit,
        opex_usd=operations + insurance_in_orbit,
        launched_power_usd_per_kw_yr=curves.launched_power_price(1000.0, kw_t, co.design_life_yr, usd_per_kg),
    )
    if hazard is not None:
        # Each cohort's cost of delivered compute sees the fleet's hazard as an extra failure rate: its mean over
        # the cohort's design life from its launch year (the last year's held after the study ends).
        offset = jnp.arange(n_years)
        weights = jnp.clip(co.design_life_yr - offset.astype(dtype), 0.0, 1.0)
        later = jnp.minimum(offset[:, None] + offset[None, :], n_years - 1)  # [cohort, year of its life]
        life_hazard = jnp.sum(out["collision_hazard_per_yr"][later] * weights, axis=1) / jnp.sum(weights)
        co = eqx.tree_at(lambda c: c.failure_rate_per_yr, co, co.failure_rate_per_yr + life_hazard)
    # The loss rate each launch year's cohort is costed with, for re-pricing the cohorts (lifecycle NPV).
    result["cohort_failure_rate_per_yr"] = co.failure_rate_per_yr + jnp.zeros(n_years, dtype)
    result.update(costs.yearly_economics(eco, co, years, result, availability))
    return result
