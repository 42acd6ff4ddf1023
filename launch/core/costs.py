"""Pure JAX cost kernels: continuous discounting, the levelised cost of delivered compute in orbit and on the
ground, capex by component, and the launch price at which orbit matches the ground.

Conventions (all per kW of compute power, i.e. IT power on the ground):
- money in USD, time in years, rates per year, continuous: a cash flow at time t is worth ``e^{-r t}`` today
  (``r``: the cost of capital, WACC);
- a cohort delivers ``delivered_fraction x e^{-(lambda + g) t}`` kW of compute per kW launched at age t, for
  ``t`` in [0, T]: ``lambda`` the failure hazard (survival ``e^{-lambda t}``), ``g = -ln(1 - degradation)`` the
  continuous rate of the arrays' power loss, T the design life; running costs are paid on the surviving
  capacity (``e^{-lambda t}``);
- levelised cost of delivered compute = PV(costs) / PV(delivered kW-years). With no running costs, no
  degradation and ``delivered_fraction = 1`` it is ``capex (r + lambda) / (1 - e^{-(r + lambda) T})``.

Scenario objects are duck-typed (attribute access only), as in ``launch.core.projection``. Every expression is
``where``-safe at zero rates, so gradients are finite everywhere.
"""

import jax.numpy as jnp

# Hours in a Julian year (365.25 d x 24 h; the year of ``launch.core.projection.DAYS_PER_YEAR``).
HOURS_PER_YEAR = 8766.0
W_PER_KW = 1000.0
KG_PER_TONNE = 1000.0
# Below this |k T| the annuity factor uses its Taylor series: (1 - e^{-x})/x = 1 - x/2 + x^2/6 - ..., whose
# next term (x^3/24) is below float64 rounding there.
_SERIES_BELOW = 1e-4


def annuity_yr(rate_per_yr, life_yr):
    """Present value of 1 per year paid continuously for ``life_yr`` years: ``(1 - e^{-kT}) / k`` (``T`` at
    ``k = 0``). ``rate_per_yr`` may be any sum of discount and decay rates."""
    x = rate_per_yr * life_yr
    small = jnp.abs(x) < _SERIES_BELOW
    safe_rate = jnp.where(small, 1.0, rate_per_yr)
    exact = -jnp.expm1(-jnp.where(small, 1.0, x)) / safe_rate
    series = life_yr * (1.0 - x / 2.0 + x * x / 6.0)
    return jnp.where(small, series, exact)


def capital_recovery_per_yr(rate_per_yr, life_yr):
    """Continuous capital recovery factor: the constant yearly payment (paid continuously) whose present value
    over ``life_yr`` is 1, ``r / (1 - e^{-rT})`` (``1/T`` at ``r = 0``)."""
    return 1.0 / annuity_yr(rate_per_yr, life_yr)


def lifetime_delivered_fraction(failure_rate_per_yr, life_yr):
    """Mean share of its launched capacity a cohort delivers over its life under a constant failure hazard,
    ``(1 - e^{-lambda T}) / (lambda T)``; its inverse is the lifetime penalty (Turyshev, arXiv:2604.27197:
    1.27 at lambda = 0.1/yr and T = 5 yr, 1.58 at 0.2/yr)."""
    return annuity_yr(failure_rate_per_yr, life_yr) / life_yr


def decline_rate_per_yr(degradation_per_yr):
    """Continuous rate ``g`` of a yearly fractional loss: ``(1 - d)^t = e^{-g t}``, ``g = -ln(1 - d)``."""
    return -jnp.log1p(-degradation_per_yr)


def levelised_cost_usd_per_kw_yr(
    capex_usd_per_kw,
    running_usd_per_kw_yr,
    discount_rate_per_yr,
    failure_rate_per_yr,
    decline_per_yr,
    life_yr,
    delivered_fraction,
):
    """PV(capex + running costs on the survivors) / PV(delivered kW-years), per kW launched (see module)."""
    costs = capex_usd_per_kw + running_usd_per_kw_yr * annuity_yr(discount_rate_per_yr + failure_rate_per_yr, life_yr)
    delivered = delivered_fraction * annuity_yr(discount_rate_per_yr + failure_rate_per_yr + decline_per_yr, life_yr)
    return costs / delivered


def hardware_usd_per_kw(economics):
    """Compute hardware per kW of compute power: the price of one accelerator over its power (with its share
    of host, memory and network)."""
    return economics.accelerator_usd * W_PER_KW / economics.accelerator_power_w


