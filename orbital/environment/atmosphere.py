"""Orbit-averaged thermosphere density from NRLMSIS 2.1 (``pymsis``), tabulated for the JAX kernels.

What "orbit-averaged" means here: the mean total mass density over the positions of circular orbits of one
inclination, averaged over

- the argument of latitude (``N_ARG_LATITUDE`` points evenly spread over a revolution: latitudes
  ``asin(sin i sin u)``, the share of time an orbit spends at each latitude),
- every local time (``N_LONGITUDE`` longitudes evenly spread at 00:00 UT: orbits of every RAAN, so the day-night
  bulge is averaged out), and
- the seasons (``SEASON_DAYS``: four days spread evenly over a year).

Sun-synchronous orbits see one local time only (a dawn-dusk orbit misses the afternoon bulge and so flies through
somewhat thinner air than this average); the table is the all-local-time average for every shell. Altitudes are
geodetic (height above the WGS 84 ellipsoid); a circular orbit's geodetic height, ~21 km higher over the poles
than over the equator, is not followed. F10.7 is both the daily and the 81-day value (monthly conditions, no
day-to-day flux), Ap the daily value. The F10.7 and Ap are always passed to pymsis, so it never reads or downloads
its index files.

The table (log density on an altitude x F10.7 x Ap grid) on the default grid, or on some of its altitudes, is
read from a table shipped with the package (``DENSITY_GRID_FILE``: NRLMSIS 2.1 through pymsis at every 5 degrees of
inclination from 0 to 90, written by ``write_density_grid``) and interpolated in inclination: building it from pymsis
took 1.1-1.3 s per inclination, on every first run. An orbit of inclination i passes through the same latitudes as
one of 180 - i (and of -i), so the nodes cover every inclination; between them the log density is interpolated by
four-point Lagrange polynomials, within 0.02 % of the table NRLMSIS gives at the inclination itself (checked
against tables every 2.5 degrees). A table on another grid is built from pymsis at run time. Tables are kept in
memory (``functools.lru_cache``); the library writes nothing to disk, and a program that owns its process (the
``orbital`` commands) may also keep the built ones between runs in a folder it names
(``orbital.kept_tables.keep_tables_in``).
"""

from __future__ import annotations

import functools
import json
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pymsis

from launch.validation import check_range
from orbital import data, kept_tables
from orbital.core import atmosphere as core

N_ARG_LATITUDE = 4
N_LONGITUDE = 4
SEASON_DAYS = ("2025-02-04", "2025-05-06", "2025-08-05", "2025-11-04")
MSIS_VERSION = 2.1
DENSITY_GRID_FILE = "msis21-orbit-average-density.npz"
# The shipped table's inclinations (deg), evenly spaced: enough for every inclination (see the module docstring).
SHIPPED_INCLINATIONS_DEG = tuple(float(x) for x in np.arange(0.0, 90.1, 5.0))


class DensityGrid(NamedTuple):
    """The grid points of a density table (tuples, so that it is hashable: the cache key)."""

    altitude_km: tuple
    f107_sfu: tuple
    ap: tuple


def default_grid() -> DensityGrid:
    """Where log density bends most, the grid is finest (each axis alone interpolates to ~0.5 %):
    150-3000 km (5 km steps to 200 km, 10 km to 300 km, 20 km to 1000 km, 50 km above: the planner's shells reach
    3000 km, where NRLMSIS extrapolates its exosphere); F10.7 60-360 sfu (8 sfu steps to 120, 12 to 240, 20
    above); Ap 0-100 (3 at the quiet end to 28 at the top). No node at the default Ap of 15: the interpolation's
    kinks sit at the nodes, where a derivative with respect to Ap would be one-sided."""
    altitude = np.concatenate(
        [
            np.arange(150.0, 200.0, 5.0),
            np.arange(200.0, 300.0, 10.0),
            np.arange(300.0, 1000.0, 20.0),
            np.arange(1000.0, 3001.0, 50.0),
        ]
    )
    f107 = np.concatenate([np.arange(60.0, 120.0, 8.0), np.arange(120.0, 240.0, 12.0), np.arange(240.0, 361.0, 20.0)])
    return DensityGrid(
        tuple(float(x) for x in altitude),
        tuple(float(x) for x in f107),
        (0.0, 3.0, 6.0, 10.0, 14.0, 20.0, 28.0, 38.0, 52.0, 72.0, 100.0),
    )


