"""Running per-satellite illumination statistics, folded in one instant at a time.

"In eclipse" means an illuminated fraction below 0.5. An (init, step) pair scanned over time with the satellites
as the vector lanes: every statistic, the eclipse run length included, is O(n_time) (``lax.cummax`` would lower
to an O(n_time^2) reduce-window on CPU). The state carries the run in progress and the UTC day of the latest
eclipse step, so the statistics do not depend on how the time axis is cut into chunks.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

ECLIPSE_THRESHOLD = 0.5


class IlluminationState(NamedTuple):
    sunlit_sum: object  # (sat,) sum of illuminated fraction over valid steps
    eclipse_steps: object  # (sat,) steps with fraction < 0.5
    eclipse_run: object  # (sat,) length of the eclipse run in progress
    max_eclipse_run: object  # (sat,) longest run of consecutive eclipse steps so far
    eclipse_days: object  # (sat,) UTC days with at least one eclipse step
    last_eclipse_day: object  # (sat,) UTC day index of the latest eclipse step, -1 if none


def init(n_sat: int, dtype) -> IlluminationState:
    zeros_i = jnp.zeros((n_sat,), jnp.int32)
    return IlluminationState(
        jnp.zeros((n_sat,), dtype), zeros_i, zeros_i, zeros_i, zeros_i, jnp.full((n_sat,), -1, jnp.int32)
    )


def step(state: IlluminationState, fraction, day, valid) -> IlluminationState:
    """Fold one instant: ``fraction`` (sat,), ``day`` its UTC day index (non-decreasing along the window),
    ``valid`` False on padding steps, which leave the state as it was."""
    eclipse = (fraction < ECLIPSE_THRESHOLD) & valid
    run = jnp.where(valid, jnp.where(eclipse, state.eclipse_run + 1, 0), state.eclipse_run)
    return IlluminationState(
        sunlit_sum=state.sunlit_sum + jnp.where(valid, fraction, 0.0),
        eclipse_steps=state.eclipse_steps + eclipse.astype(jnp.int32),
        eclipse_run=run,
        max_eclipse_run=jnp.maximum(state.max_eclipse_run, run),
        eclipse_days=state.eclipse_days + (eclipse & (day > state.last_eclipse_day)).astype(jnp.int32),
        last_eclipse_day=jnp.where(eclipse, day, state.last_eclipse_day),
    )


# Instants folded per scan step: the tile's fractions, (TILE_STEPS, sat), stay in cache while the statistics
# read them, and each statistic's TILE_STEPS updates fuse into one pass over the satellites instead of
# TILE_STEPS passes (each pass over a large block's state costs more than the arithmetic of the step).
TILE_STEPS = 8


def update(
    state: IlluminationState, fraction_at, steps, day_index, valid, *, tile_steps: int = TILE_STEPS
) -> IlluminationState:
    """Fold a chunk of instants: ``fraction_at(x)`` gives the (sat,) fraction from the slice ``x`` of ``steps``
    (a pytree with a leading time axis) that belongs to one instant.

    ``fraction_at`` may be a row lookup of a precomputed (time, sat) array or the whole geometry kernel: fused
    into the scan, the chunk's fraction is never stored beyond a tile of instants. The chunk's sunlit sum starts
    from zero and is added to the running one at the end, so float32 sums round like a chunk-sized sum rather
    than a window-sized one.
    """
    n_steps = day_index.shape[0]
    tile = max(1, min(tile_steps, n_steps))
    n_tiles = -(-n_steps // tile)
    missing = n_tiles * tile - n_steps

    def tiled(x, fill=None):
        if missing:
            pad = jnp.repeat(x[-1:], missing, axis=0) if fill is None else jnp.full((missing,) + x.shape[1:], fill)
            x = jnp.concatenate([x, pad.astype(x.dtype)])
        return x.reshape((n_tiles, tile) + x.shape[1:])

    def body(carry, tile_inputs):
        xs, days, keeps = tile_inputs
        fractions = jax.vmap(fraction_at)(xs)
        for k in range(tile):
            carry = step(carry, fractions[k], days[k], keeps[k])
        return carry, None

    zero_sum = jnp.zeros_like(state.sunlit_sum)
    inputs = (jax.tree.map(tiled, steps), tiled(day_index), tiled(valid, False))
    folded = lax.scan(body, state._replace(sunlit_sum=zero_sum), inputs)[0]
    return folded._replace(sunlit_sum=state.sunlit_sum + folded.sunlit_sum)
