"""Steady radiator heat balance: published numbers, closed forms, round trips, feasibility, units, coatings and
heat pumps."""

import math

import astropy.units as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import thermal

SIGMA = 5.670374419e-8  # CODATA 2018

# Starcloud white paper ("Why we should train AI in space", Starcloud, 2024): two-sided radiator, emissivity
# 0.92, 20 °C (293.15 K), solar absorptivity 0.09, S = 1366 W/m², Earth view factor 0.25, albedo 0.3, Earth
# 253.15 K (-20 °C), "633 W/m²" net. Hand arithmetic (sigma = 5.670374419e-8):
#   emitted   2 * 0.92 * sigma * 293.15^4           = 2 * 0.92 * 418.766 = 770.53
#   sun       0.09 * 1366 (one face, normal incidence)                   = 122.94
#   albedo    0.09 * 1366 * 0.3 * 0.25                                    =   9.22
#   Earth IR  0.09 * sigma * 253.15^4 * 0.25        = 0.09 * 232.88 * 0.25 =   5.24
#   net                                                                   = 633.13
# The white paper absorbs the Earth's infrared with the SOLAR absorptivity (0.09). Kirchhoff's law says a grey
# surface absorbs infrared with its emissivity (0.92): Earth IR = 0.92 * 232.88 * 0.25 = 53.56 and the net is
# 584.8 W/m². thermal's default is Kirchhoff (ir_absorptivity = emissivity); ir_absorptivity=0.09 reproduces
# the paper's convention.
STARCLOUD = dict(
    solar_flux_w_m2=1366.0,
    solar_absorptivity=0.09,
    sun_view_factor=1.0,
    earth_view_factor=0.25,
    albedo=0.3,
    earth_temperature_k=253.15,
)


def test_starcloud_net_flux_633_w_m2_with_the_papers_earth_ir_convention():
    net = thermal.net_flux_w_m2(293.15, 0.92, sides=2, ir_absorptivity=0.09, **STARCLOUD)
    assert float(net) == pytest.approx(633.13, abs=0.01)
    assert round(float(net)) == 633


def test_starcloud_net_flux_with_kirchhoff_default_is_585_w_m2():
    net = thermal.net_flux_w_m2(293.15, 0.92, sides=2, **STARCLOUD)
    expected = 2 * 0.92 * SIGMA * 293.15**4 - 0.09 * 1366 * (1 + 0.3 * 0.25) - 0.92 * SIGMA * 253.15**4 * 0.25
    assert float(net) == pytest.approx(expected, rel=1e-12)
    assert float(net) == pytest.approx(584.81, abs=0.01)


def test_ideal_one_sided_radiator_1_mw_at_300_k_needs_2419_m2():
    # Closed form: A = Q / (eps sigma T^4) = 1e6 / (0.9 * sigma * 300^4) = 1e6 / 413.37 = 2419.1 m².
    area = thermal.radiator_area_m2(1e6, 300.0, 0.9, sides=1)
    assert float(area) == pytest.approx(2419.14, abs=0.01)
    assert round(float(area)) == 2419


def test_deep_space_closed_forms():
    temperature = thermal.radiator_temperature_k(5e4, 100.0, 0.85, sides=2)
    assert float(temperature) == pytest.approx((5e4 / 100.0 / (2 * 0.85 * SIGMA)) ** 0.25, rel=1e-14)
    assert float(thermal.net_flux_w_m2(250.0, 0.5, sides=1)) == pytest.approx(0.5 * SIGMA * 250.0**4, rel=1e-14)


