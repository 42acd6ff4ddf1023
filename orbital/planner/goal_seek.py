"""Goal seeking: the value of ONE input at which a plan output reaches a target in a given year.

``solve(model, target_metric=..., target_value=..., year=..., vary=...)`` holds every other input at the
scenario's value and finds the root of ``residual(x) = (metric(x) - target) / scale`` (``scale = |target|``;
when the target is 0, the largest magnitude of the metric over the grid below), in three steps:

1. the search range: the input's declared range (open ends nudged inside by 1e-9 of its width), narrowed by
   ``lower=``/``upper=``, then to the values the scenario's constructors accept with the other inputs as they
   are (a start rate below its ceiling, vehicle introduction years in order, ...);
2. a grid of 64 values across that range (half of them geometric when the scenario's value lies in the lowest
   5 % of a non-negative range; and the scenario's own value), evaluated in one vmapped call: it gives the range
   the metric covers (a target outside it is refused, naming that range) and brackets every root between
   neighbours whose residuals differ in sign, so a non-monotone metric is bracketed too; with several brackets,
   the one nearest the scenario's value is used and the result says how many the grid saw (where the metric
   equals the target over a whole stretch, the grid point of it nearest the scenario's value is returned);
3. a safeguarded Newton-bisection (``newton_bisection``) inside that bracket, with the exact derivative of the
   plan (``jax.jvp``), to ``rtol``.

Why not ``optimistix.Bisection`` followed by ``optimistix.Newton``: each of them compiles the plan inside its own
solver loop, the Newton one with its derivative; measured on a 2-core CPU, the two took 2.2 s + 8.7 s to compile,
against ~5 s for the one function of value and derivative that the loop here calls. The safeguarded loop also
keeps the bracket at every step, so where the plan is not smooth (a ``min`` switching its binding constraint)
it bisects past the kink instead of failing, and a metric that jumps across the target is reported as such.

Both compiled functions (the vmapped grid and the value with its derivative) are module-level and static in the
plan's structure and the metric only: the input, the year and the point are traced arguments, so solving again
on a model of the same structure compiles nothing new.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types

import jax
import jax.numpy as jnp
import numpy as np

from orbital.planner.analysis import check_inputs, resolve_input
from orbital.planner.inputs import flatten_inputs, input_specs, input_tree, is_calendar_input
from orbital.planner.model import PlanModel, check_metric, plan_arrays

GRID_POINTS = 64
# Open ends of a declared range (a share in (0, 1], a price in (0, 1e6]) are searched from this far inside.
OPEN_END_NUDGE = 1e-9
# Bisection alone needs at most ~60 halvings of a float64 bracket; Newton steps come on top.
MAX_STEPS = 200
METHOD = "64-point grid bracket, then safeguarded Newton-bisection with the exact derivative (jax.jvp)"
METHOD_GRID = "64-point grid (a grid value already meets the target to rtol)"


@dataclasses.dataclass(frozen=True)
class SolveResult:
    """What ``solve`` found. ``value`` is the input's value at which ``metric`` in ``year`` equals ``target`` to
    ``relative_error``; ``bracket`` is the grid cell it was found in and ``search_range`` the range searched
    (``declared_range`` is the declaration, e.g. ``(0, 5]``); ``sign_changes`` counts the roots the grid saw
    (the one nearest ``initial_value``, the scenario's value, is returned); ``grid_inputs``/``grid_metric`` are
    the grid's finite points (for the plot), ``grid_spacing`` says whether half of it is geometric."""

    input: str
    unit: str
    value: float
    initial_value: float
    metric: str
    year: int
    metric_value: float
    initial_metric_value: float
    target: float
    relative_error: float
    rtol: float
    iterations: int
    bisection_steps: int
    newton_steps: int
    declared_range: str
    search_range: tuple
    range_note: str
    bracket: tuple
    sign_changes: int
    method: str
    grid_inputs: tuple
    grid_metric: tuple
    grid_spacing: str

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


# --- checks, before any plan evaluation ---------------------------------------------------------------------
def parse_target(text: str) -> tuple[str, float]:
    """``METRIC=VALUE`` -> (metric, value); the metric and the value are checked by ``check_solve``."""
    if "=" not in text:
        raise ValueError(f"--target {text!r}: expected METRIC=VALUE (e.g. gw_launched=50)")
    metric, value = (part.strip() for part in text.split("=", 1))
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"--target {text!r}: the value after '=' must be a number") from None
    return metric, number


