"""Relative motion of the members of a cluster in formation about its centre, under J2, pure JAX.

Model: mean relative orbital elements (ROE) of each member with respect to a circular chief (the cluster centre),
in the quasi-nonsingular set of D'Amico (2010, PhD thesis, TU Delft, ch. 2; Koenig, Guffanti & D'Amico 2017,
JGCD 40(7), "New state transition matrices for spacecraft relative motion in perturbed orbits"), all
dimensionless::

    da = (a_d - a_c) / a_c        dlambda = (u_d - u_c) + (Omega_d - Omega_c) cos i_c
    de = e_d - e_c  (x, y)        di = (i_d - i_c, (Omega_d - Omega_c) sin i_c)

Their secular J2 motion is the linearisation of the first-order secular rates of each member (Brouwer 1959;
Vallado, Fundamentals of Astrodynamics, 4th ed., eq. 9-41, as in ``orbital.core.geometry.j2_rates_rad_s``) about
the chief, which for a circular chief is closed form and constant in time:

- ``dlambda`` drifts at ``d(u_dot + Omega_dot cos i)/da a da + d(u_dot + Omega_dot cos i)/di di_x``;
- the relative eccentricity vector turns at the apsidal rate ``omega_dot``;
- ``di_y`` drifts with the differential nodal rate, ``sin i (dOmega_dot/da a da + dOmega_dot/di di_x)``;
- ``da`` and ``di_x`` are constant (drag acts through ``orbital.formation``'s keeping budget).

The bounded-formation (J2-invariant) condition is ``dlambda_dot = 0``: the ``da`` that cancels the along-track
drift a relative inclination ``di_x`` causes (the near-circular form of Schaub & Alfriend 2001, Celest. Mech. Dyn.
Astr. 79, 77). Positions in the chief's radial / along-track / cross-track (RTN) frame follow from the linear map
(D'Amico 2010, eq. 2.39)::

    x_R / a = da - de_x cos u - de_y sin u
    x_T / a = dlambda + 2 de_x sin u - 2 de_y cos u
    x_N / a = di_x sin u - di_y cos u

Every quantity is a small number times ``a``, never a difference of 7,000 km vectors, so float32 keeps metre
precision: ROE of 1e-4 carry 1e-11 absolute rounding (~0.1 mm at 7,000 km). Neglected: the short-period J2
terms of the relative motion and second-order ROE terms, each ~J2 (or rho / a) times the separation (~1 m for a
1 km cluster), periodic; validated against a Cowell integration in tests/test_cluster_formation.py.

Units: ROE dimensionless, semi-major axis km, angles rad, time s, relative positions m. Batch axes first, xyz
last. Neighbour statistics are an (init, update) pair folded over time under ``lax.scan``.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from orbital.core.constants import EARTH_J2, EARTH_RADIUS_KM, M_PER_KM
from orbital.core.geometry import mean_motion_rad_s


class RelativeElements(NamedTuple):
    """Mean quasi-nonsingular ROE of members about their cluster centre (dimensionless; any leading shape)."""

    da: object
    dlambda: object
    dex: object
    dey: object
    dix: object
    diy: object


class SecularRates(NamedTuple):
    """The chief's secular J2 rates and their partial derivatives that drive the ROE (rad/s; per rad or per unit
    ``da``)."""

    arg_latitude_rate: object  # u_dot of the chief
    apsidal_rate: object  # omega_dot: the relative eccentricity vector turns at it
    dlambda_per_da: object  # d(dlambda_dot)/d(da), Keplerian -1.5 n plus J2
    dlambda_per_dix: object  # d(dlambda_dot)/d(di_x)
    diy_per_da: object  # d(di_y_dot)/d(da)
    diy_per_dix: object  # d(di_y_dot)/d(di_x)


def secular_rates(semi_major_axis_km, inclination_rad) -> SecularRates:
    """Chief rates and ROE rate coefficients of a circular orbit (first-order secular J2)."""
    n = mean_motion_rad_s(semi_major_axis_km)
    k = 1.5 * EARTH_J2 * (EARTH_RADIUS_KM / semi_major_axis_km) ** 2 * n  # k ~ a^-3.5
    c, s = jnp.cos(inclination_rad), jnp.sin(inclination_rad)
    raan_rate = -k * c
    apsidal_rate = 0.5 * k * (5.0 * c**2 - 1.0)
    j2_lat = k * (4.0 * c**2 - 1.0)  # u_dot - n: perigee plus mean-anomaly drift
    # d/d(da) with a = a_c (1 + da): a d/da of each rate; k and its products scale as a^-3.5.
    u_per_da = -1.5 * n - 3.5 * j2_lat
    raan_per_da = -3.5 * raan_rate
    u_per_di = -8.0 * k * c * s
    raan_per_di = k * s
    return SecularRates(
        arg_latitude_rate=n + j2_lat,
        apsidal_rate=apsidal_rate,
        dlambda_per_da=u_per_da + c * raan_per_da,
        dlambda_per_dix=u_per_di + c * raan_per_di,
        diy_per_da=s * raan_per_da,
        diy_per_dix=s * raan_per_di,
    )


def bounded_da(rates: SecularRates, dix):
    """The ``da`` that cancels the secular along-track drift of a relative inclination ``dix``."""
    return -rates.dlambda_per_dix * dix / rates.dlambda_per_da


def advance(rates: SecularRates, roe: RelativeElements, seconds) -> RelativeElements:
    """Mean ROE ``seconds`` later (exact for the linear, constant-coefficient secular model)."""
    angle = rates.apsidal_rate * seconds
    cos_w, sin_w = jnp.cos(angle), jnp.sin(angle)
    return RelativeElements(
        da=roe.da,
        dlambda=roe.dlambda + (rates.dlambda_per_da * roe.da + rates.dlambda_per_dix * roe.dix) * seconds,
        dex=cos_w * roe.dex - sin_w * roe.dey,
        dey=sin_w * roe.dex + cos_w * roe.dey,
        dix=roe.dix,
        diy=roe.diy + (rates.diy_per_da * roe.da + rates.diy_per_dix * roe.dix) * seconds,
    )


def rtn_components_m(semi_major_axis_km, roe: RelativeElements, arg_latitude_rad):
    """Radial, along-track and cross-track positions in metres from ROE at the chief's argument of latitude,
    each as the ROE and the latitude broadcast."""
    cos_u, sin_u = jnp.cos(arg_latitude_rad), jnp.sin(arg_latitude_rad)
    scale = semi_major_axis_km * M_PER_KM
    radial = scale * (roe.da - roe.dex * cos_u - roe.dey * sin_u)
    along = scale * (roe.dlambda + 2.0 * (roe.dex * sin_u - roe.dey * cos_u))
    cross = scale * (roe.dix * sin_u - roe.diy * cos_u)
    return radial, along, cross


def rtn_m(semi_major_axis_km, roe: RelativeElements, arg_latitude_rad):
    """Position (..., 3) in metres in the chief's RTN frame from ROE at the chief's argument of latitude."""
    return jnp.stack(jnp.broadcast_arrays(*rtn_components_m(semi_major_axis_km, roe, arg_latitude_rad)), axis=-1)


def relative_position_m(semi_major_axis_km, inclination_rad, roe: RelativeElements, arg_latitude_rad, seconds):
    """RTN position (m) of members ``seconds`` after the epoch of their ROE, the chief at ``arg_latitude_rad``
    then. One cluster: ``semi_major_axis_km``, ``inclination_rad`` and ``arg_latitude_rad`` broadcast against the
    members' ROE. Keep ``seconds`` within days in float32 (move the epoch on the host for longer windows)."""
    rates = secular_rates(semi_major_axis_km, inclination_rad)
    now = advance(rates, roe, seconds)
    return rtn_m(semi_major_axis_km, now, arg_latitude_rad + rates.arg_latitude_rate * seconds)


