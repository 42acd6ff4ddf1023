"""orbital against hapsira (the maintained poliastro fork): SSO inclination, J2 node drift, eclipse times, and
Orbit interop. hapsira is installed by the README's test line (pip install --no-deps hapsira)."""

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import get_body_barycentric
from astropy.time import Time

import orbital
from orbital.interop import astropy_matrix_product, import_hapsira

one_second = 1.0
bodies, twobody = import_hapsira()
from hapsira.core.events import eclipse_function  # noqa: E402  (hapsira is loaded by import_hapsira)
from hapsira.core.perturbations import J2_perturbation  # noqa: E402
from hapsira.core.propagation import func_twobody  # noqa: E402
from hapsira.twobody.propagation import CowellPropagator  # noqa: E402

Earth = bodies.Earth
Orbit = twobody.Orbit


@pytest.mark.parametrize("altitude_km", [400.0, 650.0, 1000.0, 1400.0])
def test_sso_inclination_matches_hapsira(altitude_km):
    orbit = Orbit.heliosynchronous(Earth, a=Earth.R + altitude_km * u.km, ecc=0 * u.one)
    # hapsira takes the Sun's mean motion as the sidereal year (365.256 d), we the tropical year (365.2422 d)
    # that keeps local time fixed: 0.004 % of the nodal rate, about 1e-4 deg of inclination.
    assert orbital.sso_inclination_deg(altitude_km) == pytest.approx(orbit.inc.to_value(u.deg), abs=1e-3)


def test_j2_node_drift_matches_hapsira_cowell():
    altitude_km, inclination_deg = 550.0, 53.0
    orbit = Orbit.circular(
        Earth, altitude_km * u.km, inc=inclination_deg * u.deg, raan=40 * u.deg, epoch=Time("2027-01-01", scale="utc")
    )
    radius_km, j2 = Earth.R.to_value(u.km), Earth.J2.value

    def with_j2(t0, state, k_):
        return func_twobody(t0, state, k_) + np.concatenate([[0, 0, 0], J2_perturbation(t0, state, k_, j2, radius_km)])

    orbits_flown = 15
    later = orbit.propagate(orbits_flown * orbit.period, method=CowellPropagator(f=with_j2, rtol=1e-11))
    drift_deg = ((later.raan - orbit.raan).to_value(u.deg) + 180.0) % 360.0 - 180.0
    expected_deg = orbital.j2_raan_rate_deg_day(altitude_km, inclination_deg) * (
        orbits_flown * orbit.period.to_value(u.day)
    )
    # Osculating RAAN carries short-period J2 terms of ~1e-3 relative amplitude at a whole number of orbits;
    # the secular rate is what we model: 1 % of the drift (about 0.04 deg here).
    assert drift_deg == pytest.approx(expected_deg, rel=0.01)


def _transitions(seconds, inside):
    return seconds[np.nonzero(np.diff(inside.astype(int)))[0]]


def _zero_crossings(seconds, values):
    """Instants where ``values`` changes sign, by linear interpolation inside each bracket."""
    index = np.nonzero(np.sign(values[:-1]) != np.sign(values[1:]))[0]
    v0, v1 = values[index], values[index + 1]
    return seconds[index] + (seconds[index + 1] - seconds[index]) * v0 / (v0 - v1)


