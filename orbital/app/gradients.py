"""Exact sensitivities for the planner page: the Jacobian of the headline metrics (``orbital.planner.METRICS``)
in every year with respect to every input, in one compiled forward-mode pass.

``orbital sensitivity`` differentiates one metric in one year (reverse mode, metric and year fixed at compile
time). The page lets the user switch metric and year freely, so it takes the whole Jacobian at once (a few ms for
the built-in scenarios): switching is then indexing, never a recompilation. The elasticities follow
``orbital.planner.sensitivity``'s definitions (calendar inputs per +1 year, inputs at zero get 0, inputs the plan
does not read are left out).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from orbital.planner import METRICS
from orbital.planner.analysis import elasticity_table
from orbital.planner.model import plan_arrays

GRADIENT_METRICS = tuple(METRICS)


@functools.partial(jax.jit, static_argnums=(2, 3, 4, 5))
def _metrics_jacobian(theta, geo, layout, start_year, n_years, kw_from_design):
    def metrics(th):
        out = plan_arrays(th, geo, layout, start_year, n_years, kw_from_design)
        return jnp.stack([out[name] for name in GRADIENT_METRICS])

    return jax.jacfwd(metrics)(theta)


def metrics_jacobian(model, theta) -> np.ndarray:
    """``d metric[year] / d theta`` for every metric of ``GRADIENT_METRICS``: shape (metrics, years, inputs)."""
    return np.asarray(_metrics_jacobian(jnp.asarray(theta), model.geometry_arrays, *model.static))


def elasticities(model, theta, values: np.ndarray, jacobian: np.ndarray, metric: str, year: int) -> pd.DataFrame:
    """The ranked sensitivity table of ``metric`` in ``year`` (``orbital.planner.sensitivity``'s columns) from
    the metric's values by year and the Jacobian of ``metrics_jacobian``."""
    if metric not in GRADIENT_METRICS:
        raise ValueError(f"metric={metric!r}: the page ranks the headline metrics; allowed: {', '.join(METRICS)}")
    k = model.year_index(year)
    grad = jacobian[GRADIENT_METRICS.index(metric), k]
    return elasticity_table(model, theta, float(values[k]), grad, metric, year)
