"""Satellite design: power, battery, radiator and mass assumptions, and the mass roll-up to kW per tonne.

A ``SatelliteDesign`` is an ``equinox.Module`` of numbers (every field can be traced, so budgets are
differentiable with respect to every design input). Each field is declared once, with its default, unit, allowed
range and meaning (``launch.validation.parameter``); the checks at construction and the planner's ``[design]``
schema come from those declarations (``launch.validation.parameter_specs``). The roll-up makes "kW per tonne" an
output of stated subsystem assumptions: ``SatelliteDesign.ai1()`` gives ~70 kW/t (SpaceX's figure for AI1),
``SatelliteDesign.filing_100kw_per_t()`` ~100 kW/t (SpaceX FCC filing), each from its own assumptions listed in
the docstrings.
"""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from launch.validation import any_traced, check_parameters, check_range, evaluate, parameter, to_array
from orbital.core.constants import HOURS_PER_MINUTE, SOLAR_CONSTANT_W_M2
from orbital.geometry import check_altitude_km
from thermal import core as thermal_core


class SatelliteDesign(eqx.Module):
    """An orbital compute satellite. Defaults: AI1-class (see ``ai1``).

    Arrays are sized so that the beginning-of-life array carries peak compute + bus in full sun, times
    ``array_oversize``. Radiators are two-sided panels edge-on to the Sun at a fixed operating temperature; the
    chips run hotter by ``chip_to_radiator_k_w`` x heat. Structure is a share of the total mass.
    """

    # Loads.
    compute_power_w: float = parameter(
        120e3,
        unit="W",
        low=0.0,
        low_open=True,
        doc="average compute load (SpaceX's figures for AI1: 120 kW)",
        high=1e9,
    )
    peak_compute_power_w: float = parameter(
        150e3,
        unit="W",
        low=0.0,
        low_open=True,
        doc="peak compute load, >= the average (AI1: 150 kW)",
        high=1e9,
    )
    bus_power_w: float = parameter(
        3e3,
        unit="W",
        low=0.0,
        doc="avionics, communications, attitude control: ~2.5 % of compute (assumption)",
        high=1e9,
    )
    # Arrays.
    array_power_w_m2: float = parameter(
        250.0,
        unit="W/m2",
        low=0.0,
        low_open=True,
        doc="array output per m^2 at 1 AU, normal incidence, beginning of life (assumption)",
        high=1361.0,
    )  # an array cannot deliver more than the solar constant (Kopp & Lean 2011)
    array_oversize: float = parameter(
        1.0,
        low=0.0,
        low_open=True,
        doc="array area over the area that carries peak compute + bus in full sun",
        high=100.0,
    )
    array_degradation_per_year: float = parameter(
        0.015,
        unit="1/yr",
        low=0.0,
        high=1.0,
        high_open=True,
        doc="loss of array output per year: 1-2.5 %/yr for space cells in LEO (assumption, mid-range)",
    )
    array_areal_density_kg_m2: float = parameter(
        0.7,
        unit="kg/m2",
        low=0.0,
        low_open=True,
        doc="thin roll-out blankets and booms (assumption; ROSA-class arrays ~1 kg/m^2)",
        high=100.0,
    )
    array_tracks_sun: float = parameter(
        1.0,
        low=0.0,
        high=1.0,
        doc="1: arrays track the Sun (cosine 1); 0: fixed normal to the orbit plane (cosine |sin beta|, dawn-dusk "
        "designs without gimbals); values between blend the two",
    )
    # Battery (Li-ion, pack level).
    battery_specific_energy_wh_kg: float = parameter(
        200.0, unit="W h/kg", low=0.0, low_open=True, doc="Li-ion pack-level specific energy (assumption)", high=10000.0
    )
    battery_depth_of_discharge: float = parameter(
        0.3,
        low=0.0,
        high=1.0,
        low_open=True,
        doc="share of the capacity used per eclipse, for ~5,500 LEO cycles a year (assumption)",
    )
    battery_round_trip_efficiency: float = parameter(
        0.92, low=0.0, high=1.0, low_open=True, doc="Li-ion charge-discharge round trip (assumption)"
    )
    # Eclipse policy.
    eclipse_compute_fraction: float = parameter(
        0.0,
        low=0.0,
        high=1.0,
        doc="share of compute carried through eclipse on the battery (0: shed all compute, the battery carries "
        "the bus only; 1: never shed)",
    )
    # Radiator.
    radiator_temperature_k: float = parameter(
        320.0, unit="K", low=0.0, low_open=True, doc="radiator operating temperature (assumption)", high=2000.0
    )
    radiator_emissivity: float = parameter(
        0.9, low=0.0, high=1.0, low_open=True, doc="infrared emissivity: white paint / OSR-class coating"
    )
    radiator_solar_absorptivity: float = parameter(
        0.1, low=0.0, high=1.0, doc="solar absorptivity: white paint / OSR-class coating"
    )
    radiator_sides: float = parameter(
        2.0, low=1.0, high=2.0, doc="radiating faces per panel: 2 for two-sided panels, less for a blocked back face"
    )
    radiator_areal_density_kg_m2: float = parameter(
        2.5,
        unit="kg/m2",
        low=0.0,
        low_open=True,
        doc="deployable panels with a pumped loop (assumption; ISS radiators ~10 kg/m^2)",
        high=100.0,
    )
    radiator_heat_capacity_j_k_m2: float = parameter(
        2.5 * 900.0,
        unit="J/(K m2)",
        low=0.0,
        low_open=True,
        doc="panel heat capacity per m^2: 2.5 kg/m^2 of aluminium x 900 J/(kg K)",
        high=1e7,
    )
    chip_to_radiator_k_w: float = parameter(
        2.0e-4,
        unit="K/W",
        low=0.0,
        doc="junction-to-radiator thermal resistance: 30 K at 150 kW (assumption)",
        high=1.0,
    )
    chip_max_temperature_k: float = parameter(
        358.15, unit="K", low=0.0, low_open=True, doc="chip junction limit: 85 C (assumption)", high=1000.0
    )
    # Masses.
    compute_mass_kg_per_kw: float = parameter(
        3.0,
        unit="kg/kW",
        low=0.0,
        low_open=True,
        doc="compute hardware per kW of peak compute (assumption)",
        high=10000.0,
    )
    bus_mass_kg: float = parameter(150.0, unit="kg", low=0.0, doc="bus hardware (assumption)", high=1e7)
    structure_fraction: float = parameter(
        0.15, low=0.0, high=1.0, high_open=True, doc="structure as a share of the total mass (assumption)"
    )
    design_life_years: float = parameter(5.0, unit="yr", low=0.1, high=100.0, doc="design life (assumption)")

    def __check_init__(self):
        check_parameters(self)
        if any_traced(self.peak_compute_power_w, self.compute_power_w):
            return
        peak, average = np.asarray(self.peak_compute_power_w, float), np.asarray(self.compute_power_w, float)
        if np.any(peak < average):
            raise ValueError(
                f"SatelliteDesign.peak_compute_power_w={np.min(peak):g} W is below compute_power_w="
                f"{np.max(average):g} W; the peak must be >= the average"
            )

    def replace(self, **changes) -> SatelliteDesign:
        names = [f.name for f in dataclasses.fields(self)]
        unknown = sorted(set(changes) - set(names))
        if unknown:
            raise TypeError(f"unknown SatelliteDesign field(s) {unknown}; allowed: {sorted(names)}")
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
    power_w = check_range("power_w", to_array("power_w", power_w, "W"), 0.0, math.inf, unit="W")
    eclipse_min = check_range("eclipse_min", to_array("eclipse_min", eclipse_min, "min"), 0.0, math.inf, unit="min")
    specific = check_range(
        "specific_energy_wh_kg",
        to_array("specific_energy_wh_kg", specific_energy_wh_kg, "W h / kg"),
        0.0,
        math.inf,
        low_open=True,
        unit="W h/kg",
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
        "worst_eclipse_min", to_array("worst_eclipse_min", worst_eclipse_min, "min"), 0.0, 1e4, unit="min"
    )
    return evaluate(mass_breakdown, design, worst_eclipse_min, altitude_km)


__all__ = ["SatelliteDesign", "MassBreakdown", "battery_mass_kg", "design_mass", "mass_breakdown"]
