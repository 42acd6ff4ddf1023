"""What a radiator plate absorbs besides its own heat: its surroundings (Sun, albedo, Earth IR) and the optical
properties of its coating as it ages."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp

from thermal.constants import EARTH_ALBEDO, EARTH_IR_W_M2, SOLAR_CONSTANT_W_M2
from thermal.validation import check_parameters, parameter


class RadiatorEnvironment(eqx.Module):
    """What a radiator plate absorbs besides its own heat (a pytree: every field may be a traced array).

    The defaults are deep space (a 0 K sink): the plate sees neither the Sun nor the Earth. The Earth's
    properties default to global means so that setting only ``earth_view_factor`` gives a sensible Earth load;
    ``solar_absorptivity`` must be set whenever the plate sees the Sun or the sunlit Earth.

    ``ir_absorptivity`` ``None`` means equal to the emissivity (Kirchhoff's law for a grey surface at similar
    wavelengths), the physically consistent default. The albedo load is alpha_s * S * albedo * F_E (the
    sub-solar, worst-case form, scaled by the illuminated fraction in the transient); the Earth IR load is
    alpha_IR * earth_ir_w_m2 * F_E (a black-body Earth at T_E has earth_ir_w_m2 = sigma T_E^4).
    """

    solar_flux_w_m2: object = parameter(
        SOLAR_CONSTANT_W_M2,
        unit="W/m2",
        low=0.0,
        high_open=True,
        doc="direct solar irradiance S at the satellite (1361 W/m^2 at 1 AU)",
    )
    solar_absorptivity: object = parameter(
        0.0, low=0.0, high=1.0, doc="alpha of the coating for sunlight (also applied to the albedo, which is sunlight)"
    )
    ir_absorptivity: object | None = parameter(
        None, low=0.0, high=1.0, doc="absorptivity for the Earth's infrared; None: equal to the emissivity"
    )
    sun_view_factor: object = parameter(
        0.0,
        low=0.0,
        high=1.0,
        doc="cosine of the Sun's incidence angle on the lit face: 0 edge-on to the Sun, 1 face-on (one face only)",
    )
    earth_view_factor: object = parameter(
        0.0,
        low=0.0,
        high=1.0,
        doc="view factor from the plate to the Earth, summed over the radiating faces (per m^2 of plate); see "
        "plate_earth_view_factor",
    )
    albedo: object = parameter(EARTH_ALBEDO, low=0.0, high=1.0, doc="Earth's Bond albedo")
    earth_ir_w_m2: object = parameter(
        EARTH_IR_W_M2,
        unit="W/m2",
        low=0.0,
        high_open=True,
        doc="Earth's outgoing long-wave flux at the top of the atmosphere",
    )

    def __check_init__(self):
        check_parameters(self)


def ir_absorptivity_or_emissivity(environment: RadiatorEnvironment, emissivity):
    return emissivity if environment.ir_absorptivity is None else environment.ir_absorptivity


def coating_at(coating, age_years):
    """(alpha, epsilon) of a coating (any object with alpha_bol, epsilon_bol, alpha_per_year, epsilon_per_year)
    after ``age_years``: linear drift, clipped to alpha in [0, 1] and epsilon in [1e-6, 1]."""
    # Clipping (not a hard where) keeps gradients finite: zero outside the range, one inside.
    alpha = jnp.clip(coating.alpha_bol + coating.alpha_per_year * age_years, 0.0, 1.0)
    epsilon = jnp.clip(coating.epsilon_bol + coating.epsilon_per_year * age_years, 1e-6, 1.0)
    return alpha, epsilon