def _resolve_vary(names, vary: str) -> int:
    """The one input vector index named by ``vary`` (full name or unique suffix)."""
    try:
        # resolve_input reads only the names; the model itself may not exist yet (checks before the geometry).
        indices = resolve_input(types.SimpleNamespace(names=tuple(names)), vary)
    except ValueError as err:
        raise ValueError(f"vary={vary!r}: {str(err).split(': ', 1)[-1]}") from None
    if len(indices) != 1:
        listed = ", ".join(names[i] for i in indices)
        raise ValueError(
            f"vary={vary!r} names {len(indices)} inputs ({listed}); solve varies one: give its index, "
            f"e.g. {names[indices[-1]]}"
        )
    return indices[0]


def _search_range(name: str, spec, lower, upper) -> tuple[float, float]:
    """The declared range (open ends nudged inside), narrowed by ``lower``/``upper``."""
    unit = f" {spec.unit}" if spec is not None and spec.unit else ""
    low = -math.inf if spec is None else spec.low
    high = math.inf if spec is None else spec.high
    for label, bound in (("lower", lower), ("upper", upper)):
        if bound is None:
            continue
        if not math.isfinite(bound):
            raise ValueError(f"{label}={bound}: must be a finite number")
        if spec is not None:
            try:
                spec.check(name, bound)
            except ValueError:
                raise ValueError(
                    f"{label}={bound:g}{unit} is outside the allowed range {spec.interval()}{unit} of {name}"
                ) from None
    if lower is not None and upper is not None and not lower < upper:
        raise ValueError(f"lower={lower:g} must be below upper={upper:g}")
    if (lower is None and not math.isfinite(low)) or (upper is None and not math.isfinite(high)):
        raise ValueError(
            f"vary={name}: its declared range {_format_range(low, high)} has an infinite end; give lower= and "
            "upper= (--lower, --upper)"
        )
    width = (upper if upper is not None else high) - (lower if lower is not None else low)
    if lower is None:
        lower = low + OPEN_END_NUDGE * width if spec.low_open else low
    if upper is None:
        upper = high - OPEN_END_NUDGE * width if spec.high_open else high
    if not lower < upper:
        raise ValueError(f"vary={name}: the search range [{lower:g}, {upper:g}] is empty")
    return float(lower), float(upper)


def _format_range(low: float, high: float) -> str:
    return f"[{low:g}, {high:g}]"


def check_solve(
    scenario,
    *,
    target_metric: str,
    target_value: float,
    year: int,
    vary: str,
    lower: float | None = None,
    upper: float | None = None,
    rtol: float = 1e-9,
) -> tuple[str, tuple[float, float]]:
    """Every check of ``solve``'s arguments that needs only the scenario (no geometry, no plan): the metric, the
    target, the year, the input and the bounds. Returns ``(input name, search range before feasibility)``."""
    check_metric(target_metric)
    if not math.isfinite(target_value):
        raise ValueError(f"target_value={target_value}: must be a finite number")
    start, n_years = scenario.study.start_year, scenario.study.n_years
    if not start <= int(year) < start + n_years:
        raise ValueError(f"year={year}: outside the study window [{start}, {start + n_years - 1}]")
    if not 0.0 < rtol <= 1e-2:
        raise ValueError(f"rtol={rtol}: must lie in (0, 0.01]")
    tree = input_tree(scenario)
    names = flatten_inputs(tree)[1].names
    index = _resolve_vary(names, vary)
    return names[index], _search_range(names[index], input_specs(tree)[index], lower, upper)


# --- compiled pieces (static: the plan's structure and the metric) -------------------------------------------
def _metric_at(static, metric, theta, geo, index, k, x):
    return plan_arrays(theta.at[index].set(x), geo, *static)[metric][k]


