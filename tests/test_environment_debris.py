"""Debris flux, kinetic-gas collisions, avoidance, breakups, shell capacity and derelicts
(orbital.environment.debris, orbital.environment.capacity and their kernels)."""

import csv
import dataclasses
import functools
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from launch.validation import parameter_specs
from orbital.core import capacity as capacity_core
from orbital.core import debris as core
from orbital.data import path
from orbital.environment import capacity, debris

SECONDS_PER_YEAR = 365.25 * 86400.0
R_EARTH_KM = 6378.137


def _table_rows():
    with open(path(debris.FLUX_TABLE_FILE), newline="") as handle:
        return [
            (float(r["altitude_km"]), float(r["min_diameter_cm"]), float(r["flux_per_m2_yr"]))
            for r in csv.DictReader(handle)
        ]


def _nasa90_flux(d_cm, h_km, solar_flux_sfu=120.0, year=2025.0):
    """NASA's 1990 engineering debris model (Kessler et al., NASA TM-100471, 1989, updated 1990; SPENVIS
    "NASA90"), randomly tumbling surface (k = 1), psi(i) = 1, written out here independently of the shipped
    table."""
    big_h = 10.0 ** (0.5 * math.exp(-(((math.log10(d_cm) - 0.78) / 0.637) ** 2)))
    phi1 = 10.0 ** (h_km / 200.0 - solar_flux_sfu / 140.0 - 1.5)
    phi = phi1 / (1.0 + phi1)
    f1 = 1.22e-5 * d_cm**-2.5
    f2 = 8.1e10 * (d_cm + 700.0) ** -6
    g1 = 1.02**23 * 1.04 ** (year - 2011.0)
    g2 = 1.0 + 0.05 * (year - 1988.0)
    return big_h * phi * (f1 * g1 + f2 * g2)


def _kernel_table():
    return core.FluxTable(*(jnp.asarray(x) for x in debris.flux_table()))


# Flux table ----------------------------------------------------------------------------------------------------


def test_flux_table_reproduced_at_its_points():
    rows = _table_rows()
    assert len(rows) == 35 * 3
    h, d, f = (np.array(c) for c in zip(*rows))
    np.testing.assert_allclose(debris.debris_flux_per_m2_yr(h, d), f, rtol=1e-12)


def test_flux_table_is_the_nasa90_model_for_2025():
    for h, d, f in _table_rows():
        assert f == pytest.approx(_nasa90_flux(d, h), rel=1e-6)


def test_flux_monotone_as_published():
    table = debris.flux_table()
    flux = 10.0**table.log10_flux
    # NASA90: phi(h, S) rises with altitude and saturates towards 1 (flat at the table's 7 digits near 2000 km).
    assert np.all(np.diff(flux, axis=0) >= 0.0)
    assert np.all(np.diff(flux[table.altitude_km <= 1200.0], axis=0) > 0.0)
    assert np.all(np.diff(flux, axis=1) < 0.0)  # cumulative flux: fewer objects above a larger threshold
    # Between table points the interpolation stays between its neighbours, in both directions.
    mid = debris.debris_flux_per_m2_yr(575.0, 1.0)
    assert debris.debris_flux_per_m2_yr(550.0, 1.0) < mid < debris.debris_flux_per_m2_yr(600.0, 1.0)
    between = debris.debris_flux_per_m2_yr(600.0, 3.0)
    assert debris.debris_flux_per_m2_yr(600.0, 10.0) < between < debris.debris_flux_per_m2_yr(600.0, 1.0)
    # Between sizes the monotone cubic in log-log follows the NASA90 law it was tabulated from within a factor
    # 1.45 (three sizes a decade apart; a power law between the points is off by up to 1.6), and it is smooth:
    # the derivative in size is continuous at the 1 cm point.
    for d in (0.2, 0.3, 0.5, 2.0, math.sqrt(10.0), 5.0):
        ratio = debris.debris_flux_per_m2_yr(600.0, d) / _nasa90_flux(d, 600.0)
        assert 1.0 / 1.45 < ratio < 1.45
    slope = jax.grad(lambda d: jnp.log(debris.debris_flux_per_m2_yr(600.0, d)))
    assert float(slope(1.0 - 1e-7)) == pytest.approx(float(slope(1.0 + 1e-7)), rel=1e-5)


