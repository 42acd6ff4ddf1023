"""Drag, station keeping, propellant, natural decay and disposal: closed forms, an independent integration, the
mass roll-up's invariants and the plan's environment columns (values, gradients, bad input)."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbital import planner
from orbital.core import atmosphere as core_atmosphere
from orbital.core import drag
from orbital.core.constants import EARTH_MU_KM3_S2, EARTH_RADIUS_KM, SECONDS_PER_JULIAN_YEAR
from orbital.design import SatelliteDesign, design_mass, mass_breakdown
from orbital.environment import atmosphere

G0 = 9.80665


def test_station_keeping_dv_is_drag_acceleration_over_a_year():
    rho, h, cd, area, mass = 2e-13, 600.0, 2.2, 80.0, 1700.0
    v = math.sqrt(EARTH_MU_KM3_S2 / (EARTH_RADIUS_KM + h)) * 1e3
    accel = 0.5 * rho * v**2 * cd * area / mass
    assert drag.drag_acceleration_m_s2(rho, h, cd, area, mass) == pytest.approx(accel, rel=1e-12)
    # Summed over a year of hourly steps at constant conditions.
    hours = int(SECONDS_PER_JULIAN_YEAR / 3600.0)
    integrated = np.sum(np.full(hours, accel * 3600.0))
    assert drag.station_keeping_dv_m_s_per_yr(rho, h, cd, area, mass) == pytest.approx(integrated, rel=1e-6)


def test_rocket_equation_impulse_and_thruster_power():
    isp, final = 1500.0, 1000.0
    ve = isp * G0
    m_p = drag.rocket_propellant_kg(100.0, final, isp)
    assert (final + m_p) / final == pytest.approx(math.exp(100.0 / ve), rel=1e-12)
    # A constant force F for t needs F t / ve, the small-dv limit of the rocket equation.
    assert drag.impulse_propellant_kg(0.01, 1e6, isp) == pytest.approx(1e4 / ve, rel=1e-12)
    assert drag.rocket_propellant_kg(1e-3, final, isp) == pytest.approx(final * 1e-3 / ve, rel=1e-6)
    # P = T g0 Isp / (2 eta): 0.1 N at 1,500 s and 50 % -> 1,471 W.
    assert drag.thruster_power_w(0.1, isp, 0.5) == pytest.approx(0.1 * G0 * isp, rel=1e-12)


def test_hohmann_deorbit_dv():
    # 650 km circular to a 180 km perigee: ~131 m/s.
    assert drag.hohmann_deorbit_dv_m_s(650.0, 180.0) == pytest.approx(131.4, abs=0.3)
    # Vis-viva: v_circular - v_apogee of the transfer ellipse.
    r_a, r_p = EARTH_RADIUS_KM + 800.0, EARTH_RADIUS_KM + 100.0
    v_apogee = math.sqrt(EARTH_MU_KM3_S2 * (2.0 / r_a - 2.0 / (r_a + r_p)))
    expected = (math.sqrt(EARTH_MU_KM3_S2 / r_a) - v_apogee) * 1e3
    assert drag.hohmann_deorbit_dv_m_s(800.0, 100.0) == pytest.approx(expected, rel=1e-12)
    assert drag.hohmann_deorbit_dv_m_s(300.0, 400.0) == 0.0


def test_decay_matches_an_independent_rk4_integration():
    """Natural lifetime from 550 km at F10.7 = 150: the kernel's altitude quadrature against RK4 in time of
    da/dt = -sqrt(mu a) rho C_D A / m, written here in numpy on the same table's log density: within 5 %."""
    table = atmosphere.density_table(53.0)
    f107, ap, cd, area, mass = 150.0, 15.0, 2.2, 20.0, 1000.0
    j = np.searchsorted(table.f107_sfu, f107) - 1
    k = np.searchsorted(table.ap, ap) - 1
    wj = (f107 - table.f107_sfu[j]) / (table.f107_sfu[j + 1] - table.f107_sfu[j])
    wk = (ap - table.ap[k]) / (table.ap[k + 1] - table.ap[k])
    column = (
        (1 - wj) * (1 - wk) * table.log_density[:, j, k]
        + (1 - wj) * wk * table.log_density[:, j, k + 1]
        + wj * (1 - wk) * table.log_density[:, j + 1, k]
        + wj * wk * table.log_density[:, j + 1, k + 1]
    )

    def rate_km_s(a_km):
        rho = math.exp(np.interp(a_km - EARTH_RADIUS_KM, table.altitude_km, column)) * 1e9  # kg/km^3
        return -math.sqrt(EARTH_MU_KM3_S2 * a_km) * rho * cd * area * 1e-6 / mass

    a, t, dt = EARTH_RADIUS_KM + 550.0, 0.0, 3600.0 * 6
    while a - EARTH_RADIUS_KM > drag.REENTRY_ALTITUDE_KM:
        k1 = rate_km_s(a)
        k2 = rate_km_s(a + 0.5 * dt * k1)
        k3 = rate_km_s(a + 0.5 * dt * k2)
        k4 = rate_km_s(a + dt * k3)
        a, t = a + dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6.0, t + dt
    kernel = drag.natural_lifetime_s(
        core_atmosphere.DensityTable(*(jnp.asarray(x) for x in table)), 550.0, f107, ap, cd, area, mass
    )
    assert float(kernel) == pytest.approx(t, rel=0.05)
    assert 0.5 * SECONDS_PER_JULIAN_YEAR < t < 20 * SECONDS_PER_JULIAN_YEAR