DEFAULT_GRID = default_grid()


def _positions(inclination_deg: float):
    u = np.deg2rad(-90.0 + (np.arange(N_ARG_LATITUDE) + 0.5) * 180.0 / N_ARG_LATITUDE)
    # u and 180 deg - u share a latitude, so half a revolution samples the whole orbit's latitude distribution.
    lats = np.rad2deg(np.arcsin(np.sin(np.deg2rad(inclination_deg)) * np.sin(u)))
    lons = np.arange(N_LONGITUDE) * 360.0 / N_LONGITUDE
    return lons, lats


def _msis_mean(altitude_km, f107_sfu, ap, inclination_deg: float) -> np.ndarray:
    """Mean density (kg/m^3) over the positions and seasons for each (F10.7, Ap) pair: shape (n_pair, n_alt)."""
    f107_sfu, ap = np.asarray(f107_sfu, float), np.asarray(ap, float)
    lons, lats = _positions(inclination_deg)
    days = np.array([np.datetime64(f"{d}T00:00") for d in SEASON_DAYS])
    n_pair, n_day = f107_sfu.size, days.size
    dates = np.repeat(days[None, :], n_pair, axis=0).ravel()
    f107 = np.repeat(f107_sfu, n_day)
    aps = np.repeat(np.repeat(ap, n_day)[:, None], 7, axis=1)
    out = pymsis.calculate(dates, lons, lats, np.asarray(altitude_km, float), f107, f107, aps, version=MSIS_VERSION)
    rho = out[..., pymsis.Variable.MASS_DENSITY]  # (dates, lons, lats, alts)
    return rho.reshape(n_pair, n_day, lons.size, lats.size, -1).mean(axis=(1, 2, 3))


def _check(altitude_km, f107_sfu, ap, grid: DensityGrid):
    altitude_km = check_range("altitude_km", altitude_km, grid.altitude_km[0], grid.altitude_km[-1], unit="km")
    f107_sfu = check_range("f107_sfu", f107_sfu, grid.f107_sfu[0], grid.f107_sfu[-1], unit="sfu")
    ap = check_range("ap", ap, grid.ap[0], grid.ap[-1])
    return altitude_km, f107_sfu, ap


def _check_inclination(inclination_deg) -> float:
    value = float(inclination_deg)
    if not (math.isfinite(value) and 0.0 <= value <= 180.0):
        raise ValueError(f"inclination_deg={value:g} deg is outside the allowed range [0, 180] deg")
    return round(value, 3)


def orbit_average_density_kg_m3(altitude_km, f107_sfu, ap, inclination_deg=53.0) -> np.ndarray:
    """NRLMSIS 2.1 evaluated directly (no table): the orbit average of the module docstring, broadcast over the
    inputs. Slow for many points; the reference the table is checked against."""
    altitude_km, f107_sfu, ap = np.broadcast_arrays(
        *(np.asarray(x, float) for x in _check(altitude_km, f107_sfu, ap, DEFAULT_GRID))
    )
    inclination = _check_inclination(inclination_deg)
    flat = [x.ravel() for x in (altitude_km, f107_sfu, ap)]
    values = np.array([_msis_mean([h], [f], [a], inclination)[0, 0] for h, f, a in zip(*flat)])
    return values.reshape(altitude_km.shape)


def _msis_log_density(inclination_deg: float, grid: DensityGrid) -> np.ndarray:
    """NRLMSIS's orbit-averaged log density on ``grid``: shape (n_alt, n_f107, n_ap)."""
    f107, ap = np.meshgrid(np.asarray(grid.f107_sfu), np.asarray(grid.ap), indexing="ij")
    rho = _msis_mean(grid.altitude_km, f107.ravel(), ap.ravel(), inclination_deg)  # (n_f * n_ap, n_alt)
    return np.log(rho).reshape(len(grid.f107_sfu), len(grid.ap), len(grid.altitude_km)).transpose(2, 0, 1)


