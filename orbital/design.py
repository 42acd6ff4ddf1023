"""Satellite design: power, battery, radiator and mass assumptions, and the mass roll-up to kW per tonne.

A ``SatelliteDesign`` is a frozen pytree of numbers (every field can be traced, so budgets are differentiable
with respect to every design input); invariants are checked at construction for concrete values. The roll-up
makes "kW per tonne" an output of stated subsystem assumptions: ``SatelliteDesign.ai1()`` gives ~70 kW/t
(SpaceX's AI1 quote), ``SatelliteDesign.filing_100kw_per_t()`` ~100 kW/t (SpaceX FCC filing), each from its
own assumptions listed in the docstrings.
"""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from orbital._validate import check_range, evaluate, is_traced, to_array
from orbital.core.constants import SOLAR_CONSTANT_W_M2
from orbital.geometry import check_altitude_km
from thermal import core as thermal_core

HOURS_PER_MINUTE = 1.0 / 60.0


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class SatelliteDesign:
    """An orbital compute satellite. Defaults: AI1-class (see ``ai1``)."""

    # Loads. AI1: 120 kW average and 150 kW peak compute (SpaceX, DESIGN §1).
    compute_power_w: float = 120e3
    peak_compute_power_w: float = 150e3
    bus_power_w: float = 3e3  # avionics, comms, attitude control: ~2.5 % (assumption)
    # Arrays: areal power at 1 AU, normal incidence, beginning of life (issue 3: 250 W/m^2); sized so that the
    # beginning-of-life array carries peak compute + bus in full sun, times ``array_oversize``.
    array_power_w_m2: float = 250.0
    array_oversize: float = 1.0
    array_degradation_per_year: float = 0.015  # 1-2.5 %/yr for space cells in LEO (assumption, mid-range)
    array_areal_density_kg_m2: float = 0.7  # thin roll-out blankets and booms (ROSA-class ~1 kg/m^2)
    # Arrays track the Sun (cosine 1) when array_tracks_sun = 1; 0 fixes them normal to the orbit plane, so that
    # their cosine is |sin beta| (dawn-dusk designs without gimbals). Values between blend the two.
    array_tracks_sun: float = 1.0
    # Battery (Li-ion pack level): specific energy, depth of discharge for ~5,500 LEO cycles a year, efficiency.
    battery_specific_energy_wh_kg: float = 200.0
    battery_depth_of_discharge: float = 0.3
    battery_round_trip_efficiency: float = 0.92
    # Eclipse policy: share of compute carried through eclipse on the battery (0: shed all compute in eclipse,
    # the battery carries the bus only; 1: never shed).
    eclipse_compute_fraction: float = 0.0
    # Radiator: two-sided panels edge-on to the Sun at a fixed operating temperature (chips run hotter by
    # ``chip_to_radiator_k_w`` x heat). White paint / OSR-class coating.
    radiator_temperature_k: float = 320.0
    radiator_emissivity: float = 0.9
    radiator_solar_absorptivity: float = 0.1
    radiator_sides: float = 2.0
    radiator_areal_density_kg_m2: float = 2.5  # deployable panels with pumped loop (ISS ~10; assumption)
    radiator_heat_capacity_j_k_m2: float = 2.5 * 900.0  # aluminium panel mass per m^2 x 900 J/(kg K)
    chip_to_radiator_k_w: float = 2.0e-4  # 30 K from junction to radiator at 150 kW
    chip_max_temperature_k: float = 358.15  # 85 C junction limit
    # Masses: compute hardware per kW of peak compute, bus hardware, structure as a share of the total.
    compute_mass_kg_per_kw: float = 3.0
    bus_mass_kg: float = 150.0
    structure_fraction: float = 0.15
    design_life_years: float = 5.0

    def __post_init__(self):
        if any(is_traced(getattr(self, f.name)) for f in dataclasses.fields(self)):
            return
        positive = [
            "compute_power_w",
            "peak_compute_power_w",
            "array_power_w_m2",
            "array_oversize",
            "array_areal_density_kg_m2",
            "battery_specific_energy_wh_kg",
            "radiator_temperature_k",
            "radiator_areal_density_kg_m2",
            "radiator_heat_capacity_j_k_m2",
            "chip_max_temperature_k",
            "compute_mass_kg_per_kw",
            "design_life_years",
        ]
        for name in positive:
            check_range(name, getattr(self, name), 0.0, math.inf, low_open=True, high_open=True)
        for name in ["bus_power_w", "bus_mass_kg", "chip_to_radiator_k_w"]:
            check_range(name, getattr(self, name), 0.0, math.inf, high_open=True)
        for name in ["battery_depth_of_discharge", "battery_round_trip_efficiency", "radiator_emissivity"]:
            check_range(name, getattr(self, name), 0.0, 1.0, low_open=True)
        for name in ["array_degradation_per_year", "structure_fraction"]:
            check_range(name, getattr(self, name), 0.0, 1.0, high_open=True)
        for name in ["array_tracks_sun", "eclipse_compute_fraction", "radiator_solar_absorptivity"]:
            check_range(name, getattr(self, name), 0.0, 1.0)
        check_range("radiator_sides", self.radiator_sides, 1.0, 2.0)
        peak, average = np.asarray(self.peak_compute_power_w, float), np.asarray(self.compute_power_w, float)
        if np.any(peak < average):
            raise ValueError(
                f"peak_compute_power_w={np.min(peak):g} W is below compute_power_w={np.max(average):g} W;"
                " the peak must be >= the average"
            )

    def replace(self, **changes) -> SatelliteDesign:
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise TypeError(
                f"unknown SatelliteDesign field(s) {unknown}; allowed: "
                f"{sorted(f.name for f in dataclasses.fields(self))}"
            )
        return dataclasses.replace(self, **changes)

    @classmethod
    def ai1(cls) -> SatelliteDesign:
        """AI1-class: 120 kW average, 150 kW peak compute, arrays 250 W/m^2 at 0.7 kg/m^2, compute hardware
        3 kg per kW of peak, radiators 2.5 kg/m^2 at 320 K, bus 150 kg, structure 15 %: ~70 kW/t."""
        return cls()

    @classmethod
    def filing_100kw_per_t(cls) -> SatelliteDesign:
        """Assumptions that reach the SpaceX filing's 100 kW/t: compute hardware 2.2 kg/kW, arrays 0.5 kg/m^2,
        radiators 2 kg/m^2 running at 340 K (chips at 370 K), structure 12 %."""
        return cls(
            compute_mass_kg_per_kw=2.2,
            array_areal_density_kg_m2=0.5,
            radiator_areal_density_kg_m2=2.0,
            radiator_heat_capacity_j_k_m2=2.0 * 900.0,
            radiator_temperature_k=340.0,
            chip_max_temperature_k=373.15,
            structure_fraction=0.12,
        )