def orbit_capex_usd_per_kw(economics, launch_usd_per_kg, kw_per_tonne):
    """Capex per kW launched, by component, for a cohort launched at ``launch_usd_per_kg`` with ``kw_per_tonne``
    (the whole satellite's mass per kW): launch, bus (the satellite without its accelerators, priced per kg of
    satellite), compute hardware, spares (an overbuild share of those three) and launch insurance (a share of
    the insured value: all of the above). Arrays broadcast; returns a dict of USD/kW with ``total``."""
    kg_per_kw = KG_PER_TONNE / kw_per_tonne
    launch = launch_usd_per_kg * kg_per_kw
    bus = economics.bus_usd_per_kg * kg_per_kw
    hardware = hardware_usd_per_kw(economics) + jnp.zeros_like(kg_per_kw)
    spares = economics.spares_fraction * (launch + bus + hardware)
    insurance = economics.insurance_launch_fraction * (launch + bus + hardware + spares)
    return dict(
        launch=launch,
        bus=bus,
        hardware=hardware,
        spares=spares,
        insurance=insurance,
        total=launch + bus + hardware + spares + insurance,
    )


def orbit_running_usd_per_kw_yr(economics, capex):
    """Yearly running cost per surviving kW in orbit, by component: operations (ground segment, downlink,
    operators) and in-orbit insurance on the satellite's value (bus and hardware). ``capex`` is the dict of
    ``orbit_capex_usd_per_kw``."""
    operations = economics.operations_usd_per_kw_yr + jnp.zeros_like(capex["bus"])
    insurance = economics.insurance_in_orbit_per_yr * (capex["bus"] + capex["hardware"])
    return dict(operations=operations, insurance=insurance, total=operations + insurance)


def orbit_levelised(economics, cohorts, launch_usd_per_kg, kw_per_tonne, availability):
    """Levelised cost of compute delivered in orbit by a cohort, USD per delivered kW-year, with the present
    value of each cost component per kW launched (they sum to ``pv_total``) and the delivered kW-years.

    ``availability``: the share of time the fleet's compute runs (eclipse shedding; the planner's geometry);
    delivered = availability x utilisation, derated by failures and degradation over the design life."""
    r = economics.wacc_per_yr
    lam = cohorts.failure_rate_per_yr
    life = cohorts.design_life_yr
    capex = orbit_capex_usd_per_kw(economics, launch_usd_per_kg, kw_per_tonne)
    running = orbit_running_usd_per_kw_yr(economics, capex)
    survivors = annuity_yr(r + lam, life)
    delivered = (
        availability
        * economics.utilisation
        * annuity_yr(r + lam + decline_rate_per_yr(cohorts.degradation_per_yr), life)
    )
    pv = {name: capex[name] for name in ("launch", "bus", "hardware", "spares", "insurance")}
    pv["insurance"] = pv["insurance"] + running["insurance"] * survivors
    pv["operations"] = running["operations"] * survivors
    total = sum(pv.values())
    return dict(
        pv_usd_per_kw=pv,
        pv_total_usd_per_kw=total,
        delivered_kw_yr_per_kw=delivered,
        usd_per_kw_yr=total / delivered,
        capex_usd_per_kw=capex,
    )


def ground_levelised(economics):
    """Levelised cost of compute delivered by a ground data centre, USD per delivered kW-year of IT power,
    by component (each per delivered kW-year; they sum to ``usd_per_kw_yr``).

    Same discounting and utilisation as in orbit. The shell (building, power and cooling plant) is paid evenly
    over the build, compounded to first use by ``(e^{rB} - 1)/(rB)``, and recovered over its life; the
    hardware is bought at first use and recovered over its own life (serviced: failed parts are replaced within
    operations); electricity is the IT load times PUE, drawn whenever the hardware is up (idle time too);
    operations per kW-year. Each yearly cost is divided by the utilisation to give cost per delivered kW-year."""
    r = economics.wacc_per_yr
    build = economics.ground_build_yr
    compounding = annuity_yr(-r, build) / build
    shell = economics.ground_shell_usd_per_kw * compounding * capital_recovery_per_yr(r, economics.ground_shell_life_yr)
    hardware = hardware_usd_per_kw(economics) * capital_recovery_per_yr(r, economics.ground_hardware_life_yr)
    electricity = economics.ground_pue * HOURS_PER_YEAR / 1000.0 * economics.electricity_usd_per_mwh
    yearly = {
        "shell": shell,
        "hardware": hardware,
        "electricity": electricity,
        "operations": economics.ground_operations_usd_per_kw_yr + 0.0 * shell,
    }
    parts = {name: value / economics.utilisation for name, value in yearly.items()}
    return dict(usd_per_kw_yr_by_component=parts, usd_per_kw_yr=sum(parts.values()))


