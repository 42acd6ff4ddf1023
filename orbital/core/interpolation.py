"""Interpolation with a continuous first derivative, for tables whose gradients the plan differentiates."""

from __future__ import annotations

import jax.numpy as jnp


def monotone_cubic(x_nodes, y_nodes, x):
    """The monotone piecewise-cubic Hermite interpolant (Fritsch & Carlson, SIAM J. Numer. Anal. 17(2) 238,
    1980, with the harmonic-mean slopes of Fritsch & Butland 1984) of ``y_nodes`` at ``x`` (increasing
    ``x_nodes``, static length >= 2): exact at the nodes, monotone wherever the data are, continuous first
    derivative. Beyond the ends it continues along the end slopes."""
    h = jnp.diff(x_nodes)
    secant = jnp.diff(y_nodes) / h
    left, right = secant[:-1], secant[1:]
    same_sign = left * right > 0.0
    safe_sum = jnp.where(same_sign, left + right, 1.0)
    inner = jnp.where(same_sign, 2.0 * left * right / safe_sum, 0.0)
    slopes = jnp.concatenate([secant[:1], inner, secant[-1:]])
    # Comparisons with every node, fused into one loop (the tables are short; the default binary search runs as a
    # loop of gathers, slow under Monte Carlo's vmap on a CPU).
    k = jnp.clip(jnp.searchsorted(x_nodes, x, side="right", method="compare_all") - 1, 0, x_nodes.shape[0] - 2)
    x0, y0, width = x_nodes[k], y_nodes[k], h[k]
    t = (x - x0) / width
    inside = (t >= 0.0) & (t <= 1.0)
    # Not clipped: at a node clip would split the derivative between its two sides.
    tc = jnp.where(inside, t, 0.0)
    cubic = (
        (2 * tc**3 - 3 * tc**2 + 1) * y0
        + (tc**3 - 2 * tc**2 + tc) * width * slopes[k]
        + (-2 * tc**3 + 3 * tc**2) * y_nodes[k + 1]
        + (tc**3 - tc**2) * width * slopes[k + 1]
    )
    beyond = jnp.where(t < 0.0, y0 + slopes[k] * (x - x0), y_nodes[k + 1] + slopes[k + 1] * (x - x_nodes[k + 1]))
    return jnp.where(inside, cubic, beyond)