@functools.partial(jax.jit, static_argnums=(0, 1))
def _grid_values(static, metric, theta, geo, index, k, xs):
    return jax.vmap(lambda x: _metric_at(static, metric, theta, geo, index, k, x))(xs)


@functools.partial(jax.jit, static_argnums=(0, 1))
def _value_and_slope(static, metric, theta, geo, index, k, x):
    # Forward mode: one input, one output; it compiles in about half the time of the reverse pass.
    return jax.jvp(lambda y: _metric_at(static, metric, theta, geo, index, k, y), (x,), (jnp.ones_like(x),))


# --- the root finder ---------------------------------------------------------------------------------------
def newton_bisection(fn, a: float, b: float, fa: float, fb: float, tol: float, max_steps: int = MAX_STEPS):
    """Root of ``fn`` between ``a`` and ``b``, where ``fa``, ``fb`` (``fn``'s values there) differ in sign;
    ``fn(x)`` returns ``(f, df/dx)``. Safeguarded Newton (``rtsafe``, Numerical Recipes 3rd ed. section 9.4):
    the bracket around the sign change shrinks at every evaluation; a Newton step is taken when it lands
    inside the bracket and is at most half the previous step, a bisection otherwise. So it converges whatever
    the function's shape (as bisection does), quadratically once Newton takes over on a smooth stretch.
    Starts from the false-position point of the bracket. Stops when ``|f| <= tol`` or the bracket cannot shrink
    (a jump across zero). Returns ``(x, f(x), {"evaluations", "newton", "bisection"})``."""
    below, above = (a, b) if fa < 0 else (b, a)  # fn(below) < 0 < fn(above); below may lie above `above`
    x = a - fa * (b - a) / (fb - fa)
    previous_step = abs(b - a)
    steps = {"evaluations": 0, "newton": 0, "bisection": 0}
    f = fa
    for _ in range(max_steps):
        f, slope = fn(x)
        steps["evaluations"] += 1
        if not math.isfinite(f):
            raise ValueError(f"the metric is not finite at {x:.10g} inside the bracket [{a:g}, {b:g}]")
        if abs(f) <= tol:
            break
        below, above = (x, above) if f < 0 else (below, x)
        low, high = min(below, above), max(below, above)
        if high - low <= 4 * np.finfo(float).eps * max(abs(low), abs(high), np.finfo(float).tiny):
            break
        newton = x - f / slope if slope != 0 and math.isfinite(slope) else math.nan
        if low < newton < high and abs(newton - x) <= 0.5 * previous_step:
            previous_step, x = abs(newton - x), newton
            steps["newton"] += 1
        else:
            previous_step, x = 0.5 * (high - low), 0.5 * (low + high)
            steps["bisection"] += 1
    return x, f, steps


