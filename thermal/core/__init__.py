"""Pure JAX kernels of the radiator heat balance: internal units W, m², K, s, J, kg (km for Earth radii).

No astropy, no file I/O, no validation of traced values: the public modules check concrete inputs and these
kernels keep traced ones finite with ``where`` guards (a value that would hit a singular power or division is
replaced *before* the operation, so that neither the value nor its gradient becomes NaN). One kernel handles one
radiator at one instant; callers batch with ``jax.vmap`` and run time with ``lax.scan``. Fluxes are per m² of
radiator *plate* (the area of one face); a plate radiating from both faces has ``sides = 2``.

Modules by job: ``environment`` (surroundings and coatings), ``view_factor`` (plate to Earth), ``balance``
(steady heat balance), ``pump`` (heat pump), ``transient`` (the eclipse transient's (init, step) pair).
"""

from thermal.core.balance import (
    absorbed_w_m2,
    emitted_w_m2,
    net_flux_w_m2,
    radiator_area_m2,
    radiator_temperature_k,
    safe_fourth_root,
)
from thermal.core.environment import RadiatorEnvironment, coating_at, ir_absorptivity_or_emissivity
from thermal.core.pump import MIN_COLD_SIDE_K, HeatPump, compressor_power_w, heat_pump
from thermal.core.transient import (
    NEWTON_ITERATIONS,
    TRANSIENT_RECORDS,
    TransientParams,
    TransientState,
    chip_temperature_k,
    implicit_substep,
    newton_substep,
    run_passes,
    run_transient,
    transient_init,
    transient_step,
    transient_step_no_heat_pump,
)
from thermal.core.view_factor import plate_earth_view_factor, radiator_earth_view_factor

__all__ = [
    "MIN_COLD_SIDE_K",
    "NEWTON_ITERATIONS",
    "TRANSIENT_RECORDS",
    "HeatPump",
    "RadiatorEnvironment",
    "TransientParams",
    "TransientState",
    "absorbed_w_m2",
    "chip_temperature_k",
    "coating_at",
    "compressor_power_w",
    "emitted_w_m2",
    "heat_pump",
    "implicit_substep",
    "ir_absorptivity_or_emissivity",
    "net_flux_w_m2",
    "newton_substep",
    "plate_earth_view_factor",
    "radiator_area_m2",
    "radiator_earth_view_factor",
    "radiator_temperature_k",
    "run_passes",
    "run_transient",
    "safe_fourth_root",
    "transient_init",
    "transient_step",
    "transient_step_no_heat_pump",
]
