"""Trapped-particle radiation kernels: Earth-fixed positions with Earth rotation, the tabulated AE8/AP8 integral
flux at a position, per-satellite running flux statistics, window means of circular orbits from one spectral mean
per track class (the torus path), dose behind aluminium interpolated in thickness, and the effects of dose on an
accelerator (life, upsets, availability).

Pure JAX (numpy only for host-side float64 angles). Written for one satellite at one instant (or one track class)
and vmapped; the tables are built on the host (``orbital.environment.radiation``). Equations and sources:
docs/radiation.md.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from orbital.core.arctan import arctan2
from orbital.core.constants import EARTH_RADIUS_KM, J2000_JD, SECONDS_PER_JULIAN_YEAR, TWO_PI
from orbital.core.interpolation import monotone_cubic
from orbital.core.trig import sincos

# Earth's nominal mean angular velocity (IERS Conventions 2010, TN 36, table 1.1; WGS 84's omega).
EARTH_ROTATION_RAD_S = 7.292115e-5
# Earth rotation angle, ERA(UT1) = 2 pi (0.7790572732640 + 1.00273781191135448 Du), Du = JD(UT1) - 2451545.0,
# and GMST = ERA + (0.014506 + 4612.156534 t + 1.3915817 t^2) arcsec, t in Julian centuries (IERS Conventions
# 2010, eqs. 5.15 and 5.32, Capitaine et al. 2003). UT1 is taken as UTC (|UT1 - UTC| < 0.9 s, 0.004 deg).
_ERA_AT_J2000 = 0.7790572732640
_ERA_RATE = 1.00273781191135448
_ARCSEC_RAD = np.pi / (180.0 * 3600.0)
# rad(Si) per MeV/g: 1 rad = 0.01 J/kg, 1 MeV = 1.602176634e-13 J (SI 2019 exact elementary charge).
RAD_PER_MEV_G = 1.602176634e-13 / 1e-3 / 0.01


def gmst_rad(jd_utc, xp=np):
    """Greenwich mean sidereal time (rad, in [0, 2 pi)) at UTC Julian dates ``jd_utc`` (host, float64): the
    angle from the mean equinox of date to the Greenwich meridian, which turns the frames the engine propagates in
    (mean of date for circular fleets, TEME for SGP4) into Earth-fixed ones."""
    days = xp.asarray(jd_utc, dtype=float) - J2000_JD
    era = TWO_PI * xp.mod(_ERA_AT_J2000 + _ERA_RATE * days, 1.0)
    century = days / 36525.0
    precession = (0.014506 + 4612.156534 * century + 1.3915817 * century**2) * _ARCSEC_RAD
    return xp.mod(era + precession, TWO_PI)


class TrappedGrid(NamedTuple):
    """Natural-log integral flux on a latitude x longitude x altitude grid, one row of channels per node.

    Latitude nodes are uniform from ``lat0_rad`` by ``dlat_rad``; longitude nodes uniform from 0 by ``dlon_rad``
    with the first column repeated after the last (so the cell east of the last node needs no wrap); altitudes
    are the (non-uniform) ``altitude_km`` nodes. Rows are ordered (lat, lon, alt). Natural logs, so that the hot
    loop takes ``exp`` (XLA's CPU ``pow`` with a traced exponent costs ~5x more)."""

    lat0_rad: object
    dlat_rad: object
    dlon_rad: object
    n_lat: int
    n_lon: int  # columns stored, the repeated one included
    altitude_km: object  # (n_alt,)
    ln_flux: object  # (n_lat * n_lon * n_alt, channels)


def _cell(position, n_nodes):
    """Lower node index and weight of a fractional node position, clamped to the grid."""
    position = jnp.clip(position, 0.0, n_nodes - 1.0)
    index = jnp.minimum(jnp.floor(position), n_nodes - 2.0)
    return index.astype(jnp.int32), position - index


def altitude_cell(grid: TrappedGrid, altitude_km):
    """(node index, weight) of an altitude between the table's altitude nodes (clamped at the ends)."""
    n_alt = grid.altitude_km.shape[0]
    return _cell(jnp.interp(altitude_km, grid.altitude_km, jnp.arange(n_alt, dtype=grid.altitude_km.dtype)), n_alt)


def ln_flux_in_layer(grid: TrappedGrid, lat_rad, lon_rad, altitude_index, altitude_weight):
    """(channels,) natural-log integral flux at one point, trilinear in latitude, longitude and altitude (log
    flux: the belts' fluxes change by decades across a cell), the altitude cell given (circular orbits keep it
    for a whole chunk)."""
    n_alt = grid.altitude_km.shape[0]
    i, wi = _cell((lat_rad - grid.lat0_rad) / grid.dlat_rad, grid.n_lat)
    j, wj = _cell(jnp.mod(lon_rad, TWO_PI) / grid.dlon_rad, grid.n_lon)
    base = (i * grid.n_lon + j) * n_alt + altitude_index
    total = 0.0
    for di, fi in ((0, 1.0 - wi), (1, wi)):
        for dj, fj in ((0, 1.0 - wj), (1, wj)):
            row = base + (di * grid.n_lon + dj) * n_alt
            total = total + (fi * fj) * (
                (1.0 - altitude_weight) * grid.ln_flux[row] + altitude_weight * grid.ln_flux[row + 1]
            )
    return total


def ln_flux(grid: TrappedGrid, lat_rad, lon_rad, altitude_km):
    """(channels,) natural-log integral flux at one Earth-fixed point (geocentric latitude, longitude, altitude
    above the equatorial radius). Outside the altitude nodes the nearest node's flux is used; callers check
    altitudes at the boundary."""
    return ln_flux_in_layer(grid, lat_rad, lon_rad, *altitude_cell(grid, altitude_km))


def earth_fixed_circular(element, seconds, earth_angle0):
    """(geocentric latitude rad, Earth-fixed longitude rad, altitude km) of one circular orbit ``seconds`` after
    its elements' instant, at which Greenwich's sidereal angle was ``earth_angle0``. The node's Earth-fixed
    longitude turns at (RAAN rate - Earth's rotation); r is never formed in the inertial frame."""
    u = element.arg_latitude_rad + element.arg_latitude_rate_rad_s * seconds
    node = element.raan_rad - earth_angle0 + (element.raan_rate_rad_s - EARTH_ROTATION_RAD_S) * seconds
    sin_u, cos_u = jnp.sin(u), jnp.cos(u)
    sin_n, cos_n = jnp.sin(node), jnp.cos(node)
    cos_i, sin_i = jnp.cos(element.inclination_rad), jnp.sin(element.inclination_rad)
    x = cos_u * cos_n - sin_u * cos_i * sin_n
    y = cos_u * sin_n + sin_u * cos_i * cos_n
    z = jnp.clip(sin_u * sin_i, -1.0, 1.0)
    return jnp.arcsin(z), jnp.arctan2(y, x), element.semi_major_axis_km - EARTH_RADIUS_KM


def earth_fixed_vector(position_km, earth_angle):
    """(latitude rad, longitude rad, altitude km) of an inertial (mean-of-date or TEME) position at sidereal
    angle ``earth_angle``; the altitude is above the equatorial radius, like the table's."""
    cos_a, sin_a = jnp.cos(earth_angle), jnp.sin(earth_angle)
    x = cos_a * position_km[0] + sin_a * position_km[1]
    y = cos_a * position_km[1] - sin_a * position_km[0]
    radius = jnp.sqrt(jnp.sum(position_km**2))
    return jnp.arcsin(jnp.clip(position_km[2] / radius, -1.0, 1.0)), jnp.arctan2(y, x), radius - EARTH_RADIUS_KM


# --- running statistics over the engine's chunks ----------------------------------------------------------------
class RadiationState(NamedTuple):
    flux_sum: object  # (sat, channels) sum over valid steps of the integral flux, cm^-2 s^-1
    saa_steps: object  # (sat,) steps with the anomaly channel's flux above the threshold


def init(n_sat: int, n_channels: int, dtype) -> RadiationState:
    return RadiationState(jnp.zeros((n_sat, n_channels), dtype), jnp.zeros((n_sat,), jnp.int32))


def _fold(state: RadiationState, ln_flux_now, valid, saa_channel, ln_saa_threshold):
    """Fold one instant's (sat, channels) log flux."""
    flux = jnp.where(valid, jnp.exp(ln_flux_now), 0.0)
    in_saa = (ln_flux_now[:, saa_channel] > ln_saa_threshold) & valid
    return RadiationState(state.flux_sum + flux, state.saa_steps + in_saa.astype(jnp.int32))


def update_circular(state, grid, saa_channel: int, ln_saa_threshold, elements, dt_s, earth_angle0, valid):
    """Fold a chunk of a circular fleet: ``elements`` (sat,) at the chunk's first step, ``dt_s`` (time,) seconds
    after it, ``earth_angle0`` the sidereal angle then; the geometry runs inside the time scan, so no (time, sat)
    array is stored. A circular orbit's altitude cell is found once per chunk."""
    cells = altitude_cell(grid, elements.semi_major_axis_km - EARTH_RADIUS_KM)

    def one(element, cell, seconds):
        lat, lon, _ = earth_fixed_circular(element, seconds, earth_angle0)
        return ln_flux_in_layer(grid, lat, lon, *cell)

    def body(carry, inputs):
        seconds, keep = inputs
        now = jax.vmap(one, in_axes=(0, 0, None))(elements, cells, seconds)
        return _fold(carry, now, keep, saa_channel, ln_saa_threshold), None

    return lax.scan(body, state, (dt_s, valid))[0]


def update_vector(state, grid, saa_channel: int, ln_saa_threshold, position_km, dt_s, earth_angle0, valid):
    """Fold a chunk of (sat, time, 3) inertial positions (SGP4 fleets)."""

    def one(position, angle):
        return ln_flux(grid, *earth_fixed_vector(position, angle))

    def body(carry, inputs):
        positions, seconds, keep = inputs
        angle = earth_angle0 + EARTH_ROTATION_RAD_S * seconds
        now = jax.vmap(one, in_axes=(0, None))(positions, angle)
        return _fold(carry, now, keep, saa_channel, ln_saa_threshold), None

    return lax.scan(body, state, (jnp.swapaxes(position_km, 0, 1), dt_s, valid))[0]


# --- circular fleets: the table cut to the fleet's altitudes -------------------------------------------------------
class TrappedLayers(NamedTuple):
    """The table interpolated in altitude to a few fixed altitude cells (circular orbits keep theirs for a whole
    run), one layer per cell, stored cell-major: row (layer, i, j) holds the channels of the latitude-longitude
    cell's four corner nodes (i, j), (i, j + 1), (i + 1, j), (i + 1, j + 1) side by side, so that a step gathers
    one contiguous row from a table of a few MB instead of eight rows from the whole table."""

    lat0_rad: object
    dlat_rad: object
    dlon_rad: object
    n_lat: int  # latitude nodes (cells: n_lat - 1)
    n_lon: int  # longitude columns, the repeated one included (cells: n_lon - 1)
    corners: object  # (layers * (n_lat - 1) * (n_lon - 1), 4 * channels)


def trapped_layers(grid: TrappedGrid, altitude_index, altitude_weight) -> TrappedLayers:
    """Layers of ``grid`` at the altitude cells ``(altitude_index, altitude_weight)`` (each (layers,), as
    ``altitude_cell`` gives them). The altitude blend is ``ln_flux_in_layer``'s expression, in the same order and
    dtype, so the layers hold the very numbers that path forms per step."""
    n_alt = grid.altitude_km.shape[0]
    nodes = grid.ln_flux.reshape(grid.n_lat, grid.n_lon, n_alt, -1)
    weight = altitude_weight[:, None]
    layer = (1.0 - weight) * nodes[:, :, altitude_index] + weight * nodes[:, :, altitude_index + 1]
    layer = jnp.moveaxis(layer, 2, 0)  # (layers, lat, lon, channels)
    corners = jnp.concatenate([layer[:, :-1, :-1], layer[:, :-1, 1:], layer[:, 1:, :-1], layer[:, 1:, 1:]], axis=-1)
    return TrappedLayers(
        grid.lat0_rad, grid.dlat_rad, grid.dlon_rad, grid.n_lat, grid.n_lon, corners.reshape(-1, corners.shape[-1])
    )


def layer_cell(layers: TrappedLayers, layer_index, lat_rad, lon_rad):
    """(row of ``layers.corners``, (4,) corner weights) of one point of layer ``layer_index``: the weights of
    ``ln_flux_in_layer``'s bilinear sum, corner by corner in its order."""
    i, wi = _cell((lat_rad - layers.lat0_rad) / layers.dlat_rad, layers.n_lat)
    j, wj = _cell(jnp.mod(lon_rad, TWO_PI) / layers.dlon_rad, layers.n_lon)
    row = (layer_index * (layers.n_lat - 1) + i) * (layers.n_lon - 1) + j
    return row, jnp.stack([(1.0 - wi) * (1.0 - wj), (1.0 - wi) * wj, wi * (1.0 - wj), wi * wj])


def ln_flux_at_cells(layers: TrappedLayers, row, weights):
    """(..., channels) natural-log integral flux from ``layer_cell``'s rows and weights (any leading shape)."""
    # In bounds by construction (_cell clamps i, j to the cells; layer indices come from the same run's layers):
    # a bare gather, without jnp indexing's clamping and negative-index wrap in the hot loop.
    width = layers.corners.shape[-1]
    dims = lax.GatherDimensionNumbers(offset_dims=(row.ndim,), collapsed_slice_dims=(0,), start_index_map=(0,))
    corners = lax.gather(
        layers.corners, row[..., None], dims, slice_sizes=(1, width), mode=lax.GatherScatterMode.PROMISE_IN_BOUNDS
    )
    corners = corners.reshape(corners.shape[:-1] + (4, -1))
    total = 0.0
    for corner in range(4):
        total = total + weights[..., corner, None] * corners[..., corner, :]
    return total


def ln_flux_in_layers(layers: TrappedLayers, layer_index, lat_rad, lon_rad):
    """(channels,) natural-log integral flux at one point of layer ``layer_index``."""
    return ln_flux_at_cells(layers, *layer_cell(layers, layer_index, lat_rad, lon_rad))


class CircularTrack(NamedTuple):
    """What the Earth-fixed geometry of one circular orbit needs per step, formed once per chunk."""

    arg_latitude_rad: object
    arg_latitude_rate_rad_s: object
    node_rad: object  # the node's Earth-fixed longitude at the chunk's first step
    node_rate_rad_s: object  # RAAN rate - Earth's rotation
    cos_inc: object
    sin_inc: object


def circular_track(element, earth_angle0) -> CircularTrack:
    return CircularTrack(
        element.arg_latitude_rad,
        element.arg_latitude_rate_rad_s,
        element.raan_rad - earth_angle0,
        element.raan_rate_rad_s - EARTH_ROTATION_RAD_S,
        jnp.cos(element.inclination_rad),
        jnp.sin(element.inclination_rad),
    )


def earth_fixed_track(track: CircularTrack, seconds):
    """(geocentric latitude rad, Earth-fixed longitude rad) of ``earth_fixed_circular``, with the hot loop's
    trigonometry: sin and cos together (``orbital.core.trig``) and a polynomial atan2
    (``orbital.core.arctan``), latitude as atan2(z, sqrt(x^2 + y^2)) = asin z. Agrees with it to a few ulps."""
    sin_u, cos_u = sincos(track.arg_latitude_rad + track.arg_latitude_rate_rad_s * seconds)
    sin_n, cos_n = sincos(track.node_rad + track.node_rate_rad_s * seconds)
    x = cos_u * cos_n - sin_u * track.cos_inc * sin_n
    y = cos_u * sin_n + sin_u * track.cos_inc * cos_n
    z = sin_u * track.sin_inc
    return arctan2(z, jnp.sqrt(x * x + y * y)), arctan2(y, x)


def update_circular_layers(
    state, layers: TrappedLayers, saa_channel: int, ln_saa_threshold, elements, layer_index, dt_s, earth_angle0, valid
):
    """``update_circular`` on a fleet whose altitude cells are ``layers``: satellite s reads layer
    ``layer_index[s]``. The same statistics, to the ulps of the hot loop's trigonometry (docs/radiation.md,
    Benchmark)."""
    tracks = jax.vmap(circular_track, in_axes=(0, None))(elements, earth_angle0)

    def one(track, layer, seconds):
        return ln_flux_in_layers(layers, layer, *earth_fixed_track(track, seconds))

    def body(carry, inputs):
        seconds, keep = inputs
        now = jax.vmap(one, in_axes=(0, 0, None))(tracks, layer_index, seconds)
        return _fold(carry, now, keep, saa_channel, ln_saa_threshold), None

    return lax.scan(body, state, (dt_s, valid))[0]


# --- circular fleets: the window mean on the torus of argument of latitude and node longitude -----------------------
# On a uniform time grid a circular orbit's argument of latitude u and its node's Earth-fixed longitude L both
# advance by fixed angles a step, (a, b), the same for every satellite of one track class (altitude cell,
# inclination and rates: a Walker or sun-synchronous shell). The flux at step k is G(u0 + k a, L0 + k b) for one
# function G of the class on the torus, so the K-step mean is a filter of G's Fourier series: each mode
# exp(i (p u + q L)) is multiplied by the mean of its phase over the steps, D_K(p a + q b). Filtering G sampled on a
# torus grid gives the window mean for every start (u0, L0) at once; a satellite reads it at its own start.


def dirichlet_mean(theta_rad, n_steps):
    """(1/K) sum_{k<K} exp(i k theta): the mean over K steps of a Fourier mode whose phase advances ``theta_rad`` a
    step. Closed form exp(i (K - 1) t / 2) sin(K t / 2) / (K sin(t / 2)) on t = theta wrapped to [-pi, pi) (the sum
    is 2 pi-periodic in theta, which is how steps alias modes faster than a step resolves); where K |t| < 1e-3 the
    quotient is 0/0-prone and its series 1 - (K^2 - 1) t^2 / 24 is used (next term ~(K t)^4 / 1920 < 1e-15). Both
    branches are where-safe, so gradients stay finite."""
    theta_rad = jnp.asarray(theta_rad)
    n_steps = jnp.asarray(n_steps, theta_rad.dtype)
    wrapped = theta_rad - TWO_PI * jnp.round(theta_rad / TWO_PI)
    small = jnp.abs(wrapped) * n_steps < 1e-3
    safe = jnp.where(small, 1.0, wrapped)
    quotient = jnp.sin(0.5 * n_steps * safe) / (n_steps * jnp.sin(0.5 * safe))
    series = 1.0 - (n_steps * n_steps - 1.0) * wrapped * wrapped / 24.0
    magnitude = jnp.where(small, series, quotient)
    phase = 0.5 * (n_steps - 1.0) * wrapped
    return lax.complex(magnitude * jnp.cos(phase), magnitude * jnp.sin(phase))


def torus_cells(layers: TrappedLayers, layer_index, inclination_rad, n_u: int, n_node: int):
    """(rows, (n_u * n_node, 4) corner weights) of ``layer_cell`` at every node u = 2 pi j / n_u, L = 2 pi l / n_node
    of one track class's torus (u-major), through the layers path's geometry (``earth_fixed_track``), so that the
    nodes hold the numbers a satellite there would fold."""
    dtype = layers.corners.dtype
    u = jnp.arange(n_u, dtype=dtype) * (TWO_PI / n_u)
    node = jnp.arange(n_node, dtype=dtype) * (TWO_PI / n_node)
    u, node = (x.reshape(-1) for x in jnp.meshgrid(u, node, indexing="ij"))
    zero = jnp.zeros((), dtype)
    track = CircularTrack(u, zero, node, zero, jnp.cos(inclination_rad), jnp.sin(inclination_rad))
    lat, lon = earth_fixed_track(track, zero)
    return jax.vmap(layer_cell, in_axes=(None, None, 0, 0))(layers, layer_index, lat, lon)


def torus_field_from_ln_flux(ln_flux_nodes, saa_channel: int, ln_saa_threshold, n_u: int, n_node: int):
    """(channels + 1, n_u, n_node) from the (n_u * n_node, channels) log fluxes of the torus nodes: every channel's
    integral flux, then the anomaly indicator (1 where the anomaly channel's log flux is above the threshold, as a
    step counts)."""
    channel_major = ln_flux_nodes.T  # exp over (channels, nodes) vectorises; over (nodes, 24) it does not
    inside = (channel_major[saa_channel] > ln_saa_threshold).astype(ln_flux_nodes.dtype)
    return jnp.concatenate([jnp.exp(channel_major), inside[None]], axis=0).reshape(-1, n_u, n_node)


def _half_turns(frequencies, step_rad, n_steps):
    """(exp(i x), exp(i K x)) with x = (frequency x step mod 2 pi) / 2, per frequency: the half phase a mode advances
    in one step and in K steps."""
    half = 0.5 * jnp.mod(frequencies * step_rad, TWO_PI)
    return lax.complex(jnp.cos(half), jnp.sin(half)), lax.complex(jnp.cos(n_steps * half), jnp.sin(n_steps * half))


def torus_gain(n_u: int, n_node: int, u_step_rad, node_step_rad, n_steps, dtype):
    """(n_u, n_node // 2 + 1) ``dirichlet_mean`` of every mode of a real FFT over the torus grid (rows: FFT order
    in u; columns: the non-negative frequencies in L), the phase a step advancing mode (p, q) by
    p u_step + q node_step. Built from per-axis half-turns, so that a grid costs two rows of sines and cosines:
    with x the half phase, D = exp(i (K - 1) x) sin(K x) / (K sin x), exp(i x) and exp(i K x) being products of
    the axes' (any branch of x gives the same D); where K |sin x| < 1e-3 (x near a multiple of pi, modes the steps
    do not separate) the quotient is its series (-1)^((K - 1) m) (1 - (K^2 - 1) sin^2 x / 6), where-safe. An even
    grid's Nyquist mode stands for +n/2 and -n/2 alike (the symmetric interpolant splits it between them), so its
    gain is the mean of both."""
    n_steps = jnp.asarray(n_steps, dtype)
    u_step_rad = jnp.asarray(u_step_rad, dtype)
    node_step_rad = jnp.asarray(node_step_rad, dtype)
    gain = 0.0
    p_pair = _signed_frequencies(n_u, False, dtype)
    q_pair = _signed_frequencies(n_node, True, dtype)
    for p in p_pair:
        one_u, all_u = _half_turns(p, u_step_rad, n_steps)
        for q in q_pair:
            one_node, all_node = _half_turns(q, node_step_rad, n_steps)
            one = one_u[:, None] * one_node[None, :]
            whole = all_u[:, None] * all_node[None, :]
            sin_one, sin_whole = jnp.imag(one), jnp.imag(whole)
            small = n_steps * jnp.abs(sin_one) < 1e-3
            quotient = sin_whole / (n_steps * jnp.where(small, 1.0, sin_one))
            sign = jnp.where(jnp.real(whole) >= 0.0, 1.0, -1.0) * jnp.where(jnp.real(one) >= 0.0, 1.0, -1.0)
            series = sign * (1.0 - (n_steps * n_steps - 1.0) * sin_one * sin_one / 6.0)
            magnitude = jnp.where(small, series, quotient)
            gain = gain + (whole * jnp.conj(one)) * magnitude.astype(one.dtype)
    return gain / 4.0


def _signed_frequencies(n: int, real: bool, dtype):
    """(frequencies, the same with the Nyquist one negated) of an n-point FFT axis (``real``: rfft's)."""
    frequency = (jnp.fft.rfftfreq(n, 1.0 / n) if real else jnp.fft.fftfreq(n, 1.0 / n)).astype(dtype)
    nyquist = jnp.abs(frequency) == n // 2 if n % 2 == 0 else jnp.zeros(frequency.shape, bool)
    return frequency, jnp.where(nyquist, -frequency, frequency)


def torus_filtered(field, gain):
    """(..., n_u, n_node) real ``field`` on a torus grid with every mode of its real FFT (over the last two axes)
    times ``gain`` (``torus_gain``'s layout)."""
    n_u, n_node = field.shape[-2:]
    return jnp.fft.irfft2(jnp.fft.rfft2(field) * gain, s=(n_u, n_node))


def torus_window_mean(field, u_step_rad, node_step_rad, n_steps):
    """(..., n_u, n_node) window mean of a real ``field`` sampled on a torus grid (``torus_cells``' nodes): at each
    node x, the mean of the field's trigonometric interpolant over the K points x + k (u_step, node_step), k < K.
    Exact for the trigonometric polynomials the grid resolves."""
    n_u, n_node = field.shape[-2:]
    return torus_filtered(field, torus_gain(n_u, n_node, u_step_rad, node_step_rad, n_steps, field.dtype))


def _catmull_rom(t):
    """(4,) weights of the nodes -1, 0, 1, 2 at fraction ``t`` of the way from node 0 to node 1 (cubic, exact for
    quadratics, continuous slope)."""
    t2, t3 = t * t, t * t * t
    return jnp.stack(
        [
            0.5 * (-t3 + 2.0 * t2 - t),
            0.5 * (3.0 * t3 - 5.0 * t2 + 2.0),
            0.5 * (-3.0 * t3 + 4.0 * t2 + t),
            0.5 * (t3 - t2),
        ]
    )


def torus_read(means, n_u: int, n_node: int, arg_latitude_rad, node_rad):
    """(channels,) of ``means`` ((n_u * n_node, channels), rows u-major) at one satellite's start (argument of
    latitude, node longitude): Catmull-Rom cubic in each direction, periodic."""
    x = jnp.mod(arg_latitude_rad, TWO_PI) * (n_u / TWO_PI)
    y = jnp.mod(node_rad, TWO_PI) * (n_node / TWO_PI)
    i, j = jnp.floor(x), jnp.floor(y)
    weight_u, weight_node = _catmull_rom(x - i), _catmull_rom(y - j)
    rows_u = jnp.mod(i.astype(jnp.int32) + jnp.arange(-1, 3), n_u) * n_node
    columns = jnp.mod(j.astype(jnp.int32) + jnp.arange(-1, 3), n_node)
    # Tap by tap rather than a (16,) @ (16, channels) product: vmapped, that is a batched matmul of tiny matrices,
    # measured 5x slower on a CPU.
    total = 0.0
    for a in range(4):
        along_node = 0.0
        for b in range(4):
            along_node = along_node + weight_node[b] * means[rows_u[a] + columns[b]]
        total = total + weight_u[a] * along_node
    return total


def torus_means(field, gain):
    """(n_u * n_node, channels + 1) one track class's window means for every start on its torus grid, rows u-major
    as ``torus_read`` takes them, from its field (``torus_field_from_ln_flux``) and ``torus_gain``: mean integral
    flux of each channel, then the share of steps in the anomaly."""
    means = torus_filtered(field, gain)
    return means.reshape(means.shape[0], -1).T


# --- dose and its effects ---------------------------------------------------------------------------------------
def dose_at_thickness(thickness_nodes_mm, dose_nodes_rad_per_yr, thickness_mm):
    """Dose rate rad(Si)/yr behind ``thickness_mm`` of aluminium from a dose-depth table: a monotone cubic in
    log dose (dose falls roughly exponentially with depth), so the derivative in thickness is continuous at the
    table's nodes, where the default shielding sits. Zero-dose nodes are floored at 1e-30 rad/yr."""
    log_dose = jnp.log(jnp.maximum(dose_nodes_rad_per_yr, 1e-30))
    return jnp.exp(monotone_cubic(thickness_nodes_mm, log_dose, thickness_mm))


def gcr_rad_per_yr(free_space_rad_per_yr, equator_share, polar_share, inclination_rad):
    """Galactic cosmic-ray dose in low orbit: the free-space rate times a geomagnetic transmission that rises from
    ``equator_share`` (equatorial orbits, highest cut-off rigidities) to ``polar_share`` as sin^2 of the
    inclination (the share of an orbit spent at high magnetic latitude grows with it). Shielding of a few cm of
    aluminium barely changes GCR dose, so thickness does not enter (a stated assumption)."""
    sin_sq = jnp.sin(inclination_rad) ** 2
    return free_space_rad_per_yr * (equator_share + (polar_share - equator_share) * sin_sq)


def spe_access_share(polar_access, onset_inclination_rad, inclination_rad):
    """Share of the free-space solar-proton fluence an orbit sees: none below ``onset_inclination_rad`` (the
    geomagnetic cut-off keeps solar protons out of low-inclination orbits), rising as sin^2 of the inclination to
    ``polar_access`` at 90 deg (polar-cap passes)."""
    sin_sq = jnp.sin(inclination_rad) ** 2
    onset_sq = jnp.sin(onset_inclination_rad) ** 2
    rising = jnp.clip((sin_sq - onset_sq) / jnp.maximum(1.0 - onset_sq, 1e-9), 0.0, 1.0)
    return polar_access * rising


class RadiationOutcome(NamedTuple):
    """Effects of a dose rate on one satellite's accelerators."""

    dose_rad_per_yr: object  # total: trapped + GCR + solar-particle allowance
    life_limit_yr: object  # years until the derated tolerance is used up
    upsets_per_sat_yr: object  # single-event upsets across the satellite's accelerators
    silent_corruptions_per_sat_yr: object
    availability_loss: object  # share of compute time lost to restarts and recomputation
    life_shortfall_share: object  # share of the design life the dose cuts off (spares / replacement need)


def effects(
    dose_rad_per_yr,
    tolerance_rad,
    design_margin,
    upsets_per_rad_per_chip,
    silent_share,
    chips_per_satellite,
    restart_s,
    recompute_s,
    design_life_yr,
) -> RadiationOutcome:
    """Life, upsets and availability from a dose rate.

    life = tolerance / (margin x dose); upsets = dose x rate per rad x chips; every upset costs a restart and
    every silent corruption (a share of upsets, caught later by checks) also the recomputation since the last
    checkpoint: availability loss = (upsets x restart + silent x recompute) / year, capped at 1; the life
    shortfall is max(0, 1 - life / design life)."""
    dose = jnp.maximum(dose_rad_per_yr, 1e-30)
    life_yr = tolerance_rad / (design_margin * dose)
    upsets = dose_rad_per_yr * upsets_per_rad_per_chip * chips_per_satellite
    silent = silent_share * upsets
    lost_s = upsets * restart_s + silent * recompute_s
    loss = jnp.minimum(lost_s / SECONDS_PER_JULIAN_YEAR, 1.0)
    shortfall = jnp.maximum(1.0 - life_yr / design_life_yr, 0.0)
    return RadiationOutcome(dose_rad_per_yr, life_yr, upsets, silent, loss, shortfall)
