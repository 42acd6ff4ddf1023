"""Debris flux, collisions among the fleet, avoidance manoeuvres, breakups and derelicts: the public, checked API.

The kernels are in ``orbital.core.debris``; this module loads the shipped flux table, declares every input of the
collision model once (``CollisionEnvironment``) and checks concrete arguments before any computation. Traced
arguments (inside ``jit``, ``grad``, ``vmap``) pass straight to the kernels. Models, equations, sources and
assumptions: docs/environment-debris.md.
"""

from __future__ import annotations

import csv
import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from launch.validation import (
    check_parameters,
    check_range,
    evaluate,
    is_concrete_number,
    parameter,
    to_array,
)
from orbital import data
from orbital.core import debris as core
from orbital.core.debris import FluxTable

__all__ = [
    "FLUX_TABLE_FILE",
    "RATE_KEYS",
    "CollisionEnvironment",
    "FluxTable",
    "collision_hazard_per_satellite_yr",
    "debris_flux_per_m2_yr",
    "derelict_history",
    "derelict_steady_state",
    "derelict_step",
    "derelicts_added_per_yr",
    "flux_table",
    "shell_collision_rates",
    "breakup_fragments",
    "cross_collisions_per_yr",
    "self_collisions_per_yr",
    "shell_volume_km3",
]

FLUX_TABLE_FILE = "debris-flux-nasa90-2025.csv"
RATE_KEYS = core.RATE_KEYS
breakup_fragments = core.breakup_fragments
cross_collisions_per_yr = core.cross_collisions_per_yr
self_collisions_per_yr = core.self_collisions_per_yr
shell_volume_km3 = core.shell_volume_km3


