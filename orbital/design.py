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
from orbital.core import drag
from orbital.core.constants import HOURS_PER_MINUTE, SECONDS_PER_DAY, SECONDS_PER_JULIAN_YEAR, SOLAR_CONSTANT_W_M2
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
    structure_shielding_mm_al: float = parameter(
        10.0,
        unit="mm",
        low=0.0,
        high=50.0,
        doc="aluminium-equivalent shielding the satellite's own structure, enclosures and cold plates give the "
        "compute, already in the structure's mass: ~10 mm, Suncatcher's figure for ~150 rad(Si)/yr at 650 km "
        "(arXiv:2511.19468; assumption that an AI1-class satellite offers as much)",
    )
    compute_shielding_mm_al: float = parameter(
        0.0,
        unit="mm",
        low=0.0,
        high=50.0,
        doc="aluminium added around the compute boxes beyond the structure's shielding, charged to the mass "
        "roll-up; the dose is taken behind structure + added (orbital.environment.radiation)",
    )
    compute_box_density_kg_m3: float = parameter(
        800.0,
        unit="kg/m3",
        low=50.0,
        high=10000.0,
        doc="packing density of the compute hardware, which sizes the shielded surface: the compute mass in one "
        "cube of this density, area 6 (m / rho)^(2/3) (assumption: a liquid-cooled AI rack holds ~1.4 t in "
        "~1.6-1.8 m^3)",
    )
    structure_fraction: float = parameter(
        0.15, low=0.0, high=1.0, high_open=True, doc="structure as a share of the total mass (assumption)"
    )
    design_life_years: float = parameter(5.0, unit="yr", low=0.1, high=100.0, doc="design life (assumption)")
    # Drag and propulsion (docs/environment.md).
    drag_coefficient: float = parameter(
        2.2, low=1.0, high=4.0, doc="drag coefficient C_D: 2.2, the usual value for free-molecular flow on flat plates"
    )
    body_cross_section_m2: float = parameter(
        6.0, unit="m2", low=0.0, high=1e4, doc="ram-facing area of the bus and compute racks (assumption)"
    )
    radiator_ram_fraction: float = parameter(
        0.05,
        low=0.0,
        high=1.0,
        doc="radiator area presented to the flow over the radiator area: panels flown edge-on to the Sun and to "
        "the velocity, so edges, booms and pointing error only (assumption)",
    )
    thruster_isp_s: float = parameter(
        1500.0,
        unit="s",
        low=100.0,
        high=10000.0,
        doc="specific impulse of the electric thrusters: Hall thrusters 1,500-2,000 s (assumption, low end)",
    )
    thruster_efficiency: float = parameter(
        0.5, low=0.0, low_open=True, high=1.0, doc="jet power over electrical power of the thrusters (Hall: ~0.5)"
    )
    thruster_kg_per_kw: float = parameter(
        15.0,
        unit="kg/kW",
        low=0.0,
        high=1000.0,
        doc="thrusters, power processing and feed system per kW of installed thruster power (assumption)",
    )
    thruster_thrust_margin: float = parameter(
        3.0,
        low=1.0,
        high=100.0,
        doc="installed thrust over the mean drag over the life: solar maximum and storms (assumption)",
    )
    disposal_burn_days: float = parameter(
        90.0,
        unit="d",
        low=1.0,
        high=3650.0,
        doc="time allowed for the disposal burn; it sizes the thrusters when that needs more than station keeping",
    )
    propellant_tank_fraction: float = parameter(
        0.1,
        low=0.0,
        high=1.0,
        high_open=True,
        doc="tank mass per kg of propellant: xenon or krypton tanks (assumption)",
    )
    disposal_perigee_km: float = parameter(
        180.0,
        unit="km",
        low=0.0,
        high=2000.0,
        doc="perigee of the disposal orbit: at 180 km drag brings the satellite down within weeks",
    )

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
    total_kg: object  # launch mass, propellant included
    array_area_m2: object
    radiator_area_m2: object
    battery_capacity_wh: object
    kw_per_tonne: object  # average compute power per tonne of satellite (launch mass)
    thruster_kg: object = 0.0
    tank_kg: object = 0.0
    propellant_kg: object = 0.0  # station keeping over the design life + disposal
    station_keeping_propellant_kg: object = 0.0
    disposal_propellant_kg: object = 0.0
    dry_kg: object = 0.0
    drag_area_m2: object = 0.0
    drag_force_n: object = 0.0
    deorbit_dv_m_s: object = 0.0
    thruster_power_w: object = 0.0  # installed
    shielding_kg: object = 0.0  # aluminium around the compute boxes
    terminal_kg: object = 0.0  # optical crosslink terminals of a cluster member


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


