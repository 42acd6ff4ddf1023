"""Closed forms of circular-orbit geometry against published numbers, invariants and bad input."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import orbital
from orbital.core import geometry

one_second_min = 1.0 / 60.0
one_hundredth_deg = 0.01


def test_eclipse_fraction_400_km_beta_0():
    # Closed form f = acos(sqrt(h^2 + 2 R_E h) / (R_E + h)) / pi: circular 400 km, beta = 0 -> 0.390 of the orbit
    # (36.1 min of a 92.56 min two-body orbit).
    assert orbital.eclipse_fraction(400.0, 0.0) == pytest.approx(0.390, abs=5e-4)
    assert orbital.period_min(400.0) == pytest.approx(92.56, abs=one_second_min)
    assert orbital.eclipse_duration_min(400.0, 0.0) == pytest.approx(36.1, abs=0.05)


def test_sun_synchronous_650_km():
    # J2 sun-synchronous condition cos i = -Omega_dot_sun / (1.5 J2 n (R_E/a)^2) (Vallado, Fundamentals of
    # Astrodynamics, 4th ed., §9.6; hapsira's Orbit.heliosynchronous, tested separately): 97.99 deg, 97.73 min.
    assert orbital.sso_inclination_deg(650.0) == pytest.approx(97.99, abs=one_hundredth_deg)
    assert orbital.period_min(650.0) == pytest.approx(97.73, abs=0.005)


def test_sun_synchronous_altitude_limit():
    # cos i = -1 is reached near 5,970 km for J2 alone (Vallado, Fundamentals of Astrodynamics, 4th ed., §9.6).
    limit_km = orbital.max_sun_synchronous_altitude_km()
    assert 5900.0 < limit_km < 6050.0
    assert orbital.sso_inclination_deg(limit_km - 1.0) == pytest.approx(180.0, abs=2.0)
    with pytest.raises(ValueError, match=r"altitude_km=6500 .*sun-synchronous"):
        orbital.sso_inclination_deg(6500.0)


def test_j2_raan_rate_matches_sun_at_sso_inclination():
    # At the sun-synchronous inclination the node turns 360 deg per tropical year: 0.98565 deg/day.
    for altitude_km in (300.0, 650.0, 1400.0):
        rate = orbital.j2_raan_rate_deg_day(altitude_km, orbital.sso_inclination_deg(altitude_km))
        assert rate == pytest.approx(360.0 / 365.2422, rel=1e-10)


def test_shapes_follow_inputs():
    altitudes = np.array([[400.0, 500.0], [600.0, 700.0]])
    assert np.shape(orbital.eclipse_fraction(altitudes, 10.0)) == (2, 2)
    assert np.shape(orbital.period_min(altitudes)) == (2, 2)
    assert isinstance(orbital.period_min(550.0), float)


@settings(max_examples=200, deadline=None)
@given(altitude_km=st.floats(150.0, 40000.0), beta_deg=st.floats(-90.0, 90.0))
def test_eclipse_fraction_invariants(altitude_km, beta_deg):
    fraction = orbital.eclipse_fraction(altitude_km, beta_deg)
    assert 0.0 <= fraction <= 0.5
    if abs(beta_deg) > orbital.critical_beta_deg(altitude_km):
        assert fraction == 0.0
    # Symmetric in beta, and never more shadow than at beta = 0.
    assert orbital.eclipse_fraction(altitude_km, -beta_deg) == pytest.approx(fraction, abs=1e-12)
    assert fraction <= orbital.eclipse_fraction(altitude_km, 0.0) + 1e-12


def test_vmap_equals_loop_and_jit_equals_no_jit():
    altitudes = jnp.linspace(300.0, 2000.0, 7)
    betas = jnp.linspace(-80.0, 80.0, 7)
    vmapped = jax.vmap(orbital.eclipse_fraction)(altitudes, betas)
    looped = np.array([orbital.eclipse_fraction(float(h), float(b)) for h, b in zip(altitudes, betas)])
    np.testing.assert_allclose(vmapped, looped, rtol=1e-13, atol=1e-15)
    jitted = jax.jit(orbital.sso_inclination_deg)(altitudes)
    np.testing.assert_allclose(jitted, orbital.sso_inclination_deg(np.asarray(altitudes)), rtol=1e-13)


def test_gradients_are_finite_and_match_finite_differences():
    def central(f, x, h):
        return (f(x + h) - f(x - h)) / (2 * h)

    for beta in (0.0, 30.0, 60.0):
        grad = jax.grad(orbital.eclipse_fraction, argnums=(0, 1))(jnp.float64(600.0), jnp.float64(beta))
        assert all(np.isfinite(g) for g in grad)
        assert grad[0] == pytest.approx(
            central(lambda h, beta=beta: orbital.eclipse_fraction(h, beta), 600.0, 1e-3), rel=1e-6, abs=1e-12
        )
        assert grad[1] == pytest.approx(
            central(lambda b: orbital.eclipse_fraction(600.0, b), beta, 1e-5), rel=1e-6, abs=1e-12
        )
    # Beyond beta* the fraction is flat: the gradient is exactly zero, never NaN.
    grad = jax.grad(orbital.eclipse_fraction, argnums=1)(600.0, 80.0)
    assert grad == 0.0
    grad_sso = jax.grad(orbital.sso_inclination_deg)(650.0)
    fd = central(orbital.sso_inclination_deg, 650.0, 1e-3)
    assert grad_sso == pytest.approx(fd, rel=1e-6)


def test_float32_within_stated_tolerance_of_float64():
    altitudes = np.linspace(300.0, 2000.0, 50)
    betas = np.linspace(-70.0, 70.0, 50)
    f64 = jax.jit(geometry.eclipse_fraction)(jnp.asarray(altitudes), jnp.deg2rad(jnp.asarray(betas)))
    f32 = jax.jit(geometry.eclipse_fraction)(
        jnp.asarray(altitudes, jnp.float32), jnp.deg2rad(jnp.asarray(betas, jnp.float32))
    )
    assert f32.dtype == jnp.float32
    # float32 stated tolerance: 2e-5 of an orbit (about 0.1 s of a 95 min orbit) away from the beta* edge.
    np.testing.assert_allclose(f32, f64, atol=2e-5)


@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: orbital.period_min(100.0), r"altitude_km=100 km is outside the allowed range \[150, 100000\] km"),
        (lambda: orbital.period_min(float("nan")), r"altitude_km=nan"),
        (lambda: orbital.eclipse_fraction(500.0, 95.0), r"beta_deg=95 deg is outside the allowed range \[-90, 90\]"),
        (lambda: orbital.j2_raan_rate_deg_day(500.0, 181.0), r"inclination_deg=181 deg is outside .*\[0, 180\]"),
        (lambda: orbital.Shell.walker(550.0, -1.0, 2, 2), r"inclination_deg=-1"),
        (lambda: orbital.Shell.walker(120.0, 53.0, 2, 2), r"altitude_km=120"),
        (lambda: orbital.Shell.walker(550.0, 53.0, 0, 2), r"planes=0 is outside the allowed range"),
        (lambda: orbital.Shell.walker(550.0, 53.0, 4, 2, phasing=4), r"phasing=4 is outside the allowed range"),
        (lambda: orbital.Shell.sun_synchronous(7000.0, 6.0), r"altitude_km=7000 km is outside .*sun-synchronous"),
        (lambda: orbital.Shell.sun_synchronous(650.0, 25.0), r"ltan_hours=25 h is outside the allowed range"),
        (lambda: orbital.period_min("high"), r"altitude_km='high' is not a number"),
    ],
)
def test_bad_input_is_named(call, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        call()


def test_quantities_are_converted_at_the_boundary():
    import astropy.units as u

    assert orbital.period_min(650.0 * u.km) == pytest.approx(orbital.period_min(650.0))
    assert orbital.period_min(0.65 * u.Mm) == pytest.approx(orbital.period_min(650.0))
    with pytest.raises(ValueError, match="altitude_km: cannot convert"):
        orbital.period_min(650.0 * u.s)


def test_sincos_matches_numpy_in_both_precisions():
    from orbital.core.trig import sincos

    angles = np.linspace(-50.0, 400.0, 200001)
    sin64, cos64 = sincos(jnp.asarray(angles))
    np.testing.assert_allclose(sin64, np.sin(angles), atol=5e-14)
    np.testing.assert_allclose(cos64, np.cos(angles), atol=5e-14)
    sin32, cos32 = sincos(jnp.asarray(angles, jnp.float32))
    # float32: the argument itself carries up to ulp(400) = 3e-5 rad; against numpy of the same float32 argument
    # the reduction and polynomials add at most a few ulp of 1.
    reference = np.asarray(jnp.asarray(angles, jnp.float32), dtype=float)
    np.testing.assert_allclose(sin32, np.sin(reference), atol=2e-7)
    np.testing.assert_allclose(cos32, np.cos(reference), atol=2e-7)
    assert float(jax.grad(lambda x: sincos(x)[0])(1.3)) == pytest.approx(np.cos(1.3), rel=1e-14)
