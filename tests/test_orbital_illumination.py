"""Illumination engine: statistics, streaming, JAX contracts, invariants and bad input."""

import datetime as dt

import astropy.units as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from astropy.time import Time
from hypothesis import given, settings
from hypothesis import strategies as st

import orbital
from orbital import lighting as illumination_module
from orbital.core import lighting as lighting_kernels
from orbital.core import orbits, shadow, sun
from orbital.core.constants import EARTH_RADIUS_KM

UTC = dt.UTC


@pytest.fixture(scope="module")
def mixed_fleet():
    return orbital.Fleet.from_shells(
        [
            orbital.Shell.walker(550.0, 53.0, 12, 6, phasing=1, epoch="2027-01-01"),
            orbital.Shell.sun_synchronous(650.0, 6.0, planes=2, sats_per_plane=5, epoch="2027-01-01"),
            orbital.Shell.walker(1100.0, 70.0, 5, 4, epoch="2027-01-01"),
        ]
    )


def _brute_force(fraction, day_index):
    eclipse = fraction < 0.5
    runs = []
    for row in eclipse:
        best = run = 0
        for flag in row:
            run = run + 1 if flag else 0
            best = max(best, run)
        runs.append(best)
    days = [len(set(day_index[row])) for row in eclipse]
    return fraction.mean(axis=1), np.array(runs), np.array(days)


def test_statistics_equal_brute_force_over_the_full_array(mixed_fleet):
    start = dt.datetime(2027, 6, 1, 18, 30, tzinfo=UTC)  # mid-day start: the window spans three UTC days
    stats = orbital.illumination(mixed_fleet, start, days=1.5, step_s=120)
    times = [start + dt.timedelta(seconds=120 * k) for k in range(stats.n_steps)]
    full = orbital.sunlit(mixed_fleet, times)
    day_index = np.array([(t.date() - start.date()).days for t in times])
    mean, runs, days = _brute_force(full, day_index)
    np.testing.assert_allclose(stats.sunlit_fraction, mean, atol=1e-12)
    np.testing.assert_array_equal(stats.max_eclipse_min, runs * 2.0)
    np.testing.assert_array_equal(stats.eclipse_days, days)
    assert stats.eclipse_days.max() == 3


def test_chunked_and_blocked_equal_whole(mixed_fleet):
    whole = orbital.illumination(mixed_fleet, "2027-12-15", days=2, step_s=60)
    cut = orbital.illumination(mixed_fleet, "2027-12-15", days=2, step_s=60, block_sats=16, chunk_steps=100)
    for field in ("sunlit_fraction", "eclipse_fraction", "eclipse_days", "max_eclipse_min"):
        np.testing.assert_allclose(getattr(cut, field), getattr(whole, field), atol=1e-12, err_msg=field)


def test_sparse_instants_equal_the_chunked_fields(mixed_fleet, monkeypatch):
    # Daily instants over a year (the plan's beta angles) take the batched path; the fleet scan's chunks of a day
    # (two instants each, the second by the kernel's in-chunk offset) must give the same fields.
    start = Time("2027-01-01T05:00:00", scale="utc")
    times = start + np.arange(0.0, 365.0, 1.0) * u.day
    batched = {
        name: getattr(orbital, name)(mixed_fleet, times) for name in ("beta_angle_deg", "sunlit", "positions_km")
    }
    monkeypatch.setattr(illumination_module, "SPARSE_STEPS_PER_CHUNK", 0)  # every window through the chunks
    one_metre_km, tiny_angle_deg = 1e-3, 1e-7
    np.testing.assert_allclose(batched["positions_km"], orbital.positions_km(mixed_fleet, times), atol=one_metre_km)
    np.testing.assert_allclose(
        batched["beta_angle_deg"], orbital.beta_angle_deg(mixed_fleet, times), atol=tiny_angle_deg
    )
    np.testing.assert_allclose(batched["sunlit"], orbital.sunlit(mixed_fleet, times), atol=1e-6)
    assert 0.0 < batched["sunlit"].mean() < 1.0


def test_orbit_average_matches_closed_form():
    # Over one day the conical model's mean eclipse (at the 0.5 threshold) tracks the cylindrical closed form at
    # the day's beta within a few parts in 1000 of an orbit (penumbra and the Earth-Sun geometry differ slightly).
    fleet = orbital.Fleet.from_shells([orbital.Shell.walker(550.0, 53.0, 8, 1, epoch="2027-03-01")])
    stats = orbital.illumination(fleet, "2027-03-01", days=1, step_s=10)
    beta = orbital.beta_angle_deg(fleet, dt.datetime(2027, 3, 1, 12, tzinfo=UTC))
    expected = orbital.eclipse_fraction(550.0, beta)
    np.testing.assert_allclose(stats.eclipse_fraction, expected, atol=0.004)


