"""Analyses of the plan model: exact sensitivities (``jax.grad``), what-if sweeps and Monte Carlo (``jax.vmap``),
and the checks of their options (metric, grid size, draws, seed, input ranges)."""

from __future__ import annotations

import dataclasses
import difflib
import itertools
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

import launch
from orbital.design import SatelliteDesign
from orbital.planner.inputs import check_input_ranges, is_calendar_input, unflatten_inputs
from orbital.planner.model import DEFAULT_METRIC, PlanModel, check_metric
from orbital.planner.scenario import MAX_DRAWS, MAX_SEED

MAX_SWEEP_POINTS = 100_000
MONTECARLO_METRICS = (
    "gw_effective",
    "gw_operating",
    "gw_launched",
    "satellites_operating",
    "capex_usd",
    "lcoc_orbit_usd_per_kw_yr",
    "lcoc_ground_usd_per_kw_yr",
    "lcoc_ratio",
)
SWEEP_COLUMNS = (
    "launches",
    "payload_t",
    "kw_per_tonne",
    "gw_launched",
    "gw_operating",
    "gw_effective",
    "satellites_operating",
    "capex_usd",
    "lcoc_orbit_usd_per_kw_yr",
    "lcoc_ratio",
)


# --- sensitivities ------------------------------------------------------------------------------------------
def sensitivity(model: PlanModel, metric: str = DEFAULT_METRIC, year: int | None = None) -> pd.DataFrame:
    """Exact ``jax.grad`` of ``metric`` in ``year`` with respect to every numeric input; elasticities
    (d ln metric / d ln input) ranked by magnitude. Inputs equal to zero get elasticity 0 (their gradient is
    still reported)."""
    check_metric(metric)
    year = model.start_year + model.n_years - 1 if year is None else year
    value, grad = model.value_and_grad(metric, year)
    return elasticity_table(model, model.theta0, float(value), np.asarray(grad), metric, year)


def elasticity_table(model: PlanModel, theta, value: float, grad, metric: str, year: int) -> pd.DataFrame:
    """``sensitivity``'s ranked table from ``metric``'s value in ``year`` and its gradient at ``theta``."""
    theta = np.asarray(theta)
    # Calendar years (ref_year, intro_year, ...) have no meaningful "1 % change": their elasticity is the relative
    # change of the metric per +1 year shift instead (column ``per``).
    calendar = np.array([is_calendar_input(name) for name in model.names])
    scale = np.where(calendar, 1.0, theta)
    elasticity = grad * scale / value if value != 0 else np.zeros_like(grad)
    frame = pd.DataFrame(
        {
            "input": model.names,
            "value": theta,
            "gradient": grad,
            "elasticity": elasticity,
            "per": np.where(calendar, "+1 year", "+1 %"),
        }
    )
    frame = frame[~frame["input"].isin(model.unused)]
    frame = frame.reindex(frame["elasticity"].abs().sort_values(ascending=False, kind="stable").index)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame.attrs.update(metric=metric, year=int(year), metric_value=value)
    return frame.reset_index(drop=True)


# --- sweeps -------------------------------------------------------------------------------------------------
def resolve_input(model: PlanModel, key: str) -> list:
    """Input vector indices named by ``key``: a full name, a unique dotted suffix (``payload_t``,
    ``ceiling_launches_per_yr``), or a vector input without index (sets every element)."""
    names = model.names
    if key in names:
        return [names.index(key)]
    exact_leaf = [i for i, n in enumerate(names) if n.split("[")[0] == key]
    if exact_leaf:
        return exact_leaf
    leaf_matches = sorted(
        {n.split("[")[0] for n in names if ("." + n.split("[")[0]).endswith("." + key) or ("." + n).endswith("." + key)}
    )
    if len(leaf_matches) == 1:
        match = leaf_matches[0]
        return [
            i
            for i, n in enumerate(names)
            if n == match
            or n.split("[")[0] == match
            and "[" in n
            and ("." + n).endswith("." + key)
            or n.split("[")[0] == match
            and "[" not in key
        ]
    if len(leaf_matches) > 1:
        raise ValueError(f"--set {key}: ambiguous; it matches {', '.join(leaf_matches)}")
    close = difflib.get_close_matches(key, names, n=3)
    raise ValueError(
        f"--set {key}: not a numeric scenario input"
        + (f"; did you mean {', '.join(close)}?" if close else "; `orbital sensitivity` lists them")
    )


def parse_set(text: str) -> tuple[str, list]:
    """``key=v1,v2,...`` -> (key, [floats])."""
    if "=" not in text:
        raise ValueError(f"--set {text!r}: expected key=v1,v2,... (e.g. limits.flights_per_vehicle_per_yr=15,30)")
    key, values = text.split("=", 1)
    try:
        numbers = [float(v) for v in values.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"--set {text!r}: the values must be numbers separated by commas") from None
    if not numbers:
        raise ValueError(f"--set {text!r}: give at least one value")
    return key.strip(), numbers


