"""Calibrate launch ramps on a launch history and forecast them with predictive intervals.

Method (see docs/launch.md): counts are modelled as quasi-Poisson, ``Var[N] = phi * mu``, with the mean an S-curve
(logistic or Gompertz) or an exponential in time. Parameters are the maximum a posteriori estimate, found by
Levenberg-Marquardt (``optimistix.least_squares``) on the scaled Poisson deviance residuals, whose half sum of
squares is the negative log posterior up to a constant (float64 via the scoped ``jax.enable_x64``). The dispersion
``phi`` is the Pearson chi-square over the residual degrees of freedom (floored at 1, Poisson). A history still in
its exponential phase does not identify an S-curve's ceiling (the likelihood keeps rising as K -> inf), so S-curves
carry a log-normal prior on the ceiling: by default weak, median 3x the largest count and log-sd 1 (a factor e
either way at 1 sigma); pass a physical one (pads x launches per pad, vehicles x turnaround) when you have it.
Uncertainty: the Laplace approximation (inverse Hessian of the negative log posterior) for the parameters, then
negative-binomial observation noise with the same ``phi``, so ``predict`` gives predictive intervals for observed
counts, not a band for the mean.

Fitting runs on the host (numpy in, numpy out); it is not meant to be traced.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx

from launch import validation as v
from launch.core import ramp_models
from launch.params import EARLIEST_YEAR, LATEST_YEAR, Cadence


def load_launch_history(path) -> tuple[np.ndarray, np.ndarray]:
    """(years, launches) from a CSV with columns ``year`` and ``orbital_launches`` (e.g. SpaceX's history,
    ``orbital/data/spacex-orbital-launches.csv``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"launch history {path} not found (expected a CSV with year,orbital_launches)")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"year", "orbital_launches"} <= set(rows[0]):
        raise ValueError(f"{path}: expected columns 'year' and 'orbital_launches'")
    years = np.array([float(r["year"]) for r in rows])
    launches = np.array([float(r["orbital_launches"]) for r in rows])
    return years, launches


# Levenberg-Marquardt (optimistix) stops when both the step and the change of every residual fall below
# atol + rtol * |value| (max norm). The parameters (log K, log r, midpoint in years) are of order 1 with posterior
# sd > 1e-2, so 1e-10 is far below what the data determine and still above float64 round-off; it reproduces the
# earlier hand-written damped Newton fits to ~4e-8 relative.
FIT_RTOL = 1e-10
FIT_ATOL = 1e-10
FIT_MAX_STEPS = 500
# The fit and the dispersion estimate alternate until the dispersion settles (2-3 rounds in practice).
DISPERSION_ROUNDS = 4
DISPERSION_RTOL = 1e-8


@functools.cache
def _solver(model):
    """Jitted maximum a posteriori fit of ``model``: least squares on the scaled deviance residuals, whose half
    sum of squares is the negative log posterior up to a constant. Returns (theta, converged)."""
    solver = optx.LevenbergMarquardt(rtol=FIT_RTOL, atol=FIT_ATOL)

    def residuals(theta, args):
        return ramp_models.scaled_deviance_residuals(model, theta, *args)

    def solve(theta, args):
        solution = optx.least_squares(residuals, solver, theta, args, max_steps=FIT_MAX_STEPS, throw=False)
        return solution.value, solution.result == optx.RESULTS.successful

    return jax.jit(solve)


@functools.cache
def _hessian(model):
    """Jitted exact Hessian of the negative log posterior (the Laplace approximation's precision)."""

    def f(theta, t, y, dispersion, prior_median, prior_sd):
        return ramp_models.neg_log_posterior(model, theta, t, y, dispersion, prior_median, prior_sd)

    return jax.jit(jax.hessian(f))