@pytest.mark.parametrize(
    ("altitude_km", "diameter_cm", "message"),
    [
        (250.0, 1.0, r"altitude_km=250 km is outside the allowed range \[300, 2000\] km"),
        (2100.0, 1.0, r"altitude_km=2100 km is outside the allowed range \[300, 2000\] km"),
        (550.0, 0.05, r"min_diameter_cm=0.05 cm is outside the allowed range \[0.1, 10\] cm"),
        (550.0, 20.0, r"min_diameter_cm=20 cm is outside the allowed range \[0.1, 10\] cm"),
    ],
)
def test_flux_outside_the_table_is_refused(altitude_km, diameter_cm, message):
    with pytest.raises(ValueError, match=message):
        debris.debris_flux_per_m2_yr(altitude_km, diameter_cm)


# Kinetic gas ---------------------------------------------------------------------------------------------------


def test_kinetic_gas_rate_is_the_closed_form():
    # 1000 objects of radius 10 m in a 10 km shell at 550 km, 10 km/s, computed by hand:
    # r = 6928.137 km, V = 4 pi r^2 10 km = 6.031742572e9 km^3, sigma = pi (0.02 km)^2 = 1.256637e-3 km^2,
    # 1/2 N^2 sigma v / V = 1.041670e-9 /s = 32.8731 per Julian year.
    sigma = core.cross_section_km2(10.0, 10.0)
    assert sigma == pytest.approx(math.pi * 0.02**2, rel=1e-15)
    volume = core.shell_volume_km3(550.0, 10.0)
    assert volume == pytest.approx(6.031742572e9, rel=1e-9)
    assert core.self_collisions_per_yr(1000.0, sigma, 10.0, volume) == pytest.approx(32.87312850, rel=1e-8)
    # The shell model with nothing to reduce encounters gives the same number.
    params = debris.CollisionEnvironment(fleet_avoidance_efficacy=0.0)
    rates = debris.shell_collision_rates(params, 1000, 0, 550.0, 10.0, coordinated=0.0)
    assert rates["collisions_fleet_fleet_per_yr"] == pytest.approx(32.87312850, rel=1e-8)
    assert rates["collisions_fleet_derelict_per_yr"] == 0.0


def test_cross_term_and_coordination():
    params = debris.CollisionEnvironment(avoidance_efficacy=0.0, derelict_collision_radius_m=5.0)
    n, n_d = 2000.0, 300.0
    volume = 4.0 * math.pi * (R_EARTH_KM + 600.0) ** 2 * 20.0
    sigma = math.pi * 0.015**2
    expected = n * n_d * sigma * 10.0 / volume * SECONDS_PER_YEAR
    rates = debris.shell_collision_rates(params, n, n_d, 600.0, 20.0, coordinated=1.0)
    assert rates["collisions_fleet_derelict_per_yr"] == pytest.approx(expected, rel=1e-12)
    assert rates["collisions_derelict_derelict_per_yr"] == pytest.approx(
        0.5 * n_d**2 * math.pi * 0.01**2 * 10.0 / volume * SECONDS_PER_YEAR, rel=1e-12
    )
    # A coordinated pattern keeps coordination_factor of the uncoordinated fleet-fleet rate; halfway, the mean.
    free = debris.shell_collision_rates(params, n, n_d, 600.0, 20.0, coordinated=0.0)["collisions_fleet_fleet_per_yr"]
    tied = rates["collisions_fleet_fleet_per_yr"]
    half = debris.shell_collision_rates(params, n, n_d, 600.0, 20.0, coordinated=0.5)["collisions_fleet_fleet_per_yr"]
    assert tied == pytest.approx(params.coordination_factor * free, rel=1e-12)
    assert half == pytest.approx(0.5 * (free + tied), rel=1e-12)
    assert debris.shell_collision_rates(params, n, n_d, 600.0, 20.0, coordinated=True)[
        "collisions_fleet_fleet_per_yr"
    ] == pytest.approx(tied, rel=1e-15)