def check_sweep(settings: dict) -> int:
    """Number of grid points of ``settings``; ValueError beyond ``MAX_SWEEP_POINTS``."""
    n_points = 1
    for values in settings.values():
        n_points *= len(values)
    if n_points > MAX_SWEEP_POINTS:
        raise ValueError(f"--set: the grid has {n_points:,} points; keep it under {MAX_SWEEP_POINTS:,}")
    return n_points


def sweep(model: PlanModel, settings: dict, *, metrics=()) -> pd.DataFrame:
    """What-if grid: every combination of ``settings`` (key -> values), evaluated in one vmapped call. Returns a
    long table: one row per grid point and year, with ``SWEEP_COLUMNS`` and any further plan outputs named in
    ``metrics``."""
    check_sweep(settings)
    columns = tuple(dict.fromkeys([*SWEEP_COLUMNS, *(check_metric(m) for m in metrics)]))
    if (
        "cohorts.kw_per_tonne_initial" in {model.names[i] for k in settings for i in resolve_input(model, k)}
        and model.kw_from_design
    ):
        model = model.with_kw_per_tonne_input()
    keys = list(settings)
    indices = [resolve_input(model, k) for k in keys]
    grid = list(itertools.product(*[settings[k] for k in keys]))
    thetas = np.tile(np.asarray(model.theta0), (len(grid), 1))
    for row, point in enumerate(grid):
        for idx, value in zip(indices, point):
            thetas[row, idx] = value
    check_inputs(model, thetas)
    # Pad the grid to a bucket size (shared compiled shapes across sweeps and small Monte Carlo runs).
    padded = np.concatenate([thetas, np.repeat(thetas[-1:], bucket_size(len(thetas)) - len(thetas), axis=0)])
    out = {k: np.asarray(v)[: len(thetas)] for k, v in model.batched(jnp.asarray(padded)).items() if np.ndim(v) == 2}
    years = model.start_year + np.arange(model.n_years)
    rows = []
    for g, point in enumerate(grid):
        frame = pd.DataFrame({"case": g, **{k: v for k, v in zip(keys, point)}, "year": years})
        for metric in (*columns, "binding_code"):
            frame[metric] = out[metric][g]
        rows.append(frame)
    table = pd.concat(rows, ignore_index=True)
    table["binding_constraint"] = pd.Categorical.from_codes(table.pop("binding_code").astype(int), launch.BINDING_NAMES)
    return table


def bucket_size(n: int) -> int:
    """Batch size for ``n`` cases: a power of two, at least 64 (one compiled shape for many small runs)."""
    return max(64, 1 << (int(n) - 1).bit_length())


def check_inputs(model: PlanModel, thetas: np.ndarray, what: str = "what-if value"):
    """Validate input vectors against the declarations: each input's range (every row), then the constructors'
    checks across fields (ceiling above start, years in order; the first 256 distinct rows)."""
    check_input_ranges(model.names, model.specs, thetas, what)
    for row in np.unique(thetas, axis=0)[:256]:
        tree = jax.tree.map(lambda x: np.asarray(x, float), unflatten_inputs(jnp.asarray(row), model.layout))
        try:
            SatelliteDesign(**{k: float(v) for k, v in tree["design"].items()})
            rebuild(tree["launch"])
        except (ValueError, TypeError) as err:
            raise ValueError(f"{what} out of range: {err}") from None


def rebuild(parameters):
    """Rebuild a tree of parameter objects through their constructors, innermost first, so that every
    construction check runs (unflattening a pytree skips them)."""
    if not dataclasses.is_dataclass(parameters):
        return parameters
    nested = {
        f.name: rebuild(getattr(parameters, f.name))
        for f in dataclasses.fields(parameters)
        if dataclasses.is_dataclass(getattr(parameters, f.name))
    }
    return dataclasses.replace(parameters, **nested)


# --- Monte Carlo --------------------------------------------------------------------------------------------
def check_draws(n: int | None = None, seed: int | None = None):
    """Monte Carlo needs 2 to ``MAX_DRAWS`` draws and a seed in [0, 2^32) (None: the scenario's value, checked on
    load)."""
    if n is not None and not 2 <= int(n) <= MAX_DRAWS:
        raise ValueError(
            f"n={n} is outside the allowed range [2, {MAX_DRAWS:,}] draws (Monte Carlo needs at least 2 draws; "
            "for more than the maximum, pool the draws of several seeds)"
        )
    if seed is not None and not 0 <= int(seed) < MAX_SEED:
        raise ValueError(f"seed={seed} is outside the allowed range [0, {MAX_SEED - 1}]")


def _norm_cdf(z):
    return 0.5 * (1.0 + jax.scipy.special.erf(z / np.sqrt(2.0)))


def _draw(dist, z):
    """Inverse CDF of ``dist`` (a scenario distribution) at the standard normals ``z``."""
    if dist.dist == "normal":
        return dist.mean + dist.sd * z
    if dist.dist == "lognormal":
        return dist.median * np.exp(dist.sd_log * z)
    u = np.clip(np.asarray(_norm_cdf(z)), 1e-12, 1 - 1e-12)
    if dist.dist == "uniform":
        return dist.low + (dist.high - dist.low) * u
    a, c, b = dist.low, dist.mode, dist.high  # triangular inverse CDF
    split = (c - a) / (b - a)
    return np.where(u < split, a + np.sqrt(u * (b - a) * (c - a)), b - np.sqrt((1 - u) * (b - a) * (b - c)))