class CollisionEnvironment(eqx.Module):
    """Every input of the collision model of a shell, declared once (unit, range, default, source or assumption).

    Defaults describe an AI1-class satellite (~1.7 t, ~600 m^2 of arrays, ~70 m span) in a 500-650 km shell."""

    lethal_debris_diameter_cm: object = parameter(
        1.0,
        unit="cm",
        low=0.1,
        high=10.0,
        doc="smallest debris that ends a satellite's mission on impact (assumption: ~1 cm, the usual threshold "
        "for unshielded spacecraft; within the flux table's sizes)",
    )
    tracked_debris_diameter_cm: object = parameter(
        10.0,
        unit="cm",
        low=0.1,
        high=10.0,
        doc="smallest debris that is catalogued and so screened and avoided (~10 cm, the US catalogue's "
        "usual LEO limit); not below the lethal size",
    )
    inclination_flux_factor: object = parameter(
        1.0,
        low=0.0,
        low_open=True,
        high=5.0,
        doc="multiplier on the tabulated flux for the shell's inclination: the NASA90 model's psi(i), tabulated "
        "at psi = 1 (assumption 1; the model's psi rises for near-polar orbits)",
    )
    satellite_collision_radius_m: object = parameter(
        10.0,
        unit="m",
        low=0.0,
        low_open=True,
        high=1000.0,
        doc="radius of the circle of a satellite's mean cross-section: ~600 m^2 of flat arrays average A/2 = "
        "300 m^2 over random orientations (Cauchy: mean projection = surface / 4), pi r^2 = 300 m^2 -> ~10 m",
    )
    derelict_collision_radius_m: object = parameter(
        10.0, unit="m", low=0.0, low_open=True, high=1000.0, doc="the same for a failed satellite of the fleet"
    )
    satellite_mass_kg: object = parameter(
        1700.0, unit="kg", low=0.0, low_open=True, doc="mass of an active satellite (AI1 class, ~1.7 t)"
    )
    derelict_mass_kg: object = parameter(1700.0, unit="kg", low=0.0, low_open=True, doc="mass of a derelict")
    relative_velocity_km_s: object = parameter(
        10.0,
        unit="km/s",
        low=0.0,
        low_open=True,
        high=20.0,
        doc="mean encounter speed of orbits of unrelated planes; ECSS-E-ST-10-04C (2008) J.2.2.1.3: debris "
        "impacts average 10 km/s for low and 13 km/s for high inclinations",
    )
    coordination_factor: object = parameter(
        0.1,
        low=0.0,
        high=1.0,
        doc="share of the kinetic-gas encounters left among active satellites of one coordinated pattern "
        "(Walker, sun-synchronous plane set) whose slots keep them apart by design (assumption: no published "
        "figure; 0.1 stands for phasing errors and slot changes; sweep it)",
    )
    screening_distance_km: object = parameter(
        1.0,
        unit="km",
        low=0.0,
        low_open=True,
        high=50.0,
        doc="miss distance inside which a conjunction is assessed for a manoeuvre (assumption, ~1 km)",
    )
    manoeuvre_share: object = parameter(
        1.0,
        low=0.0,
        high=1.0,
        doc="share of screened conjunctions that end in a manoeuvre (assumption 1: with the defaults the model "
        "gives somewhat fewer manoeuvres per satellite than Starlink reports, docs/environment-debris.md)",
    )
    avoidance_efficacy: object = parameter(
        0.9,
        low=0.0,
        high=1.0,
        doc="share of would-be collisions with tracked objects (derelicts, catalogued debris) that a manoeuvre "
        "prevents (assumption: orbit-determination errors and late warnings let the rest through)",
    )
    fleet_avoidance_efficacy: object = parameter(
        0.999,
        low=0.0,
        high=1.0,
        doc="the same between two active satellites of the fleet, which share precise ephemerides and may both "
        "move (assumption: near 1)",
    )
    fragment_min_size_m: object = parameter(
        0.1,
        unit="m",
        low=0.001,
        high=1.0,
        doc="size from which fragments are counted (NASA standard breakup model Lc; 10 cm: catalogued debris)",
    )
    debris_density_g_cm3: object = parameter(
        2.8,
        unit="g/cm3",
        low=0.0,
        low_open=True,
        high=20.0,
        doc="density of a lethal debris particle, solid sphere (aluminium, 2.8 g/cm^3)",
    )
    min_separation_km: object = parameter(
        10.0,
        unit="km",
        low=0.0,
        low_open=True,
        doc="least horizontal distance between slots of one layer (assumption: ten 1-km screening distances)",
    )
    layer_separation_km: object = parameter(
        10.0,
        unit="km",
        low=0.0,
        low_open=True,
        doc="vertical distance between layers of a band (Starlink's first shells sit 10 km apart, 540-570 km)",
    )
    shell_thickness_km: object = parameter(
        20.0,
        unit="km",
        low=0.0,
        low_open=True,
        high=1000.0,
        doc="thickness of the altitude band a shell's satellites occupy (assumption: 20 km, about two of "
        "Starlink's 10 km shell spacings; the kinetic-gas volume and the band's capacity scale with it)",
    )

    def __check_init__(self):
        check_parameters(self)
        lethal, tracked = self.lethal_debris_diameter_cm, self.tracked_debris_diameter_cm
        if is_concrete_number(lethal) and is_concrete_number(tracked) and np.any(np.asarray(tracked) < lethal):
            raise ValueError(
                f"CollisionEnvironment.tracked_debris_diameter_cm={float(np.min(tracked)):g} cm is outside the "
                f"allowed range [{float(np.max(lethal)):g}, 10] cm: not below lethal_debris_diameter_cm"
            )


def _elementwise(kernel):
    """The one-item kernel over broadcast array arguments (``vmap`` over the flattened broadcast shape)."""

    def batched(*args):
        shape = jnp.broadcast_shapes(*(jnp.shape(a) for a in args))
        if not shape:
            return kernel(*args)
        flat = [jnp.broadcast_to(jnp.asarray(a), shape).reshape(-1) for a in args]
        return jax.tree.map(lambda x: x.reshape(shape), jax.vmap(kernel)(*flat))

    return batched


@functools.lru_cache(maxsize=4)
def _load_table(name: str) -> FluxTable:
    altitudes, sizes, rows = set(), set(), {}
    with open(data.path(name), newline="") as handle:
        for row in csv.DictReader(handle):
            h, d = float(row["altitude_km"]), float(row["min_diameter_cm"])
            altitudes.add(h)
            sizes.add(d)
            rows[h, d] = float(row["flux_per_m2_yr"])
    altitude_km, diameter_cm = sorted(altitudes), sorted(sizes)
    flux = np.array([[rows[h, d] for d in diameter_cm] for h in altitude_km])
    return FluxTable(np.array(altitude_km), np.log10(diameter_cm), np.log10(flux))


