"""Thermosphere density table (NRLMSIS 2.1 through pymsis), the solar cycle and the arrays' drag projection."""

import jax
import jax.numpy as jnp
import numpy as np
import pymsis
import pytest
from astropy.time import Time, TimeDelta

from orbital.core import atmosphere as core
from orbital.core import sun
from orbital.core.constants import SECONDS_PER_DAY
from orbital.environment import atmosphere, solar_cycle
from orbital.environment.parameters import Environment
from orbital.fleet import Fleet, Shell
from orbital.lighting import beta_angle_deg, positions_km
from orbital.planner.geometry import ram_factor


def test_table_matches_direct_msis_orbit_average_off_grid():
    """Trilinear interpolation of the tabulated log density stays within 1 % of NRLMSIS evaluated directly (the same
    orbit average) at random points between the grid's nodes, over the whole grid."""
    rng = np.random.default_rng(7)
    n = 24
    altitude = rng.uniform(150.0, 3000.0, n)
    f107 = rng.uniform(60.0, 360.0, n)
    ap = rng.uniform(0.0, 100.0, n)
    direct = atmosphere.orbit_average_density_kg_m3(altitude, f107, ap, 53.0)
    table = atmosphere.density_kg_m3(altitude, f107, ap, 53.0)
    np.testing.assert_allclose(table, direct, rtol=0.01)
    # Density falls with altitude and rises with solar activity.
    assert atmosphere.density_kg_m3(400.0, 150.0) > atmosphere.density_kg_m3(600.0, 150.0)
    assert atmosphere.density_kg_m3(600.0, 200.0) > atmosphere.density_kg_m3(600.0, 80.0)


def test_kernel_reproduces_grid_nodes():
    table = core.DensityTable(*(jnp.asarray(x) for x in atmosphere.density_table(53.0)))
    i, j, k = 20, 5, 3
    value = core.log_density(table, table.altitude_km[i], table.f107_sfu[j], table.ap[k])
    np.testing.assert_allclose(value, table.log_density[i, j, k], rtol=1e-12)


# The shipped grid stores the log density as float32 (2e-6 relative in density); interpolating between its
# inclinations adds at most 1.6e-4 (measured against NRLMSIS tables every 2.5 degrees).
FLOAT32_STORAGE = 1e-5
BETWEEN_INCLINATIONS = 5e-4


def _random_nodes(seed: int, n: int = 12):
    """``n`` random nodes of the default grid: their (altitude, F10.7, Ap) values and their indices."""
    grid = atmosphere.DEFAULT_GRID
    rng = np.random.default_rng(seed)
    indices = tuple(rng.integers(0, len(axis), n) for axis in grid)
    return tuple(np.asarray(axis)[i] for axis, i in zip(grid, indices)), indices


@pytest.mark.parametrize("inclination_deg", [0.0, 55.0, 90.0])
def test_shipped_grid_is_nrlmsis_at_its_inclinations(inclination_deg):
    """At its own inclinations the shipped table is the orbit average of NRLMSIS evaluated here (random nodes)."""
    values, (i, j, k) = _random_nodes(int(inclination_deg))
    direct = atmosphere.orbit_average_density_kg_m3(*values, inclination_deg)
    table = np.exp(atmosphere.density_table(inclination_deg).log_density[i, j, k])
    np.testing.assert_allclose(table, direct, rtol=FLOAT32_STORAGE)


@pytest.mark.parametrize("inclination_deg", [2.0, 43.0, 53.0, 97.6, 141.3])
def test_shipped_grid_between_its_inclinations_matches_nrlmsis(inclination_deg):
    """Between the shipped inclinations (and beyond 90 deg, through i -> 180 - i) the interpolated table stays
    within 0.05 % of NRLMSIS's orbit average at the inclination itself."""
    values, (i, j, k) = _random_nodes(int(10 * inclination_deg))
    direct = atmosphere.orbit_average_density_kg_m3(*values, inclination_deg)
    table = np.exp(atmosphere.density_table(inclination_deg).log_density[i, j, k])
    np.testing.assert_allclose(table, direct, rtol=BETWEEN_INCLINATIONS)