@functools.lru_cache(maxsize=32)
def _table(inclination_deg: float, grid: DensityGrid) -> core.DensityTable:
    shipped = _shipped_grid()
    rows = None if shipped is None else _default_grid_rows(grid)
    if rows is not None:
        log_rho = _between_inclinations(shipped[0], shipped[1][:, rows], inclination_deg)
    else:
        log_rho = _stored_log_density(inclination_deg, grid)
        if log_rho is None:
            log_rho = _msis_log_density(inclination_deg, grid)
            _store_log_density(inclination_deg, grid, log_rho)
    return core.DensityTable(
        np.asarray(grid.altitude_km), np.asarray(grid.f107_sfu), np.asarray(grid.ap), np.ascontiguousarray(log_rho)
    )


# --- the shipped table (the default grid at SHIPPED_INCLINATIONS_DEG) --------------------------------------
def _sampling() -> dict:
    """What the orbit average is besides the grid: written into the shipped file, compared when it is read."""
    return {
        "msis_version": MSIS_VERSION,
        "n_arg_latitude": N_ARG_LATITUDE,
        "n_longitude": N_LONGITUDE,
        "season_days": list(SEASON_DAYS),
    }


def write_density_grid(path) -> None:
    """Evaluate NRLMSIS 2.1 (pymsis) orbit averages on the default grid at every shipped inclination and write the
    compressed table to ``path`` (log density as float32: 2e-6 relative in density)."""
    log_rho = np.stack([_msis_log_density(i, DEFAULT_GRID) for i in SHIPPED_INCLINATIONS_DEG])
    provenance = _sampling() | {
        "model": f"NRLMSIS {MSIS_VERSION} via pymsis {pymsis.__version__}",
        "value": "natural log of the orbit-averaged total mass density, kg/m^3",
    }
    np.savez_compressed(
        path,
        log_density=log_rho.astype(np.float32),
        inclination_deg=np.asarray(SHIPPED_INCLINATIONS_DEG),
        altitude_km=np.asarray(DEFAULT_GRID.altitude_km),
        f107_sfu=np.asarray(DEFAULT_GRID.f107_sfu),
        ap=np.asarray(DEFAULT_GRID.ap),
        provenance=json.dumps(provenance),
    )


@functools.lru_cache(maxsize=1)
def _shipped_grid() -> tuple[np.ndarray, np.ndarray] | None:
    """(inclination nodes, log density (n_incl, n_alt, n_f107, n_ap)) from the shipped file, or None when it was
    written for another grid or orbit average than this code's (then the tables are built from pymsis)."""
    with np.load(data.path(DENSITY_GRID_FILE)) as stored:
        raw = {key: stored[key] for key in stored.files}
    axes = ("altitude_km", "f107_sfu", "ap")
    provenance = json.loads(str(raw["provenance"]))
    nodes = raw["inclination_deg"]
    if not (
        all(np.array_equal(raw[axis], np.asarray(getattr(DEFAULT_GRID, axis))) for axis in axes)
        and all(provenance.get(key) == value for key, value in _sampling().items())
        and np.array_equal(nodes, np.asarray(SHIPPED_INCLINATIONS_DEG))
    ):
        return None
    return nodes, raw["log_density"].astype(np.float64)


def _default_grid_rows(grid: DensityGrid) -> np.ndarray | None:
    """The default grid's altitude rows that make ``grid`` when it is the default grid's F10.7 and Ap over some of
    its altitudes (the planner cuts the grid just above its highest shell); else None."""
    altitudes = np.asarray(DEFAULT_GRID.altitude_km)
    rows = np.searchsorted(altitudes, np.asarray(grid.altitude_km))
    if grid.f107_sfu != DEFAULT_GRID.f107_sfu or grid.ap != DEFAULT_GRID.ap or np.any(rows >= altitudes.size):
        return None
    return rows if np.array_equal(altitudes[rows], np.asarray(grid.altitude_km)) else None


