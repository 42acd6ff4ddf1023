"""The cost of delivered compute (``launch.core.costs``): closed forms, an independent numerical integration, the
published lifetime penalty, the lease contracts' derived revenue, accounting identities and bad input."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import launch
from launch.core import costs

# Present values are sums of smooth exponentials: a float64 evaluation agrees with the closed form to rounding.
ROUNDING = 1e-12
# Trapezoid integration on 200,001 points over <= 20 years: error ~ h^2 f''/12 ~ 1e-10 relative.
QUADRATURE = 1e-8
QUOTED_TO_A_TENTH_OF_A_BILLION = 0.1e9


def _integral(f, life_yr, n=200_001):
    t = np.linspace(0.0, life_yr, n)
    return np.trapezoid(f(t), t)


@pytest.mark.parametrize("rate", [0.0, 0.08])
@pytest.mark.parametrize("failure", [0.0, 0.1])
def test_levelised_cost_equals_the_closed_form_for_constant_inputs(rate, failure):
    # With no running costs, no degradation and everything delivered: capex (r + lambda) / (1 - e^{-(r+lambda)T}),
    # which is capex / T when both rates are zero.
    capex, life = 30_000.0, 5.0
    got = float(costs.levelised_cost_usd_per_kw_yr(capex, 0.0, rate, failure, 0.0, life, 1.0))
    k = rate + failure
    expected = capex / life if k == 0 else capex * k / (1.0 - np.exp(-k * life))
    assert got == pytest.approx(expected, rel=ROUNDING)


@pytest.mark.parametrize("failure, penalty", [(0.1, 1.27), (0.2, 1.58)])
def test_lifetime_penalty_reproduces_turyshev(failure, penalty):
    # Turyshev (arXiv:2604.27197): the lifetime penalty 1/[(1 - e^{-lambda T})/(lambda T)] over T = 5 years is
    # 1.27 at 0.1/yr and 1.58 at 0.2/yr (two decimals in the paper).
    assert 1.0 / float(costs.lifetime_delivered_fraction(failure, 5.0)) == pytest.approx(penalty, abs=0.005)


@pytest.mark.parametrize("rate_discrete, years", [(0.05, 10), (0.08, 5), (0.12, 20)])
def test_capital_recovery_matches_the_annuity_formula(rate_discrete, years):
    # A discrete annuity of 1 a year at year ends is worth (1 - (1+i)^-n)/i; paid continuously at the equivalent
    # continuous rate r = ln(1 + i) it is worth i/ln(1+i) times more (each payment spread over its year).
    r = np.log1p(rate_discrete)
    discrete = (1.0 - (1.0 + rate_discrete) ** -years) / rate_discrete
    continuous = float(costs.annuity_yr(r, float(years)))
    assert continuous == pytest.approx(discrete * rate_discrete / r, rel=ROUNDING)
    crf = rate_discrete * (1 + rate_discrete) ** years / ((1 + rate_discrete) ** years - 1)
    assert float(costs.capital_recovery_per_yr(r, float(years))) * rate_discrete / r == pytest.approx(crf, rel=1e-12)


def test_annuity_is_smooth_through_zero_rate():
    # The series branch and the exact branch agree across the switch, and the gradient there is -T^2/2.
    life = 5.0
    for rate in (-2e-5, -1e-6, 0.0, 1e-6, 2e-5, 3e-5):
        exact = life if rate == 0 else -np.expm1(-rate * life) / rate
        assert float(costs.annuity_yr(rate, life)) == pytest.approx(exact, rel=1e-13)
    assert float(jax.grad(costs.annuity_yr)(0.0, life)) == pytest.approx(-(life**2) / 2, rel=1e-12)


def test_orbit_levelised_cost_equals_an_independent_numerical_integration():
    economics = launch.Economics()
    cohorts = launch.CohortParams(failure_rate_per_yr=0.05, degradation_per_yr=0.03, design_life_yr=6.0)
    price, kw_t, availability = 1200.0, 85.0, 0.97
    got = costs.orbit_levelised(economics, cohorts, price, kw_t, availability)
    r, lam, life = economics.wacc_per_yr, cohorts.failure_rate_per_yr, cohorts.design_life_yr
    kg_per_kw = 1000.0 / kw_t
    base = price * kg_per_kw + economics.bus_usd_per_kg * kg_per_kw + economics.accelerator_usd / 2.0
    capex = base * (1 + economics.spares_fraction) * (1 + economics.insurance_launch_fraction)
    running = economics.operations_usd_per_kw_yr + economics.insurance_in_orbit_per_yr * (
        economics.bus_usd_per_kg * kg_per_kw + economics.accelerator_usd / 2.0
    )
    pv_costs = capex + _integral(lambda t: running * np.exp(-(r + lam) * t), life)
    pv_delivered = _integral(
        lambda t: (
            availability
            * economics.utilisation
            * np.exp(-r * t)
            * np.exp(-lam * t)
            * (1 - cohorts.degradation_per_yr) ** t
        ),
        life,
    )
    assert float(got["pv_total_usd_per_kw"]) == pytest.approx(pv_costs, rel=QUADRATURE)
    assert float(got["delivered_kw_yr_per_kw"]) == pytest.approx(pv_delivered, rel=QUADRATURE)
    assert float(got["usd_per_kw_yr"]) == pytest.approx(pv_costs / pv_delivered, rel=QUADRATURE)


def test_present_values_by_component_sum_to_the_total():
    economics = launch.Economics()
    cohorts = launch.CohortParams()
    orbit = costs.orbit_levelised(
        economics, cohorts, jnp.array([3600.0, 900.0, 150.0]), jnp.array([70.0, 85, 99]), 0.95
    )
    parts = sum(orbit["pv_usd_per_kw"][name] for name in costs.ORBIT_COMPONENTS)
    np.testing.assert_allclose(np.asarray(parts), np.asarray(orbit["pv_total_usd_per_kw"]), rtol=ROUNDING)
    ground = costs.ground_levelised(economics)
    parts = sum(ground["usd_per_kw_yr_by_component"][name] for name in costs.GROUND_COMPONENTS)
    assert float(parts) == pytest.approx(float(ground["usd_per_kw_yr"]), rel=ROUNDING)
    # The projection's per-component columns sum to its levelised cost too, every year.
    out = launch.project_arrays(launch.default_scenario(), 2027, 19, availability=0.95)
    orbit_sum = sum(out[f"lcoc_orbit_{name}_usd_per_kw_yr"] for name in costs.ORBIT_COMPONENTS)
    np.testing.assert_allclose(np.asarray(orbit_sum), np.asarray(out["lcoc_orbit_usd_per_kw_yr"]), rtol=ROUNDING)
    ground_sum = sum(out[f"lcoc_ground_{name}_usd_per_kw_yr"] for name in costs.GROUND_COMPONENTS)
    np.testing.assert_allclose(np.asarray(ground_sum), np.asarray(out["lcoc_ground_usd_per_kw_yr"]), rtol=ROUNDING)


def test_ground_levelised_cost_by_hand():
    # Shell compounded over the build and recovered over its life, hardware over its life, electricity at PUE,
    # operations; each per delivered kW-year (divided by the utilisation).
    e = launch.Economics()
    r = e.wacc_per_yr
    crf = lambda life: r / (1 - np.exp(-r * life))  # noqa: E731
    compounding = (np.exp(r * e.ground_build_yr) - 1) / (r * e.ground_build_yr)
    yearly = (
        e.ground_shell_usd_per_kw * compounding * crf(e.ground_shell_life_yr)
        + e.accelerator_usd / (e.accelerator_power_w / 1000) * crf(e.ground_hardware_life_yr)
        + e.ground_pue * 8766 * e.electricity_usd_per_mwh / 1000
        + e.ground_operations_usd_per_kw_yr
    )
    assert float(costs.ground_levelised(e)["usd_per_kw_yr"]) == pytest.approx(yearly / e.utilisation, rel=ROUNDING)


def test_break_even_launch_price_makes_orbit_match_the_ground():
    economics = launch.Economics(bus_usd_per_kg=100.0, operations_usd_per_kw_yr=50.0)
    cohorts = launch.CohortParams()
    kw_t = jnp.array([70.0, 100.0, 150.0])
    target = costs.ground_levelised(economics)["usd_per_kw_yr"]
    price = costs.break_even_launch_usd_per_kg(economics, cohorts, kw_t, 0.99, target)
    assert bool(jnp.all(price > 0))
    at_break_even = costs.orbit_levelised(economics, cohorts, price, kw_t, 0.99)["usd_per_kw_yr"]
    np.testing.assert_allclose(np.asarray(at_break_even), float(target), rtol=1e-12)


@pytest.mark.parametrize(
    "index, low, high",
    [(0, 30.3e9, 35.0e9), (1, 41.6e9, 45.5e9)],
)
def test_lease_contracts_give_the_quoted_revenue_per_gw(index, low, high):
    # xAI's Anthropic lease ($15B/yr, ~330 MW IT, PUE 1.3-1.5) is ~$30-35B per GW of facility power; Google's
    # lease ($11B/yr, 110,000 GB300, ~220 MW IT, PUE 1.1-1.2) ~$41.6-45.5B (as quoted, to $0.1B).
    got_low, got_high = launch.CONTRACTS[index].revenue_usd_per_gw_facility_yr()
    assert got_low == pytest.approx(low, abs=QUOTED_TO_A_TENTH_OF_A_BILLION)
    assert got_high == pytest.approx(high, abs=QUOTED_TO_A_TENTH_OF_A_BILLION)


def test_accelerator_power_default_is_the_google_contracts():
    # 220 MW of IT power for 110,000 GB300 is 2 kW each: the declared default of Economics.accelerator_power_w.
    assert launch.CONTRACTS[1].accelerator_power_w() == pytest.approx(launch.Economics().accelerator_power_w)
    assert launch.CONTRACTS[1].revenue_usd_per_gw_it_yr() == pytest.approx(50e9)


def test_programme_cash_flows_close():
    out = launch.project_arrays(launch.default_scenario(), 2027, 19, availability=0.9)
    e = launch.Economics()
    revenue = np.asarray(out["gw_operating"]) * 0.9 * e.utilisation * e.revenue_usd_per_gw_yr
    np.testing.assert_allclose(np.asarray(out["revenue_usd"]), revenue, rtol=ROUNDING)
    cash = revenue - np.asarray(out["capex_usd"]) - np.asarray(out["opex_usd"])
    np.testing.assert_allclose(np.asarray(out["cumulative_cash_flow_usd"]), np.cumsum(cash), rtol=1e-10)
    discount = np.exp(-e.wacc_per_yr * (np.arange(19) + 0.5))
    np.testing.assert_allclose(np.asarray(out["npv_usd"]), np.cumsum(cash * discount), rtol=1e-10)
    # capex by component: launch + satellite + spares + launch insurance.
    parts = sum(
        np.asarray(out[k]) for k in ("launch_cost_usd", "satellite_cost_usd", "spares_cost_usd", "launch_insurance_usd")
    )
    np.testing.assert_allclose(parts, np.asarray(out["capex_usd"]), rtol=ROUNDING)


def test_gradients_of_the_economics_outputs_equal_finite_differences():
    scenario = launch.default_scenario()
    names = ("wacc_per_yr", "bus_usd_per_kg", "ground_pue", "utilisation", "accelerator_usd")
    keys = ("lcoc_orbit_usd_per_kw_yr", "lcoc_ratio", "break_even_launch_usd_per_kg", "npv_usd")

    def outputs(values):
        eco = dataclasses.replace(scenario.economics, **dict(zip(names, values)))
        out = launch.project_arrays(scenario.replace(economics=eco), 2027, 12, availability=0.95)
        return jnp.stack([out[k][-1] for k in keys])

    x0 = jnp.array([getattr(scenario.economics, n) for n in names])
    jac = np.asarray(jax.jacfwd(outputs)(x0))
    for j in range(len(names)):
        h = 1e-6 * float(x0[j])
        fd = (np.asarray(outputs(x0.at[j].add(h))) - np.asarray(outputs(x0.at[j].add(-h)))) / (2 * h)
        np.testing.assert_allclose(jac[:, j], fd, rtol=1e-6, atol=1e-9 * np.abs(jac).max(), err_msg=names[j])


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("wacc_per_yr", -0.05, "Economics.wacc_per_yr=-0.05"),
        ("ground_pue", 0.9, "Economics.ground_pue=0.9"),
        ("utilisation", 0.0, "Economics.utilisation=0"),
        ("accelerator_power_w", 0.0, "Economics.accelerator_power_w=0"),
    ],
)
def test_bad_economics_inputs_get_one_line_naming_the_field(field, value, words):
    with pytest.raises(ValueError) as err:
        launch.Economics(**{field: value})
    message = str(err.value)
    assert "\n" not in message and words in message and "allowed" in message