def test_default_grid_and_its_cuts_need_no_pymsis_at_run_time(monkeypatch):
    """Tables on the default grid, or on the first altitudes of it (the planner's cut above its highest shell),
    come from the shipped file for any inclination; i and 180 - i are the same orbit average."""

    def no_msis(*args):
        raise AssertionError("NRLMSIS was evaluated for a table on the default grid")

    atmosphere.clear_tables()
    monkeypatch.setattr(atmosphere, "_msis_mean", no_msis)
    full = atmosphere.density_table(97.6)
    np.testing.assert_allclose(atmosphere.density_table(82.4).log_density, full.log_density, rtol=1e-12)
    grid = atmosphere.DEFAULT_GRID
    cut = atmosphere.DensityGrid(grid.altitude_km[:40], grid.f107_sfu, grid.ap)
    np.testing.assert_array_equal(atmosphere.density_table(97.6, cut).log_density, full.log_density[:40])


def test_orbit_average_agrees_with_a_fly_through_of_real_orbits():
    """The table's quadrature (4 arguments of latitude x 4 local times x 4 days) against pymsis flown through 20,000
    random instants of orbits of every RAAN over a year (Earth-fixed longitude through GMST): within 2 %."""
    rng = np.random.default_rng(3)
    n = 20_000
    inclination = np.deg2rad(53.0)
    u = rng.uniform(0.0, 2 * np.pi, n)
    raan = rng.uniform(0.0, 2 * np.pi, n)
    days = rng.uniform(0.0, 365.25, n)
    lat = np.rad2deg(np.arcsin(np.sin(inclination) * np.sin(u)))
    right_ascension = raan + np.arctan2(np.cos(inclination) * np.sin(u), np.cos(u))
    jd = 2460676.5 + days  # from 2025-01-01
    gmst_deg = 280.46061837 + 360.98564736629 * (jd - 2451545.0)  # IAU 1982, enough for a sampling check
    lon = np.mod(np.rad2deg(right_ascension) - gmst_deg, 360.0)
    dates = np.datetime64("2025-01-01T00:00") + (days * SECONDS_PER_DAY).astype("timedelta64[s]")
    f107 = np.full(n, 150.0)
    aps = np.full((n, 7), 15.0)
    rho = pymsis.calculate(dates, lon, lat, np.full(n, 600.0), f107, f107, aps, version=2.1)
    fly_through = rho[:, pymsis.Variable.MASS_DENSITY].mean()
    quadrature = atmosphere.orbit_average_density_kg_m3(600.0, 150.0, 15.0, 53.0)
    assert abs(quadrature / fly_through - 1.0) < 0.02


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(altitude_km=100.0, f107_sfu=150.0), "altitude_km=100 km is outside the allowed range [150, 3000] km"),
        (dict(altitude_km=600.0, f107_sfu=400.0), "f107_sfu=400 sfu is outside the allowed range [60, 360] sfu"),
        (dict(altitude_km=600.0, f107_sfu=150.0, ap=-1.0), "ap=-1 is outside the allowed range [0, 100]"),
        (dict(altitude_km=600.0, f107_sfu=150.0, inclination_deg=200.0), "inclination_deg=200 deg is outside"),
    ],
)
def test_bad_input_is_one_line(kwargs, message):
    with pytest.raises(ValueError) as err:
        atmosphere.density_kg_m3(**kwargs)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


# --- solar cycle ---------------------------------------------------------------------------------------------
def test_shipped_table_is_the_documented_fit(tmp_path):
    path = tmp_path / "table.csv"
    solar_cycle.write_table(path)
    assert path.read_text() == (solar_cycle.data.path(solar_cycle.TABLE_FILE)).read_text()
    years, values = solar_cycle.cycle25_table()
    # Cycle 25: minimum ~70 sfu in December 2019, smoothed maximum ~180 sfu in October 2024.
    assert values[0] == pytest.approx(70.0, abs=0.1)
    assert years[np.argmax(values)] == pytest.approx(solar_cycle.CYCLE25_PEAK_YR, abs=1.0 / 12.0)
    assert values.max() == pytest.approx(180.0, abs=0.1)


