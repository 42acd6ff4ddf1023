"""Running per-satellite illumination statistics, updated one (sat, time) chunk at a time (optax-style init/update).

"In eclipse" means an illuminated fraction below 0.5. Runs of eclipse and UTC days with eclipse are carried
across chunk boundaries, so the statistics do not depend on how the time axis is cut.
"""

from typing import NamedTuple

import jax.numpy as jnp
from jax import lax

ECLIPSE_THRESHOLD = 0.5


class IlluminationState(NamedTuple):
    sunlit_sum: object          # (sat,) sum of illuminated fraction over valid steps
    eclipse_steps: object       # (sat,) steps with fraction < 0.5
    eclipse_run: object         # (sat,) length of the eclipse run in progress at the end of the last chunk
    max_eclipse_run: object     # (sat,) longest run of consecutive eclipse steps so far
    eclipse_days: object        # (sat,) UTC days with at least one eclipse step
    last_eclipse_day: object    # (sat,) UTC day index of the latest eclipse step, -1 if none


def init(n_sat: int, dtype) -> IlluminationState:
    zeros_i = jnp.zeros((n_sat,), jnp.int32)
    return IlluminationState(jnp.zeros((n_sat,), dtype), zeros_i, zeros_i, zeros_i, zeros_i,
                             jnp.full((n_sat,), -1, jnp.int32))


def update(state: IlluminationState, fraction, day_index, valid) -> IlluminationState:
    """Fold a chunk ``fraction`` (sat, time) into the state. ``day_index`` (time,) int32: UTC day of each step
    counted from the window's first day; ``valid`` (time,) bool: False on padding steps (only at the end)."""
    n_time = fraction.shape[-1]
    eclipse = (fraction < ECLIPSE_THRESHOLD) & valid
    step = jnp.arange(n_time, dtype=jnp.int32)

    last_break = lax.cummax(jnp.where(eclipse, -1, step), axis=1)
    run = jnp.where(last_break >= 0, step - last_break, state.eclipse_run[:, None] + step + 1)

    latest_day = jnp.maximum(lax.cummax(jnp.where(eclipse, day_index, -1), axis=1),
                             state.last_eclipse_day[:, None])
    previous_day = jnp.concatenate([state.last_eclipse_day[:, None], latest_day[:, :-1]], axis=1)
    new_day = eclipse & (day_index > previous_day)

    return IlluminationState(
        sunlit_sum=state.sunlit_sum + jnp.sum(jnp.where(valid, fraction, 0.0), axis=1),
        eclipse_steps=state.eclipse_steps + jnp.sum(eclipse, axis=1, dtype=jnp.int32),
        eclipse_run=run[:, -1],
        max_eclipse_run=jnp.maximum(state.max_eclipse_run, jnp.max(run, axis=1)),
        eclipse_days=state.eclipse_days + jnp.sum(new_day, axis=1, dtype=jnp.int32),
        last_eclipse_day=latest_day[:, -1],
    )