def relative_velocity_m_s(semi_major_axis_km, inclination_rad, roe: RelativeElements, arg_latitude_rad, seconds):
    """Time derivative of ``relative_position_m`` (m/s, RTN components, the frame's rotation not included)."""

    def position(t):
        return relative_position_m(semi_major_axis_km, inclination_rad, roe, arg_latitude_rad, t)

    return jax.jvp(position, (seconds,), (jnp.ones_like(seconds),))[1]


# Neighbour statistics ------------------------------------------------------------------------------------------


class NeighbourState(NamedTuple):
    """Running statistics of clusters over time: per neighbour pair and per cluster."""

    min_distance_m: object  # (cluster, pair)
    max_distance_m: object  # (cluster, pair)
    closest_approach_m: object  # (cluster,) least neighbour distance so far
    radius_m: object  # (cluster,) greatest member distance from the centre so far


def init(n_clusters: int, n_pairs: int, dtype) -> NeighbourState:
    return NeighbourState(
        jnp.full((n_clusters, n_pairs), jnp.inf, dtype),
        jnp.zeros((n_clusters, n_pairs), dtype),
        jnp.full((n_clusters,), jnp.inf, dtype),
        jnp.zeros((n_clusters,), dtype),
    )


def safe_norm(vector):
    """Euclidean norm over the last axis with a finite gradient at zero."""
    squared = jnp.sum(vector * vector, axis=-1)
    positive = squared > 0.0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, squared, 1.0)), 0.0)


