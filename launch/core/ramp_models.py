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


# Below this |log(mu / y)| the ratio q(u) = 2 (e^u - 1 - u) / u^2 is summed as its series: the closed form loses
# ~eps/|u| to cancellation, the series truncated after u^4 errs by ~u^5/2520; both are ~1e-14 at 1e-2.
SERIES_BELOW = 1e-2


def scaled_deviance_residuals(model, theta, t, y, dispersion, prior_log_median, prior_log_sd):
    """Residuals whose half sum of squares is ``neg_log_posterior`` plus a constant independent of ``theta``.

    Poisson deviance residuals over the dispersion, r_i = sign(mu_i - y_i) sqrt(2 d_i / dispersion) with
    d_i = mu_i - y_i + y_i log(y_i / mu_i) (d_i = mu_i for y_i = 0), and for S-curves the prior's
    (log K - median) / sd; least squares on them (``optimistix.least_squares``) finds the same maximum a
    posteriori estimate. With u = log(mu / y), d = y (e^u - 1 - u), so r = sqrt(y) u sqrt(q(u)), smooth through
    r = 0 (no square root of a vanishing difference).
    """
    log_mu = log_mean(model, theta, t)
    observed = y > 0
    safe_y = jnp.where(observed, y, 1.0)
    u = log_mu - jnp.log(safe_y)
    small = jnp.abs(u) < SERIES_BELOW
    safe_u = jnp.where(small, 1.0, u)
    series = 1.0 + u * (1.0 / 3.0 + u * (1.0 / 12.0 + u * (1.0 / 60.0 + u / 360.0)))
    q = jnp.where(small, series, 2.0 * (jnp.expm1(safe_u) - safe_u) / safe_u**2)
    residual = jnp.where(observed, jnp.sqrt(safe_y) * u * jnp.sqrt(q), jnp.sqrt(2.0) * jnp.exp(0.5 * log_mu))
    residual = residual / jnp.sqrt(dispersion)
    if model in ("logistic", "gompertz"):
        residual = jnp.concatenate([residual, ((theta[0] - prior_log_median) / prior_log_sd)[None]])
    return residual