class MassBreakdown(NamedTuple):
    """Mass roll-up (kg) and the derived figures of merit."""

    compute_kg: object
    array_kg: object
    battery_kg: object
    radiator_kg: object
    bus_kg: object
    structure_kg: object
    total_kg: object
    array_area_m2: object
    radiator_area_m2: object
    battery_capacity_wh: object
    kw_per_tonne: object  # average compute power per tonne of satellite


def battery_capacity_wh(eclipse_power_w, eclipse_min, depth_of_discharge, efficiency):
    """Nameplate energy so that ``eclipse_power_w`` for ``eclipse_min`` uses ``depth_of_discharge`` of it."""
    return eclipse_power_w * eclipse_min * HOURS_PER_MINUTE / (depth_of_discharge * efficiency)


def battery_mass_kg(power_w, eclipse_min, specific_energy_wh_kg, depth_of_discharge, efficiency=1.0):
    """Battery mass to carry ``power_w`` through ``eclipse_min``: E / (specific energy x DoD x efficiency)."""
    power_w = check_range("power_w", to_array("power_w", power_w, "W"), 0.0, math.inf, high_open=True)
    eclipse_min = check_range("eclipse_min", to_array("eclipse_min", eclipse_min, "min"), 0.0, math.inf, high_open=True)
    specific = check_range(
        "specific_energy_wh_kg",
        to_array("specific_energy_wh_kg", specific_energy_wh_kg, "W h / kg"),
        0.0,
        math.inf,
        low_open=True,
    )
    depth = check_range(
        "depth_of_discharge", to_array("depth_of_discharge", depth_of_discharge), 0.0, 1.0, low_open=True
    )
    efficiency = check_range("efficiency", to_array("efficiency", efficiency), 0.0, 1.0, low_open=True)
    return evaluate(
        lambda p, t, s, d, e: battery_capacity_wh(p, t, d, e) / s, power_w, eclipse_min, specific, depth, efficiency
    )