def test_dawn_dusk_orbits_are_not_always_sunlit():
    # Computed, never assumed: a 650 km dawn-dusk orbit has |beta| down to ~58.6 deg at the December
    # solstice (i - 90 + 23.44 from the pole), below beta* = 65.2 deg: ~20 min eclipses every orbit.
    fleet = orbital.Fleet.from_shells([orbital.Shell.sun_synchronous(650.0, 6.0, epoch="2027-12-21")])
    winter = orbital.illumination(fleet, "2027-12-21", days=1)
    summer = orbital.illumination(fleet, "2027-06-21", days=1)
    assert winter.max_eclipse_min[0] == pytest.approx(orbital.eclipse_duration_min(650.0, 58.6), abs=1.5)
    assert summer.max_eclipse_min[0] == 0.0 and summer.sunlit_fraction[0] == 1.0
    # Higher up beta* falls faster than the solstice |beta| (90 - 23.44 - (i - 90)): at 1,600 km beta* is
    # 53.1 deg against |beta| = 54.1 deg, so no eclipse even in December (at 1,400 km the margin is 0.05 deg).
    high = orbital.Fleet.from_shells([orbital.Shell.sun_synchronous(1600.0, 6.0, epoch="2027-12-21")])
    assert orbital.critical_beta_deg(1600.0) < 53.2
    assert orbital.illumination(high, "2027-12-21", days=1).max_eclipse_min[0] == 0.0


def test_float32_within_stated_tolerance_of_float64(mixed_fleet):
    f64 = orbital.illumination(mixed_fleet, "2027-09-01", days=1, dtype="float64")
    f32 = orbital.illumination(mixed_fleet, "2027-09-01", days=1, dtype="float32")
    # Stated float32 tolerance: mean sunlit fraction within 1e-4, longest eclipse within one step.
    np.testing.assert_allclose(f32.sunlit_fraction, f64.sunlit_fraction, atol=1e-4)
    np.testing.assert_allclose(f32.max_eclipse_min, f64.max_eclipse_min, atol=1.0)


def test_one_compilation_per_shape_bucket():
    shells = [orbital.Shell.walker(550.0, 53.0, 1, n, epoch="2027-01-01") for n in (9, 11, 13)]
    orbital.illumination(orbital.Fleet.from_shells([shells[0]]), "2027-01-01", days=0.5)
    before = illumination_module._circular_update._cache_size()
    for shell in shells[1:]:
        orbital.illumination(orbital.Fleet.from_shells([shell]), "2027-01-01", days=0.5)
    assert illumination_module._circular_update._cache_size() == before


def test_kernel_vmap_equals_loop_and_jit_equals_no_jit():
    elements = orbits.circular_elements(
        jnp.array([6928.0, 7028.0, 7500.0]),
        jnp.deg2rad(jnp.array([53.0, 98.0, 30.0])),
        jnp.array([0.1, 2.0, 4.0]),
        jnp.array([0.0, 1.0, 3.0]),
    )
    dt_s = jnp.linspace(0.0, 6000.0, 25)
    epoch = jnp.asarray(sun.sun_epoch(2461500.0))
    vmapped = lighting_kernels.circular_fraction(elements, dt_s, epoch).T
    jitted = jax.jit(lighting_kernels.sat_major(lighting_kernels.circular_fraction))(elements, dt_s, epoch)
    np.testing.assert_allclose(jitted, vmapped, atol=1e-12)
    sun_epoch = sun.SunEpoch(*np.asarray(epoch))
    for s in range(3):
        one = jax.tree.map(lambda x, s=s: x[s], elements)
        for t in range(25):
            position = sun.sun_position_km(sun_epoch, dt_s[t])
            distance = jnp.linalg.norm(position)
            projection = orbits.sun_projection_km(one, dt_s[t], position / distance)
            value = shadow.illuminated_fraction(projection, one.semi_major_axis_km**2, shadow.shadow_cones(distance))
            assert float(value) == pytest.approx(float(vmapped[s, t]), abs=1e-12)


def test_shadow_gradient_is_finite_and_matches_finite_differences():
    cones = shadow.shadow_cones(1.496e8)

    def fraction(position_km):
        sun_unit = jnp.array([1.0, 0.0, 0.0])
        return shadow.illuminated_fraction(position_km @ sun_unit, position_km @ position_km, cones)

    # A point inside the penumbra behind the Earth (axis distance between the umbra and penumbra radii).
    umbra_km = cones[0] - 500.0 * cones[1]
    penumbra_km = cones[2] + 500.0 * cones[3]
    point = jnp.array([-500.0, 0.5 * (umbra_km + penumbra_km), 0.0])
    gradient = jax.grad(fraction)(point)
    assert np.all(np.isfinite(gradient))
    step = 1e-4
    numeric = [(fraction(point.at[i].add(step)) - fraction(point.at[i].add(-step))) / (2 * step) for i in range(3)]
    # Central differences carry ~1e-9 of round-off here (|r|^2 - p^2 cancels at 1e-16 x 4e7 km^2).
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-8)
    # On the shadow axis the where-safe sqrt keeps the gradient finite.
    assert np.all(np.isfinite(jax.grad(fraction)(jnp.array([-7000.0, 0.0, 0.0]))))


