"""Trapped-particle radiation along every satellite's orbit: a reducer on the fleet engine.

For any ``orbital.Fleet`` (circular shells or SGP4 element sets) over a time grid: per satellite the mean AE8/AP8
integral fluxes interpolated in the shipped table along its Earth-fixed track (Earth rotation by GMST) and its time
in the South Atlantic Anomaly. Circular fleets take them by default from one spectral window mean per track class
(the torus path); the step-by-step paths fold running sums chunk by chunk like ``orbital.illumination``. Tables,
dose and effects: ``orbital.environment.radiation``; docs/radiation.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from orbital.core import radiation as core
from orbital.core.constants import EARTH_RADIUS_KM, SECONDS_PER_DAY, TWO_PI
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
    bucket,
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
METHODS = ("torus", "layers", "per-step")
# The torus grid of one track class (nodes in argument of latitude x node longitude), chosen by measuring window
# means against the per-step path (docs/radiation.md, Benchmark). A 60 s step moves ~4 deg along the orbit, more than
# a 3 deg latitude cell, so per-step means carry the flux's fine structure aliased by the steps: modes up to a few
# times the ~100 steps per orbit in u; short windows also need the 5 deg longitude cells resolved in L. 512 x 256
# (0.7 x 1.4 deg) costs about one illumination scan of 20,000 satellites; 1024 x 512 cuts the differences 2-3x for
# 4-5x the time.
TORUS_NODES_U = 512
TORUS_NODES_NODE = 256
# A track class takes the torus when its satellite-steps pay for its grid: one torus took the time of 0.4 (float32)
# to 0.7 (float64) million satellite-steps of the layers path (2-core CPU); smaller classes fold their steps on it.
TORUS_MIN_SAT_STEPS = 1 << 19
# The torus path in separate programs, not one: fused, XLA's CPU back end recomputes the cells per gathered number
# and the gain per channel (measured ~10x and ~2x slower).
_jit_torus_cells = jax.jit(core.torus_cells, static_argnums=(3, 4))
_jit_ln_flux_at_cells = jax.jit(core.ln_flux_at_cells)
_jit_torus_field = jax.jit(core.torus_field_from_ln_flux, static_argnums=(1, 3, 4))
_jit_torus_gain = jax.jit(core.torus_gain, static_argnums=(0, 1, 5))
_jit_torus_means = jax.jit(core.torus_means)
_jit_torus_read = jax.jit(jax.vmap(core.torus_read, in_axes=(None, None, None, 0, 0)), static_argnums=(1, 2))
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
    method: str = "torus",
) -> RadiationStats:
    """Per-satellite mean trapped integral fluxes and time in the South Atlantic Anomaly over ``days`` from
    ``start`` at ``step_s`` steps, for any fleet (circular shells or SGP4 element sets), with Earth rotation
    (GMST). Solar activity: ``f107_sfu`` or a MAX ``weight``. Layout arguments as ``orbital.illumination`` (they
    shape the step-by-step paths).

    ``method`` (circular fleets; SGP4 fleets always take "per-step"):

    - "torus" (default): each track class (same altitude cell, inclination and rates: a shell) whose
      satellite-steps reach ``TORUS_MIN_SAT_STEPS`` takes its window means from one spectral mean on a torus grid
      and each satellite reads its own; smaller classes fold their steps on the "layers" path. Within a stated
      tolerance of the per-step path, in a time that hardly grows with the fleet (docs/radiation.md, Benchmark);
      ``progress`` is called once, at the end, unless some class folds steps.
    - "layers": every step of every satellite, the table cut once to the fleet's altitude cells.
    - "per-step": every step of every satellite on the whole table, the reference the others are checked against.
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not one of {', '.join(map(repr, METHODS))}")
    check_fleet(fleet)
    dtype = working_dtype(dtype)
    max_weight = round(solar_weight(f107_sfu, weight), 3)
    grid = uniform_grid("start", start, float(days), float(step_s))
    warn_element_age(fleet, grid)
    n_time = grid.offsets_s.size
    table = trapped_grid(weight=max_weight, dtype=dtype)
    table = table._replace(altitude_km=jnp.asarray(table.altitude_km), ln_flux=jnp.asarray(table.ln_flux))
    n_channels = table.ln_flux.shape[1]
    threshold = jnp.asarray(np.log(SAA_THRESHOLD_CM2_S), dtype)
    flux = np.zeros((len(fleet), n_channels))
    saa = np.zeros(len(fleet))
    failed = np.zeros(len(fleet), dtype=bool)
    stepped = np.ones(len(fleet), dtype=bool)
    if fleet.kind == "circular" and method == "torus":
        stepped = _torus_means(fleet, grid, table, threshold, float(step_s), dtype, flux, saa)
    if stepped.any():
        part = fleet if stepped.all() else fleet[stepped]
        part_flux, part_saa, failed[stepped] = _step_means(
            part, grid, float(step_s), table, threshold, dtype, block_sats, chunk_steps, mesh, progress, method
        )
        flux[stepped], saa[stepped] = part_flux, part_saa
    elif progress is not None:
        progress(n_time, n_time)
    flux = mean_above_floor(flux)
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