@functools.cache
def _density(altitude_km: float) -> float:
    return float(atmosphere.density_kg_m3(altitude_km, 150.0, 15.0, 53.0))


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from([350.0, 450.0, 550.0, 650.0, 800.0, 1000.0]),
    st.floats(10.0, 200.0),
    st.floats(1.0, 5.0),
)
def test_more_area_or_lower_altitude_never_reduces_propellant(altitude_km, body_m2, extra):
    design = SatelliteDesign(body_cross_section_m2=body_m2)
    bigger = design.replace(body_cross_section_m2=body_m2 * extra)
    m = design_mass(design, 30.0, altitude_km, _density(altitude_km), 0.3)
    assert design_mass(bigger, 30.0, altitude_km, _density(altitude_km), 0.3).propellant_kg >= m.propellant_kg
    lower = altitude_km - 100.0
    m_low = design_mass(design, 30.0, lower, _density(lower), 0.3)
    assert m_low.station_keeping_propellant_kg >= m.station_keeping_propellant_kg


def test_mass_rollup_closes_and_is_consistent():
    """Propellant = drag impulse over the life / ve + the disposal burn from the dry mass; structure a share of the
    dry mass; kW/t over the launch mass."""
    design = SatelliteDesign(compute_shielding_mm_al=5.0)
    rho = _density(550.0)
    m = design_mass(design, 30.0, 550.0, rho, 0.5)
    life_s = design.design_life_years * SECONDS_PER_JULIAN_YEAR
    ve = design.thruster_isp_s * G0
    force = drag.drag_force_n(rho, 550.0, design.drag_coefficient, m.drag_area_m2)
    assert m.station_keeping_propellant_kg == pytest.approx(float(force) * life_s / ve, rel=1e-10)
    assert m.disposal_propellant_kg == pytest.approx(
        float(m.dry_kg) * math.expm1(drag.hohmann_deorbit_dv_m_s(550.0, 180.0) / ve), rel=1e-10
    )
    parts = m.compute_kg + m.array_kg + m.battery_kg + m.radiator_kg + m.bus_kg + m.thruster_kg + m.tank_kg
    parts = parts + m.shielding_kg
    assert float(m.shielding_kg) > 0.0
    assert float(parts + m.structure_kg) == pytest.approx(float(m.dry_kg), rel=1e-12)
    assert float(m.structure_kg) == pytest.approx(design.structure_fraction * float(m.dry_kg), rel=1e-12)
    assert float(m.tank_kg) == pytest.approx(design.propellant_tank_fraction * float(m.propellant_kg), rel=1e-12)
    assert float(m.total_kg) == pytest.approx(float(m.dry_kg + m.propellant_kg), rel=1e-12)
    assert float(m.kw_per_tonne) == pytest.approx(design.compute_power_w / float(m.total_kg), rel=1e-12)
    # Installed thruster power covers the margin over the mean drag and the disposal burn in its allowed time.
    ve_power = drag.thruster_power_w(design.thruster_thrust_margin * force, design.thruster_isp_s, 0.5)
    burn = drag.thruster_power_w(
        float(m.dry_kg) * float(m.deorbit_dv_m_s) / (design.disposal_burn_days * 86400.0), design.thruster_isp_s, 0.5
    )
    assert float(m.thruster_power_w) == pytest.approx(max(float(ve_power), float(burn)), rel=1e-10)