def test_debris_collisions_are_flux_times_cross_section():
    params = debris.CollisionEnvironment(avoidance_efficacy=0.0)
    area_m2 = math.pi * 10.0**2
    rates = debris.shell_collision_rates(params, 500, 0, 650.0, 10.0)
    expected = 500 * area_m2 * _nasa90_flux(1.0, 650.0)
    assert rates["collisions_fleet_debris_per_yr"] == pytest.approx(expected, rel=1e-6)
    # Avoiding the tracked (>= 10 cm) part removes exactly that part.
    avoided = debris.shell_collision_rates(debris.CollisionEnvironment(avoidance_efficacy=1.0), 500, 0, 650.0, 10.0)
    tracked = 500 * area_m2 * _nasa90_flux(10.0, 650.0)
    assert avoided["collisions_fleet_debris_per_yr"] == pytest.approx(expected - tracked, rel=1e-5)


def test_losses_fragments_and_hazard_add_up():
    params = debris.CollisionEnvironment()
    n, n_d = 2.0e5, 3.0e3
    rates = debris.shell_collision_rates(params, n, n_d, 600.0, 20.0, coordinated=1.0)
    assert set(rates) == set(debris.RATE_KEYS)
    ff, fd, dd = (rates[f"collisions_{k}_per_yr"] for k in ("fleet_fleet", "fleet_derelict", "derelict_derelict"))
    debris_hits = rates["collisions_fleet_debris_per_yr"]
    assert rates["satellites_lost_per_yr"] == pytest.approx(2.0 * ff + fd + debris_hits, rel=1e-12)
    assert rates["derelicts_destroyed_per_yr"] == pytest.approx(fd + 2.0 * dd, rel=1e-12)
    hazard = debris.collision_hazard_per_satellite_yr(params, n, n_d, 600.0, 20.0, coordinated=1.0)
    assert hazard * n == pytest.approx(rates["satellites_lost_per_yr"], rel=1e-12)
    catastrophic = 0.1 * 3400.0**0.75 * 0.1**-1.71
    assert rates["fragments_per_yr"] > (ff + fd + dd) * catastrophic * (1.0 - 1e-12)
    assert rates["manoeuvres_per_yr"] == pytest.approx(params.manoeuvre_share * rates["conjunctions_per_yr"])


def test_breakup_model_figures():
    # NASA standard breakup model: two 1700 kg satellites at 10 km/s (catastrophic, 29 kJ/g), fragments >= 10 cm:
    # 0.1 x 3400^0.75 x 0.1^-1.71 = 2283.5.
    assert core.breakup_fragments(1700.0, 1700.0, 10.0, 0.1) == pytest.approx(2283.543, rel=1e-6)
    # A 1 cm aluminium sphere (1.466 g) at 10 km/s on 1700 kg: 0.043 J/g, non-catastrophic, M = m v^2 = 0.1466 kg.
    projectile = core.sphere_mass_kg(1.0, 2.8)
    assert projectile == pytest.approx(2.8 * math.pi / 6.0 * 1e-3, rel=1e-15)
    expected = 0.1 * (projectile * 100.0) ** 0.75 * 0.1**-1.71
    assert core.breakup_fragments(1700.0, projectile, 10.0, 0.1) == pytest.approx(expected, rel=1e-12)


@functools.lru_cache(maxsize=1)
def _jitted_rates():
    params = debris.CollisionEnvironment()
    table = _kernel_table()
    rates = jax.jit(lambda n, n_d, h, c: core.shell_collision_rates(params, table, n, n_d, h, 20.0, c))
    hazard = jax.jit(lambda n, n_d, h, c: core.collision_hazard_per_satellite_yr(params, table, n, n_d, h, 20.0, c))
    return rates, hazard


