"""Radiator thermal budgets: heat balance, area and temperature, Earth view factors, coatings, heat pumps and
eclipse transients. Pure JAX kernels (``thermal.core``) behind a unit-aware API; see docs/thermal.md."""

from thermal.coating import Coating
from thermal.constants import (
    ALUMINIUM_SPECIFIC_HEAT_J_KG_K,
    EARTH_ALBEDO,
    EARTH_IR_W_M2,
    EARTH_MEAN_RADIUS_KM,
    SOLAR_CONSTANT_W_M2,
    STEFAN_BOLTZMANN_W_M2_K4,
)
from thermal.core import HeatPump, RadiatorEnvironment, TransientParams, TransientState
from thermal.environment import earth_view_factor, plate_earth_view_factor
from thermal.heat_pump import heat_pump
from thermal.radiator import (
    RadiatorSizing,
    absorbed_flux_w_m2,
    net_flux_w_m2,
    radiator_area_m2,
    radiator_temperature_k,
    size_radiator,
)
from thermal.transient import (
    Transient,
    TransientResult,
    radiator_transient,
    transient_extremes,
    transient_init,
    transient_params,
    transient_step,
)

__all__ = [
    "ALUMINIUM_SPECIFIC_HEAT_J_KG_K",
    "EARTH_ALBEDO",
    "EARTH_IR_W_M2",
    "EARTH_MEAN_RADIUS_KM",
    "SOLAR_CONSTANT_W_M2",
    "STEFAN_BOLTZMANN_W_M2_K4",
    "Coating",
    "HeatPump",
    "RadiatorEnvironment",
    "RadiatorSizing",
    "Transient",
    "TransientParams",
    "TransientResult",
    "TransientState",
    "absorbed_flux_w_m2",
    "earth_view_factor",
    "heat_pump",
    "net_flux_w_m2",
    "plate_earth_view_factor",
    "radiator_area_m2",
    "radiator_temperature_k",
    "radiator_transient",
    "size_radiator",
    "transient_extremes",
    "transient_init",
    "transient_params",
    "transient_step",
]