@dataclass(frozen=True)
class Ramp:
    """A ramp fitted by ``fit_ramp``. Parameters are in the unconstrained space of ``param_names``."""

    model: str
    param_names: tuple
    params: np.ndarray
    covariance: np.ndarray
    dispersion: float
    ref_year: float
    years: np.ndarray
    launches: np.ndarray
    ceiling_prior: tuple | None
    converged: bool

    # -- point values -----------------------------------------------------------------------------------
    @property
    def ceiling_launches_per_yr(self) -> float:
        """K of an S-curve (inf for the exponential)."""
        return math.inf if self.model == "exponential" else float(np.exp(self.params[0]))

    @property
    def growth_rate_per_yr(self) -> float:
        return float(self.params[1]) if self.model == "exponential" else float(np.exp(self.params[1]))

    @property
    def midpoint_year(self) -> float:
        """Inflection year of an S-curve (nan for the exponential)."""
        return math.nan if self.model == "exponential" else float(self.ref_year + self.params[2])

    def _log_mean(self, theta, years):
        with jax.enable_x64(True):
            t = jnp.asarray(years, dtype=jnp.float64) - self.ref_year
            theta = jnp.asarray(theta, dtype=jnp.float64)
            if theta.ndim == 1:
                return np.asarray(ramp_models.log_mean(self.model, theta, t))
            return np.asarray(jax.vmap(lambda th: ramp_models.log_mean(self.model, th, t))(theta))

    def mean(self, years) -> np.ndarray:
        """Fitted mean launches per year (the point forecast)."""
        years = _check_years("years", years, strict=False)
        return np.exp(self._log_mean(self.params, years))

    def predict(
        self,
        years,
        quantiles=(0.1, 0.5, 0.9),
        *,
        n_samples: int = 20_000,
        seed: int = 0,
        observation_noise: bool = True,
    ) -> np.ndarray:
        """Predictive quantiles of the launch count in each year, shape ``(len(quantiles), len(years))``.

        Parameters are drawn from the Laplace posterior; with ``observation_noise`` each draw adds
        negative-binomial noise of the fitted dispersion (a predictive interval for what will be observed);
        without it the band is for the mean only. Deterministic for a given ``seed``.
        """
        years = _check_years("years", years, strict=False)
        q = v.to_array("quantiles", quantiles)
        if q.ndim != 1 or q.size == 0:
            raise ValueError(f"quantiles={quantiles!r} must be a non-empty 1-D sequence")
        v.check_range("quantiles", q, 0.0, 1.0, low_open=True, high_open=True)
        v.check_increasing("quantiles", q)
        n_samples = v.check_static_int("n_samples", n_samples, 100)
        rng = np.random.default_rng(seed)
        draws = rng.multivariate_normal(self.params, self.covariance, size=n_samples, method="eigh")
        mu = np.exp(np.clip(self._log_mean(draws, years), -50.0, 50.0))
        if observation_noise:
            if self.dispersion > 1.0 + 1e-9:
                size = mu / (self.dispersion - 1.0)
                mu = rng.negative_binomial(size, 1.0 / self.dispersion).astype(float)
            else:
                mu = rng.poisson(mu).astype(float)
        return np.quantile(mu, q, axis=0)

    def to_cadence(self, ref_year: float | None = None) -> Cadence:
        """The fitted S-curve as a scenario ``Cadence`` anchored at ``ref_year`` (default: the last year of the
        history)."""
        if self.model == "exponential":
            raise ValueError("model='exponential' has no ceiling; fit a 'logistic' or 'gompertz' ramp for a Cadence")
        ref_year = float(self.years[-1] if ref_year is None else ref_year)
        start = float(self.mean([ref_year])[0])
        return Cadence(
            start_launches_per_yr=start,
            ceiling_launches_per_yr=self.ceiling_launches_per_yr,
            growth_rate_per_yr=self.growth_rate_per_yr,
            ref_year=ref_year,
            model=self.model,
        )

    def summary(self) -> dict:
        sd = np.sqrt(np.diag(self.covariance))
        out = dict(
            model=self.model,
            dispersion=self.dispersion,
            converged=self.converged,
            ceiling_launches_per_yr=self.ceiling_launches_per_yr,
            growth_rate_per_yr=self.growth_rate_per_yr,
            midpoint_year=self.midpoint_year,
            ceiling_prior=self.ceiling_prior,
        )
        out.update({f"{n}": float(p) for n, p in zip(self.param_names, self.params)})
        out.update({f"{n}_sd": float(s) for n, s in zip(self.param_names, sd)})
        return out


def _check_years(name, years, strict=True):
    y = v.to_array(name, years)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of years, got shape {y.shape}")
    v.check_range(name, y, EARLIEST_YEAR, LATEST_YEAR)
    v.check_increasing(name, y, strict=strict)
    return np.asarray(y, dtype=float)