def sample_inputs(model: PlanModel, n: int, seed: int) -> np.ndarray:
    """``n`` input vectors: inputs with a distribution in ``[montecarlo.inputs]`` are drawn from ``seed`` with
    ``jax.random`` (correlations through a Gaussian copula: correlated standard normals mapped through each
    marginal's inverse CDF); the other inputs stay at their scenario values."""
    mc = model.scenario.montecarlo
    keys = list(mc.inputs)
    thetas = np.tile(np.asarray(model.theta0, dtype=float), (n, 1))
    if not keys:
        raise ValueError(
            f"scenario '{model.scenario.name}': [montecarlo.inputs] is empty; give at least one "
            'uncertain input (e.g. [montecarlo.inputs."limits.flights_per_vehicle_per_yr"])'
        )
    corr = np.eye(len(keys))
    for c in mc.correlations:
        i, j = keys.index(c.a), keys.index(c.b)
        corr[i, j] = corr[j, i] = c.rho
    try:
        chol = np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        raise ValueError(
            "montecarlo.correlations: the correlation matrix is not positive definite; "
            "lower the magnitudes of the correlations"
        ) from None
    with jax.enable_x64(True):
        normals = np.asarray(jax.random.normal(jax.random.key(seed), (n, len(keys)), dtype=jnp.float64))
    z = normals @ chol.T
    for k, key in enumerate(keys):
        thetas[:, model.index(key)] = _draw(mc.inputs[key], z[:, k])
    return thetas


def check_draw_ranges(model: PlanModel, thetas: np.ndarray):
    """Draws outside an input's declared range would silently give NaN; name the input and the range instead."""
    for key in model.scenario.montecarlo.inputs:
        k = model.index(key)
        spec = model.specs[k]
        column = thetas[:, k]
        if not np.isfinite(column).all():
            raise ValueError(f"montecarlo.inputs.{key}: the distribution produced non-finite values")
        if spec is None:
            continue
        try:
            spec.check(key, column)
        except ValueError:
            unit = f" {spec.unit}" if spec.unit else ""
            raise ValueError(
                f"montecarlo.inputs.{key}: draws reach {column.min():g}..{column.max():g}{unit}, outside "
                f"the allowed range {spec.interval()}{unit}; narrow the distribution (or use a lognormal)"
            ) from None


def montecarlo(
    model: PlanModel,
    n: int | None = None,
    seed: int | None = None,
    *,
    chunk: int = 20_000,
    progress: Callable[[float, float], None] | None = None,
    metrics=MONTECARLO_METRICS,
) -> dict:
    """Monte Carlo of the plan: ``jax.vmap`` of ``PlanModel.outputs`` over sampled inputs (in chunks of
    ``chunk`` draws; ``progress(draws done, n)`` after each). Returns ``{"draws": {metric: (n, n_years)},
    "bands": DataFrame, "inputs": DataFrame, "n", "seed"}``; bands are percentiles per year (ordered by
    construction)."""
    mc = model.scenario.montecarlo
    n = mc.draws if n is None else int(n)
    seed = mc.seed if seed is None else int(seed)
    check_draws(n, seed)
    metrics = [check_metric(m) for m in dict.fromkeys(metrics)]
    thetas = sample_inputs(model, n, seed)
    check_draw_ranges(model, thetas)
    # The draws holding each drawn input's extremes go through the launch/design constructors' checks.
    columns = [model.index(key) for key in mc.inputs]
    extremes = sorted({int(i) for c in columns for i in (np.argmin(thetas[:, c]), np.argmax(thetas[:, c]))})
    check_inputs(model, thetas[extremes], "montecarlo: a draw")
    draws = {m: np.empty((n, model.n_years)) for m in metrics}
    # Pad the last chunk to the chunk size so that one compiled shape serves every chunk.
    size = min(chunk, bucket_size(n))
    for start in range(0, n, size):
        part = thetas[start : start + size]
        m = part.shape[0]
        if m < size:
            part = np.concatenate([part, np.repeat(part[-1:], size - m, axis=0)])
        out = model.batched(jnp.asarray(part), tuple(metrics))
        for metric in metrics:
            draws[metric][start : start + m] = np.asarray(out[metric])[:m]
        if progress:
            progress(start + m, n)
    years = model.start_year + np.arange(model.n_years)
    rows = []
    for metric in metrics:
        q = np.percentile(draws[metric], mc.percentiles, axis=0)
        frame = pd.DataFrame({"metric": metric, "year": years, "mean": draws[metric].mean(axis=0)})
        for p, row in zip(mc.percentiles, q):
            frame[f"p{p:g}"] = row
        rows.append(frame)
    inputs = pd.DataFrame({key: thetas[:, model.index(key)] for key in mc.inputs})
    return {"draws": draws, "bands": pd.concat(rows, ignore_index=True), "inputs": inputs, "n": n, "seed": seed}
