"""Free-space optical crosslinks between neighbours of a cluster: Gaussian-beam link budget, pure JAX.

Units: m, W, s, rad, bit/s. One link at a time (vmap or broadcast for more).

- The transmitter launches a Gaussian beam (Siegman, Lasers, 1986, ch. 17) with its waist at the aperture,
  ``w0 = D / (2 alpha)`` (``alpha`` the truncation ratio, aperture radius over waist) and beam quality ``M^2``;
  the aperture passes ``1 - exp(-2 alpha^2)`` of the power (the side lobes of the truncation are neglected).
- Radius at distance ``d``: ``w(d) = w0 sqrt(1 + (d / z_R)^2)``, Rayleigh range ``z_R = pi w0^2 / (M^2 lambda)``,
  far-field half-angle divergence ``theta = M^2 lambda / (pi w0)``.
- A centred receive aperture of radius ``a_r`` captures ``1 - exp(-2 a_r^2 / w(d)^2)`` of the beam: the whole
  aperture-limited beam in the near field (``d << z_R``, saturation), ``2 a_r^2 / (theta d)^2`` in the far field
  (the 1/d^2 law).
- Pointing jitter: a Gaussian pointing error of ``sigma`` rad per axis displaces the beam by ``d x error``; the
  mean relative intensity at a Rayleigh-distributed offset is ``w^2 / (w^2 + 4 sigma^2 d^2)`` (the average of
  ``exp(-2 r^2 / w^2)``), ``theta^2 / (theta^2 + 4 sigma^2)`` in the far field.
- Data rate: photon-counting receiver sensitivity ``N`` photons per bit, photon energy ``h c / lambda``; DWDM
  channels share the power equally and each is capped at the transceiver's rate, so the link carries
  ``min(P_r / (N h c / lambda), channels x channel rate)``.
"""

from typing import NamedTuple

import jax.numpy as jnp

# CODATA 2018 (exact in the 2019 SI): Planck constant and the speed of light in vacuum.
PLANCK_J_S = 6.62607015e-34
SPEED_OF_LIGHT_M_S = 299792458.0


class Terminal(NamedTuple):
    """An optical terminal's link parameters (the same terminal at both ends of a link)."""

    aperture_diameter_m: object
    wavelength_m: object
    truncation_ratio: object  # aperture radius / beam waist radius
    beam_quality_m2: object
    transmit_power_w: object  # optical power launched, all channels
    optical_efficiency: object  # transmit and receive optics together
    pointing_jitter_rad: object  # rms per axis
    photons_per_bit: object
    channels: object
    channel_rate_bps: object


def waist_m(terminal: Terminal):
    return 0.5 * terminal.aperture_diameter_m / terminal.truncation_ratio


def rayleigh_range_m(terminal: Terminal):
    return jnp.pi * waist_m(terminal) ** 2 / (terminal.beam_quality_m2 * terminal.wavelength_m)


def divergence_rad(terminal: Terminal):
    """Far-field half-angle (1/e^2 intensity) divergence."""
    return terminal.beam_quality_m2 * terminal.wavelength_m / (jnp.pi * waist_m(terminal))


def beam_radius_m(terminal: Terminal, distance_m):
    return waist_m(terminal) * jnp.sqrt(1.0 + (distance_m / rayleigh_range_m(terminal)) ** 2)


def launched_fraction(terminal: Terminal):
    """Share of the beam the transmit aperture passes."""
    return -jnp.expm1(-2.0 * terminal.truncation_ratio**2)


def pointing_factor(terminal: Terminal, distance_m):
    w2 = beam_radius_m(terminal, distance_m) ** 2
    return w2 / (w2 + 4.0 * (terminal.pointing_jitter_rad * distance_m) ** 2)


def throughput(terminal: Terminal):
    """Received over transmitted power before geometry and pointing: optics and aperture truncation."""
    return terminal.optical_efficiency * launched_fraction(terminal)


def received_power_w(terminal: Terminal, distance_m):
    """Mean received optical power (W) at ``distance_m``, near and far field alike."""
    a_r = 0.5 * terminal.aperture_diameter_m
    capture = -jnp.expm1(-2.0 * a_r**2 / beam_radius_m(terminal, distance_m) ** 2)
    return terminal.transmit_power_w * throughput(terminal) * capture * pointing_factor(terminal, distance_m)


def far_field_power_w(terminal: Terminal, distance_m):
    """The closed-form far-field limit ``P_t eta 2 a_r^2 / (theta d)^2`` times the far-field pointing factor."""
    theta = divergence_rad(terminal)
    a_r = 0.5 * terminal.aperture_diameter_m
    jitter = theta**2 / (theta**2 + 4.0 * terminal.pointing_jitter_rad**2)
    return terminal.transmit_power_w * throughput(terminal) * 2.0 * a_r**2 / (theta * distance_m) ** 2 * jitter


def near_field_power_w(terminal: Terminal):
    """The saturation level at short range: transmit power times the throughput and the capture of the waist."""
    alpha = terminal.truncation_ratio
    return terminal.transmit_power_w * throughput(terminal) * -jnp.expm1(-2.0 * alpha**2)


def photon_energy_j(wavelength_m):
    return PLANCK_J_S * SPEED_OF_LIGHT_M_S / wavelength_m


def power_limited_rate_bps(terminal: Terminal, distance_m):
    """What the received power supports at the receiver's sensitivity, uncapped."""
    energy_per_bit = terminal.photons_per_bit * photon_energy_j(terminal.wavelength_m)
    return received_power_w(terminal, distance_m) / energy_per_bit


def capped_rate_bps(terminal: Terminal):
    return terminal.channels * terminal.channel_rate_bps


def data_rate_bps(terminal: Terminal, distance_m):
    """One-way data rate (bit/s) of a link: the power-limited rate, capped by channels x channel rate."""
    return jnp.minimum(power_limited_rate_bps(terminal, distance_m), capped_rate_bps(terminal))


# Lattice bandwidth ---------------------------------------------------------------------------------------------


def cut_bandwidth_bps(rates_bps, pairs, side):
    """One-way capacity (..., ) across a cut: the sum of the rates (..., pair) of the pairs whose ends lie on
    different sides; ``side`` (member,) booleans."""
    crossing = side[pairs[:, 0]] != side[pairs[:, 1]]
    return jnp.sum(jnp.where(crossing, rates_bps, 0.0), axis=-1)


def bisection_bandwidth_bps(rates_bps, pairs, sides):
    """Least capacity over the candidate bisections ``sides`` (cut, member): (...,)."""
    per_cut = jnp.stack([cut_bandwidth_bps(rates_bps, pairs, s) for s in sides], axis=-1)
    return jnp.min(per_cut, axis=-1)


def injection_bandwidth_bps(rates_bps, pairs, n_members: int):
    """Per member (..., member): the sum of the rates of its links, what it can send into the lattice at once."""
    incidence = jnp.zeros((pairs.shape[0], n_members), rates_bps.dtype)
    rows = jnp.arange(pairs.shape[0])
    incidence = incidence.at[rows, pairs[:, 0]].set(1.0).at[rows, pairs[:, 1]].set(1.0)
    return rates_bps @ incidence