def fit_ramp(years, launches, model: str = "logistic", *, ceiling_prior: tuple | None = None) -> Ramp:
    """Fit a launch ramp to a history of launches per year.

    ``model``: "logistic" (default), "gompertz" or "exponential" (for comparison: it has no ceiling and
    overshoots, see docs/launch.md). ``ceiling_prior``: (median launches/yr, log-sd) of a log-normal prior on
    the S-curve ceiling; default (3 x max(launches), 1.0). Needs at least one more year than the model has
    parameters (the spare degree of freedom estimates the dispersion). Returns a ``Ramp``.
    """
    v.check_choice("model", model, ramp_models.MODELS)
    years = _check_years("years", years)
    y = v.to_array("launches", launches)
    if y.shape != years.shape:
        raise ValueError(f"launches (shape {y.shape}) must have the same shape as years (shape {years.shape})")
    v.check_range("launches", y, 0.0, unit="launches/yr")
    names = ramp_models.PARAM_NAMES[model]
    n, p = len(years), len(names)
    if n < p + 1:
        raise ValueError(
            f"a history of {n} years is too short for model={model!r}: it has {p} parameters and "
            f"needs at least {p + 1} points (one more than the parameters, to estimate the noise)"
        )
    if np.max(y) <= 0:
        raise ValueError("launches must contain at least one positive count")
    ref_year = float(years[-1])
    t = years - ref_year

    # Start from a log-linear least-squares exponential (half a launch added so that a zero count has a log),
    # with a positive rate (the S-curves are parametrised by log r).
    rate0, log_level0 = np.polyfit(t, np.log(y + 0.5), 1)
    rate0 = max(rate0, 0.05)
    if model == "exponential":
        theta0 = np.array([log_level0, rate0])
        prior = None
        prior_args = (0.0, math.inf)
    else:
        if ceiling_prior is None:
            ceiling_prior = (3.0 * float(np.max(y)), 1.0)
        if len(ceiling_prior) != 2:
            raise ValueError(f"ceiling_prior={ceiling_prior!r} must be (median launches/yr, log-sd)")
        v.check_range("ceiling_prior[0]", ceiling_prior[0], 0.0, low_open=True, unit="launches/yr")
        v.check_range("ceiling_prior[1]", ceiling_prior[1], 0.0, low_open=True)
        prior = (float(ceiling_prior[0]), float(ceiling_prior[1]))
        prior_args = (math.log(prior[0]), prior[1])
        # The ceiling starts at the prior median, and at least e^0.5 ~ 1.6x the current level so that the
        # S-curve through the current level has a finite midpoint.
        log_k = max(math.log(prior[0]), log_level0 + 0.5)
        gap = log_k - log_level0  # log K - log mu at the reference year, > 0
        if model == "logistic":
            mid = math.log(math.expm1(gap)) / rate0
        else:
            mid = math.log(gap) / rate0
        theta0 = np.array([log_k, math.log(rate0), mid])

    with jax.enable_x64(True):
        t_j, y_j = jnp.asarray(t, jnp.float64), jnp.asarray(y, jnp.float64)
        theta = jnp.asarray(theta0, jnp.float64)
        dispersion = 1.0
        converged = False
        for _ in range(DISPERSION_ROUNDS):
            args = (t_j, y_j, dispersion, *prior_args)
            theta, converged = _solver(model)(theta, args)
            mu = np.exp(np.asarray(ramp_models.log_mean(model, theta, t_j)))
            new_dispersion = max(1.0, float(np.sum((y - mu) ** 2 / mu)) / (n - p))
            if abs(new_dispersion - dispersion) < DISPERSION_RTOL * dispersion:
                break
            dispersion = new_dispersion
        args = (t_j, y_j, dispersion, *prior_args)
        hess = np.asarray(_hessian(model)(theta, *args))
    covariance = np.linalg.pinv(hess, hermitian=True)
    covariance = 0.5 * (covariance + covariance.T)
    return Ramp(
        model=model,
        param_names=names,
        params=np.asarray(theta),
        covariance=covariance,
        dispersion=float(dispersion),
        ref_year=ref_year,
        years=years,
        launches=np.asarray(y, float),
        ceiling_prior=prior,
        converged=bool(converged),
    )