def eclipse_load_w(design: SatelliteDesign):
    """Power the battery carries through an eclipse under the design's policy."""
    return design.bus_power_w + design.eclipse_compute_fraction * design.compute_power_w


def array_area_m2(design: SatelliteDesign):
    return design.array_oversize * (design.peak_compute_power_w + design.bus_power_w) / design.array_power_w_m2


def radiator_heat_w(design: SatelliteDesign):
    """Heat the radiator is sized for: peak compute + bus, all dissipated on board."""
    return design.peak_compute_power_w + design.bus_power_w


def radiator_environment(design: SatelliteDesign, altitude_km, solar_flux_w_m2=SOLAR_CONSTANT_W_M2):
    """Kernel: the radiator's surroundings: panels edge-on to the Sun (no direct sun) and vertical, so each face
    sees the Earth's limb (view factor from altitude), absorbing Earth IR (with IR absorptivity = emissivity) and
    albedo (with the solar absorptivity; full albedo, a sub-solar worst case scaled by the sunlit fraction)."""
    earth_view = thermal_core.radiator_earth_view_factor(altitude_km, jnp.pi / 2, design.radiator_sides)
    return thermal_core.RadiatorEnvironment(
        solar_flux_w_m2=solar_flux_w_m2,
        solar_absorptivity=design.radiator_solar_absorptivity,
        sun_view_factor=0.0,
        earth_view_factor=earth_view,
    )


def mass_breakdown(design: SatelliteDesign, worst_eclipse_min, altitude_km) -> MassBreakdown:
    """Kernel: the roll-up for a satellite at ``altitude_km`` whose longest eclipse is ``worst_eclipse_min``.

    Radiator area: peak heat / net flux at the operating temperature in that environment (+inf and so an infinite
    mass, never NaN, when the environment outweighs emission). Structure is a share of the total:
    total = subsystems / (1 - structure_fraction).
    """
    area = array_area_m2(design)
    capacity = battery_capacity_wh(
        eclipse_load_w(design),
        worst_eclipse_min,
        design.battery_depth_of_discharge,
        jnp.sqrt(design.battery_round_trip_efficiency),
    )
    radiator_area, _ = thermal_core.radiator_area_m2(
        radiator_heat_w(design),
        design.radiator_temperature_k,
        design.radiator_emissivity,
        design.radiator_sides,
        radiator_environment(design, altitude_km),
    )
    compute_kg = design.compute_mass_kg_per_kw * design.peak_compute_power_w / 1e3
    array_kg = design.array_areal_density_kg_m2 * area
    battery_kg = capacity / design.battery_specific_energy_wh_kg
    radiator_kg = design.radiator_areal_density_kg_m2 * radiator_area
    bus_kg = design.bus_mass_kg + jnp.zeros_like(radiator_kg)
    subsystems = compute_kg + array_kg + battery_kg + radiator_kg + bus_kg
    total = subsystems / (1.0 - design.structure_fraction)
    return MassBreakdown(
        compute_kg,
        array_kg,
        battery_kg,
        radiator_kg,
        bus_kg,
        total - subsystems,
        total,
        area,
        radiator_area,
        capacity,
        design.compute_power_w / total,
    )


def design_mass(design: SatelliteDesign, worst_eclipse_min=0.0, altitude_km=600.0) -> MassBreakdown:
    """Public roll-up: float64 results for concrete inputs; works under jit, grad and vmap."""
    altitude_km = check_altitude_km(altitude_km)
    worst_eclipse_min = check_range(
        "worst_eclipse_min", to_array("worst_eclipse_min", worst_eclipse_min, "min"), 0.0, 1e4
    )
    return evaluate(mass_breakdown, design, worst_eclipse_min, altitude_km)


__all__ = ["SatelliteDesign", "MassBreakdown", "battery_mass_kg", "design_mass", "mass_breakdown"]