@settings(max_examples=60, deadline=None)
@given(
    n1=st.floats(1.0, 1.0e6),
    ratio=st.floats(1.0, 100.0),
    derelicts=st.floats(0.0, 1.0e4),
    altitude=st.floats(300.0, 2000.0),
    coordinated=st.floats(0.0, 1.0),
)
def test_collisions_grow_at_least_linearly_with_the_fleet(n1, ratio, derelicts, altitude, coordinated):
    rates, hazard = _jitted_rates()
    n2 = n1 * ratio
    small = rates(n1, derelicts, altitude, coordinated)
    large = rates(n2, derelicts, altitude, coordinated)
    for key in ("satellites_lost_per_yr", "conjunctions_per_yr", "collisions_fleet_fleet_per_yr"):
        assert float(large[key]) / n2 >= float(small[key]) / n1 * (1.0 - 1e-12)
    # Fragments: derelict-derelict breakups do not depend on the fleet; the rest grows at least linearly.
    small_fragments = float(rates(n1, 0.0, altitude, coordinated)["fragments_per_yr"])
    large_fragments = float(rates(n2, 0.0, altitude, coordinated)["fragments_per_yr"])
    assert large_fragments / n2 >= small_fragments / n1 * (1.0 - 1e-12)
    h1 = float(hazard(n1, derelicts, altitude, coordinated))
    h2 = float(hazard(n2, derelicts, altitude, coordinated))
    assert h2 >= h1 * (1.0 - 1e-12)


def _central_difference(f, x, step):
    return (f(x + step) - f(x - step)) / (2.0 * step)


@pytest.mark.parametrize("name", ["n_satellites", "n_derelicts", "altitude_km", "thickness_km", "coordinated"])
def test_gradients_match_central_differences(name):
    params = debris.CollisionEnvironment()
    table = _kernel_table()
    point = {
        "n_satellites": 3.0e5,
        "n_derelicts": 2.0e3,
        "altitude_km": 577.0,
        "thickness_km": 20.0,
        "coordinated": 0.6,
    }
    steps = {"n_satellites": 10.0, "n_derelicts": 1.0, "altitude_km": 0.5, "thickness_km": 0.01, "coordinated": 1e-3}

    @jax.jit
    def rates(x):
        args = dict(point, **{name: x})
        return core.shell_collision_rates(params, table, **args)

    grads = jax.jit(jax.jacfwd(rates))(point[name])
    above, below = rates(point[name] + steps[name]), rates(point[name] - steps[name])
    for key in ("satellites_lost_per_yr", "fragments_per_yr", "manoeuvres_per_yr"):
        fd = (float(above[key]) - float(below[key])) / (2.0 * steps[name])
        assert np.isfinite(float(grads[key]))
        assert float(grads[key]) == pytest.approx(fd, rel=1e-6, abs=1e-12)


def test_gradients_finite_at_an_empty_shell():
    params = debris.CollisionEnvironment()
    table = _kernel_table()

    def hazard(n, n_d):
        return core.collision_hazard_per_satellite_yr(params, table, n, n_d, 600.0, 20.0, 1.0)

    def lost(n, n_d):
        return core.shell_collision_rates(params, table, n, n_d, 600.0, 20.0, 1.0)["satellites_lost_per_yr"]

    for f in (hazard, lost):
        grads = jax.grad(f, argnums=(0, 1))(0.0, 0.0)
        assert all(np.isfinite(g) for g in grads)
    assert lost(0.0, 0.0) == 0.0
    # With no fleet the hazard is the debris part alone, the limit of the fleet form.
    assert hazard(0.0, 0.0) == pytest.approx(float(hazard(1e-9, 0.0)), rel=1e-9)


def test_rates_vmap_over_shells():
    params = debris.CollisionEnvironment()
    table = _kernel_table()
    altitudes = jnp.array([500.0, 550.0, 600.0, 650.0])
    batched = jax.vmap(lambda h: core.shell_collision_rates(params, table, 1e5, 1e3, h, 20.0, 1.0))(altitudes)
    for i, h in enumerate([500.0, 550.0, 600.0, 650.0]):
        one = debris.shell_collision_rates(params, 1e5, 1e3, h, 20.0, 1.0)
        for key in debris.RATE_KEYS:
            assert float(batched[key][i]) == pytest.approx(one[key], rel=1e-12)


