"""Published numbers the launch package must reproduce (SpaceX FCC filing, SpaceX AI1, Suncatcher arXiv:2511.19468)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import launch


def test_one_megatonne_at_100_kw_per_tonne_is_100_gw_per_year():
    # SpaceX FCC filing: "1 million tonnes a year at 100 kW per tonne = 100 GW of new compute a year".
    assert float(launch.gw_per_year(1e6, 100.0)) == pytest.approx(100.0, rel=1e-12)


def test_ai1_70_kw_per_tonne_is_70_gw_per_year_and_100_gw_needs_1_43_mt():
    # SpaceX AI1 as publicly quoted: ~70 kW/t.
    assert float(launch.gw_per_year(1e6, 70.0)) == pytest.approx(70.0, rel=1e-12)
    assert float(launch.tonnes_per_year(100.0, 70.0)) / 1e6 == pytest.approx(1.43, abs=0.005)


def test_launch_counts_for_one_megatonne():
    # Closed form: 1 Mt/yr is 10,000 launches of 100 t (Starship V3) or 5,000 of 200 t (V4).
    counts = launch.launches_per_year(1e6, np.array([100.0, 200.0]))
    np.testing.assert_allclose(np.asarray(counts), [10_000.0, 5_000.0], rtol=1e-12)


@pytest.mark.parametrize("usd_per_kg, expected", [(3600.0, 14_700.0), (200.0, 810.0)])
def test_suncatcher_launched_power_price(usd_per_kg, expected):
    # Google Suncatcher §2.4: 575 kg, 28 kW, 5-year life -> ~$14,700 and ~$810 per kW-year at $3,600/kg and
    # $200/kg (the paper rounds, hence 1.5 %).
    price = float(launch.launched_power_usd_per_kw_yr(575.0, 28.0, 5.0, usd_per_kg))
    assert price == pytest.approx(expected, rel=0.015)


def test_wright_price_falls_20_percent_per_doubling():
    # Wright's law at Suncatcher's ~20 % learning rate: each doubling of cumulative mass cuts $/kg by 20 %.
    prices = launch.launch_usd_per_kg(np.array([1e4, 2e4, 4e4]), 3600.0, 1e4, 0.2)
    np.testing.assert_allclose(np.asarray(prices), [3600.0, 2880.0, 2304.0], rtol=1e-12)


def test_public_functions_work_under_grad_vmap_and_jit():
    g = jax.grad(lambda t: launch.gw_per_year(t, 100.0))(1e6)
    assert float(g) == pytest.approx(1e-4, rel=1e-12)
    counts = jax.vmap(launch.launches_per_year, in_axes=(None, 0))(1e6, jnp.array([100.0, 200.0]))
    np.testing.assert_allclose(np.asarray(counts), [10_000.0, 5_000.0], rtol=1e-12)
    jitted = jax.jit(launch.launched_power_usd_per_kw_yr)(575.0, 28.0, 5.0, 3600.0)
    assert float(jitted) == pytest.approx(float(launch.launched_power_usd_per_kw_yr(575.0, 28.0, 5.0, 3600.0)))
    dprice = jax.grad(launch.launched_power_usd_per_kw_yr, argnums=3)(575.0, 28.0, 5.0, 200.0)
    assert float(dprice) == pytest.approx(575.0 / (28.0 * 5.0), rel=1e-12)
    dlr = jax.grad(lambda lr: launch.launch_usd_per_kg(2e4, 3600.0, 1e4, lr))(0.2)
    # d/dlr of 3600 (1 - lr): -3600 at one doubling.
    assert float(dlr) == pytest.approx(-3600.0, rel=1e-9)
    payback = jax.jit(launch.payback_years)(30e9, 15e9)
    assert float(payback) == pytest.approx(2.0)


def test_capex_comparison_uses_the_seed_report_references():
    table = launch.capex_comparison(50e9)
    assert list(table["reference"][:1]) == ["orbital (this projection)"]
    xai = table[table["reference"] == "xAI (Colossus-class), low"].iloc[0]
    assert xai["capex_usd_per_gw"] == 26.5e9
    assert xai["ratio_to_orbital"] == pytest.approx(26.5 / 50)
    assert table.iloc[0]["payback_yr_CSP"] == pytest.approx(50 / 15)
