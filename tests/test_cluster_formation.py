"""Clusters in formation: relative motion against a Cowell integration under J2, float32 precision, the bounded
(J2-invariant) condition, the Suncatcher layout, formation keeping, gradients and bad input."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from orbital import formation as fm
from orbital.core import formation as core
from orbital.core.constants import EARTH_J2, EARTH_MU_KM3_S2, EARTH_RADIUS_KM, SECONDS_PER_DAY, SECONDS_PER_JULIAN_YEAR

MU, J2, RE = EARTH_MU_KM3_S2, EARTH_J2, EARTH_RADIUS_KM
STEP_S = 120.0
# Model error budget against the integration: short-period J2 and second-order terms of the relative motion are
# ~J2 (R_E / a)^2 ~ 1e-3 of the separation (periodic); measured 3.1 m for members 1 km from the centre.
POSITION_TOLERANCE_M = 5.0  # 0.5 % of the 1 km cluster radius
DISTANCE_TOLERANCE = 0.01  # of each separation (the 1 % of neighbour separation asked of the model)
# float32 rounding of ROE ~1e-4 and of the phase n t (~94 rad after a day, 6e-6 rad) over 1 km: millimetres.
FLOAT32_TOLERANCE_M = 0.1


def j2_acceleration(r):
    """Two-body plus J2 (zonal) acceleration (km/s^2) of positions (..., 3) in an Earth-centred inertial frame."""
    r2 = np.sum(r * r, axis=-1, keepdims=True)
    rn = np.sqrt(r2)
    z2 = (r[..., 2:3] ** 2) / r2
    factor = 1.5 * J2 * MU * RE**2 / rn**5
    scale = np.concatenate([5.0 * z2 - 1.0, 5.0 * z2 - 1.0, 5.0 * z2 - 3.0], axis=-1)
    return -MU * r / rn**3 + factor * r * scale


def total_energy(r, v):
    rn = np.linalg.norm(r)
    return 0.5 * v @ v - MU / rn + MU * J2 * RE**2 / (2.0 * rn**3) * (3.0 * r[2] ** 2 / rn**2 - 1.0)


def mean_energy(a, inc, e=0.0):
    """First-order secular Hamiltonian in mean elements (Brouwer 1959): -mu / 2a plus the orbit average of the J2
    potential, which the osculating energy equals to first order in J2."""
    eta = math.sqrt(1.0 - e * e)
    return -MU / (2.0 * a) + MU * J2 * RE**2 / (4.0 * a**3 * eta**3) * (1.0 - 3.0 * math.cos(inc) ** 2)


def rtn_axes(u, raan, inc):
    p = np.array([math.cos(raan), math.sin(raan), 0.0])
    q = np.array([-math.cos(inc) * math.sin(raan), math.cos(inc) * math.cos(raan), math.sin(inc)])
    radial = math.cos(u) * p + math.sin(u) * q
    along = -math.sin(u) * p + math.cos(u) * q
    return radial, along, np.cross(radial, along)


def initial_states(formation, members, raan=0.3):
    """Chief and members' osculating states from the model's mean relative state at t = 0: positions and
    velocities through the rotating RTN frame, speeds set so that each energy matches its mean elements (which
    fixes each mean semi-major axis, and so the along-track drift, to first order in J2)."""
    a, inc = float(formation.semi_major_axis_km()), float(formation.inclination_rad())
    rates = core.secular_rates(a, inc)
    radial, along, normal = rtn_axes(0.0, raan, inc)
    omega = float(rates.arg_latitude_rate) * normal + np.array([0.0, 0.0, 1.0]) * (
        -1.5 * J2 * (RE / a) ** 2 * math.sqrt(MU / a**3) * math.cos(inc)
    )
    chief_r = a * radial
    chief_v = np.cross(omega, chief_r)

    def with_energy(r, v, energy):
        potential = total_energy(r, np.zeros(3))
        return v / np.linalg.norm(v) * math.sqrt(2.0 * (energy - potential))

    states = [np.r_[chief_r, with_energy(chief_r, chief_v, mean_energy(a, inc))]]
    roe = fm.lattice(formation).roe
    with jax.enable_x64(True):
        for k in members:
            member = core.RelativeElements(*(float(np.asarray(x)[k]) for x in roe))
            rel = np.asarray(core.relative_position_m(a, inc, member, 0.0, 0.0)) / 1000.0
            vel = np.asarray(core.relative_velocity_m_s(a, inc, member, 0.0, 0.0)) / 1000.0
            offset = rel[0] * radial + rel[1] * along + rel[2] * normal
            r = chief_r + offset
            v = chief_v + vel[0] * radial + vel[1] * along + vel[2] * normal + np.cross(omega, offset)
            e = math.hypot(member.dex, member.dey)
            states.append(np.r_[r, with_energy(r, v, mean_energy(a * (1 + member.da), inc + member.dix, e))])
    return np.array(states)


def cowell_rtn_m(states, times):
    """Integrate every satellite under two-body + J2 in float64 (DOP853) and return the members' offsets from the
    first (the chief) in the chief's osculating RTN frame (time, member, 3), metres."""

    def rhs(_, y):
        s = y.reshape(-1, 6)
        return np.concatenate([s[:, 3:], j2_acceleration(s[:, :3])], axis=-1).ravel()

    sol = solve_ivp(rhs, (0.0, times[-1]), states.ravel(), method="DOP853", rtol=1e-12, atol=1e-10, t_eval=times)
    s = sol.y.T.reshape(len(times), -1, 6)
    rc, vc = s[:, :1, :3], s[:, :1, 3:]
    radial = rc / np.linalg.norm(rc, axis=-1, keepdims=True)
    normal = np.cross(rc, vc)
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    along = np.cross(normal, radial)
    d = (s[:, 1:, :3] - rc) * 1000.0
    return np.stack([np.sum(d * radial, -1), np.sum(d * along, -1), np.sum(d * normal, -1)], axis=-1)


