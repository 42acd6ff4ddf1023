"""Trapped-particle radiation along every satellite's orbit: a reducer on the fleet engine.

For any ``orbital.Fleet`` (circular shells or SGP4 element sets) over a time grid: per satellite and step the
Earth-fixed position (Earth rotation by GMST), the AE8/AP8 integral fluxes interpolated in the shipped table, and
running sums per satellite (mean flux by energy, time in the South Atlantic Anomaly), folded chunk by chunk like
``orbital.illumination``. Tables, dose and effects: ``orbital.environment.radiation``; docs/radiation.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from orbital.core import radiation as core
from orbital.core.constants import EARTH_RADIUS_KM, SECONDS_PER_DAY
from orbital.environment.radiation import (
    ELECTRON_CHANNELS,
    PROTON_CHANNELS,
    SAA_CHANNEL,
    SAA_THRESHOLD_CM2_S,
    THICKNESS_MM,
    check_thickness_mm,
    dose_depth_rad_per_yr,
    mean_above_floor,
    solar_weight,
    trapped_grid,
)
from orbital.fleet import Fleet
from orbital.fleet_scan import (
    DEFAULT_CHUNK_STEPS,
    FleetScan,
    check_fleet,
    on_gpu,
    pad,
    put_sats,
    resolve_mesh,
    warn_sgp4_failures,
    window_chunk_steps,
    working_dtype,
)
from orbital.lighting import warn_element_age
from orbital.timescales import uniform_grid

# Satellites per block on a CPU: the running state is 24 fluxes a satellite and every step gathers table rows,
# so small blocks keep state and rows in cache (20,000 satellites: 4,096 measured 2x faster than one block).
CPU_BLOCK_SATS = 4096
# Circular fleets read the table cut to their altitude cells (``core.TrappedLayers``: 1.7 MB a cell in float32,
# 3.3 MB in float64) while the cut stays under this; fleets with more distinct altitudes take the general path.
LAYERS_MAX_BYTES = 64 * 2**20
_jit_update_circular = jax.jit(core.update_circular, static_argnums=(2,))
_jit_update_circular_layers = jax.jit(core.update_circular_layers, static_argnums=(2,))
_jit_altitude_cell = jax.jit(core.altitude_cell)
_jit_update_vector = jax.jit(core.update_vector, static_argnums=(2,))


@dataclasses.dataclass(frozen=True)
class RadiationStats:
    """Per-satellite trapped-particle statistics over a window."""

    names: np.ndarray
    shell_index: np.ndarray
    shell_names: list
    proton_flux_cm2_s: np.ndarray  # (sat, 12) mean integral flux above PROTON_ENERGY_MEV
    electron_flux_cm2_s: np.ndarray  # (sat, 12) above ELECTRON_ENERGY_MEV
    saa_fraction: np.ndarray  # (sat,) share of steps in the South Atlantic Anomaly
    solar_max_weight: float
    start: str
    days: float
    step_s: float
    n_steps: int

    def __len__(self) -> int:
        return len(self.names)

    def trapped_dose_rad_per_yr(self, thickness_mm) -> np.ndarray:
        """(sat,) trapped dose rad(Si)/yr behind ``thickness_mm`` of aluminium (log-linear between nodes)."""
        thickness_mm = float(check_thickness_mm(thickness_mm))
        table = dose_depth_rad_per_yr(self.proton_flux_cm2_s, self.electron_flux_cm2_s)["trapped"]
        log_dose = np.log(np.maximum(table, 1e-30))
        return np.exp(np.array([np.interp(thickness_mm, THICKNESS_MM, row) for row in log_dose]))

    def to_dataframe(self, thickness_mm: float = 10.0) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "name": self.names,
                "shell": np.asarray(self.shell_names, dtype=object)[self.shell_index],
                "saa_fraction": self.saa_fraction,
                "proton_flux_10mev_cm2_s": self.proton_flux_cm2_s[:, SAA_CHANNEL],
                f"trapped_dose_rad_per_yr_{thickness_mm:g}mm": self.trapped_dose_rad_per_yr(thickness_mm),
            }
        )


def radiation(
    fleet: Fleet,
    start,
    days: float,
    step_s: float = 60.0,
    *,
    f107_sfu=None,
    weight=None,
    dtype=None,
    block_sats: int | None = None,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
    mesh=None,
    progress: Callable[[int, int], None] | None = None,
    altitude_layers: bool = True,
) -> RadiationStats:
    """Per-satellite mean trapped integral fluxes and time in the South Atlantic Anomaly over ``days`` from
    ``start`` at ``step_s`` steps, for any fleet (circular shells or SGP4 element sets), with Earth rotation
    (GMST). Solar activity: ``f107_sfu`` or a MAX ``weight``. Layout arguments as ``orbital.illumination``.

    ``altitude_layers``: circular fleets read the table cut once to their few altitude cells (the fast path,
    docs/radiation.md); False takes the general per-step path, the reference it is checked against."""
    check_fleet(fleet)
    dtype = working_dtype(dtype)
    max_weight = round(solar_weight(f107_sfu, weight), 3)
    grid = uniform_grid("start", start, float(days), float(step_s))
    warn_element_age(fleet, grid)
    n_time = grid.offsets_s.size
    if block_sats is None and not on_gpu(resolve_mesh(mesh)):
        block_sats = CPU_BLOCK_SATS
    scan = FleetScan.plan(
        fleet,
        grid,
        chunk=window_chunk_steps(n_time, chunk_steps, step_s),
        dtype=dtype,
        mesh=mesh,
        block_sats=block_sats,
        scan="statistics",
    )
    table = trapped_grid(weight=max_weight, dtype=dtype)
    table = table._replace(altitude_km=jnp.asarray(table.altitude_km), ln_flux=jnp.asarray(table.ln_flux))
    n_channels = table.ln_flux.shape[1]
    threshold = jnp.asarray(np.log(SAA_THRESHOLD_CM2_S), dtype)
    jd0 = grid.utc_jd1 + grid.utc_jd2
    failed = np.zeros(len(fleet), dtype=bool)
    layers, layer_index = _altitude_layers(fleet, grid, table, dtype) if altitude_layers else (None, None)

    def advance(state, chunk):
        if state is None:
            state = scan.place(core.init(scan.block, n_channels, scan.dtype))
        angle0 = jnp.asarray(core.gmst_rad(jd0 + grid.offsets_s[chunk.steps.start] / SECONDS_PER_DAY), dtype)
        if chunk.elements is not None and layers is not None:
            block_layers = put_sats(pad(layer_index[chunk.sats], scan.block), scan.mesh)
            return _jit_update_circular_layers(
                state, layers, SAA_CHANNEL, threshold, chunk.elements, block_layers, chunk.dt_s, angle0, chunk.valid
            )
        if chunk.elements is not None:
            return _jit_update_circular(
                state, table, SAA_CHANNEL, threshold, chunk.elements, chunk.dt_s, angle0, chunk.valid
            )
        failed[chunk.sats] |= chunk.sgp4_error
        return _jit_update_vector(
            state, table, SAA_CHANNEL, threshold, chunk.position_km, chunk.dt_s, angle0, chunk.valid
        )

    def after_chunk(next_step, states):
        if progress is not None:
            progress(next_step, n_time)

    states = scan.fold(advance, after_chunk=after_chunk)
    totals = scan.gather(states)
    flux = mean_above_floor(totals.flux_sum.astype(float) / n_time)
    saa = totals.saa_steps.astype(float) / n_time
    flux[failed] = np.nan
    saa[failed] = np.nan
    warn_sgp4_failures(fleet, failed)
    return RadiationStats(
        fleet.names,
        fleet.shell_index,
        fleet.shell_names,
        flux[:, PROTON_CHANNELS],
        flux[:, ELECTRON_CHANNELS],
        saa,
        max_weight,
        str(start),
        float(days),
        float(step_s),
        n_time,
    )


def _altitude_layers(fleet: Fleet, grid, table: core.TrappedGrid, dtype):
    """(``core.TrappedLayers`` at the fleet's distinct altitude cells, (sat,) int32 layer of each satellite), or
    (None, None) for SGP4 fleets and for circular ones whose cut would pass ``LAYERS_MAX_BYTES``. A circular
    orbit's semi-major axis is constant, so its cell is the one the general path finds chunk by chunk: the same
    function on the same ``dtype`` numbers."""
    if fleet.kind != "circular":
        return None, None
    semi_major_axis_km = jnp.asarray(np.asarray(fleet.elements_at(grid).semi_major_axis_km), dtype)
    index, weight = (np.asarray(x) for x in _jit_altitude_cell(table, semi_major_axis_km - EARTH_RADIUS_KM))
    cells, layer_index = np.unique(np.stack([index.astype(weight.dtype), weight], axis=1), axis=0, return_inverse=True)
    n_cells = (table.n_lat - 1) * (table.n_lon - 1)
    if len(cells) * n_cells * 4 * table.ln_flux.shape[1] * np.dtype(dtype).itemsize > LAYERS_MAX_BYTES:
        return None, None
    layers = core.trapped_layers(table, jnp.asarray(cells[:, 0], jnp.int32), jnp.asarray(cells[:, 1], dtype))
    return layers, layer_index.reshape(-1).astype(np.int32)


__all__ = ["CPU_BLOCK_SATS", "LAYERS_MAX_BYTES", "RadiationStats", "radiation"]