def test_mass_rollup_gradient_matches_finite_differences():
    design = SatelliteDesign()
    rho = _density(500.0)

    def kw(area):
        return mass_breakdown(design.replace(body_cross_section_m2=area), 30.0, 500.0, rho, 0.5).kw_per_tonne

    h = 1e-3
    fd = (kw(6.0 + h) - kw(6.0 - h)) / (2 * h)
    assert float(jax.grad(kw)(6.0)) == pytest.approx(float(fd), rel=1e-6)
    assert float(fd) < 0.0


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: SatelliteDesign(drag_coefficient=0.5), "drag_coefficient=0.5 is outside the allowed range [1, 4]"),
        (lambda: SatelliteDesign(thruster_isp_s=50.0), "thruster_isp_s=50 s is outside the allowed range"),
        (lambda: design_mass(SatelliteDesign(), 30.0, 600.0, -1e-12), "density_kg_m3=-1e-12 kg/m3 is outside"),
        (lambda: design_mass(SatelliteDesign(), 30.0, 600.0, 1e-13, 1.5), "ram_factor=1.5 is outside"),
    ],
)
def test_bad_input_is_one_line(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert message in str(err.value)
    assert "\n" not in str(err.value)


# --- the plan's environment columns --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def model():
    scenario = planner.load_scenario("ai1-100gw").with_changes(
        study={"geometry_days": 2, "geometry_step_s": 1800, "sample_sats_per_shell": 2}
    )
    return planner.PlanModel.from_scenario(scenario)


def test_plan_environment_columns(model):
    out = {k: np.asarray(v) for k, v in model.jitted(model.theta0).items()}
    table = model.shells_table()
    shares = table["share"].to_numpy()
    per_satellite = np.sum(shares * table["propellant_kg"].to_numpy())
    np.testing.assert_allclose(out["propellant_t"], out["satellites_launched"] * per_satellite / 1e3, rtol=1e-10)
    # Station keeping follows the solar cycle: more delta-v in the years of higher F10.7.
    order = np.argsort(out["f107_sfu"])
    assert np.all(np.diff(out["station_keeping_dv_m_s_per_yr"][order]) > 0)
    assert np.all(np.diff(out["natural_lifetime_yr"][order]) < 0)
    reliability = 0.9
    assert np.all((out["disposal_compliant"] >= reliability) & (out["disposal_compliant"] <= 1.0))
    assert np.all(out["derelicts"] >= 0.0)
    np.testing.assert_allclose(out["deorbit_dv_m_s"], drag.hohmann_deorbit_dv_m_s(600.0, 180.0), rtol=1e-10)
    # Dawn-dusk arrays are nearly edge-on to the flow: the smaller drag area of the two shells.
    assert table["drag_area_m2"][0] < table["drag_area_m2"][1]
    assert np.all(table["natural_lifetime_yr"] > 0.0)
    # The plan's tabulated decay integral against the kernel's full quadrature on the same shells' tables.
    g = model.geometry
    for year in (0, 8):
        expected = 0.0
        for k in range(len(g.shell_names)):
            mass = design_mass(
                SatelliteDesign(),
                g.worst_eclipse_min[k],
                g.altitude_km[k],
                float(out["shell_life_density_kg_m3"][k]),
                g.ram_factor[k],
            )
            shell_table = core_atmosphere.DensityTable(
                *(jnp.asarray(x) for x in (g.density_altitude_km, g.density_f107_sfu, g.density_ap, g.log_density[k]))
            )
            full = drag.natural_lifetime_s(
                shell_table, g.altitude_km[k], out["f107_sfu"][year], 15.0, 2.2, mass.drag_area_m2, mass.dry_kg
            )
            expected += shares[k] * float(full) / SECONDS_PER_JULIAN_YEAR
        assert out["natural_lifetime_yr"][year] == pytest.approx(expected, rel=0.01)


def test_plan_environment_gradients_match_finite_differences(model):
    names = ["design.body_cross_section_m2", "design.thruster_isp_s", "design.drag_coefficient"]
    names += [n for n in ("environment.amplitude_scale", "environment.ap") if n in model.names]
    metrics = [
        "station_keeping_dv_m_s_per_yr",
        "propellant_t",
        "thruster_power_kw",
        "natural_lifetime_yr",
        "kw_per_tonne_rollup",
    ]
    theta0 = model.theta0

    @jax.jit
    def tangent(direction):
        return jax.jvp(lambda th: {m: model.outputs(th)[m] for m in metrics}, (theta0,), (direction,))[1]

    for name in names:
        i = model.index(name)
        step = 1e-5 * max(abs(float(theta0[i])), 1.0)
        e = jnp.zeros_like(theta0).at[i].set(1.0)
        up, down = model.jitted(theta0 + step * e), model.jitted(theta0 - step * e)
        exact = tangent(e)
        for metric in metrics:
            fd = (np.asarray(up[metric]) - np.asarray(down[metric])) / (2 * step)
            scale = np.max(np.abs(fd)) + 1e-30
            np.testing.assert_allclose(np.asarray(exact[metric]), fd, rtol=1e-5, atol=1e-6 * scale, err_msg=name)


def test_altitude_trade_and_its_plot():
    from orbital.planner.environment_trade import altitude_trade
    from orbital.planner.plots import plot_altitude_trade

    scenario = planner.load_scenario("ai1-100gw").with_changes(study={"geometry_days": 3, "sample_sats_per_shell": 2})
    trade = altitude_trade(scenario, [400.0, 550.0, 700.0, 1000.0], shell_index=1)
    assert np.all(np.diff(trade["natural_lifetime_yr"]) > 0)
    assert np.all(np.diff(trade["station_keeping_dv_m_s_per_yr"]) < 0)
    assert np.all(np.diff(trade["longest_eclipse_min"]) < 0)
    assert trade["propellant_kg"].iloc[0] > trade["propellant_kg"].iloc[2]
    assert trade["kw_per_tonne"].iloc[0] < trade["kw_per_tonne"].iloc[2]
    # Eclipses, propellant, lifetime, kW/t, collision risk, manoeuvres and dose.
    assert len(plot_altitude_trade(trade).axes) == 7
    # Dose grows with altitude into the inner belt (orbital.environment.radiation).
    assert np.all(np.diff(trade["dose_rad_per_yr"]) > 0)
    with pytest.raises(ValueError, match=r"altitudes_km=100 km is outside the allowed range \[200, 3000\] km"):
        altitude_trade(scenario, [100.0, 500.0])
    with pytest.raises(ValueError, match=r"altitudes_km=250 km is outside the debris flux table's range \[300, 2000\]"):
        altitude_trade(scenario, [250.0, 500.0])


@pytest.mark.parametrize("shell_index", [0, 1])
def test_altitude_trade_at_the_shells_altitude_breathes_the_plans_air(shell_index):
    """The trade reads the plan's density tables at each altitude's own inclination (the sun-synchronous shell's
    too) and averages them over the same design-life F10.7: at the shell's own altitude its density is the plan's
    shells.csv value."""
    from orbital.planner.environment_trade import altitude_trade

    scenario = planner.load_scenario("ai1-100gw").with_changes(study={"geometry_days": 2, "sample_sats_per_shell": 2})
    altitude = scenario.shells[shell_index].altitude_km
    trade = altitude_trade(scenario, [altitude - 150.0, altitude, altitude + 200.0], shell_index=shell_index)
    plan_density = planner.PlanModel.from_scenario(scenario).shells_table()["density_kg_m3"].iloc[shell_index]
    np.testing.assert_allclose(trade["density_kg_m3"].iloc[1], plan_density, rtol=1e-12, atol=0)
    assert np.all(np.diff(trade["density_kg_m3"]) < 0)


def test_altitude_trades_compiled_eclipse_closed_forms_equal_the_public_functions():
    from orbital import geometry as closed_forms
    from orbital.planner import environment_trade

    altitudes = np.array([400.0, 650.0, 1200.0])
    beta = np.array([[0.0, 30.0, 70.0, 89.0], [-10.0, 45.0, 60.0, 80.0], [5.0, -50.0, 20.0, 0.0]])
    with jax.enable_x64(True):
        fraction, longest = environment_trade._cylindrical_eclipse(jnp.asarray(altitudes), jnp.asarray(beta))
    np.testing.assert_allclose(fraction, closed_forms.eclipse_fraction(altitudes[:, None], beta), rtol=1e-12)
    np.testing.assert_allclose(longest, closed_forms.eclipse_duration_min(altitudes[:, None], beta), rtol=1e-12)
    assert np.any(fraction == 0.0) and np.all(longest[:, 0] > 30.0)  # eclipse-free and beta-0 cases covered


def test_altitude_trade_columns_equal_the_public_api_altitude_by_altitude():
    # The trade evaluates every altitude in one compiled call; the public functions, one altitude at a time,
    # must give the same numbers.
    from orbital.environment import debris, radiation
    from orbital.planner.environment_trade import TRADE_FLEET_SATELLITES, altitude_trade
    from orbital.planner.geometry import RADIATION_SOLAR_MAX_WEIGHT

    scenario = planner.load_scenario("ai1-100gw").with_changes(study={"geometry_days": 2, "sample_sats_per_shell": 2})
    trade = altitude_trade(scenario, [450.0, 800.0], shell_index=1)
    design = scenario.satellite_design()
    inclination = scenario.shells[1].inclination_deg
    collisions = scenario.collisions.model_dump(exclude_none=True) if scenario.collisions is not None else {}
    effects = radiation.RadiationEffects(
        **(scenario.radiation.model_dump(exclude_none=True) if scenario.radiation is not None else {})
    )
    for _, row in trade.iterrows():
        mass = float(row["mass_kg"])
        params = debris.CollisionEnvironment(**collisions, satellite_mass_kg=mass, derelict_mass_kg=mass)
        h, band = float(row["altitude_km"]), params.shell_thickness_km
        n = float(TRADE_FLEET_SATELLITES)
        expected = {
            "debris_hazard_per_yr": debris.collision_hazard_per_satellite_yr(params, 0.0, 0.0, h, band),
            "fleet_hazard_per_yr": debris.collision_hazard_per_satellite_yr(params, n, 0.0, h, band),
            "manoeuvres_per_satellite_yr": debris.shell_collision_rates(params, n, 0.0, h, band)["manoeuvres_per_yr"]
            / n,
            "dose_rad_per_yr": radiation.dose_rad_per_yr(
                radiation.shell_radiation(h, inclination, weight=RADIATION_SOLAR_MAX_WEIGHT),
                design.structure_shielding_mm_al + design.compute_shielding_mm_al,
                effects,
            ),
        }
        for name, value in expected.items():
            assert row[name] == pytest.approx(float(value), rel=1e-12), name


@pytest.mark.parametrize(("name", "shell_index"), [("ai1-100gw", 1), ("conservative", 0)])
def test_the_altitude_trade_of_its_sections_alone_equals_the_trade_of_the_whole_scenario(name, shell_index):
    # altitude_trade computes from trade_scenario (the shell and TRADE_SECTIONS, other sections at their
    # defaults), which is what lets a kept trade serve other ramps; the whole scenario must give the same table.
    from orbital.planner import environment_trade

    scenario = planner.load_scenario(name).with_changes(study={"geometry_days": 2, "sample_sats_per_shell": 2})
    shells = scenario.to_dict()["shells"]
    whole = scenario.with_changes(shells=[shells[shell_index]] + shells[:shell_index] + shells[shell_index + 1 :])
    altitudes = np.array([450.0, 800.0])
    pd.testing.assert_frame_equal(
        environment_trade.altitude_trade(scenario, altitudes, shell_index=shell_index),
        environment_trade._trade_table(whole, altitudes),
        check_exact=True,
    )