SUNCATCHER = fm.ClusterFormation()
PLANAR_MEMBERS = [1, 2, 9, 10, 49, 50]  # two neighbours each of the first, second and outer rings
TILTED = fm.ClusterFormation(cross_track_ratio=math.sqrt(3.0))
TILTED_FREE = fm.ClusterFormation(cross_track_ratio=math.sqrt(3.0), j2_corrected=False)
TILTED_MEMBERS = [53, 57, 61]  # outer ring, with relative inclination


@pytest.fixture(scope="module")
def cowell():
    """One day (~15 orbits) of the planar Suncatcher members and of a tilted lattice with and without the J2
    correction, all about one chief."""
    times = np.arange(0.0, SECONDS_PER_DAY + 1.0, STEP_S)
    groups = [(SUNCATCHER, PLANAR_MEMBERS), (TILTED, TILTED_MEMBERS), (TILTED_FREE, TILTED_MEMBERS)]
    states = [initial_states(f, m) for f, m in groups]
    truth = cowell_rtn_m(np.concatenate([states[0]] + [s[1:] for s in states[1:]]), times)
    out, start = {}, 0
    for name, (f, m) in zip(("planar", "tilted", "free"), groups):
        model = fm.relative_positions_m(f, times)[:, m]
        out[name] = (truth[:, start : start + len(m)], model)
        start += len(m)
    return times, out


def test_relative_positions_match_cowell_j2_integration(cowell):
    _, runs = cowell
    for name, (truth, model) in runs.items():
        error = np.abs(truth - model).max()
        assert error < POSITION_TOLERANCE_M, (name, error)


def test_neighbour_distances_match_cowell_within_one_percent(cowell):
    _, runs = cowell
    truth, model = runs["planar"]
    for i, j in [(0, 1), (2, 3), (4, 5), (0, 2)]:  # in-ring neighbours and a ring-to-ring pair
        d_true = np.linalg.norm(truth[:, i] - truth[:, j], axis=-1)
        d_model = np.linalg.norm(model[:, i] - model[:, j], axis=-1)
        assert np.max(np.abs(d_true - d_model) / d_true) < DISTANCE_TOLERANCE