def pair_distances_m(positions_m, pairs):
    """Distances (..., pair) between the members ``pairs[:, 0]`` and ``pairs[:, 1]`` of (..., member, 3)."""
    return safe_norm(positions_m[..., pairs[:, 0], :] - positions_m[..., pairs[:, 1], :])


def step(state: NeighbourState, positions_m, pairs) -> NeighbourState:
    """Fold one instant: ``positions_m`` (cluster, member, 3) relative to each cluster's centre."""
    distance = pair_distances_m(positions_m, pairs)
    return NeighbourState(
        min_distance_m=jnp.minimum(state.min_distance_m, distance),
        max_distance_m=jnp.maximum(state.max_distance_m, distance),
        closest_approach_m=jnp.minimum(state.closest_approach_m, jnp.min(distance, axis=-1)),
        radius_m=jnp.maximum(state.radius_m, jnp.max(safe_norm(positions_m), axis=-1)),
    )


def _norm3(x, y, z):
    """``safe_norm`` of a vector given as three arrays."""
    squared = x * x + y * y + z * z
    positive = squared > 0.0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, squared, 1.0)), 0.0)


def update(
    state: NeighbourState, semi_major_axis_km, inclination_rad, roe: RelativeElements, arg_latitude_rad, seconds, pairs
) -> NeighbourState:
    """Fold the instants ``seconds`` (T,) for clusters whose centres have ``semi_major_axis_km``,
    ``inclination_rad`` and ``arg_latitude_rad`` (cluster,) at the epoch and members ``roe`` (member,) (the same
    lattice in every cluster) or (cluster, member). Positions are made and reduced inside the scan, one instant
    at a time: memory stays O(cluster x member).

    The same statistics as folding ``step`` over ``relative_position_m``, computed faster: positions are linear
    in the ROE (``advance``, ``rtn_components_m``), so a pair's separation is the position of the difference of
    its members' ROE, formed once before the scan (no gather of member positions per step, and a difference of
    ~1e-5 ROE taken once rather than of metres every step); the three components stay separate arrays
    (cluster, pair), which XLA on CPU vectorises, where a trailing axis of 3 it does not (~45x on the
    benchmark's CPU, benchmarks/clusters.py)."""
    a = semi_major_axis_km[:, None]
    inc = inclination_rad[:, None]
    u0 = arg_latitude_rad[:, None]
    rates = secular_rates(a, inc)
    pair_roe = RelativeElements(*(x[..., pairs[:, 0]] - x[..., pairs[:, 1]] for x in roe))

    def body(carry, t):
        u = u0 + rates.arg_latitude_rate * t
        distance = _norm3(*rtn_components_m(a, advance(rates, pair_roe, t), u))
        radius = _norm3(*rtn_components_m(a, advance(rates, roe, t), u))
        state = NeighbourState(
            min_distance_m=jnp.minimum(carry.min_distance_m, distance),
            max_distance_m=jnp.maximum(carry.max_distance_m, distance),
            closest_approach_m=jnp.minimum(carry.closest_approach_m, jnp.min(distance, axis=-1)),
            radius_m=jnp.maximum(carry.radius_m, jnp.max(radius, axis=-1)),
        )
        return state, None

    return lax.scan(body, state, seconds)[0]