@settings(max_examples=60, deadline=None)
@given(x=st.floats(-4e4, 4e4), y=st.floats(-4e4, 4e4), z=st.floats(-4e4, 4e4), distance_au=st.floats(0.983, 1.017))
def test_fraction_is_in_unit_interval(x, y, z, distance_au):
    position = np.array([x, y, z])
    radius = np.linalg.norm(position)
    if radius < EARTH_RADIUS_KM + 150.0:
        return
    cones = shadow.shadow_cones(distance_au * 1.495978707e8)
    value = float(shadow.illuminated_fraction(x, radius**2, cones))
    assert 0.0 <= value <= 1.0
    if x >= 0.0:
        assert value == 1.0


@settings(max_examples=15, deadline=None)
@given(
    altitude_km=st.floats(300.0, 3000.0),
    inclination_deg=st.floats(0.0, 180.0),
    raan_deg=st.floats(0.0, 360.0),
    day=st.integers(0, 364),
)
def test_no_eclipse_when_beta_exceeds_critical(altitude_km, inclination_deg, raan_deg, day):
    epoch = Time(2461406.5 + day, format="jd", scale="utc")  # 2027-01-01 + day
    shell = orbital.Shell.walker(altitude_km, inclination_deg, 1, 1, raan0_deg=raan_deg, epoch=epoch)
    fleet = orbital.Fleet.from_shells([shell])
    period_s = orbital.period_min(altitude_km) * 60.0
    times = epoch + np.linspace(0.0, period_s, 240) * u.s
    beta = orbital.beta_angle_deg(fleet, times)[0]
    fraction = orbital.sunlit(fleet, times)[0]
    # Conical margin: the penumbra reaches ~0.27 deg beyond the cylinder's edge.
    if np.min(np.abs(beta)) > orbital.critical_beta_deg(altitude_km) + 0.3:
        assert np.all(fraction == 1.0)


def test_tle_fleet_and_errors(tmp_path, shared_data):
    fleet = orbital.Fleet.from_tle(shared_data / "starlink-2026-05-13.tle")
    assert len(fleet) == 10361 and fleet.kind == "sgp4"
    lines = (shared_data / "starlink-2026-05-13.tle").read_text().splitlines()[:6]
    two_line = tmp_path / "two.tle"
    two_line.write_text("\n".join(lines[1:3] + lines[4:6]) + "\n")
    assert len(orbital.Fleet.from_tle(two_line)) == 2
    bad_checksum = tmp_path / "bad.tle"
    broken = lines[2][:68] + str((int(lines[2][68]) + 1) % 10)
    bad_checksum.write_text("\n".join([lines[0], lines[1], broken]))
    with pytest.raises(ValueError, match=r"bad.tle, line 3: TLE checksum mismatch"):
        orbital.Fleet.from_tle(bad_checksum)
    short = tmp_path / "short.tle"
    short.write_text("\n".join([lines[0], lines[1][:50], lines[2]]))
    with pytest.raises(ValueError, match=r"short.tle, line 2: TLE line has 50 characters, expected 69"):
        orbital.Fleet.from_tle(short)
    orphan = tmp_path / "orphan.tle"
    orphan.write_text("\n".join([lines[0], lines[2]]))
    with pytest.raises(ValueError, match=r"orphan.tle, line 2: TLE line 2 without its partner line"):
        orbital.Fleet.from_tle(orphan)
    with pytest.raises(ValueError, match=r"path='.*missing.tle': cannot read the TLE file"):
        orbital.Fleet.from_tle(tmp_path / "missing.tle")


def test_bad_times_and_arguments(mixed_fleet):
    with pytest.raises(ValueError, match=r"times: naive datetime 2027-01-01T00:00:00 has no time zone"):
        orbital.sunlit(mixed_fleet, [dt.datetime(2027, 1, 1)])
    with pytest.raises(ValueError, match=r"days=-1.0 is outside the allowed range"):
        orbital.illumination(mixed_fleet, "2027-01-01", days=-1)
    with pytest.raises(ValueError, match=r"step_s=0.0 is outside the allowed range"):
        orbital.illumination(mixed_fleet, "2027-01-01", days=1, step_s=0)
    with pytest.raises(ValueError, match=r"start='first of may' is not an ISO date"):
        orbital.illumination(mixed_fleet, "first of may", days=1)
    with pytest.raises(TypeError, match=r"fleet: expected orbital.Fleet, got list"):
        orbital.sunlit([1, 2], [dt.datetime(2027, 1, 1, tzinfo=UTC)])
    with pytest.raises(ValueError, match=r"dtype=int32 is not allowed"):
        orbital.illumination(mixed_fleet, "2027-01-01", days=1, dtype="int32")
