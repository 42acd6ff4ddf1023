"""Running per-satellite illumination statistics as an (init, step) pair, run with ``lax.scan`` over time.

"In eclipse" means an illuminated fraction below 0.5. The state carries the eclipse run in progress and the
UTC day of the latest eclipse step, so the statistics do not depend on how the time axis is cut into chunks.
A sequential scan over time steps (each step a vector op over the satellites) is O(n_time); the cumulative
max formulation (``lax.cummax``) lowers to an O(n_time^2) reduce-window on CPU.
"""

from typing import NamedTuple

import jax.numpy as jnp
from jax import lax

ECLIPSE_THRESHOLD = 0.5


class IlluminationState(NamedTuple):
    sunlit_sum: object          # (sat,) sum of illuminated fraction over valid steps
    eclipse_steps: object       # (sat,) steps with fraction < 0.5
    eclipse_run: object         # (sat,) length of the eclipse run in progress
    max_eclipse_run: object     # (sat,) longest run of consecutive eclipse steps so far
    eclipse_days: object        # (sat,) UTC days with at least one eclipse step
    last_eclipse_day: object    # (sat,) UTC day index of the latest eclipse step, -1 if none


def init(n_sat: int, dtype) -> IlluminationState:
    zeros_i = jnp.zeros((n_sat,), jnp.int32)
    return IlluminationState(jnp.zeros((n_sat,), dtype), zeros_i, zeros_i, zeros_i, zeros_i,
                             jnp.full((n_sat,), -1, jnp.int32))


def step(state: IlluminationState, fraction, day_index, valid) -> IlluminationState:
    """One time step: ``fraction`` (sat,), ``day_index`` scalar UTC day counted from the window's first day,
    ``valid`` scalar bool, False on padding steps (padding only follows the window's last step)."""
    eclipse = (fraction < ECLIPSE_THRESHOLD) & valid
    run = jnp.where(eclipse, state.eclipse_run + 1, 0)
    return IlluminationState(
        sunlit_sum=state.sunlit_sum + jnp.where(valid, fraction, 0.0),
        eclipse_steps=state.eclipse_steps + eclipse,
        eclipse_run=run,
        max_eclipse_run=jnp.maximum(state.max_eclipse_run, run),
        eclipse_days=state.eclipse_days + (eclipse & (day_index > state.last_eclipse_day)),
        last_eclipse_day=jnp.where(eclipse, day_index, state.last_eclipse_day),
    )


def update(state: IlluminationState, fraction, day_index, valid) -> IlluminationState:
    """Fold a chunk ``fraction`` (sat, time) into the state, step by step along time."""
    def body(carry, inputs):
        return step(carry, *inputs), None

    return lax.scan(body, state, (fraction.T, day_index, valid))[0]