def test_starcloud_area_and_temperature_are_consistent():
    area = thermal.radiator_area_m2(1e6, 293.15, 0.92, ir_absorptivity=0.09, **STARCLOUD)
    assert float(area) == pytest.approx(1e6 / 633.129, rel=1e-5)
    temperature = thermal.radiator_temperature_k(1e6, area, 0.92, ir_absorptivity=0.09, **STARCLOUD)
    assert float(temperature) == pytest.approx(293.15, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    heat_w=st.floats(1.0, 1e7),
    temperature_k=st.floats(150.0, 450.0),
    emissivity=st.floats(0.05, 1.0),
    sides=st.sampled_from([1.0, 2.0]),
    alpha=st.floats(0.0, 1.0),
    sun=st.floats(0.0, 1.0),
    earth=st.floats(0.0, 1.0),
)
def test_temperature_area_round_trip(heat_w, temperature_k, emissivity, sides, alpha, sun, earth):
    environment = dict(solar_absorptivity=alpha, sun_view_factor=sun, earth_view_factor=earth)
    sizing = thermal.size_radiator(heat_w, temperature_k, emissivity, sides, **environment)
    if not bool(sizing.feasible):
        assert float(sizing.area_m2) == math.inf and float(sizing.net_flux_w_m2) <= 0.0
        return
    back = thermal.radiator_temperature_k(heat_w, sizing.area_m2, emissivity, sides, **environment)
    assert float(back) == pytest.approx(temperature_k, rel=1e-9)
    # and the other way round: the area at the equilibrium temperature of an area is that area
    area = thermal.radiator_area_m2(heat_w, back, emissivity, sides, **environment)
    assert float(area) == pytest.approx(float(sizing.area_m2), rel=1e-8)


def test_infeasible_area_raises_for_concrete_inputs_and_flags_otherwise():
    hot_sun = dict(solar_absorptivity=0.9, sun_view_factor=1.0)  # absorbs 1225 W/m²
    with pytest.raises(ValueError, match=r"infeasible radiator: at temperature_k=200 K .* cannot reject"):
        thermal.radiator_area_m2(1e3, 200.0, 0.9, sides=1, **hot_sun)
    sizing = thermal.size_radiator(1e3, np.array([200.0, 500.0]), 0.9, sides=1, **hot_sun)
    assert sizing.feasible.tolist() == [False, True]
    assert float(sizing.area_m2[0]) == math.inf and np.isfinite(float(sizing.area_m2[1]))
    traced = jax.jit(lambda t: thermal.radiator_area_m2(1e3, t, 0.9, sides=1, **hot_sun))(200.0)
    assert float(traced) == math.inf  # documented: +inf, never negative or NaN
    gradient = jax.grad(lambda t: thermal.radiator_area_m2(1e3, t, 0.9, sides=1, **hot_sun))(200.0)
    assert np.isfinite(float(gradient))


def test_max_temperature_limit():
    with pytest.raises(ValueError, match=r"above max_temperature_k=300 K"):
        thermal.radiator_temperature_k(1e6, 100.0, 0.9, max_temperature_k=300.0)
    ok = thermal.radiator_temperature_k(1e6, 1e4, 0.9, max_temperature_k=400.0)
    assert float(ok) < 400.0
    traced = jax.jit(lambda a: thermal.radiator_temperature_k(1e6, a, 0.9, max_temperature_k=300.0))(100.0)
    assert float(traced) == math.inf


def test_absorbed_flux_components_and_illumination():
    environment = dict(
        solar_flux_w_m2=1361.0,
        solar_absorptivity=0.2,
        sun_view_factor=0.5,
        earth_view_factor=0.4,
        albedo=0.3,
        earth_ir_w_m2=237.0,
    )
    full = thermal.absorbed_flux_w_m2(0.8, **environment)
    assert float(full) == pytest.approx(0.2 * 1361 * (0.5 + 0.3 * 0.4) + 0.8 * 237 * 0.4, rel=1e-14)
    eclipse = thermal.absorbed_flux_w_m2(0.8, illuminated_fraction=0.0, **environment)
    assert float(eclipse) == pytest.approx(0.8 * 237 * 0.4, rel=1e-14)


def test_earth_temperature_is_a_black_body_earth_ir():
    by_temperature = thermal.net_flux_w_m2(
        300.0, 0.9, solar_absorptivity=0.1, earth_view_factor=0.3, earth_temperature_k=255.0
    )
    by_flux = thermal.net_flux_w_m2(
        300.0, 0.9, solar_absorptivity=0.1, earth_view_factor=0.3, earth_ir_w_m2=SIGMA * 255.0**4
    )
    assert float(by_temperature) == pytest.approx(float(by_flux), rel=1e-14)