def test_later_cycles_follow_period_amplitude_and_phase():
    cycle = solar_cycle.SolarCycle()
    peak25 = solar_cycle.CYCLE25_PEAK_YR
    # One period later the cycle repeats (cycle 25's tail has fallen to the minimum by then).
    np.testing.assert_allclose(solar_cycle.f107_sfu(peak25 + 11.0, cycle), 180.0, atol=0.5)
    np.testing.assert_allclose(solar_cycle.f107_sfu(peak25 + 22.0, cycle), 180.0, atol=0.5)
    half = solar_cycle.SolarCycle(amplitude_scale=0.5)
    np.testing.assert_allclose(solar_cycle.f107_sfu(peak25 + 22.0, half), 70.0 + 0.5 * 110.0, atol=0.5)
    late = solar_cycle.SolarCycle(phase_shift_yr=2.0)
    np.testing.assert_allclose(solar_cycle.f107_sfu(peak25 + 24.0, late), 180.0, atol=0.5)
    # Cycle 25 itself is the table's, whatever the later cycles do.
    assert solar_cycle.f107_sfu(2024.5, half) == pytest.approx(float(solar_cycle.f107_sfu(2024.5, cycle)))
    # Differentiable in the declared parameters (sensitivities, Monte Carlo).
    grad = jax.grad(lambda s: solar_cycle.f107_sfu(peak25 + 22.0, solar_cycle.SolarCycle(amplitude_scale=s)))(1.0)
    assert grad == pytest.approx(110.0, rel=0.01)


def test_leaving_out_cycles_not_yet_started_changes_nothing():
    """``latest_year`` drops the cycles that cannot have started by then: the same numbers, bit for bit, at the
    ends of the period and phase ranges, for every month up to it; and so for the gradients."""
    latest = 2045.0
    months = jnp.asarray(np.arange(2020.0, latest, 1.0 / 12.0))
    for period in (8.0, 11.0, 15.0):
        for shift in (-5.0, 0.0, 5.0):
            cycle = solar_cycle.SolarCycle(period_yr=period, phase_shift_yr=shift, amplitude_scale=1.7)
            full = np.asarray(solar_cycle.f107_sfu(months, cycle))
            cut = np.asarray(solar_cycle.f107_sfu(months, cycle, latest_year=latest))
            assert np.array_equal(full, cut), (period, shift)

    def total(params, latest_year=None):
        cycle = solar_cycle.SolarCycle(period_yr=params[0], phase_shift_yr=params[1], amplitude_scale=params[2])
        return jnp.sum(solar_cycle.f107_sfu(months, cycle, latest_year=latest_year))

    params = jnp.asarray([8.0, -5.0, 1.2])
    assert np.array_equal(jax.grad(total)(params), jax.grad(lambda p: total(p, latest))(params))


def test_environment_bad_input_is_one_line():
    with pytest.raises(ValueError, match=r"amplitude_scale=3 is outside the allowed range \[0, 2\]"):
        solar_cycle.SolarCycle(amplitude_scale=3.0)
    with pytest.raises(ValueError, match=r"disposal_reliability=1.5 is outside the allowed range \[0, 1\]"):
        Environment(disposal_reliability=1.5)


# --- the arrays' projection onto the velocity (their drag area) ----------------------------------------------
def test_ram_factor_closed_form_matches_the_engine_and_dawn_dusk_is_smallest():
    """(2/pi)|cos beta| equals the orbit mean of |s . v| from the engine's positions (velocity by central
    differences) and the Sun direction the engine uses; a dawn-dusk orbit presents far less array to the flow than
    a 53 deg one."""
    epoch = "2027-03-01"
    shells = [
        Shell.sun_synchronous(600.0, 18.0, planes=1, sats_per_plane=1, epoch=epoch, name="dd"),
        Shell.walker(600.0, 53.0, 1, 1, 0, epoch=epoch, name="w53"),
    ]
    fleet = Fleet.from_shells(shells)
    start = Time(epoch, scale="utc")
    step_s = 20.0
    times = start + TimeDelta(np.arange(0.0, 5900.0, step_s), format="sec")
    r = positions_km(fleet, times)
    v = (r[:, 2:] - r[:, :-2]) / (2 * step_s)
    v_hat = v / np.linalg.norm(v, axis=-1, keepdims=True)
    epoch_sun = sun.SunEpoch(*sun.sun_epoch(times[0].tt.jd))
    s = np.asarray(sun.sun_position_km(epoch_sun, np.arange(0.0, 5900.0, step_s)))[1:-1]
    s_hat = s / np.linalg.norm(s, axis=-1, keepdims=True)
    numeric = np.abs(np.sum(v_hat * s_hat[None], axis=-1)).mean(axis=1)
    beta = beta_angle_deg(fleet, times[: times.size // 2 : 10])
    closed = ram_factor(beta)
    np.testing.assert_allclose(closed, numeric, rtol=0.02, atol=0.005)
    assert closed[0] < 0.5 * closed[1]
