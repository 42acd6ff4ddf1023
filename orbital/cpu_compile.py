"""``jax.jit`` with XLA CPU compile options chosen for the kind of program: ``quick_jit`` for small programs
evaluated at one point, ``batch_jit`` for the plan model vmapped over draws. The options are given per compiled
function (``jax.jit(..., compiler_options=)``), never through the process-wide ``XLA_FLAGS``.

- **One point** (the plan's outputs and the summary's gradient, the altitude trade's tables). They run in
  milliseconds and compile in seconds, most of which XLA's CPU backend spends generating one kernel per fusion
  (~550 for the gradient, ~330 for the outputs, each on arrays of a few dozen numbers, each with a fixed
  MLIR-to-LLVM cost). XLA's classic loop emitters at LLVM -O0 compile the same programs in under half the time
  (2026-12-01, 2-core CPU: the gradient 18.5 -> 8.2 s, the outputs 6.7 -> 2.2 s), and agree with the default
  compile to 2e-14 relative. Check every program put here against XLA's default compile in a test: under these
  two options together XLA miscompiled one program (the plan's gradient written in forward mode; most entries
  wrong, deterministically), while either option alone was right (docs/performance.md).
- **Batches** (Monte Carlo, sweeps). jaxlib 0.10 runs reductions on the CPU as YNNPACK fusions by default; on the
  plan model's (draws, years) sums inside the cohort scan they took more than a third of a 100,000-draw Monte
  Carlo. Without them the same program ran 1.35 -> 0.82 s (``python benchmarks/environment.py``).

On another backend, or with a jaxlib that does not know an option, the program compiles with XLA's defaults.
"""

from __future__ import annotations

import functools

import jax

QUICK_COMPILE_CPU_OPTIONS = {"xla_cpu_use_fusion_emitters": False, "xla_backend_optimization_level": 0}
BATCH_CPU_OPTIONS = {"xla_cpu_experimental_ynn_fusion_type": ""}


class CpuJit:
    """``jax.jit(fun, static_argnums=...)`` compiled with ``cpu_options`` when the default backend is the CPU."""

    def __init__(self, fun, static_argnums=(), cpu_options=None):
        functools.update_wrapper(self, fun)
        self._default = jax.jit(fun, static_argnums=static_argnums)
        self._cpu = jax.jit(fun, static_argnums=static_argnums, compiler_options=dict(cpu_options or {}))
        self._options_known = bool(cpu_options)

    def __call__(self, *args, **kwargs):
        if self._options_known and jax.default_backend() == "cpu":
            try:
                return self._cpu(*args, **kwargs)
            except jax.errors.JaxRuntimeError as error:
                if "No such compile option" not in str(error):
                    raise
                self._options_known = False
        return self._default(*args, **kwargs)


def quick_jit(fun=None, *, static_argnums=()):
    """``CpuJit`` with ``QUICK_COMPILE_CPU_OPTIONS``: a decorator, bare or with ``static_argnums``."""
    if fun is None:
        return functools.partial(quick_jit, static_argnums=static_argnums)
    return CpuJit(fun, static_argnums, QUICK_COMPILE_CPU_OPTIONS)


def batch_jit(fun=None, *, static_argnums=()):
    """``CpuJit`` with ``BATCH_CPU_OPTIONS``: a decorator, bare or with ``static_argnums``."""
    if fun is None:
        return functools.partial(batch_jit, static_argnums=static_argnums)
    return CpuJit(fun, static_argnums, BATCH_CPU_OPTIONS)