# Aluminium's density (NIST): the areal mass of a shield is density x thickness.
ALUMINIUM_DENSITY_KG_M3 = 2699.0


def compute_shielding_kg(design: SatelliteDesign):
    """Aluminium of ``compute_shielding_mm_al`` over the compute boxes' surface, taken as one cube holding the
    compute mass at ``compute_box_density_kg_m3``: 6 (m / rho)^(2/3) m^2 x rho_Al x t."""
    compute_kg = design.compute_mass_kg_per_kw * design.peak_compute_power_w / 1e3
    area_m2 = 6.0 * (compute_kg / design.compute_box_density_kg_m3) ** (2.0 / 3.0)
    return ALUMINIUM_DENSITY_KG_M3 * design.compute_shielding_mm_al / 1e3 * area_m2


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


def drag_area_m2(design: SatelliteDesign, radiator_area_m2, ram_factor):
    """Area presented to the flow: sun-tracking arrays x ``ram_factor`` (the orbit mean of |sun . velocity|;
    arrays fixed normal to the orbit plane are edge-on to the flow), radiators x ``radiator_ram_fraction``, and
    the body's cross-section."""
    arrays = array_area_m2(design) * design.array_tracks_sun * ram_factor
    return arrays + design.radiator_ram_fraction * radiator_area_m2 + design.body_cross_section_m2


def mass_breakdown(
    design: SatelliteDesign,
    worst_eclipse_min,
    altitude_km,
    density_kg_m3=0.0,
    ram_factor=0.0,
    terminal_kg=0.0,
    terminal_power_w=0.0,
    formation_propellant_kg=0.0,
) -> MassBreakdown:
    """Kernel: the roll-up for a satellite at ``altitude_km`` whose longest eclipse is ``worst_eclipse_min``, in
    air of mean density ``density_kg_m3`` over its life, with arrays at mean ``ram_factor`` to the flow.

    A member of a cluster (``orbital.planner.clusters``) also carries optical terminals (``terminal_kg``, drawing
    ``terminal_power_w`` day and night, like the bus: the arrays, battery and radiator grow for it) and the
    propellant that holds its formation over the life (``formation_propellant_kg``, with its tanks).

    Radiator area: peak heat / net flux at the operating temperature in that environment (+inf and so an infinite
    mass, never NaN, when the environment outweighs emission). Structure is a share of the dry mass. Propellant:
    the drag impulse over the design life (``F t / (g0 Isp)``) plus the disposal burn to ``disposal_perigee_km``
    (rocket equation from the dry mass); tanks a share of it. Thrusters: ``thruster_kg_per_kw`` x the larger of
    the power for ``thruster_thrust_margin`` x the mean drag and the power for the disposal burn within
    ``disposal_burn_days``. Both depend on the dry mass, which depends on them: the closed form below solves it.
    """
    # The terminals are a bus load: arrays, battery and radiator are sized with them.
    design = eqx.tree_at(lambda d: d.bus_power_w, design, design.bus_power_w + terminal_power_w)
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
    shielding_kg = compute_shielding_kg(design)
    subsystems = compute_kg + array_kg + battery_kg + radiator_kg + bus_kg + shielding_kg + terminal_kg
    # Propulsion.
    ram_area = drag_area_m2(design, radiator_area, ram_factor)
    # No air, no drag, even for an infinite (unbuildable) radiator: 0 x inf would be NaN.
    force = jnp.where(
        density_kg_m3 > 0.0, drag.drag_force_n(density_kg_m3, altitude_km, design.drag_coefficient, ram_area), 0.0
    )
    life_s = design.design_life_years * SECONDS_PER_JULIAN_YEAR
    keeping_kg = drag.impulse_propellant_kg(force, life_s, design.thruster_isp_s) + formation_propellant_kg
    deorbit_dv = drag.hohmann_deorbit_dv_m_s(altitude_km, design.disposal_perigee_km)
    growth = jnp.expm1(deorbit_dv / drag.exhaust_velocity_m_s(design.thruster_isp_s))  # disposal kg per dry kg
    w_per_kg = design.thruster_kg_per_kw / 1e3
    keeping_power_w = drag.thruster_power_w(
        design.thruster_thrust_margin * force, design.thruster_isp_s, design.thruster_efficiency
    )
    keeping_thruster_kg = w_per_kg * keeping_power_w
    burn_s = design.disposal_burn_days * SECONDS_PER_DAY
    # Power per dry kg when the disposal burn sizes the thrusters (thrust = m dv / t).
    deorbit_power_w_per_kg = drag.thruster_power_w(
        deorbit_dv / burn_s, design.thruster_isp_s, design.thruster_efficiency
    )
    deorbit_thruster_per_kg = w_per_kg * deorbit_power_w_per_kg
    k, share = design.propellant_tank_fraction, design.structure_fraction
    # dry (1 - share) = subsystems + thrusters + k (keeping + growth dry): with the thrusters fixed by station
    # keeping, or proportional to the dry mass; the larger solution is the consistent one.
    # A share of 1 or more left for structure, tanks and disposal thrusters closes no design: infinite mass.
    keeping_share = 1.0 - share - k * growth
    deorbit_share = keeping_share - deorbit_thruster_per_kg
    dry_keeping = jnp.where(
        keeping_share > 0.0, (subsystems + keeping_thruster_kg + k * keeping_kg) / keeping_share, jnp.inf
    )
    dry_deorbit = jnp.where(deorbit_share > 0.0, (subsystems + k * keeping_kg) / deorbit_share, jnp.inf)
    dry = jnp.maximum(dry_keeping, dry_deorbit)
    installed_w = jnp.maximum(keeping_power_w, deorbit_power_w_per_kg * dry)
    thruster_kg = w_per_kg * installed_w
    disposal_kg = growth * dry
    propellant = keeping_kg + disposal_kg
    tank_kg = k * propellant
    total = dry + propellant
    return MassBreakdown(
        compute_kg,
        array_kg,
        battery_kg,
        radiator_kg,
        bus_kg,
        share * dry,
        total,
        area,
        radiator_area,
        capacity,
        design.compute_power_w / total,
        thruster_kg,
        tank_kg,
        propellant,
        keeping_kg,
        disposal_kg,
        dry,
        ram_area,
        force,
        deorbit_dv,
        installed_w,
        shielding_kg,
        terminal_kg + jnp.zeros_like(total),
    )