def flux_table(name: str = FLUX_TABLE_FILE) -> FluxTable:
    """The shipped debris flux table (numpy arrays; log10 flux of impacts per m^2 per year)."""
    return _load_table(name)


def _check_table_point(table: FluxTable, altitude_km, min_diameter_cm):
    low_h, high_h = float(table.altitude_km[0]), float(table.altitude_km[-1])
    altitude_km = check_range("altitude_km", to_array("altitude_km", altitude_km, "km"), low_h, high_h, unit="km")
    if min_diameter_cm is not None:
        low_d, high_d = (float(10.0 ** table.log10_diameter_cm[i]) for i in (0, -1))
        min_diameter_cm = check_range(
            "min_diameter_cm", to_array("min_diameter_cm", min_diameter_cm, "cm"), low_d, high_d, unit="cm"
        )
    return altitude_km, min_diameter_cm


def debris_flux_per_m2_yr(altitude_km, min_diameter_cm, table: FluxTable | None = None):
    """Flux of debris of diameter >= ``min_diameter_cm`` (impacts per m^2 per year) at ``altitude_km``,
    interpolated in the shipped table (log flux, linear in altitude and log size)."""
    table = flux_table() if table is None else table
    altitude_km, min_diameter_cm = _check_table_point(table, altitude_km, min_diameter_cm)
    kernel_table = FluxTable(*(jnp.asarray(x) for x in table))
    kernel = _elementwise(lambda h, d: core.debris_flux_per_m2_yr(kernel_table, h, d))
    return evaluate(kernel, altitude_km, min_diameter_cm)


def _check_shell(params, table, n_satellites, n_derelicts, altitude_km, thickness_km, coordinated, n_crossing):
    if not isinstance(params, CollisionEnvironment):
        raise TypeError(f"params: expected a CollisionEnvironment, got {type(params).__name__}")
    n_satellites = check_range("n_satellites", to_array("n_satellites", n_satellites), 0.0)
    n_derelicts = check_range("n_derelicts", to_array("n_derelicts", n_derelicts), 0.0)
    n_crossing = check_range("n_crossing", to_array("n_crossing", n_crossing), 0.0)
    thickness_km = check_range(
        "thickness_km", to_array("thickness_km", thickness_km, "km"), 0.0, 1000.0, low_open=True, unit="km"
    )
    if isinstance(coordinated, (bool, np.bool_)):
        coordinated = float(coordinated)
    coordinated = check_range("coordinated", to_array("coordinated", coordinated), 0.0, 1.0)
    altitude_km, _ = _check_table_point(table, altitude_km, None)
    return n_satellites, n_derelicts, altitude_km, thickness_km, coordinated, n_crossing


def shell_collision_rates(
    params: CollisionEnvironment,
    n_satellites,
    n_derelicts,
    altitude_km,
    thickness_km,
    coordinated=1.0,
    table: FluxTable | None = None,
    *,
    n_crossing=0.0,
):
    """Yearly expected collisions (fleet-fleet, fleet-derelict, derelict-derelict, fleet-debris), conjunctions
    and avoidance manoeuvres, satellites lost, derelicts destroyed and fragments (>= ``fragment_min_size_m``)
    in one shell of ``n_satellites`` active satellites and ``n_derelicts`` derelicts.

    ``coordinated``: 1 (or True) when the active satellites fly one coordinated pattern, 0 when their orbits are
    unrelated. ``n_crossing``: active satellites of the fleet's other patterns in this band (other shells at
    overlapping altitudes), met without coordination. A dict keyed by ``RATE_KEYS``; pure JAX under jit, grad
    and vmap (finite gradients at N = 0)."""
    table = flux_table() if table is None else table
    args = _check_shell(params, table, n_satellites, n_derelicts, altitude_km, thickness_km, coordinated, n_crossing)
    kernel_table = FluxTable(*(jnp.asarray(x) for x in table))

    # params go through ``evaluate`` too: traced parameters (a gradient in a field) must not be run on the host.
    def kernel(q, *a):
        return _elementwise(lambda *b: core.shell_collision_rates(q, kernel_table, *b))(*a)

    return evaluate(kernel, params, *args)


