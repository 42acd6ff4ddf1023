"""Thermosphere density lookup, pure JAX: multilinear interpolation of log total mass density in a table over
altitude, F10.7 and Ap (built on the host by ``orbital.environment.atmosphere`` from NRLMSIS 2.1).

Inputs outside the table are clamped to its edges here; the public functions check them first, so a kernel never
extrapolates silently for a caller who went through them.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp


class DensityTable(NamedTuple):
    """Orbit-averaged log total mass density, ``log_density[i_alt, i_f107, i_ap]`` (ln of kg/m^3)."""

    altitude_km: object  # (n_alt,) increasing
    f107_sfu: object  # (n_f107,) increasing
    ap: object  # (n_ap,) increasing
    log_density: object  # (n_alt, n_f107, n_ap)


def _bracket(grid, x):
    """Lower index and weight of ``x`` in the increasing ``grid`` (clamped to the ends)."""
    x = jnp.clip(x, grid[0], grid[-1])
    # Comparisons with every node, fused into one loop: the tables' grids are short, and the default binary search
    # runs as a loop of gathers (slow under Monte Carlo's vmap on a CPU).
    i = jnp.clip(jnp.searchsorted(grid, x, side="right", method="compare_all") - 1, 0, grid.shape[0] - 2)
    w = (x - grid[i]) / (grid[i + 1] - grid[i])
    return i, w


def log_density(table: DensityTable, altitude_km, f107_sfu, ap):
    """ln(rho / (kg/m^3)) at one point: trilinear in (altitude, F10.7, Ap) of the tabulated log density."""
    i, wi = _bracket(table.altitude_km, altitude_km)
    j, wj = _bracket(table.f107_sfu, f107_sfu)
    k, wk = _bracket(table.ap, ap)
    total = 0.0
    for di, fi in ((0, 1.0 - wi), (1, wi)):
        for dj, fj in ((0, 1.0 - wj), (1, wj)):
            for dk, fk in ((0, 1.0 - wk), (1, wk)):
                total = total + fi * fj * fk * table.log_density[i + di, j + dj, k + dk]
    return total


def density_kg_m3(table: DensityTable, altitude_km, f107_sfu, ap):
    """Orbit-averaged total mass density (kg/m^3) at one point."""
    return jnp.exp(log_density(table, altitude_km, f107_sfu, ap))


def log_density_at_activity(values, f107_grid, ap_grid, f107_sfu, ap):
    """Bilinear in (F10.7, Ap) over the last two axes of ``values`` (..., n_f107, n_ap): a table already
    interpolated to fixed altitudes (the altitude weights of ``log_density`` do not depend on solar activity)."""
    j, wj = _bracket(f107_grid, f107_sfu)
    k, wk = _bracket(ap_grid, ap)
    return (
        (1.0 - wj) * (1.0 - wk) * values[..., j, k]
        + (1.0 - wj) * wk * values[..., j, k + 1]
        + wj * (1.0 - wk) * values[..., j + 1, k]
        + wj * wk * values[..., j + 1, k + 1]
    )


def mean_density_over_activity(values, f107_grid, ap_grid, f107_samples_sfu, ap):
    """Density (kg/m^3) of ``values`` (..., n_f107, n_ap: log density already at fixed altitudes) averaged over the
    F10.7 values ``f107_samples_sfu`` (n,) at one ``ap``: e.g. over the months of a satellite's design life."""
    at_activity = jax.vmap(log_density_at_activity, in_axes=(None, None, None, 0, None))
    return jnp.mean(jnp.exp(at_activity(values, f107_grid, ap_grid, f107_samples_sfu, ap)), axis=0)
