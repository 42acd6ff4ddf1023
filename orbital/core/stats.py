"""Running per-satellite illumination statistics, folded in one (sat, time) chunk at a time.

"In eclipse" means an illuminated fraction below 0.5. Sums and per-day flags are vectorised reductions over the
chunk; only the eclipse run length needs a sequential pass, an (init, step) pair scanned over time with the
satellites as the vector axis (O(n_time); ``lax.cummax`` would lower to an O(n_time^2) reduce-window on CPU).
The state carries the run in progress and the UTC day of the latest eclipse step, so the statistics do not
depend on how the time axis is cut into chunks.
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


class RunState(NamedTuple):
    run: object
    max_run: object


def init(n_sat: int, dtype) -> IlluminationState:
    zeros_i = jnp.zeros((n_sat,), jnp.int32)
    return IlluminationState(jnp.zeros((n_sat,), dtype), zeros_i, zeros_i, zeros_i, zeros_i,
                             jnp.full((n_sat,), -1, jnp.int32))


def run_step(state: RunState, eclipse) -> RunState:
    run = jnp.where(eclipse, state.run + 1, 0)
    return RunState(run, jnp.maximum(state.max_run, run))


def update(state: IlluminationState, fraction, day_index, valid, *, max_days_per_chunk: int = 2):
    """Fold a chunk ``fraction`` (time, sat) into the state.

    Time-major on purpose: the scan walks rows of satellites, and the reductions run over the leading axis with
    the satellites as the vector lanes (a transpose of a (sat, time) chunk costs more than all of this).

    ``day_index`` (time,) int32: UTC day of each step counted from the window's first day, non-decreasing, with at
    most ``max_days_per_chunk`` distinct values in a chunk (a chunk spans at most a day); ``valid`` (time,) bool:
    False on padding steps, which only follow the window's last step.
    """
    valid = valid[:, None]
    eclipse = (fraction < ECLIPSE_THRESHOLD) & valid

    def body(carry, eclipse_now):
        return run_step(carry, eclipse_now), None

    runs = lax.scan(body, RunState(state.eclipse_run, state.max_eclipse_run), eclipse)[0]

    eclipse_days, last_day = state.eclipse_days, state.last_eclipse_day
    for offset in range(max_days_per_chunk):
        day = day_index[0] + offset
        any_today = jnp.any(eclipse & (day_index[:, None] == day), axis=0)
        eclipse_days = eclipse_days + (any_today & (day > last_day))
        last_day = jnp.where(any_today, day, last_day)

    return IlluminationState(
        sunlit_sum=state.sunlit_sum + jnp.sum(jnp.where(valid, fraction, 0.0), axis=0),
        eclipse_steps=state.eclipse_steps + jnp.sum(eclipse, axis=0, dtype=jnp.int32),
        eclipse_run=runs.run,
        max_eclipse_run=runs.max_run,
        eclipse_days=eclipse_days,
        last_eclipse_day=last_day,
    )