def test_manoeuvres_compare_with_starlink_reports():
    # SpaceX's semi-annual constellation status report to the FCC of 31 December 2025: 148,696 collision-avoidance
    # manoeuvres from 1 June to 30 November 2025 by a fleet of a little over 9,000 Starlinks, about 33 per satellite
    # per year. The defaults for 9,000 satellites in one coordinated 20 km shell at 550 km land within a factor 3.
    reported_per_sat_yr = 2.0 * 148_696 / 9_000
    rates = debris.shell_collision_rates(debris.CollisionEnvironment(), 9_000, 0, 550.0, 20.0, coordinated=1.0)
    modelled = rates["manoeuvres_per_yr"] / 9_000
    assert reported_per_sat_yr / 3.0 < modelled < 3.0 * reported_per_sat_yr


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_satellites": -1.0}, r"n_satellites=-1 is outside the allowed range \[0, inf\)"),
        ({"n_derelicts": -5.0}, r"n_derelicts=-5 is outside the allowed range \[0, inf\)"),
        ({"thickness_km": 0.0}, r"thickness_km=0 km is outside the allowed range \(0, 1000\] km"),
        ({"altitude_km": 200.0}, r"altitude_km=200 km is outside the allowed range \[300, 2000\] km"),
        ({"coordinated": 2.0}, r"coordinated=2 is outside the allowed range \[0, 1\]"),
        ({"n_satellites": float("nan")}, r"n_satellites=nan is outside the allowed range"),
    ],
)
def test_bad_shell_inputs_get_one_line(kwargs, message):
    args = dict(n_satellites=1000.0, n_derelicts=0.0, altitude_km=550.0, thickness_km=20.0, coordinated=1.0)
    args.update(kwargs)
    for function in (debris.shell_collision_rates, debris.collision_hazard_per_satellite_yr):
        with pytest.raises(ValueError, match=message) as error:
            function(debris.CollisionEnvironment(), **args)
        assert "\n" not in str(error.value)


def test_collision_environment_declarations():
    specs = parameter_specs(debris.CollisionEnvironment)
    assert {f.name for f in dataclasses.fields(debris.CollisionEnvironment)} == set(specs)
    assert all(spec.doc for spec in specs.values())
    with pytest.raises(ValueError, match=r"CollisionEnvironment.coordination_factor=1.5 is outside the allowed range"):
        debris.CollisionEnvironment(coordination_factor=1.5)
    with pytest.raises(ValueError, match=r"CollisionEnvironment.tracked_debris_diameter_cm=0.5 cm is outside"):
        debris.CollisionEnvironment(tracked_debris_diameter_cm=0.5)
    with pytest.raises(TypeError, match="CollisionEnvironment"):
        debris.shell_collision_rates({"relative_velocity_km_s": 10.0}, 1.0, 0.0, 550.0, 20.0)


# Shell capacity ------------------------------------------------------------------------------------------------


def test_capacity_at_hand_computed_points():
    # r = 6928.137 km, 4 pi r^2 = 6.031742572e8 km^2, hexagonal cell (sqrt(3)/2) (10 km)^2 = 86.60254 km^2.
    assert capacity.slots_per_layer(550.0, 10.0) == pytest.approx(6_964_856.4, rel=1e-8)
    assert capacity.layers_in_band(20.0, 10.0) == 3.0
    assert capacity.layers_in_band(19.9, 10.0) == 2.0
    assert capacity.layers_in_band(0.0, 10.0) == 1.0
    assert capacity.shell_capacity(550.0, 20.0, 10.0, 10.0) == pytest.approx(3 * 6_964_856.4, rel=1e-8)
    assert capacity.shells_needed(1.0e6, 3.0e5) == 4.0
    assert capacity.shells_needed(0.0, 3.0e5) == 0.0
    assert capacity.fill_fraction(1.5e5, 3.0e5) == 0.5