# --- the search ---------------------------------------------------------------------------------------------
def _grid(low: float, high: float, x0: float, calendar: bool = False) -> tuple[np.ndarray, bool]:
    """``GRID_POINTS`` values across [low, high] and whether part of them is geometric: linear, plus the scenario's
    value (or the middle when it lies outside). When the range is non-negative and the scenario's value lies in
    its lowest 5 % (a price of $3,600/kg in (0, 1e6]), a linear grid would step over it: half the points are then
    geometric, from a hundredth of the value above the low end to the high end (never for calendar years)."""
    n = GRID_POINTS - 1
    offset = x0 - low
    geometric = not calendar and low >= 0 and 0 < offset < 0.05 * (high - low)
    if geometric:
        start = low + offset / 100
        points = np.concatenate([np.linspace(low, high, n // 2 + 1), np.geomspace(start, high, n - n // 2 - 1)])
    else:
        points = np.linspace(low, high, n)
    extra = x0 if low <= x0 <= high else 0.5 * (low + high)
    return np.append(points, extra), geometric


def _feasible_range(model, theta, index: int, low: float, high: float, x0: float):
    """[low, high] narrowed to the values the scenario's constructors accept with the other inputs fixed (their
    checks compare fields: a start rate below its ceiling, introduction years in order); each such check bounds
    the input on one side, so the accepted values form an interval. Returns ``(low, high, note)``."""
    base = np.asarray(theta, dtype=float)
    name = model.names[index]

    def failure(x) -> str | None:
        row = base.copy()
        row[index] = x
        try:
            check_inputs(model, row[None], name)
        except ValueError as err:
            return str(err).split("out of range: ", 1)[-1]
        return None

    ends = {x: failure(x) for x in (low, high)}
    if not any(ends.values()):
        return low, high, ""
    anchor = next((x for x in (x0, 0.5 * (low + high), low, high) if low <= x <= high and not failure(x)), None)
    if anchor is None:
        raise ValueError(
            f"vary={name}: no value in {_format_range(low, high)} passes the scenario's checks: {ends[low]}"
        )
    notes = []
    for end, message in ends.items():
        if message is None:
            continue
        good, bad = anchor, end
        while abs(bad - good) > 1e-12 * max(abs(high - low), abs(good)):
            middle = 0.5 * (good + bad)
            good, bad = (middle, bad) if failure(middle) is None else (good, middle)
        low, high = (good, high) if end == low else (low, good)
        notes.append(message)
    return low, high, "; ".join(notes)


def _brackets(xs: np.ndarray, residual: np.ndarray, tol: float, x0: float):
    """Roots the grid sees: points meeting the target to ``tol`` and cells whose ends differ in sign. Returns the
    number of roots (a run of points meeting the target counts once) and the one nearest ``x0`` as
    ``(a, b)`` (``a == b`` for a grid point)."""
    finite = np.isfinite(residual)
    sign = np.where(np.abs(residual) <= tol, 0, np.sign(residual))
    candidates, count = [], 0
    for j in range(len(xs)):
        if finite[j] and sign[j] == 0:
            candidates.append((xs[j], xs[j]))
            if j == 0 or not (finite[j - 1] and sign[j - 1] == 0):
                count += 1
        if j + 1 < len(xs) and finite[j] and finite[j + 1] and sign[j] * sign[j + 1] < 0:
            candidates.append((xs[j], xs[j + 1]))
            count += 1
    if not candidates:
        return 0, None

    def distance(cell):
        a, b = cell
        return 0.0 if a <= x0 <= b else min(abs(a - x0), abs(b - x0))

    return count, min(candidates, key=distance)


def solve(
    model: PlanModel,
    *,
    target_metric: str,
    target_value: float,
    year: int,
    vary: str,
    theta=None,
    rtol: float = 1e-9,
    lower: float | None = None,
    upper: float | None = None,
) -> SolveResult:
    """The value of the input ``vary`` at which ``target_metric`` in ``year`` equals ``target_value`` (relative
    tolerance ``rtol``), every other input at its value in ``theta`` (default: the scenario's). ``vary`` is a
    full input name or a unique suffix naming one vector element (``growth_rate_per_yr`` is ambiguous,
    ``cadence.growth_rate_per_yr`` is not; ``vehicles.payload_t[1]``); calendar years are allowed. The search
    stays inside the input's declared range, narrowed by ``lower``/``upper``.

    ValueError (one line) for an unknown input or metric, a vector input without its index, a year outside the
    study, a non-finite target, and a target that no value in the range reaches (naming the range the metric
    covers there). Varying ``cohorts.kw_per_tonne_initial`` switches off the design's kW/t roll-up, as a sweep
    does."""
    name, (low, high) = check_solve(
        model.scenario,
        target_metric=target_metric,
        target_value=target_value,
        year=year,
        vary=vary,
        lower=lower,
        upper=upper,
        rtol=rtol,
    )
    theta = model.theta0 if theta is None else jnp.asarray(theta, model.theta0.dtype)
    if theta.shape != model.theta0.shape:
        raise ValueError(f"theta: expected {model.theta0.shape[0]} inputs (model.names), got shape {theta.shape}")
    if name in model.unused and name == "cohorts.kw_per_tonne_initial":
        # The design roll-up sets this input inside the plan; solving for it switches the roll-up off (as a sweep
        # of it does), starting from the roll-up's value.
        model = model.with_kw_per_tonne_input(theta)
        theta = theta.at[model.index(name)].set(model.theta0[model.index(name)])
    index = model.index(name)
    spec = model.specs[index]
    unit = spec.unit if spec is not None and spec.unit else ""
    declared = spec.interval() if spec is not None else "(-inf, inf)"
    k = model.year_index(year)
    x0 = float(theta[index])
    low, high, note = _feasible_range(model, theta, index, low, high, x0)
    dtype = theta.dtype
    tol = max(float(rtol), 100 * float(jnp.finfo(dtype).eps))
    static, geo = model.static, model.geometry_arrays
    index_j, k_j = jnp.asarray(index), jnp.asarray(k)

    xs, geometric = _grid(low, high, x0, calendar=is_calendar_input(name))
    values = np.asarray(_grid_values(static, target_metric, theta, geo, index_j, k_j, jnp.asarray(xs, dtype)))
    xs, order = np.unique(xs, return_index=True)
    values = values[order]
    finite = np.isfinite(values)
    label = f"metric={target_metric} in {year}"
    where = f"for {name} in {_format_range(low, high)}{' ' + unit if unit else ''}"
    narrowed = f" (narrowed by the scenario's checks: {note})" if note else ""
    if not finite.any():
        raise ValueError(f"{label} is not finite anywhere {where}{narrowed}")
    if target_value != 0.0:
        scale = abs(target_value)
    else:
        scale = float(np.max(np.abs(values[finite]))) or 1.0
    residual = (values - target_value) / scale
    count, cell = _brackets(xs, residual, tol, x0)
    if cell is None:
        span = _format_range(values[finite].min(), values[finite].max())
        raise ValueError(f"{label} ranges over {span} {where}{narrowed}; the target {target_value:g} is outside it")
    initial = values[np.flatnonzero(xs == x0)[0]] if x0 in xs else float("nan")
    common = dict(
        input=name,
        unit=unit,
        initial_value=x0,
        metric=target_metric,
        year=int(year),
        target=float(target_value),
        rtol=float(rtol),
        declared_range=declared,
        search_range=(low, high),
        range_note=note,
        sign_changes=int(count),
        grid_inputs=tuple(float(x) for x in xs[finite]),
        grid_metric=tuple(float(v) for v in values[finite]),
        grid_spacing="linear and geometric" if geometric else "linear",
        initial_metric_value=float(initial) if np.isfinite(initial) else None,
    )
    a, b = (float(c) for c in cell)
    if a == b:
        j = int(np.flatnonzero(xs == a)[0])
        return SolveResult(
            **common,
            value=a,
            metric_value=float(values[j]),
            relative_error=float(abs(residual[j])),
            iterations=0,
            bisection_steps=0,
            newton_steps=0,
            bracket=(a, b),
            method=METHOD_GRID,
        )
    j = int(np.flatnonzero(xs == a)[0])
    fixed = (static, target_metric, theta, geo, index_j, k_j)

    reached = {}

    def residual_and_slope(x):
        value, slope = (float(v) for v in _value_and_slope(*fixed, jnp.asarray(x, dtype)))
        if not math.isfinite(value):
            raise ValueError(f"{label} is not finite at {name}={x:.10g}, inside the bracket [{a:g}, {b:g}]")
        reached[x] = value
        return (value - target_value) / scale, slope / scale

    x, r, steps = newton_bisection(residual_and_slope, a, b, float(residual[j]), float(residual[j + 1]), tol)
    reached = reached[x]
    if not abs(r) <= tol:
        raise ValueError(
            f"{label} jumps across the target {target_value:g} at {name}={x:.10g} (reaching {reached:g}); no value "
            f"{where} meets it to rtol={tol:g}"
        )
    check_inputs(model, np.asarray(theta.at[index].set(x))[None], f"{name}={x:g}")
    return SolveResult(
        **common,
        value=x,
        metric_value=reached,
        relative_error=abs(r),
        iterations=steps["evaluations"],
        bisection_steps=steps["bisection"],
        newton_steps=steps["newton"],
        bracket=(a, b),
        method=METHOD,
    )