def test_environment_object_and_overrides():
    environment = thermal.RadiatorEnvironment(
        solar_absorptivity=0.09,
        sun_view_factor=1.0,
        solar_flux_w_m2=1366.0,
        earth_view_factor=0.25,
        albedo=0.3,
        earth_ir_w_m2=SIGMA * 253.15**4,
        ir_absorptivity=0.09,
    )
    net = thermal.net_flux_w_m2(293.15, 0.92, environment=environment)
    assert float(net) == pytest.approx(633.13, abs=0.01)
    edge_on = thermal.net_flux_w_m2(293.15, 0.92, environment=environment, sun_view_factor=0.0)
    assert float(edge_on) == pytest.approx(633.13 + 0.09 * 1366, abs=0.01)


def test_quantities_are_converted_once_at_the_boundary():
    plain = thermal.radiator_area_m2(1e6, 300.0, 0.9, sides=1)
    assert float(thermal.radiator_area_m2(1 * u.MW, 300 * u.K, 0.9, sides=1)) == pytest.approx(float(plain))
    celsius = thermal.radiator_area_m2(1e3 * u.kW, (300.0 - 273.15) * u.deg_C, 0.9, sides=1)
    assert float(celsius) == pytest.approx(float(plain), rel=1e-12)
    temperature = thermal.radiator_temperature_k(1 * u.MW, float(plain) * u.m**2, 0.9 * u.one, sides=1)
    assert float(temperature) == pytest.approx(300.0, rel=1e-12)
    with pytest.raises(ValueError, match=r"heat_w: cannot convert"):
        thermal.radiator_area_m2(1 * u.m, 300.0, 0.9)


def test_coating_ageing_is_linear_and_clipped():
    coating = thermal.Coating(alpha_bol=0.08, epsilon_bol=0.80, alpha_per_year=0.02, epsilon_per_year=-0.01)
    alpha, epsilon = coating.at(5.0)
    assert float(alpha) == pytest.approx(0.18) and float(epsilon) == pytest.approx(0.75)
    alpha, epsilon = coating.at(100.0)
    assert float(alpha) == 1.0 and float(epsilon) == pytest.approx(1e-6)
    # An aged coating runs a hotter radiator for the same area (alpha up, epsilon down).
    environment = dict(solar_absorptivity=None, sun_view_factor=1.0, earth_view_factor=0.25)
    temperatures = []
    for age in (0.0, 10.0):
        alpha, epsilon = coating.at(age)
        environment["solar_absorptivity"] = alpha
        temperatures.append(float(thermal.radiator_temperature_k(1e5, 300.0, epsilon, **environment)))
    assert temperatures[1] > temperatures[0] + 5.0


def test_heat_pump_cop_power_and_radiator_shrink():
    pump = thermal.heat_pump(1e5, 300.0, 40.0, carnot_fraction=0.5)
    assert float(pump.cop) == pytest.approx(0.5 * 300 / 40)  # 3.75
    assert float(pump.power_w) == pytest.approx(1e5 / 3.75)
    assert float(pump.rejected_w) == pytest.approx(1e5 * (1 + 1 / 3.75))
    assert float(pump.hot_temperature_k) == 340.0
    no_lift = thermal.heat_pump(1e5, 300.0, 0.0)
    assert float(no_lift.power_w) == 0.0 and float(no_lift.cop) == math.inf
    # A 40 K lift: the radiator rejects 27 % more heat at 340 K instead of 300 K; area falls by 1/(340/300)^4.
    direct = thermal.radiator_area_m2(1e5, 300.0, 0.9)
    lifted = thermal.radiator_area_m2(pump.rejected_w, pump.hot_temperature_k, 0.9)
    assert float(lifted / direct) == pytest.approx((1 + 1 / 3.75) * (300 / 340) ** 4, rel=1e-12)
    assert float(lifted / direct) < 0.78


def test_outputs_never_nan_at_domain_edges():
    assert float(thermal.radiator_temperature_k(0.0, 1.0, 0.9)) == 0.0  # no heat, deep space
    assert float(jax.grad(lambda q: thermal.radiator_temperature_k(q, 1.0, 0.9))(0.0)) == 0.0
    assert np.isfinite(float(thermal.radiator_area_m2(0.0, 300.0, 0.9)))
    values = jnp.array([1e-30, 1.0, 1e9])
    assert np.all(np.isfinite(np.asarray(thermal.radiator_temperature_k(values, 1.0, 1e-6))))