def per_accelerator_hour(usd_per_kw_yr, accelerator_power_w):
    """USD per accelerator-hour from USD per kW-year of compute."""
    return usd_per_kw_yr * accelerator_power_w / W_PER_KW / HOURS_PER_YEAR


def break_even_launch_usd_per_kg(economics, cohorts, kw_per_tonne, availability, target_usd_per_kw_yr):
    """The launch price at which a cohort's levelised cost equals ``target_usd_per_kw_yr`` (the ground's). The
    levelised cost is affine in the launch price (slope: kg per kW x (1 + spares)(1 + launch insurance) per
    delivered kW-year), so this is exact. Negative: even free launch leaves orbit dearer than the target."""
    at_zero = orbit_levelised(economics, cohorts, jnp.zeros_like(kw_per_tonne), kw_per_tonne, availability)
    slope = (
        (KG_PER_TONNE / kw_per_tonne)
        * (1.0 + economics.spares_fraction)
        * (1.0 + economics.insurance_launch_fraction)
        / at_zero["delivered_kw_yr_per_kw"]
    )
    return (target_usd_per_kw_yr - at_zero["usd_per_kw_yr"]) / slope


ORBIT_COMPONENTS = ("launch", "bus", "hardware", "spares", "insurance", "operations")
GROUND_COMPONENTS = ("shell", "hardware", "electricity", "operations")


def yearly_economics(economics, cohorts, years, plan, availability):
    """Cost of delivered compute by launch year in orbit and on the ground, and the programme's cash flows.

    ``plan``: the projection's yearly arrays (``launch_usd_per_kg``, ``kw_per_tonne``, ``gw_operating``,
    ``capex_usd``, ``opex_usd``); ``availability``: the share of time the fleet's compute runs. Cash flows are
    end-of-year amounts of the year's plan, discounted from mid-year to the start of the first year. Revenue is
    earned on the delivered compute (operating GW, derated, x availability x utilisation)."""
    r = economics.wacc_per_yr
    orbit = orbit_levelised(economics, cohorts, plan["launch_usd_per_kg"], plan["kw_per_tonne"], availability)
    ground = ground_levelised(economics)
    ground_usd = ground["usd_per_kw_yr"] + jnp.zeros_like(orbit["usd_per_kw_yr"])
    delivered_gw = plan["gw_operating"] * availability * economics.utilisation
    revenue = delivered_gw * economics.revenue_usd_per_gw_yr
    cash = revenue - plan["capex_usd"] - plan["opex_usd"]
    discount = jnp.exp(-r * (years - years[0] + 0.5))
    revenue_usd_per_kw_yr = economics.revenue_usd_per_gw_yr / 1e6
    out = dict(
        lcoc_orbit_usd_per_kw_yr=orbit["usd_per_kw_yr"],
        lcoc_ground_usd_per_kw_yr=ground_usd,
        lcoc_ratio=orbit["usd_per_kw_yr"] / ground_usd,
        lcoc_orbit_usd_per_accelerator_hr=per_accelerator_hour(orbit["usd_per_kw_yr"], economics.accelerator_power_w),
        lcoc_ground_usd_per_accelerator_hr=per_accelerator_hour(ground_usd, economics.accelerator_power_w),
        break_even_launch_usd_per_kg=break_even_launch_usd_per_kg(
            economics, cohorts, plan["kw_per_tonne"], availability, ground_usd
        ),
        lifetime_delivered_fraction=lifetime_delivered_fraction(cohorts.failure_rate_per_yr, cohorts.design_life_yr)
        + jnp.zeros_like(ground_usd),
        cohort_npv_usd_per_kw=revenue_usd_per_kw_yr * orbit["delivered_kw_yr_per_kw"] - orbit["pv_total_usd_per_kw"],
        revenue_usd=revenue,
        cash_flow_usd=cash,
        cumulative_cash_flow_usd=jnp.cumsum(cash),
        npv_usd=jnp.cumsum(cash * discount),
    )
    for name in ORBIT_COMPONENTS:
        out[f"lcoc_orbit_{name}_usd_per_kw_yr"] = orbit["pv_usd_per_kw"][name] / orbit["delivered_kw_yr_per_kw"]
    for name in GROUND_COMPONENTS:
        out[f"lcoc_ground_{name}_usd_per_kw_yr"] = ground["usd_per_kw_yr_by_component"][name] + jnp.zeros_like(
            ground_usd
        )
    return out
