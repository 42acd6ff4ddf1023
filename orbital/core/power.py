"""Satellite power through time: arrays, eclipse policy and battery, as an (init, step) pair for ``lax.scan``.

One satellite at one step; the fleet is a ``vmap`` over satellites (the arrays below are then (sat,)). Energy
bookkeeping closes exactly at every step:

    array_w = load_w + charge_stored_w - discharge_stored_w + loss_w + curtailed_w

with load = bus + compute delivered, ``*_stored`` the change of the battery's stored energy, ``loss`` the charge
and discharge conversion losses, and ``curtailed`` array power that neither loads nor a full battery can take.
"""

from typing import NamedTuple

import jax.numpy as jnp

SECONDS_PER_HOUR = 3600.0


class PowerParams(NamedTuple):
    """Per-satellite constants of the power system (any field may be traced)."""

    array_area_m2: object
    array_power_w_m2: object  # at 1 AU, normal incidence, beginning of life
    degradation_per_year: object
    tracks_sun: object  # 1: sun-tracking (cosine 1); 0: normal to the orbit plane (|sin beta|)
    bus_power_w: object
    compute_power_w: object
    eclipse_compute_fraction: object
    battery_capacity_wh: object
    depth_of_discharge: object
    one_way_efficiency: object  # sqrt(round-trip efficiency), applied on charge and on discharge


class PowerState(NamedTuple):
    battery_wh: object  # stored energy
    min_battery_wh: object
    array_wh: object  # energies accumulated since init
    load_wh: object
    compute_wh: object
    loss_wh: object
    curtailed_wh: object
    unserved_compute_wh: object


def init(params: PowerParams) -> PowerState:
    full = params.battery_capacity_wh + 0.0 * params.array_area_m2
    zero = jnp.zeros_like(full)
    return PowerState(full, full, zero, zero, zero, zero, zero, zero)


def array_power_w(params: PowerParams, illuminated_fraction, flux_factor, sin_beta, age_years):
    """Array output: area x areal power x (S/S_1AU) x sunlit fraction x cosine x (1 - degradation)^age."""
    cosine = params.tracks_sun + (1.0 - params.tracks_sun) * jnp.abs(sin_beta)
    retained = (1.0 - params.degradation_per_year) ** age_years
    return params.array_area_m2 * params.array_power_w_m2 * flux_factor * illuminated_fraction * cosine * retained


class PowerFlows(NamedTuple):
    """Powers (W) held over one step."""

    array_w: object
    load_w: object  # bus + compute delivered
    compute_w: object
    charge_in_w: object  # taken from the array into the battery (before the charge loss)
    discharge_out_w: object  # delivered by the battery (after the discharge loss)
    loss_w: object
    curtailed_w: object
    unserved_compute_w: object


def flows(params: PowerParams, state: PowerState, array_w, illuminated_fraction, dt_s) -> PowerFlows:
    """Where the array's power goes over a step of ``dt_s`` from ``state``.

    Compute is shed in proportion to the lost sunlight except for ``eclipse_compute_fraction`` of it, which the
    battery carries; if the battery reaches its depth-of-discharge floor, compute is shed further (unserved).
    """
    hours = dt_s / SECONDS_PER_HOUR
    eta = params.one_way_efficiency
    target_compute_w = params.compute_power_w * (
        params.eclipse_compute_fraction + (1.0 - params.eclipse_compute_fraction) * illuminated_fraction
    )
    demand_w = params.bus_power_w + target_compute_w
    surplus_w = jnp.maximum(array_w - demand_w, 0.0)
    deficit_w = jnp.maximum(demand_w - array_w, 0.0)

    headroom_wh = jnp.maximum(params.battery_capacity_wh - state.battery_wh, 0.0)
    charge_in_w = jnp.minimum(surplus_w, headroom_wh / (eta * hours))
    floor_wh = params.battery_capacity_wh * (1.0 - params.depth_of_discharge)
    available_wh = jnp.maximum(state.battery_wh - floor_wh, 0.0)
    discharge_out_w = jnp.minimum(deficit_w, available_wh * eta / hours)
    unserved_w = deficit_w - discharge_out_w
    unserved_compute_w = jnp.minimum(unserved_w, target_compute_w)
    return PowerFlows(
        array_w=array_w,
        load_w=demand_w - unserved_w,
        compute_w=target_compute_w - unserved_compute_w,
        charge_in_w=charge_in_w,
        discharge_out_w=discharge_out_w,
        loss_w=charge_in_w * (1.0 - eta) + discharge_out_w * (1.0 / eta - 1.0),
        curtailed_w=surplus_w - charge_in_w,
        unserved_compute_w=unserved_compute_w,
    )


def apply(params: PowerParams, state: PowerState, flow: PowerFlows, dt_s) -> PowerState:
    """The state after a step of ``dt_s`` with ``flow``."""
    hours = dt_s / SECONDS_PER_HOUR
    eta = params.one_way_efficiency
    battery_wh = state.battery_wh + (flow.charge_in_w * eta - flow.discharge_out_w / eta) * hours
    return PowerState(
        battery_wh=battery_wh,
        min_battery_wh=jnp.minimum(state.min_battery_wh, battery_wh),
        array_wh=state.array_wh + flow.array_w * hours,
        load_wh=state.load_wh + flow.load_w * hours,
        compute_wh=state.compute_wh + flow.compute_w * hours,
        loss_wh=state.loss_wh + flow.loss_w * hours,
        curtailed_wh=state.curtailed_wh + flow.curtailed_w * hours,
        unserved_compute_wh=state.unserved_compute_wh + flow.unserved_compute_w * hours,
    )


def step(params: PowerParams, state: PowerState, array_w, illuminated_fraction, dt_s):
    """Advance one step of ``dt_s`` with constant array power ``array_w``; returns (state, heat_w), heat being all
    power dissipated on board (loads and conversion losses) for the thermal model. ``flows`` then ``apply``."""
    flow = flows(params, state, array_w, illuminated_fraction, dt_s)
    return apply(params, state, flow, dt_s), flow.load_w + flow.loss_w