def _step_means(fleet, grid, step_s, table, threshold, dtype, block_sats, chunk_steps, mesh, progress, method):
    """((sat, channels) mean flux, (sat,) share of steps in the anomaly, (sat,) SGP4 failed) from every step of
    every satellite, folded chunk by chunk; circular fleets read the table cut to their altitude cells unless
    ``method`` is "per-step" (or the cut would not fit)."""
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
    n_channels = table.ln_flux.shape[1]
    jd0 = grid.utc_jd1 + grid.utc_jd2
    failed = np.zeros(len(fleet), dtype=bool)
    layers, layer_index = _altitude_layers(fleet, grid, table, dtype) if method != "per-step" else (None, None)

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

    totals = scan.gather(scan.fold(advance, after_chunk=after_chunk))
    return totals.flux_sum.astype(float) / n_time, totals.saa_steps.astype(float) / n_time, failed


def _torus_means(fleet: Fleet, grid, table: core.TrappedGrid, threshold, step_s: float, dtype, flux, saa):
    """Fill ``flux`` and ``saa`` for the satellites of every track class that takes the torus; return the mask of
    the others (to fold step by step).

    A class is a set of equal (altitude cell, inclination, argument of latitude rate, RAAN rate): its satellites
    differ only in where they start on the torus, the argument of latitude u0 and the node's Earth-fixed longitude
    L0 = RAAN - GMST at the window's start. The torus turns the Earth by ``EARTH_ROTATION_RAD_S`` over the whole
    window, as the step paths do within each day-long chunk; they re-anchor each chunk on GMST, which turns faster by
    1.35e-6 rad a day (the Earth rotation angle's rate less that constant, and precession in right ascension): the
    node longitudes part by that much a day (9 m on the ground), far inside a 5 deg table cell."""
    n_time = grid.offsets_s.size
    elements = fleet.elements_at(grid)
    index, weight = _altitude_cells(elements, table, dtype)
    keys = np.stack(
        [
            index.astype(float),
            weight.astype(float),
            elements.inclination_rad,
            elements.arg_latitude_rate_rad_s,
            elements.raan_rate_rad_s,
        ],
        axis=1,
    )
    # Rows compared as raw bytes: np.unique(axis=0) took 40 ms for 20,000 satellites, this 3 ms.
    packed = keys.view(np.dtype((np.void, keys.itemsize * keys.shape[1]))).reshape(-1)
    classes, member_class, members = np.unique(packed, return_inverse=True, return_counts=True)
    classes = classes.view(keys.dtype).reshape(-1, keys.shape[1])
    member_class = member_class.reshape(-1)
    torus_classes = np.flatnonzero(members * n_time >= TORUS_MIN_SAT_STEPS)
    stepped = ~np.isin(member_class, torus_classes)
    if torus_classes.size == 0:
        return stepped
    cells = classes[torus_classes]
    layers = core.trapped_layers(table, jnp.asarray(cells[:, 0], jnp.int32), jnp.asarray(cells[:, 1], dtype))
    node0 = np.mod(elements.raan_rad - core.gmst_rad(grid.utc_jd1 + grid.utc_jd2), TWO_PI)
    arg_latitude0 = np.mod(elements.arg_latitude_rad, TWO_PI)
    for layer, number in enumerate(torus_classes):
        _, _, inclination, u_rate, raan_rate = classes[number]
        rows, weights = _jit_torus_cells(
            layers, jnp.asarray(layer, jnp.int32), jnp.asarray(inclination, dtype), TORUS_NODES_U, TORUS_NODES_NODE
        )
        field = _jit_torus_field(
            _jit_ln_flux_at_cells(layers, rows, weights), SAA_CHANNEL, threshold, TORUS_NODES_U, TORUS_NODES_NODE
        )
        gain = _jit_torus_gain(
            TORUS_NODES_U,
            TORUS_NODES_NODE,
            jnp.asarray(u_rate * step_s, dtype),
            jnp.asarray((raan_rate - core.EARTH_ROTATION_RAD_S) * step_s, dtype),
            jnp.asarray(n_time, dtype),
            dtype,
        )
        means = _jit_torus_means(field, gain)
        sats = np.flatnonzero(member_class == number)
        size = bucket(sats.size, 1 << 62)
        read = _jit_torus_read(
            means,
            TORUS_NODES_U,
            TORUS_NODES_NODE,
            jnp.asarray(pad(arg_latitude0[sats], size), dtype),
            jnp.asarray(pad(node0[sats], size), dtype),
        )
        read = np.asarray(read, dtype=float)[: sats.size]
        flux[sats] = read[:, :-1]
        # The filtered indicator rings by ~1e-4 around its edges; a share lies in [0, 1].
        saa[sats] = np.clip(read[:, -1], 0.0, 1.0)
    return stepped