def test_capacity_scales_with_r_squared_and_inverse_d_squared():
    base = capacity.slots_per_layer(500.0, 20.0)
    r0, r1 = R_EARTH_KM + 500.0, R_EARTH_KM + 1000.0
    assert capacity.slots_per_layer(1000.0, 20.0) / base == pytest.approx((r1 / r0) ** 2, rel=1e-12)
    assert capacity.slots_per_layer(500.0, 10.0) / base == pytest.approx(4.0, rel=1e-12)
    separations = np.array([1.0, 5.0, 10.0, 50.0])
    assert np.all(np.diff(capacity.slots_per_layer(600.0, separations)) < 0.0)
    grad = jax.grad(capacity_core.slots_per_layer, argnums=(0, 1))(600.0, 10.0)
    slots = capacity_core.slots_per_layer(600.0, 10.0)
    assert float(grad[0]) == pytest.approx(2.0 * float(slots) / (R_EARTH_KM + 600.0), rel=1e-12)
    assert float(grad[1]) == pytest.approx(-2.0 * float(slots) / 10.0, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: capacity.slots_per_layer(550.0, 0.0),
            r"min_separation_km=0 km is outside the allowed range \(0, inf\) km",
        ),
        (lambda: capacity.slots_per_layer(550.0, -3.0), r"min_separation_km=-3 km is outside the allowed range"),
        (lambda: capacity.layers_in_band(20.0, 0.0), r"layer_separation_km=0 km is outside the allowed range"),
        (lambda: capacity.shell_capacity(550.0, -1.0, 10.0, 10.0), r"thickness_km=-1 km is outside the allowed range"),
        (lambda: capacity.shells_needed(-10.0, 100.0), r"n_satellites=-10 is outside the allowed range \[0, inf\)"),
        (lambda: capacity.shells_needed(10.0, 0.0), r"capacity=0 is outside the allowed range \(0, inf\)"),
    ],
)
def test_bad_capacity_inputs_get_one_line(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# Derelicts -----------------------------------------------------------------------------------------------------


def test_derelicts_added_and_their_accumulation():
    assert debris.derelicts_added_per_yr(200.0, 0.9) == pytest.approx(20.0, rel=1e-12)
    # Constant inflow a from none, lifetime T: D(t) = a T (1 - exp(-t / T)), the exact solution.
    added, lifetime = 20.0, 5.0
    history = debris.derelict_history(0.0, np.full(30, added), lifetime, 1.0)
    t = np.arange(1, 31)
    np.testing.assert_allclose(history, added * lifetime * (1.0 - np.exp(-t / lifetime)), rtol=1e-12)
    assert history[-1] == pytest.approx(debris.derelict_steady_state(added, lifetime), rel=1e-2)
    # Two half steps make one whole step; a long lifetime fills at the inflow rate.
    half = debris.derelict_step(debris.derelict_step(7.0, added, lifetime, 0.5), added, lifetime, 0.5)
    assert half == pytest.approx(debris.derelict_step(7.0, added, lifetime, 1.0), rel=1e-12)
    assert debris.derelict_step(0.0, added, 1.0e9, 1.0) == pytest.approx(added, rel=1e-8)
    grad = jax.grad(core.derelict_step, argnums=(0, 1, 2))(7.0, added, lifetime, 1.0)
    fd = float(_central_difference(lambda x: core.derelict_step(7.0, added, x, 1.0), lifetime, 1e-4))
    assert float(grad[2]) == pytest.approx(fd, rel=1e-7)
    assert float(grad[0]) == pytest.approx(math.exp(-1.0 / lifetime), rel=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: debris.derelicts_added_per_yr(-1.0, 0.9), r"failures_per_yr=-1 is outside the allowed range"),
        (
            lambda: debris.derelicts_added_per_yr(10.0, 1.2),
            r"disposal_reliability=1.2 is outside the allowed range \[0, 1\]",
        ),
        (
            lambda: debris.derelict_step(0.0, 1.0, 0.0, 1.0),
            r"natural_lifetime_yr=0 yr is outside the allowed range \(0, inf\) yr",
        ),
        (lambda: debris.derelict_history(0.0, [1.0, -1.0], 5.0), r"added_per_yr=-1 is outside the allowed range"),
    ],
)
def test_bad_derelict_inputs_get_one_line(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_gradient_through_a_parameter_field():
    # The planner differentiates with respect to scenario inputs, CollisionEnvironment fields among them.
    params = debris.CollisionEnvironment()

    def lost(v):
        changed = eqx.tree_at(lambda q: q.relative_velocity_km_s, params, v)
        return debris.shell_collision_rates(changed, 1.0e4, 100.0, 550.0, 20.0)["satellites_lost_per_yr"]

    fd = (lost(10.01) - lost(9.99)) / 0.02
    assert float(jax.grad(lost)(10.0)) == pytest.approx(fd, rel=1e-6)