def _between_inclinations(nodes_deg: np.ndarray, log_density: np.ndarray, inclination_deg: float) -> np.ndarray:
    """The log-density table at ``inclination_deg`` from evenly spaced nodes over 0-90 deg: four-point Lagrange
    interpolation, the nodes mirrored about 0 and 90 deg (i, -i and 180 - i are the same orbit average)."""
    folded = min(inclination_deg, 180.0 - inclination_deg)
    step, last = nodes_deg[1] - nodes_deg[0], len(nodes_deg) - 1
    k = min(int(folded // step), last - 1)
    t = folded / step - k
    weights = (
        -t * (t - 1) * (t - 2) / 6,
        (t + 1) * (t - 1) * (t - 2) / 2,
        -(t + 1) * t * (t - 2) / 2,
        (t + 1) * t * (t - 1) / 6,
    )
    mirrored = [abs(j) if j <= last else 2 * last - j for j in range(k - 1, k + 3)]
    return sum(w * log_density[j] for w, j in zip(weights, mirrored))


# --- tables kept between runs (only where a program asks for it: ``orbital.kept_tables``) ---------------------
def _kept_key(inclination_deg: float, grid: DensityGrid) -> str:
    # Everything the table depends on: NRLMSIS alone computes it, so this package's code is not part of the key.
    return repr((MSIS_VERSION, pymsis.__version__, inclination_deg, grid, N_ARG_LATITUDE, N_LONGITUDE, SEASON_DAYS))


def _stored_log_density(inclination_deg: float, grid: DensityGrid) -> np.ndarray | None:
    stored = kept_tables.load_arrays("msis-density", _kept_key(inclination_deg, grid))
    values = None if stored is None else stored.get("log_density")
    shape = (len(grid.altitude_km), len(grid.f107_sfu), len(grid.ap))
    ok = (
        values is not None
        and values.shape == shape
        and values.dtype == np.float64
        and bool(np.all(np.isfinite(values)))
    )
    return values if ok else None


def _store_log_density(inclination_deg: float, grid: DensityGrid, log_rho: np.ndarray) -> None:
    log_density = np.ascontiguousarray(log_rho, dtype=np.float64)
    kept_tables.store_arrays("msis-density", _kept_key(inclination_deg, grid), {"log_density": log_density})


def density_table(inclination_deg=53.0, grid: DensityGrid = DEFAULT_GRID) -> core.DensityTable:
    """The log-density table of orbits of ``inclination_deg`` (numpy arrays; built once per inclination and
    grid, then served from memory)."""
    return _table(_check_inclination(inclination_deg), DensityGrid(*(tuple(map(float, g)) for g in grid)))


def density_kg_m3(altitude_km, f107_sfu, ap=15.0, inclination_deg=53.0, grid: DensityGrid = DEFAULT_GRID):
    """Orbit-averaged density (kg/m^3) from the table: altitude, F10.7 and Ap must lie inside its grid."""
    altitude_km, f107_sfu, ap = _check(altitude_km, f107_sfu, ap, grid)
    table = core.DensityTable(*(jnp.asarray(x) for x in density_table(inclination_deg, grid)))
    values = jax.vmap(core.density_kg_m3, in_axes=(None, 0, 0, 0))(
        table, *(jnp.ravel(jnp.asarray(x, float)) for x in jnp.broadcast_arrays(altitude_km, f107_sfu, ap))
    )
    return np.asarray(values).reshape(np.broadcast_shapes(np.shape(altitude_km), np.shape(f107_sfu), np.shape(ap)))


def at_altitudes(table: core.DensityTable, altitudes_km) -> np.ndarray:
    """The table's log density interpolated in altitude only (as the kernel's trilinear weights do), on the host:
    shape (n_heights, n_f107, n_ap)."""
    grid = np.asarray(table.altitude_km, float)
    h = np.clip(np.asarray(altitudes_km, float), grid[0], grid[-1])
    i = np.clip(np.searchsorted(grid, h, side="right") - 1, 0, grid.size - 2)
    w = ((h - grid[i]) / (grid[i + 1] - grid[i]))[:, None, None]
    values = np.asarray(table.log_density, float)
    return (1.0 - w) * values[i] + w * values[i + 1]


def clear_tables() -> None:
    """Forget the tables kept in memory (benchmarks time a cold build)."""
    _table.cache_clear()
    _shipped_grid.cache_clear()
