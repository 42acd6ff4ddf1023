"""Mean launch counts of the ramp models used for calibration, in log space (pure JAX).

Time ``t`` is in years relative to the fit's reference year (the last year of the history), which keeps
the parameters well conditioned. Parameters are unconstrained:
- logistic:    theta = (log K, log r, t_mid): log mu = log K - softplus(-r (t - t_mid))
- gompertz:    theta = (log K, log r, t_mid): log mu = log K - exp(-r (t - t_mid))
- exponential: theta = (log a, r):            log mu = log a + r t
"""

import jax
import jax.numpy as jnp

MODELS = ("logistic", "gompertz", "exponential")
PARAM_NAMES = {
    "logistic": ("log_ceiling", "log_rate", "midpoint"),
    "gompertz": ("log_ceiling", "log_rate", "midpoint"),
    "exponential": ("log_level", "rate"),
}


def log_mean(model, theta, t):
    if model == "logistic":
        return theta[0] - jax.nn.softplus(-jnp.exp(theta[1]) * (t - theta[2]))
    if model == "gompertz":
        return theta[0] - jnp.exp(-jnp.exp(theta[1]) * (t - theta[2]))
    if model == "exponential":
        return theta[0] + theta[1] * t
    raise ValueError(f"model={model!r} is not one of {MODELS}")


def neg_log_posterior(model, theta, t, y, dispersion, prior_log_median, prior_log_sd):
    """Quasi-Poisson negative log-likelihood (divided by the dispersion) plus a log-normal ceiling prior
    (S-curves only; pass prior_log_sd = inf for none)."""
    log_mu = log_mean(model, theta, t)
    nll = jnp.sum(jnp.exp(log_mu) - y * log_mu) / dispersion
    if model in ("logistic", "gompertz"):
        nll = nll + 0.5 * ((theta[0] - prior_log_median) / prior_log_sd) ** 2
    return nll
