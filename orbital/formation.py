"""Compute clusters in formation and their optical crosslinks: the public, checked API.

A cluster is a reference (chief) circular orbit and a lattice of members on bounded relative orbits about it,
given by mean relative orbital elements (``orbital.core.formation``); its members talk to their lattice
neighbours over free-space optical links (``orbital.core.optical_link``). This module declares the cluster
(``ClusterFormation``) and the terminal (``OpticalTerminal``) once, builds the lattice, propagates relative
positions for many clusters, folds neighbour statistics over time, and gives the data rate per link, the
bisection and injection bandwidth of the lattice, the formation-keeping delta-v and propellant, and the
terminals' mass and power per satellite. Models, equations, sources and validation: docs/clusters.md.

Concrete arguments are checked before any computation (one line naming the argument, its value and the allowed
range); traced ones pass to the kernels.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from launch.validation import (
    check_choice,
    check_parameters,
    check_range,
    evaluate,
    is_concrete_number,
    parameter,
    to_array,
)
from orbital.core import drag
from orbital.core import formation as core
from orbital.core import optical_link as link
from orbital.core.constants import EARTH_RADIUS_KM, M_PER_KM, SECONDS_PER_JULIAN_YEAR
from orbital.core.geometry import mean_motion_rad_s, sso_cos_inclination

__all__ = [
    "ClusterBandwidth",
    "ClusterFormation",
    "FormationKeeping",
    "Lattice",
    "NeighbourStatistics",
    "OpticalTerminal",
    "TerminalBudget",
    "cluster_bandwidth",
    "formation_keeping",
    "lattice",
    "link_data_rate_bps",
    "neighbour_statistics",
    "received_power_w",
    "relative_positions_m",
    "terminal_budget",
]

LAYOUTS = ("rings", "grid")
BISECTION_ANGLES = 12  # candidate straight cuts through the centre, every 15 deg


class ClusterFormation(eqx.Module):
    """A cluster: its reference orbit, its lattice and what holding the lattice costs. Defaults: Google's
    Suncatcher cluster (arXiv:2511.19468, "Orbital dynamics"): 81 satellites in the orbital plane, 1 km radius,
    neighbours 100-200 m apart, 650 km dawn-dusk sun-synchronous orbit."""

    altitude_km: object = parameter(
        650.0, unit="km", low=150.0, high=3000.0, doc="altitude of the cluster centre's circular mean orbit"
    )
    inclination_deg: object = parameter(
        None, unit="deg", low=0.0, high=180.0, doc="inclination of the centre's orbit; None: sun-synchronous"
    )
    ltan_h: object = parameter(
        6.0, unit="h", low=0.0, high=24.0, high_open=True, doc="local time of the ascending node (6: dawn-dusk)"
    )
    ring_count: object = parameter(
        5, low=1, high=50, doc="rings of the 'rings' layout, the centre member counted as the first"
    )
    first_ring_members: object = parameter(
        8, low=3, high=100, doc="members of the first ring around the centre; ring k holds k times as many"
    )
    grid_side: object = parameter(9, low=2, high=100, doc="members per side of the 'grid' layout")
    radius_m: object = parameter(
        1000.0,
        unit="m",
        low=0.0,
        low_open=True,
        high=100000.0,
        doc="cluster radius: along-track semi-axis of the outer ring's relative orbit (grid: of the outer row)",
    )
    cross_track_ratio: object = parameter(
        0.0,
        low=0.0,
        high=10.0,
        doc="cross-track over radial amplitude of each relative orbit: 0 keeps the lattice in the orbital plane "
        "(Suncatcher); sqrt(3) keeps each member at a constant distance from the centre",
    )
    member_size_m: object = parameter(
        5.0, unit="m", low=0.0, low_open=True, doc="largest dimension of a member (neighbours must be farther apart)"
    )
    neighbour_factor: object = parameter(
        1.5,
        low=1.0,
        high=3.0,
        doc="members are neighbours (linked) when their lattice distance is at most this times the larger of the "
        "two members' nearest-lattice distances",
    )
    mass_kg: object = parameter(500.0, unit="kg", low=0.0, low_open=True, doc="dry mass of a member (assumption)")
    drag_area_m2: object = parameter(
        20.0, unit="m^2", low=0.0, low_open=True, doc="mean drag area of a member (assumption)"
    )
    drag_coefficient: object = parameter(2.2, low=0.5, high=5.0, doc="drag coefficient (flat plate, free molecular)")
    ballistic_spread: object = parameter(
        0.1,
        low=0.0,
        high=1.0,
        doc="fractional spread of ballistic coefficient between members (attitude and area differences; "
        "assumption 10 %): the differential drag the formation must cancel",
    )
    f107_sfu: object = parameter(150.0, unit="sfu", low=60.0, high=360.0, doc="F10.7 for the drag density")
    ap: object = parameter(15.0, low=0.0, high=100.0, doc="Ap for the drag density")
    isp_s: object = parameter(
        1500.0, unit="s", low=1.0, high=10000.0, doc="specific impulse of the formation-keeping thruster (Hall)"
    )
    mission_yr: object = parameter(5.0, unit="yr", low=0.0, low_open=True, high=50.0, doc="mission length")
    layout: str = eqx.field(default="rings", static=True)
    j2_corrected: bool = eqx.field(default=True, static=True)

    def __check_init__(self):
        check_parameters(self)
        check_choice("ClusterFormation.layout", self.layout, LAYOUTS)
        for name in ("ring_count", "first_ring_members", "grid_side"):
            value = getattr(self, name)
            if is_concrete_number(value) and float(value) != round(float(value)):
                raise ValueError(f"ClusterFormation.{name}={float(value):g} is not a whole number")

    def semi_major_axis_km(self):
        return EARTH_RADIUS_KM + self.altitude_km

    def inclination_rad(self):
        if self.inclination_deg is None:
            return float(np.arccos(np.asarray(sso_cos_inclination(self.semi_major_axis_km()))))
        return jnp.deg2rad(self.inclination_deg)


class OpticalTerminal(eqx.Module):
    """An optical crosslink terminal; every neighbour link uses one at each end. Defaults: a 10 cm, 1550 nm DWDM
    terminal for 100-200 m links (the spacedc-mdao crosslink case's aperture, wavelength, pointing and
    sensitivity; Suncatcher's 1.6 Tbps per transceiver pair as 8 x 100 Gbps each way)."""

    aperture_diameter_m: object = parameter(
        0.1, unit="m", low=0.0, low_open=True, high=10.0, doc="transmit and receive aperture diameter"
    )
    wavelength_m: object = parameter(
        1.55e-6, unit="m", low=0.0, low_open=True, high=1e-4, doc="carrier wavelength (C band)"
    )
    truncation_ratio: object = parameter(
        1.0, low=0.1, high=5.0, doc="aperture radius over the Gaussian waist radius (1: 86 % of the beam passes)"
    )
    beam_quality_m2: object = parameter(1.0, low=1.0, high=10.0, doc="beam quality factor M^2")
    transmit_power_w: object = parameter(
        5.0, unit="W", low=0.0, low_open=True, high=1000.0, doc="optical power launched, all channels"
    )
    optical_efficiency: object = parameter(
        0.64, low=0.0, low_open=True, high=1.0, doc="transmit x receive optics throughput (0.8 x 0.8)"
    )
    pointing_jitter_rad: object = parameter(1e-6, unit="rad", low=0.0, high=0.1, doc="rms pointing error per axis")
    photons_per_bit: object = parameter(
        100.0, low=1.0, high=1e6, doc="receiver sensitivity (photons per bit at the required error rate)"
    )
    channels: object = parameter(8, low=1, high=1000, doc="DWDM wavelength channels")
    channel_rate_gbps: object = parameter(
        100.0, unit="Gbps", low=0.0, low_open=True, high=10000.0, doc="per-channel transceiver rate cap"
    )
    mass_kg: object = parameter(
        5.0, unit="kg", low=0.0, high=1000.0, doc="mass of one terminal (assumption: short-range compact class)"
    )
    electrical_power_w: object = parameter(
        40.0, unit="W", low=0.0, high=10000.0, doc="electrical power of one terminal (assumption)"
    )

    def __check_init__(self):
        check_parameters(self)
        if is_concrete_number(self.channels) and float(self.channels) != round(float(self.channels)):
            raise ValueError(f"OpticalTerminal.channels={float(self.channels):g} is not a whole number")

    def kernel(self) -> link.Terminal:
        return link.Terminal(
            self.aperture_diameter_m,
            self.wavelength_m,
            self.truncation_ratio,
            self.beam_quality_m2,
            self.transmit_power_w,
            self.optical_efficiency,
            self.pointing_jitter_rad,
            self.photons_per_bit,
            self.channels,
            self.channel_rate_gbps * 1e9,
        )


# Lattice -------------------------------------------------------------------------------------------------------


class Lattice(NamedTuple):
    """Members of one cluster (every cluster of a shell shares it)."""

    plane_m: np.ndarray  # (member, 2): (along-track semi-axis direction, radial) design coordinates
    roe: core.RelativeElements  # (member,) mean relative orbital elements
    pairs: np.ndarray  # (pair, 2) int: neighbour links
    sides: np.ndarray  # (cut, member) bool: candidate bisections


def _check_formation(formation):
    if not isinstance(formation, ClusterFormation):
        raise TypeError(f"formation: expected a ClusterFormation, got {type(formation).__name__}")
    return formation


def _check_terminal(terminal):
    if not isinstance(terminal, OpticalTerminal):
        raise TypeError(f"terminal: expected an OpticalTerminal, got {type(terminal).__name__}")
    return terminal


def _design_points(formation: ClusterFormation) -> np.ndarray:
    """Member offsets in the design plane, scaled so that each member's along-track semi-axis is its radius."""
    radius = float(formation.radius_m)
    if formation.layout == "grid":
        side = int(formation.grid_side)
        axis = np.linspace(-radius, radius, side)
        x, y = np.meshgrid(axis, axis, indexing="ij")
        return np.stack([x.ravel(), y.ravel()], axis=-1)
    rings = int(formation.ring_count)
    points = [np.zeros((1, 2))]
    for k in range(1, rings):
        count = k * int(formation.first_ring_members)
        angle = 2.0 * np.pi * (np.arange(count) + 0.5 * (k % 2)) / count
        r = radius * k / (rings - 1)
        points.append(r * np.stack([np.cos(angle), np.sin(angle)], axis=-1))
    return np.concatenate(points)


def _neighbour_pairs(points: np.ndarray, factor: float) -> np.ndarray:
    distance = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
    np.fill_diagonal(distance, np.inf)
    nearest = distance.min(axis=1)
    limit = factor * np.maximum(nearest[:, None], nearest[None, :])
    i, j = np.nonzero(np.triu(distance <= limit * (1.0 + 1e-9), k=1))
    return np.stack([i, j], axis=-1).astype(np.int32)


def _bisections(points: np.ndarray) -> np.ndarray:
    angles = np.pi * np.arange(BISECTION_ANGLES) / BISECTION_ANGLES
    scale = np.max(np.abs(points)) + 1.0
    sides = []
    for angle in angles:
        along = points @ np.array([np.cos(angle), np.sin(angle)])
        across = points @ np.array([-np.sin(angle), np.cos(angle)])
        on_line = np.abs(along) <= 1e-9 * scale
        sides.append(np.where(on_line, across > 1e-9 * scale, along > 0.0))
    return np.array(sides)


def lattice(formation: ClusterFormation) -> Lattice:
    """The members' design offsets, mean ROE, neighbour links and candidate bisections.

    A member at design offset (p, q), radius r and angle phi moves on a relative orbit with along-track semi-axis
    r, radial semi-axis r / 2 (``de = r / 2a`` at phase phi) and cross-track amplitude ``cross_track_ratio x r /
    2`` in phase with the radial motion. With ``j2_corrected`` each member's ``da`` cancels the along-track drift
    of its relative inclination (the bounded condition). Raises ValueError when two members coincide or
    neighbours sit closer than ``member_size_m``."""
    formation = _check_formation(formation)
    points = _design_points(formation)
    distance = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
    np.fill_diagonal(distance, np.inf)
    closest = float(distance.min()) if len(points) > 1 else math.inf
    # The radial semi-axis is half the along-track one, so members come as close as half their design spacing.
    floor = float(formation.member_size_m)
    if closest <= 0.0:
        i, j = np.unravel_index(np.argmin(distance), distance.shape)
        raise ValueError(f"lattice: members {i} and {j} are at the same point (spacing 0 m; allowed (0, inf) m)")
    if 0.5 * closest <= floor:
        raise ValueError(
            f"ClusterFormation spacing={0.5 * closest:g} m (closest approach of the design) is outside the allowed "
            f"range ({floor:g}, inf) m: member_size_m={floor:g}"
        )
    a_m = float(formation.semi_major_axis_km()) * M_PER_KM
    r = np.hypot(points[:, 0], points[:, 1])
    phi = np.arctan2(points[:, 1], points[:, 0])
    de = 0.5 * r / a_m
    di = float(formation.cross_track_ratio) * de
    dix = -di * np.sin(phi)
    if formation.j2_corrected:
        rates = core.secular_rates(float(formation.semi_major_axis_km()), formation.inclination_rad())
        da = np.asarray(core.bounded_da(jax.tree.map(float, rates), dix))
    else:
        da = np.zeros_like(r)
    roe = core.RelativeElements(da, np.zeros_like(r), de * np.cos(phi), de * np.sin(phi), dix, di * np.cos(phi))
    return Lattice(points, roe, _neighbour_pairs(points, float(formation.neighbour_factor)), _bisections(points))


# Relative motion -----------------------------------------------------------------------------------------------


def _check_times(times_s):
    times = check_range("times_s", to_array("times_s", times_s, "s"), 0.0, 30.0 * 86400.0, unit="s")
    if np.ndim(times) != 1:
        raise ValueError(f"times_s must be 1-D (one time per step), got shape {np.shape(times)}")
    return times


def _check_phases(arg_latitude_rad):
    phases = check_range(
        "arg_latitude_rad", to_array("arg_latitude_rad", arg_latitude_rad, "rad"), -100.0, 100.0, unit="rad"
    )
    return np.atleast_1d(np.mod(phases, 2.0 * np.pi)), np.ndim(phases) == 0


def _kernel_inputs(formation, grid, dtype, n_clusters):
    a = np.full(n_clusters, float(formation.semi_major_axis_km()), dtype)
    inc = np.full(n_clusters, float(formation.inclination_rad()), dtype)
    roe = core.RelativeElements(*(np.asarray(x, dtype) for x in grid.roe))
    return a, inc, roe


def relative_positions_m(formation: ClusterFormation, times_s, arg_latitude_rad=0.0, *, dtype=np.float64):
    """Member positions (m) relative to each cluster centre in its radial / along-track / cross-track frame:
    (time, member, 3) for a scalar ``arg_latitude_rad`` (the centre's at time 0), (cluster, time, member, 3) for
    one per cluster. ``dtype=np.float32`` keeps metre precision (relative elements, not differences of absolute
    positions)."""
    formation = _check_formation(formation)
    times = _check_times(times_s)
    phases, scalar = _check_phases(arg_latitude_rad)
    grid = lattice(formation)
    a, inc, roe = _kernel_inputs(formation, grid, dtype, phases.size)

    def kernel(a, inc, roe, u0, t):
        per_cluster = jax.vmap(
            lambda a1, i1, u1: core.relative_position_m(a1, i1, roe, u1, t[:, None]), in_axes=(0, 0, 0)
        )
        return per_cluster(a, inc, u0)

    with jax.enable_x64(np.dtype(dtype) == np.float64):
        out = np.asarray(jax.jit(kernel)(a, inc, roe, phases.astype(dtype), np.asarray(times, dtype)))
    return out[0] if scalar else out


class NeighbourStatistics(NamedTuple):
    """Folded over a time grid: per cluster and neighbour pair, and per cluster."""

    pairs: np.ndarray  # (pair, 2)
    min_distance_m: np.ndarray  # (cluster, pair)
    max_distance_m: np.ndarray  # (cluster, pair)
    closest_approach_m: np.ndarray  # (cluster,)
    radius_m: np.ndarray  # (cluster,)


def neighbour_statistics(
    formation: ClusterFormation, times_s, arg_latitude_rad=0.0, *, dtype=np.float32
) -> NeighbourStatistics:
    """Streaming neighbour-distance statistics of clusters with centres at ``arg_latitude_rad`` (cluster,) at time
    0 over ``times_s``: each pair's least and greatest distance, each cluster's closest approach between
    neighbours and its radius (greatest member distance from the centre). Positions are made and reduced one
    instant at a time inside one compiled scan."""
    formation = _check_formation(formation)
    times = _check_times(times_s)
    phases, _ = _check_phases(arg_latitude_rad)
    grid = lattice(formation)
    a, inc, roe = _kernel_inputs(formation, grid, dtype, phases.size)
    pairs = jnp.asarray(grid.pairs)

    def kernel(a, inc, roe, u0, t):
        state = core.init(a.shape[0], pairs.shape[0], a.dtype)
        return core.update(state, a, inc, roe, u0, t, pairs)

    with jax.enable_x64(np.dtype(dtype) == np.float64):
        state = jax.jit(kernel)(a, inc, roe, phases.astype(dtype), np.asarray(times, dtype))
        state = jax.tree.map(np.asarray, state)
    return NeighbourStatistics(grid.pairs, *state)


# Optical links -------------------------------------------------------------------------------------------------


def _check_distance(distance_m):
    return check_range("distance_m", to_array("distance_m", distance_m, "m"), 0.0, 1e9, low_open=True, unit="m")


def received_power_w(terminal: OpticalTerminal, distance_m):
    """Mean received optical power (W) of a link between two ``terminal``s ``distance_m`` apart."""
    terminal = _check_terminal(terminal)
    distance_m = _check_distance(distance_m)
    return evaluate(lambda q, d: link.received_power_w(q.kernel(), d), terminal, distance_m)


def link_data_rate_bps(terminal: OpticalTerminal, distance_m):
    """One-way data rate (bit/s) of a link ``distance_m`` long: power-limited, capped by channels x rate."""
    terminal = _check_terminal(terminal)
    distance_m = _check_distance(distance_m)
    return evaluate(lambda q, d: link.data_rate_bps(q.kernel(), d), terminal, distance_m)


class ClusterBandwidth(NamedTuple):
    """Bandwidth of one cluster's lattice over a time grid (one-way rates, bit/s)."""

    pairs: np.ndarray  # (pair, 2)
    link_min_bps: np.ndarray  # (pair,) least rate of each link over the grid
    bisection_bps: np.ndarray  # (time,) least capacity across the candidate bisections
    injection_bps: np.ndarray  # (time, member) sum of each member's link rates
    injection_min_bps: np.ndarray  # (time,) the least member's


def cluster_bandwidth(
    formation: ClusterFormation, terminal: OpticalTerminal, times_s, arg_latitude_rad=0.0
) -> ClusterBandwidth:
    """Link, bisection and injection bandwidth of a cluster as its lattice breathes over ``times_s``. Every
    cluster of a shell shares its lattice and altitude, so one cluster over an orbit speaks for all."""
    formation = _check_formation(formation)
    terminal = _check_terminal(terminal)
    grid = lattice(formation)
    positions = relative_positions_m(formation, times_s, float(np.ravel(arg_latitude_rad)[0]))
    distance = np.asarray(evaluate(core.pair_distances_m, positions, grid.pairs))
    q = terminal.kernel()
    rates = np.asarray(evaluate(lambda d: link.data_rate_bps(q, d), distance))
    bisection = np.asarray(evaluate(lambda r: link.bisection_bandwidth_bps(r, grid.pairs, grid.sides), rates))
    injection = np.asarray(
        evaluate(lambda r: link.injection_bandwidth_bps(r, grid.pairs, grid.plane_m.shape[0]), rates)
    )
    return ClusterBandwidth(grid.pairs, rates.min(axis=0), bisection, injection, injection.min(axis=-1))


# Formation keeping and the terminals' budget -------------------------------------------------------------------


class FormationKeeping(NamedTuple):
    """Delta-v (m/s per year) and propellant (kg over the mission) per member (member,)."""

    density_kg_m3: float
    drag_dv_m_s_per_yr: float  # differential drag, the same for every member
    j2_dv_m_s_per_yr: np.ndarray  # cross-track drift of the relative inclination left by differential J2
    dv_m_s_per_yr: np.ndarray
    propellant_kg: np.ndarray


def formation_keeping(formation: ClusterFormation, density_kg_m3=None) -> FormationKeeping:
    """Delta-v per member per year to hold the lattice against differential drag and differential J2, and the
    propellant for the mission (Tsiolkovsky, ending at the dry mass).

    - Differential drag: members' ballistic coefficients differ by ``ballistic_spread``; each cancels its
      difference from the cluster mean continuously, ``spread x rho v^2 C_D A / (2 m)`` for a year.
    - Differential J2: the bounded condition removes the along-track drift; the relative inclination's node
      drift ``di_y_dot`` is left and is cancelled by cross-track burns, ``n a |di_y_dot|`` a year (zero for a
      lattice in the orbital plane).

    ``density_kg_m3``: the orbit-averaged density; None reads NRLMSIS 2.1 at the formation's altitude, F10.7 and
    Ap (``orbital.environment.atmosphere``)."""
    formation = _check_formation(formation)
    if density_kg_m3 is None:
        from orbital.environment import atmosphere

        inclination_deg = math.degrees(float(formation.inclination_rad()))
        density_kg_m3 = float(
            atmosphere.density_kg_m3(formation.altitude_km, formation.f107_sfu, formation.ap, inclination_deg)
        )
    density_kg_m3 = float(check_range("density_kg_m3", to_array("density_kg_m3", density_kg_m3), 0.0, 1e-3))
    grid = lattice(formation)
    a_km = float(formation.semi_major_axis_km())
    rates = jax.tree.map(float, core.secular_rates(a_km, formation.inclination_rad()))

    def kernel(f, roe, rho):
        accel = drag.drag_acceleration_m_s2(rho, f.altitude_km, f.drag_coefficient, f.drag_area_m2, f.mass_kg)
        drag_dv = f.ballistic_spread * accel * SECONDS_PER_JULIAN_YEAR
        diy_rate = rates.diy_per_da * roe.da + rates.diy_per_dix * roe.dix
        j2_dv = mean_motion_rad_s(a_km) * a_km * M_PER_KM * jnp.abs(diy_rate) * SECONDS_PER_JULIAN_YEAR
        dv = drag_dv + j2_dv
        propellant = drag.rocket_propellant_kg(dv * f.mission_yr, f.mass_kg, f.isp_s)
        return drag_dv, j2_dv, dv, propellant

    drag_dv, j2_dv, dv, propellant = evaluate(kernel, formation, grid.roe, density_kg_m3)
    return FormationKeeping(density_kg_m3, float(drag_dv), np.asarray(j2_dv), np.asarray(dv), np.asarray(propellant))


class TerminalBudget(NamedTuple):
    """Optical terminals per member: one per neighbour link (member,)."""

    terminals: np.ndarray
    mass_kg: np.ndarray
    power_w: np.ndarray


def terminal_budget(formation: ClusterFormation, terminal: OpticalTerminal) -> TerminalBudget:
    """Terminal count, mass and electrical power per member, for the mass and power roll-up."""
    formation = _check_formation(formation)
    terminal = _check_terminal(terminal)
    grid = lattice(formation)
    count = np.bincount(grid.pairs.ravel(), minlength=grid.plane_m.shape[0]).astype(float)
    return TerminalBudget(count, count * float(terminal.mass_kg), count * float(terminal.electrical_power_w))