def test_j2_correction_bounds_the_along_track_drift(cowell):
    """Schaub & Alfriend's condition (here: da cancels the drift of di_x) holds a tilted lattice to well under a
    metre of mean along-track drift over 13 orbits in the integration; without it the same lattice drifts tens of
    metres (~70 m a day for 1 km at 98 deg), as the model predicts."""
    times, runs = cowell
    period = 2.0 * math.pi / math.sqrt(MU / float(SUNCATCHER.semi_major_axis_km()) ** 3)
    first, last = times < period, (times >= 13 * period) & (times < 14 * period)

    def drift(series):
        return series[last, :, 1].mean(axis=0) - series[first, :, 1].mean(axis=0)

    bounded, free = drift(runs["tilted"][0]), drift(runs["free"][0])
    assert np.max(np.abs(bounded)) < 1.0
    assert np.max(np.abs(free)) > 30.0
    np.testing.assert_allclose(drift(runs["free"][1]), free, atol=2.0)


def test_float32_relative_positions_within_a_tenth_of_a_metre_of_float64():
    times = np.arange(0.0, SECONDS_PER_DAY + 1.0, 60.0)
    phases = np.array([0.0, 2.0, 4.5])
    p64 = fm.relative_positions_m(SUNCATCHER, times, phases, dtype=np.float64)
    p32 = fm.relative_positions_m(SUNCATCHER, times, phases, dtype=np.float32)
    assert p32.dtype == np.float32
    assert np.max(np.abs(p32 - p64)) < FLOAT32_TOLERANCE_M
    s64 = fm.neighbour_statistics(SUNCATCHER, times, phases, dtype=np.float64)
    s32 = fm.neighbour_statistics(SUNCATCHER, times, phases, dtype=np.float32)
    assert np.max(np.abs(s32.min_distance_m - s64.min_distance_m)) < FLOAT32_TOLERANCE_M


def test_suncatcher_layout_radius_neighbours_and_closest_approach_over_a_day():
    """arXiv:2511.19468 ("Orbital dynamics"): 81 satellites in the orbital plane, cluster radius 1 km,
    neighbours 100-200 m apart. Floor stated here: no two neighbours closer than 90 m over a day."""
    grid = fm.lattice(SUNCATCHER)
    assert grid.plane_m.shape[0] == 81
    times = np.arange(0.0, SECONDS_PER_DAY, 60.0)
    stats = fm.neighbour_statistics(SUNCATCHER, times, [0.0, 1.0])
    assert np.allclose(stats.radius_m, 1000.0, rtol=1e-3)
    assert np.all(stats.closest_approach_m >= 90.0)
    positions = fm.relative_positions_m(SUNCATCHER, times[::7])
    distance = np.linalg.norm(positions[:, :, None] - positions[:, None], axis=-1)
    distance[:, np.arange(81), np.arange(81)] = np.inf
    nearest = distance.min(axis=2)
    assert 95.0 <= nearest.min() and nearest.max() <= 200.0  # "100-200 m", read to 5 %
    # The closest pair of the whole cluster is always a pair of neighbours: the streaming statistic is the
    # cluster's closest approach.
    assert math.isclose(
        distance.min(), float(fm.neighbour_statistics(SUNCATCHER, times[::7]).closest_approach_m[0]), rel_tol=1e-5
    )
    assert np.all(stats.max_distance_m <= 2.0 * stats.min_distance_m * (1 + 1e-5))  # breathing: at most 2:1


def test_streaming_statistics_equal_the_batch_reduction():
    times = np.arange(0.0, 6000.0, 60.0)
    phases = np.array([0.3, 1.7])
    stats = fm.neighbour_statistics(SUNCATCHER, times, phases, dtype=np.float64)
    positions = fm.relative_positions_m(SUNCATCHER, times, phases)
    pairs = stats.pairs
    d = np.linalg.norm(positions[..., pairs[:, 0], :] - positions[..., pairs[:, 1], :], axis=-1)
    np.testing.assert_allclose(stats.min_distance_m, d.min(axis=1), rtol=1e-12)
    np.testing.assert_allclose(stats.max_distance_m, d.max(axis=1), rtol=1e-12)
    np.testing.assert_allclose(stats.radius_m, np.linalg.norm(positions, axis=-1).max(axis=(1, 2)), rtol=1e-12)