def design_mass(
    design: SatelliteDesign,
    worst_eclipse_min=0.0,
    altitude_km=600.0,
    density_kg_m3=0.0,
    ram_factor=0.0,
    *,
    terminal_kg=0.0,
    terminal_power_w=0.0,
    formation_propellant_kg=0.0,
) -> MassBreakdown:
    """Public roll-up: float64 results for concrete inputs; works under jit, grad and vmap. ``density_kg_m3``: the
    mean air density over the life (``orbital.environment.atmosphere``); ``ram_factor``: the orbit mean of
    |sun . velocity| (``orbital.planner.geometry``; 2/pi x the mean |cos beta|); the cluster member's terminals and
    formation propellant as in ``mass_breakdown``."""
    altitude_km = check_altitude_km(altitude_km)
    worst_eclipse_min = check_range(
        "worst_eclipse_min", to_array("worst_eclipse_min", worst_eclipse_min, "min"), 0.0, 1e4, unit="min"
    )
    density_kg_m3 = check_range(
        "density_kg_m3", to_array("density_kg_m3", density_kg_m3, "kg / m3"), 0.0, 1.0, unit="kg/m3"
    )
    ram_factor = check_range("ram_factor", to_array("ram_factor", ram_factor), 0.0, 1.0)
    cluster = [
        check_range(name, to_array(name, value, unit), 0.0, unit=unit)
        for name, value, unit in (
            ("terminal_kg", terminal_kg, "kg"),
            ("terminal_power_w", terminal_power_w, "W"),
            ("formation_propellant_kg", formation_propellant_kg, "kg"),
        )
    ]
    return evaluate(mass_breakdown, design, worst_eclipse_min, altitude_km, density_kg_m3, ram_factor, *cluster)


__all__ = ["SatelliteDesign", "MassBreakdown", "battery_mass_kg", "design_mass", "mass_breakdown"]