def collision_hazard_per_satellite_yr(
    params: CollisionEnvironment,
    n_satellites,
    n_derelicts,
    altitude_km,
    thickness_km,
    coordinated=1.0,
    table: FluxTable | None = None,
    *,
    n_crossing=0.0,
):
    """Yearly loss rate of one active satellite to collisions (fleet, derelicts, debris) at this fleet size:
    ``satellites_lost_per_yr / n_satellites`` of ``shell_collision_rates``, finite at N = 0."""
    table = flux_table() if table is None else table
    args = _check_shell(params, table, n_satellites, n_derelicts, altitude_km, thickness_km, coordinated, n_crossing)
    kernel_table = FluxTable(*(jnp.asarray(x) for x in table))

    # params go through ``evaluate`` too: traced parameters (a gradient in a field) must not be run on the host.
    def kernel(q, *a):
        return _elementwise(lambda *b: core.collision_hazard_per_satellite_yr(q, kernel_table, *b))(*a)

    return evaluate(kernel, params, *args)


# Derelicts -----------------------------------------------------------------------------------------------------


def derelicts_added_per_yr(failures_per_yr, disposal_reliability):
    """Satellites left in orbit per year: failures per year x (1 - disposal reliability)."""
    failures_per_yr = check_range("failures_per_yr", to_array("failures_per_yr", failures_per_yr), 0.0)
    disposal_reliability = check_range(
        "disposal_reliability", to_array("disposal_reliability", disposal_reliability), 0.0, 1.0
    )
    return evaluate(core.derelicts_added_per_yr, failures_per_yr, disposal_reliability)


def _check_lifetime(natural_lifetime_yr):
    return check_range(
        "natural_lifetime_yr", to_array("natural_lifetime_yr", natural_lifetime_yr, "yr"), 0.0, low_open=True, unit="yr"
    )


def derelict_step(derelicts, added_per_yr, natural_lifetime_yr, dt_yr):
    """Derelicts after ``dt_yr`` years with ``added_per_yr`` arriving and each decaying with the natural
    lifetime ``natural_lifetime_yr`` (exact for rates constant over the step)."""
    derelicts = check_range("derelicts", to_array("derelicts", derelicts), 0.0)
    added_per_yr = check_range("added_per_yr", to_array("added_per_yr", added_per_yr), 0.0)
    natural_lifetime_yr = _check_lifetime(natural_lifetime_yr)
    dt_yr = check_range("dt_yr", to_array("dt_yr", dt_yr, "yr"), 0.0, unit="yr")
    return evaluate(core.derelict_step, derelicts, added_per_yr, natural_lifetime_yr, dt_yr)


def derelict_steady_state(added_per_yr, natural_lifetime_yr):
    """The derelict population an inflow ``added_per_yr`` settles at: added x natural lifetime."""
    added_per_yr = check_range("added_per_yr", to_array("added_per_yr", added_per_yr), 0.0)
    natural_lifetime_yr = _check_lifetime(natural_lifetime_yr)
    return evaluate(core.derelict_steady_state, added_per_yr, natural_lifetime_yr)


def derelict_history(initial, added_per_yr, natural_lifetime_yr, dt_yr=1.0):
    """Derelicts at the end of each step for per-step inflows and natural lifetimes ((T,) arrays or scalars)."""
    initial = check_range("initial", to_array("initial", initial), 0.0)
    added_per_yr = check_range("added_per_yr", to_array("added_per_yr", added_per_yr), 0.0)
    natural_lifetime_yr = _check_lifetime(natural_lifetime_yr)
    dt_yr = check_range("dt_yr", to_array("dt_yr", dt_yr, "yr"), 0.0, low_open=True, unit="yr")
    if is_concrete_number(added_per_yr) and np.ndim(added_per_yr) != 1:
        raise ValueError(f"added_per_yr must be 1-D (one inflow per step), got shape {np.shape(added_per_yr)}")
    return evaluate(
        lambda i, a, t, dt: core.derelict_history(i, a, t, dt), initial, added_per_yr, natural_lifetime_yr, dt_yr
    )