@pytest.mark.parametrize("inclination_deg, raan_deg", [(53.0, 30.0), (97.6, 200.0), (0.0, 0.0)])
def test_eclipse_entry_and_exit_match_hapsira(inclination_deg, raan_deg):
    from hapsira.twobody.sampling import EpochsArray

    epoch = Time("2027-04-10T00:00:00", scale="utc")
    orbit = Orbit.circular(Earth, 550 * u.km, inc=inclination_deg * u.deg, raan=raan_deg * u.deg, epoch=epoch)
    span_s = 3 * orbit.period.to_value(u.s)
    # hapsira: two-body ephemeris every 10 s and its Escobal shadow functions for the umbra and penumbra cones
    # (positive inside the cone's double nappe, so only the night side, r . s < 0, counts), the Sun from
    # astropy's built-in ephemeris. Crossings are interpolated to well under a second.
    sample_s = np.arange(0.0, span_s, 10.0)
    times = epoch + sample_s * u.s
    position, velocity = orbit.to_ephem(strategy=EpochsArray(times)).rv()
    position, velocity = position.to_value(u.km), velocity.to_value(u.km / u.s)
    sun_km = (get_body_barycentric("sun", times) - get_body_barycentric("earth", times)).xyz.to_value(u.km).T
    k, radius_km = Earth.k.to_value(u.km**3 / u.s**2), Earth.R.to_value(u.km)
    night = np.sum(position * sun_km, axis=1) < 0
    shadow = {
        cone: np.array(
            [
                eclipse_function(k, np.concatenate([r, v]), s, 695700.0, radius_km, umbra=(cone == "umbra"))
                for r, v, s in zip(position, velocity, sun_km)
            ]
        )
        for cone in ("umbra", "penumbra")
    }
    reference = {
        cone: _zero_crossings(sample_s, np.where(night, values, -np.abs(values) - 1.0))
        for cone, values in shadow.items()
    }

    seconds = np.arange(0.0, span_s, 1.0)
    ours = orbital.sunlit(orbital.Fleet.from_orbits([orbit], j2=False), epoch + seconds * u.s)[0]
    mine = {"umbra": _transitions(seconds, ours <= 0.0), "penumbra": _transitions(seconds, ours < 1.0)}
    if inclination_deg == 0.0:
        assert len(mine["umbra"]) >= 4  # an equatorial orbit in April is eclipsed every revolution
    for cone in ("umbra", "penumbra"):
        assert len(mine[cone]) == len(reference[cone]), cone
        # Our 1 s sampling marks a transition up to 1 s early; the Sun ephemerides differ by < 0.2 s of motion.
        np.testing.assert_allclose(mine[cone], reference[cone], atol=2 * one_second)


def test_orbit_round_trip_and_bad_orbits():
    epoch = Time("2027-01-01", scale="utc")
    orbit = Orbit.circular(Earth, 700 * u.km, inc=60 * u.deg, raan=123 * u.deg, arglat=45 * u.deg, epoch=epoch)
    fleet = orbital.Fleet.from_orbits([orbit])
    back = fleet.to_orbits()[0]
    np.testing.assert_allclose(back.r.to_value(u.km), orbit.r.to_value(u.km), atol=1e-6)
    np.testing.assert_allclose(back.v.to_value(u.km / u.s), orbit.v.to_value(u.km / u.s), atol=1e-9)
    shell_fleet = orbital.Fleet.from_shells([orbital.Shell.walker(550, 53, 3, 2, epoch="2027-01-01")])
    again = orbital.Fleet.from_orbits(shell_fleet.to_orbits())
    np.testing.assert_allclose(again.elements.semi_major_axis_km, shell_fleet.elements.semi_major_axis_km)
    assert np.allclose(np.cos(again.elements.raan_rad - shell_fleet.elements.raan_rad), 1.0, atol=1e-12)
    eccentric = Orbit.from_classical(
        Earth, 8000 * u.km, 0.1 * u.one, 30 * u.deg, 0 * u.deg, 0 * u.deg, 0 * u.deg, epoch=epoch
    )
    with pytest.raises(ValueError, match=r"orbits\[0\]: ecc=0.1 is outside the allowed range"):
        orbital.Fleet.from_orbits([eccentric])
    moon_orbit = Orbit.circular(bodies.Moon, 100 * u.km, epoch=epoch)
    with pytest.raises(ValueError, match="attractor='Moon'"):
        orbital.Fleet.from_orbits([moon_orbit])


def test_astropy_is_patched_only_inside_the_interop_call():
    import astropy.coordinates.matrix_utilities as matrix_utilities

    before = hasattr(matrix_utilities, "matrix_product")
    import_hapsira()
    assert hasattr(matrix_utilities, "matrix_product") == before
    with astropy_matrix_product():
        assert matrix_utilities.matrix_product(np.eye(3), 2 * np.eye(3))[0, 0] == 2.0
    assert hasattr(matrix_utilities, "matrix_product") == before