def _altitude_cells(elements, table: core.TrappedGrid, dtype):
    """(sat,) altitude-cell index and weight of circular ``elements``: the same function on the same ``dtype``
    numbers as the per-step path applies chunk by chunk (a circular orbit's semi-major axis is constant)."""
    semi_major_axis_km = jnp.asarray(np.asarray(elements.semi_major_axis_km), dtype)
    return tuple(np.asarray(x) for x in _jit_altitude_cell(table, semi_major_axis_km - EARTH_RADIUS_KM))


def _altitude_layers(fleet: Fleet, grid, table: core.TrappedGrid, dtype):
    """(``core.TrappedLayers`` at the fleet's distinct altitude cells, (sat,) int32 layer of each satellite), or
    (None, None) for SGP4 fleets and for circular ones whose cut would pass ``LAYERS_MAX_BYTES``. A circular
    orbit's semi-major axis is constant, so its cell is the one the general path finds chunk by chunk: the same
    function on the same ``dtype`` numbers."""
    if fleet.kind != "circular":
        return None, None
    index, weight = _altitude_cells(fleet.elements_at(grid), table, dtype)
    cells, layer_index = np.unique(np.stack([index.astype(weight.dtype), weight], axis=1), axis=0, return_inverse=True)
    n_cells = (table.n_lat - 1) * (table.n_lon - 1)
    if len(cells) * n_cells * 4 * table.ln_flux.shape[1] * np.dtype(dtype).itemsize > LAYERS_MAX_BYTES:
        return None, None
    layers = core.trapped_layers(table, jnp.asarray(cells[:, 0], jnp.int32), jnp.asarray(cells[:, 1], dtype))
    return layers, layer_index.reshape(-1).astype(np.int32)


__all__ = [
    "CPU_BLOCK_SATS",
    "LAYERS_MAX_BYTES",
    "METHODS",
    "TORUS_MIN_SAT_STEPS",
    "TORUS_NODES_NODE",
    "TORUS_NODES_U",
    "RadiationStats",
    "radiation",
]
