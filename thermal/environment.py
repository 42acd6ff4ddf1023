"""The radiator's surroundings: the ``**environment`` keywords of the public functions, and Earth view factors.

Every public function that takes ``**environment`` accepts the fields of ``RadiatorEnvironment`` as keywords,
plus ``earth_temperature_k`` (a black-body Earth: earth_ir_w_m2 = sigma T^4, the Starcloud white paper's
convention) and ``environment`` (a ready-made ``RadiatorEnvironment``, which the other keywords then override).
Giving no environment at all means deep space: a 0 K sink, no Sun, no Earth.
"""

from __future__ import annotations

import dataclasses
import math

import jax

from thermal import core
from thermal.constants import EARTH_MEAN_RADIUS_KM, STEFAN_BOLTZMANN_W_M2_K4
from thermal.core import RadiatorEnvironment
from thermal.validation import ParameterSpec, checked, parameter_specs

# The keywords' units and ranges are RadiatorEnvironment's declarations, plus a black-body Earth's temperature.
_FIELD_SPECS = {
    **parameter_specs(RadiatorEnvironment),
    "earth_temperature_k": ParameterSpec(unit="K", low=0.0, low_open=True, doc="black-body temperature of the Earth"),
}
ENVIRONMENT_KEYWORDS = (
    *(field.name for field in dataclasses.fields(RadiatorEnvironment)),
    "earth_temperature_k",
    "environment",
)


def make_environment(keywords: dict) -> RadiatorEnvironment:
    """Build a validated ``RadiatorEnvironment`` from the ``**environment`` keywords of a public function."""
    unknown = sorted(set(keywords) - set(ENVIRONMENT_KEYWORDS))
    if unknown:
        raise TypeError(
            f"unknown environment argument(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(sorted(ENVIRONMENT_KEYWORDS))}"
        )
    keywords = dict(keywords)
    base = keywords.pop("environment", None)
    if base is not None and not isinstance(base, RadiatorEnvironment):
        raise TypeError(f"environment: expected a thermal.RadiatorEnvironment, got {type(base).__name__}")
    if "earth_temperature_k" in keywords:
        if "earth_ir_w_m2" in keywords:
            raise TypeError("give earth_ir_w_m2 or earth_temperature_k, not both")
        temperature = _checked_field("earth_temperature_k", keywords.pop("earth_temperature_k"))
        keywords["earth_ir_w_m2"] = STEFAN_BOLTZMANN_W_M2_K4 * temperature**4
    sees_something = "sun_view_factor" in keywords or "earth_view_factor" in keywords
    if base is None and sees_something and "solar_absorptivity" not in keywords:
        raise TypeError(
            "solar_absorptivity is required when the radiator sees the Sun or the Earth "
            "(sun_view_factor or earth_view_factor given): there is no safe default coating"
        )
    values = {
        name: (None if name == "ir_absorptivity" and value is None else _checked_field(name, value))
        for name, value in keywords.items()
    }
    environment = base if base is not None else RadiatorEnvironment()
    if base is not None:
        # A ready-made environment is checked too: it may have been built by hand.
        check_environment(base)
    return dataclasses.replace(environment, **values)


def _checked_field(name, value):
    spec = _FIELD_SPECS[name]
    return checked(
        name,
        value,
        spec.low,
        spec.high,
        low_open=spec.low_open,
        high_open=spec.high_open,
        unit=spec.unit,
        unit_label=spec.unit,
    )


def check_environment(environment: RadiatorEnvironment) -> RadiatorEnvironment:
    for field in dataclasses.fields(environment):
        value = getattr(environment, field.name)
        if value is not None:
            _checked_field(field.name, value)
    return environment


_radiator_view_factor = jax.jit(core.radiator_earth_view_factor)
_plate_view_factor = jax.jit(core.plate_earth_view_factor)
_ORIENTATIONS = {"nadir": 0.0, "edge_on": math.pi / 2, "zenith": math.pi}


def earth_view_factor(altitude_km, orientation="nadir", sides=2, *, earth_radius_km=EARTH_MEAN_RADIUS_KM):
    """View factor from a flat radiator plate to the Earth, summed over its radiating faces.

    ``orientation``: ``"nadir"`` (the first face looks straight down; its back face sees no Earth),
    ``"edge_on"`` (a vertical plate: both faces look at the horizon, each sees (beta - sin beta cos beta)/pi),
    ``"zenith"`` (the first face looks straight up), or the tilt in radians of the first face's normal from
    nadir (a number, an array or an angle Quantity). With ``sides=2`` the back face (tilt pi - t) is added.
    The result is what the ``earth_view_factor`` keyword of the radiator functions expects for the same
    ``sides``. Returns a jax array.
    """
    altitude_km = checked(
        "altitude_km", altitude_km, 0.0, math.inf, low_open=True, high_open=True, unit="km", unit_label="km"
    )
    earth_radius_km = checked(
        "earth_radius_km", earth_radius_km, 0.0, math.inf, low_open=True, high_open=True, unit="km", unit_label="km"
    )
    sides = checked("sides", sides, 0.0, 2.0, low_open=True)
    if isinstance(orientation, str):
        if orientation not in _ORIENTATIONS:
            raise ValueError(
                f"orientation={orientation!r} is not one of {', '.join(map(repr, _ORIENTATIONS))} "
                "or a tilt from nadir in radians"
            )
        tilt_rad = _ORIENTATIONS[orientation]
    else:
        tilt_rad = checked("orientation", orientation, 0.0, math.pi, unit="rad", unit_label="rad")
    return _radiator_view_factor(altitude_km, tilt_rad, sides, earth_radius_km)


def plate_earth_view_factor(altitude_km, tilt_rad, *, earth_radius_km=EARTH_MEAN_RADIUS_KM):
    """View factor from ONE face of a plate whose normal is ``tilt_rad`` from nadir to the Earth."""
    altitude_km = checked(
        "altitude_km", altitude_km, 0.0, math.inf, low_open=True, high_open=True, unit="km", unit_label="km"
    )
    earth_radius_km = checked(
        "earth_radius_km", earth_radius_km, 0.0, math.inf, low_open=True, high_open=True, unit="km", unit_label="km"
    )
    tilt_rad = checked("tilt_rad", tilt_rad, 0.0, math.pi, unit="rad", unit_label="rad")
    return _plate_view_factor(altitude_km, tilt_rad, earth_radius_km)


__all__ = [
    "ENVIRONMENT_KEYWORDS",
    "RadiatorEnvironment",
    "earth_view_factor",
    "make_environment",
    "plate_earth_view_factor",
]
