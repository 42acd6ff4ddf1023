"""``orbital.cpu_compile``: programs compiled with per-program XLA CPU options give the default compile's numbers,
and an option the installed jaxlib does not know falls back to the defaults instead of failing."""

import jax
import jax.numpy as jnp
import numpy as np

from orbital.cpu_compile import CpuJit, batch_jit, quick_jit


def kepler_residuals(eccentricity, mean_anomaly_rad):
    """A few Newton steps of Kepler's equation: transcendental, iterated, reduced (what the options change)."""
    anomaly = mean_anomaly_rad
    for _ in range(6):
        anomaly = anomaly - (anomaly - eccentricity * jnp.sin(anomaly) - mean_anomaly_rad) / (
            1.0 - eccentricity * jnp.cos(anomaly)
        )
    return jnp.sum(anomaly - eccentricity * jnp.sin(anomaly) - mean_anomaly_rad), jnp.max(anomaly)


def test_options_give_the_default_compiles_numbers():
    with jax.enable_x64(True):
        mean_anomaly = jnp.linspace(0.0, 2.0 * np.pi, 1001)
        expected = jax.jit(kepler_residuals)(0.3, mean_anomaly)
        for compiled in (quick_jit(kepler_residuals), batch_jit(kepler_residuals)):
            for got, want in zip(compiled(0.3, mean_anomaly), expected):
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_static_arguments_and_unknown_options():
    def scaled(x, factor):
        return x * factor

    compiled = quick_jit(scaled, static_argnums=1)
    np.testing.assert_array_equal(compiled(jnp.arange(3.0), 2), [0.0, 2.0, 4.0])
    unknown = CpuJit(scaled, static_argnums=1, cpu_options={"xla_no_such_option_anywhere": True})
    np.testing.assert_array_equal(unknown(jnp.arange(3.0), 3), [0.0, 3.0, 6.0])
    np.testing.assert_array_equal(unknown(jnp.arange(2.0), 4), [0.0, 4.0])
