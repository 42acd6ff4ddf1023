"""Earth view factor of a flat plate: closed form against numerical integration over the visible Earth cap, and
its limiting cases."""

import math

import jax
import numpy as np
import pytest
from scipy import integrate

import thermal

R_KM = thermal.EARTH_MEAN_RADIUS_KM


def view_factor_by_quadrature(altitude_km, tilt_rad):
    """F = (1/pi) * integral over the Earth's disc of max(n . d, 0) dOmega, done independently of the closed
    form: directions d at angle psi from nadir (psi <= beta, the Earth's angular radius) and azimuth chi; the chi
    integral of max(a cos chi + c, 0) is exact, the psi integral is adaptive quadrature."""
    beta = math.asin(R_KM / (R_KM + altitude_km))
    sin_t, cos_t = math.sin(tilt_rad), math.cos(tilt_rad)

    def ring(psi):
        a, c = sin_t * math.sin(psi), cos_t * math.cos(psi)  # n . d = a cos(chi) + c
        if c >= abs(a):
            azimuthal = 2 * math.pi * c
        elif c <= -abs(a):
            azimuthal = 0.0
        else:
            chi0 = math.acos(-c / abs(a))
            azimuthal = 2 * (c * chi0 + abs(a) * math.sin(chi0))
        return azimuthal * math.sin(psi) / math.pi

    # The ring integrand has a kink where the plate's plane cuts the ring (psi = |pi/2 - tilt|): tell quad.
    kink = abs(math.pi / 2 - tilt_rad)
    value, _ = integrate.quad(
        ring, 0.0, beta, epsabs=1e-14, epsrel=1e-13, limit=500, points=[kink] if 0.0 < kink < beta else None
    )
    return value


def view_factor_by_grid(altitude_km, tilt_rad, n=600):
    """Brute-force 2-D midpoint sum over (psi, chi), with no analytic step at all."""
    beta = math.asin(R_KM / (R_KM + altitude_km))
    psi = (np.arange(n) + 0.5) * beta / n
    chi = (np.arange(2 * n) + 0.5) * 2 * math.pi / (2 * n)
    psi, chi = np.meshgrid(psi, chi, indexing="ij")
    cosine = np.sin(tilt_rad) * np.sin(psi) * np.cos(chi) + np.cos(tilt_rad) * np.cos(psi)
    return float(np.sum(np.maximum(cosine, 0.0) * np.sin(psi)) * (beta / n) * (math.pi / n) / math.pi)


@pytest.mark.parametrize("altitude_km", [200.0, 550.0, 1400.0, 35786.0])
def test_plate_view_factor_matches_quadrature_at_every_tilt(altitude_km):
    tilts = np.linspace(0.0, math.pi, 37)
    closed = np.asarray(thermal.plate_earth_view_factor(altitude_km, tilts))
    reference = np.array([view_factor_by_quadrature(altitude_km, t) for t in tilts])
    np.testing.assert_allclose(closed, reference, rtol=0, atol=1e-12)


@pytest.mark.parametrize("tilt_deg", [0.0, 60.0, 90.0, 115.0])
def test_plate_view_factor_matches_brute_force_grid(tilt_deg):
    closed = float(thermal.plate_earth_view_factor(600.0, math.radians(tilt_deg)))
    assert closed == pytest.approx(view_factor_by_grid(600.0, math.radians(tilt_deg)), abs=2e-6)  # measured 5e-7


def test_limiting_cases():
    h = 600.0
    ratio = R_KM / (R_KM + h)
    beta = math.asin(ratio)
    # nadir-facing: the whole disc in view, F = (R/(R+h))^2
    assert float(thermal.earth_view_factor(h, "nadir", sides=1)) == pytest.approx(ratio**2, rel=1e-14)
    # vertical plate (edge-on to the Earth): F = (beta - sin beta cos beta) / pi per face
    vertical = (beta - math.sin(beta) * math.cos(beta)) / math.pi
    assert float(thermal.earth_view_factor(h, "edge_on", sides=1)) == pytest.approx(vertical, rel=1e-12)
    assert float(thermal.earth_view_factor(h, "edge_on", sides=2)) == pytest.approx(2 * vertical, rel=1e-12)
    # zenith-facing: no Earth; a two-sided nadir plate sees the Earth with one face only
    assert float(thermal.earth_view_factor(h, "zenith", sides=1)) == 0.0
    assert float(thermal.earth_view_factor(h, "nadir", sides=2)) == pytest.approx(ratio**2, rel=1e-14)
    # Starcloud's F_E = 0.25 is one vertical face at ~600 km
    assert float(thermal.earth_view_factor(h, "edge_on", sides=1)) == pytest.approx(0.249, abs=0.001)
    # grazing altitude: a nadir face sees a full hemisphere of Earth, a vertical face half of one
    assert float(thermal.plate_earth_view_factor(1e-6, 0.0)) == pytest.approx(1.0, abs=1e-6)
    assert float(thermal.plate_earth_view_factor(1e-6, math.pi / 2)) == pytest.approx(0.5, abs=1e-3)
    # far away: F -> cos(tilt) (R/d)^2 -> 0
    assert float(thermal.plate_earth_view_factor(1e9, 0.3)) == pytest.approx(math.cos(0.3) * (R_KM / (R_KM + 1e9)) ** 2)


def test_continuous_and_monotone_across_the_partial_band():
    h = 550.0
    edge = math.acos(R_KM / (R_KM + h))  # tilt where the Earth's limb touches the plate's plane
    boundaries = np.array([edge, math.pi - edge])
    below = np.asarray(thermal.plate_earth_view_factor(h, boundaries - 1e-9))
    above = np.asarray(thermal.plate_earth_view_factor(h, boundaries + 1e-9))
    np.testing.assert_allclose(below, above, rtol=0, atol=1e-8)
    tilts = np.linspace(0.0, math.pi, 721)
    values = np.asarray(thermal.plate_earth_view_factor(h, tilts))
    assert np.all(np.diff(values) <= 1e-15) and values[-1] == 0.0


def test_gradients_are_finite_and_match_finite_differences():
    def f(altitude_km, tilt_rad):
        return thermal.earth_view_factor(altitude_km, tilt_rad, sides=2)

    grad = jax.jit(jax.vmap(jax.grad(f, argnums=(0, 1))))
    f = jax.jit(jax.vmap(f))
    altitude_km = np.array([600.0, 600.0, 600.0, 600.0, 1400.0])
    tilt_rad = np.array([0.2, 1.0, 1.5707963, 2.5, 1.9])
    d_alt, d_tilt = (np.asarray(g) for g in grad(altitude_km, tilt_rad))
    fd_alt = (np.asarray(f(altitude_km + 1e-3, tilt_rad)) - np.asarray(f(altitude_km - 1e-3, tilt_rad))) / 2e-3
    fd_tilt = (np.asarray(f(altitude_km, tilt_rad + 1e-6)) - np.asarray(f(altitude_km, tilt_rad - 1e-6))) / 2e-6
    np.testing.assert_allclose(d_alt, fd_alt, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(d_tilt, fd_tilt, rtol=1e-6, atol=1e-10)
    # exactly on the band edges and at the ends of the range the gradient is still finite
    edge = math.acos(R_KM / (R_KM + 600.0))
    tilts = np.array([0.0, edge, math.pi / 2, math.pi - edge, math.pi])
    assert all(np.all(np.isfinite(np.asarray(g))) for g in grad(np.full(5, 600.0), tilts))
