"""Counting JAX compilations (``jax.monitoring``'s compile events): a slider move must compile nothing."""

from __future__ import annotations

import contextlib
import dataclasses

import jax.monitoring

# A cache miss traces the function (TRACE_EVENT); XLA then compiles it (COMPILE_EVENT) unless the persistent
# compilation cache holds it.
TRACE_EVENT = "/jax/core/compile/jaxpr_trace_duration"
COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"


@dataclasses.dataclass
class CompileCount:
    traces: int = 0
    compiles: int = 0


@contextlib.contextmanager
def count_compilations():
    """``with count_compilations() as count:`` counts the traces and XLA compilations inside the block."""
    count = CompileCount()

    def listener(event: str, duration: float, **_):
        if event == TRACE_EVENT:
            count.traces += 1
        elif event == COMPILE_EVENT:
            count.compiles += 1

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield count
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