def test_formation_keeping_differential_drag_and_j2():
    density = 2e-13
    keep = fm.formation_keeping(SUNCATCHER, density_kg_m3=density)
    v = math.sqrt(MU / float(SUNCATCHER.semi_major_axis_km())) * 1000.0
    accel = 0.5 * density * v**2 * 2.2 * 20.0 / 500.0
    assert math.isclose(keep.drag_dv_m_s_per_yr, 0.1 * accel * SECONDS_PER_JULIAN_YEAR, rel_tol=1e-9)
    assert np.all(keep.j2_dv_m_s_per_yr == 0.0)  # a lattice in the orbital plane is J2-invariant
    total = keep.dv_m_s_per_yr * 5.0
    np.testing.assert_allclose(keep.propellant_kg, 500.0 * np.expm1(total / (1500.0 * 9.80665)), rtol=1e-12)
    tilted = fm.formation_keeping(TILTED, density_kg_m3=density)
    assert np.max(tilted.j2_dv_m_s_per_yr) > 1.0  # the relative node drifts: cross-track burns every orbit
    # NRLMSIS density at 650 km, F10.7 150: between 1e-14 and 1e-12 kg/m^3.
    assert 1e-14 < fm.formation_keeping(SUNCATCHER).density_kg_m3 < 1e-12


def test_terminal_budget_counts_one_terminal_per_link():
    terminal = fm.OpticalTerminal()
    budget = fm.terminal_budget(SUNCATCHER, terminal)
    grid = fm.lattice(SUNCATCHER)
    assert budget.terminals.sum() == 2 * len(grid.pairs)
    assert budget.mass_kg[0] == 8 * terminal.mass_kg  # the centre links to the whole first ring


def test_relative_position_gradient_matches_finite_differences():
    with jax.enable_x64(True):
        roe = core.RelativeElements(*(jnp.asarray(x) for x in (1e-7, 1e-5, 7e-5, -3e-5, 2e-5, 4e-5)))
        a, inc = 7028.137, math.radians(97.98)

        def distance(scale, t):
            scaled = jax.tree.map(lambda x: x * scale, roe)
            return core.safe_norm(core.relative_position_m(a, inc, scaled, 0.4, t))

        for t in (0.0, 3000.0, 80000.0):
            grad = jax.grad(distance, argnums=(0, 1))(1.0, t)
            h_s, h_t = 1e-6, 1e-2
            fd_s = (distance(1.0 + h_s, t) - distance(1.0 - h_s, t)) / (2 * h_s)
            fd_t = (distance(1.0, t + h_t) - distance(1.0, t - h_t)) / (2 * h_t)
            np.testing.assert_allclose(grad[0], fd_s, rtol=1e-6)
            np.testing.assert_allclose(grad[1], fd_t, rtol=1e-5)
        assert np.all(np.isfinite(jax.grad(lambda x: core.safe_norm(x))(jnp.zeros(3))))


@pytest.mark.parametrize(
    "make, pattern",
    [
        (lambda: fm.ClusterFormation(radius_m=-1.0), r"ClusterFormation.radius_m=-1 m is outside"),
        (lambda: fm.lattice(fm.ClusterFormation(radius_m=20.0)), r"spacing=1.91342 m .* outside the allowed range \(5"),
        (lambda: fm.ClusterFormation(layout="cube"), r"ClusterFormation.layout='cube' is not one of"),
        (lambda: fm.ClusterFormation(ring_count=2.5), r"ClusterFormation.ring_count=2.5 is not a whole number"),
        (lambda: fm.relative_positions_m(SUNCATCHER, [-5.0]), r"times_s=-5 s is outside the allowed range"),
        (lambda: fm.formation_keeping(SUNCATCHER, density_kg_m3=-1.0), r"density_kg_m3=-1 is outside"),
    ],
)
def test_bad_input_gets_one_line(make, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        make()
    assert "\n" not in str(info.value)
