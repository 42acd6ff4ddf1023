"""Satellite power through time: arrays, eclipse policy and battery, as an (init, step) pair for ``lax.scan``.

One satellite at one step; the fleet is a ``vmap`` over satellites (the arrays below are then (sat,)). Energy
bookkeeping closes exactly at every step:

    array_w = load_w + charge_stored_w - discharge_stored_w + loss_w + curtailed_w

with load = bus + compute delivered, ``*_stored`` the change of the battery's stored energy, ``loss`` the charge
and discharge conversion losses, and ``curtailed`` array power that neither loads nor a full battery can take.

The step is ``flows`` (where the power goes) then ``apply`` (the state after the step); ``step`` composes the two.
A caller that fuses the step into a larger scan may call them apart, to mark the flows as computed once
(``orbital.core.fusion.computed_once``) before several consumers read them.
"""

import operator
from typing import NamedTuple

import equinox as eqx
import jax.numpy as jnp

from launch.validation import check_parameters, parameter
from orbital.core.constants import SECONDS_PER_HOUR


class PowerParams(eqx.Module):
    """Per-satellite constants of the power system (any field may be traced, or a (sat,) array)."""

    array_area_m2: object = parameter(unit="m2", low=0.0, doc="solar array area")
    array_power_w_m2: object = parameter(
        unit="W/m2", low=0.0, low_open=True, doc="array output per m^2 at 1 AU, normal incidence, beginning of life"
    )
    degradation_per_year: object = parameter(
        unit="1/yr", low=0.0, high=1.0, high_open=True, doc="loss of array output per year"
    )
    tracks_sun: object = parameter(
        low=0.0, high=1.0, doc="1: sun-tracking arrays (cosine 1); 0: fixed normal to the orbit plane (|sin beta|)"
    )
    bus_power_w: object = parameter(unit="W", low=0.0, doc="bus load, never shed")
    compute_power_w: object = parameter(unit="W", low=0.0, doc="compute load in full sun")
    eclipse_compute_fraction: object = parameter(
        low=0.0, high=1.0, doc="share of compute the battery carries when the array cannot"
    )
    battery_capacity_wh: object = parameter(unit="W h", low=0.0, doc="nameplate battery energy")
    depth_of_discharge: object = parameter(
        low=0.0, high=1.0, low_open=True, doc="share of the capacity the battery may give up"
    )
    one_way_efficiency: object = parameter(
        low=0.0,
        high=1.0,
        low_open=True,
        doc="sqrt(round-trip efficiency), applied on charge and on discharge",
    )

    def __check_init__(self):
        check_parameters(self)


class PowerState(NamedTuple):
    """The battery's stored energy, then records of the past. A record that ``init`` was told not to keep is None
    and stays None through the steps."""

    battery_wh: object  # stored energy
    min_battery_wh: object
    array_wh: object  # energies accumulated since init
    load_wh: object
    compute_wh: object
    loss_wh: object
    curtailed_wh: object
    unserved_compute_wh: object


POWER_RECORDS = PowerState._fields[1:]


def init(params: PowerParams, records=None) -> PowerState:
    """A full battery and empty records. ``records``: the names of the records (``POWER_RECORDS``) to keep,
    default all; the others are None and cost nothing, so a fleet scan carries only what its caller reads."""
    full = params.battery_capacity_wh + 0.0 * params.array_area_m2
    zero = jnp.zeros_like(full)
    state = PowerState(full, full, zero, zero, zero, zero, zero, zero)
    if records is None:
        return state
    unknown = sorted(set(records) - set(POWER_RECORDS))
    if unknown:
        raise ValueError(f"records: {unknown} are not records of PowerState; allowed: {list(POWER_RECORDS)}")
    return state._replace(**{name: None for name in POWER_RECORDS if name not in records})


def _fold(combine, record, value):
    """The next value of a record; a record that is not kept (None) stays None."""
    return None if record is None else combine(record, value)


def array_power_w(params: PowerParams, illuminated_fraction, flux_factor, sin_beta, age_years):
    """Array output: area x areal power x (S/S_1AU) x sunlit fraction x cosine x (1 - degradation)^age."""
    cosine = params.tracks_sun + (1.0 - params.tracks_sun) * jnp.abs(sin_beta)
    retained = (1.0 - params.degradation_per_year) ** age_years
    return params.array_area_m2 * params.array_power_w_m2 * flux_factor * illuminated_fraction * cosine * retained


def _target_compute_w(params: PowerParams, illuminated_fraction):
    """Compute load before the battery's floor: shed with the lost sunlight but for ``eclipse_compute_fraction``."""
    return params.compute_power_w * (
        params.eclipse_compute_fraction + (1.0 - params.eclipse_compute_fraction) * illuminated_fraction
    )


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
    target_compute_w = _target_compute_w(params, illuminated_fraction)
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
        min_battery_wh=_fold(jnp.minimum, state.min_battery_wh, battery_wh),
        array_wh=_fold(operator.add, state.array_wh, flow.array_w * hours),
        load_wh=_fold(operator.add, state.load_wh, flow.load_w * hours),
        compute_wh=_fold(operator.add, state.compute_wh, flow.compute_w * hours),
        loss_wh=_fold(operator.add, state.loss_wh, flow.loss_w * hours),
        curtailed_wh=_fold(operator.add, state.curtailed_wh, flow.curtailed_w * hours),
        unserved_compute_wh=_fold(operator.add, state.unserved_compute_wh, flow.unserved_compute_w * hours),
    )


def floor_wh(params: PowerParams):
    """The lowest stored energy the battery may reach: the capacity less its depth of discharge."""
    return params.battery_capacity_wh * (1.0 - params.depth_of_discharge)


def unclipped_change_wh(params: PowerParams, array_w, illuminated_fraction, dt_s):
    """The change of stored energy over a step of ``dt_s`` if the battery were neither full nor at its floor: the
    surplus charged less the charge loss, or the deficit drawn plus the discharge loss. It does not depend on the
    battery, so a fleet scan can compute it for many steps at once; clipped to ``[floor_wh, capacity]`` from a
    battery within those bounds, it gives ``apply(flows(...)).battery_wh`` (``flows`` charges at most the
    headroom and draws at most down to the floor), up to rounding."""
    hours = dt_s / SECONDS_PER_HOUR
    eta = params.one_way_efficiency
    net_w = array_w - (params.bus_power_w + _target_compute_w(params, illuminated_fraction))
    return jnp.where(net_w > 0.0, net_w * (eta * hours), net_w * (hours / eta))


def heat_w(flow: PowerFlows):
    """All power dissipated on board over a step, loads and conversion losses: the thermal model's heat."""
    return flow.load_w + flow.loss_w


def step(params: PowerParams, state: PowerState, array_w, illuminated_fraction, dt_s):
    """Advance one step of ``dt_s`` with constant array power ``array_w``; returns (state, heat_w), heat being all
    power dissipated on board (loads and conversion losses) for the thermal model. ``flows`` then ``apply``."""
    flow = flows(params, state, array_w, illuminated_fraction, dt_s)
    return apply(params, state, flow, dt_s), heat_w(flow)
