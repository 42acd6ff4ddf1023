"""Ramp calibration on the shipped SpaceX history: backtest, predictive intervals, exponential comparison."""

import numpy as np
import pytest

import launch
from launch.core.projection import cadence_launches


@pytest.fixture(scope="module")
def history(shared_data):
    return launch.load_launch_history(shared_data / "spacex-orbital-launches.csv")


@pytest.fixture(scope="module")
def backtest_fits(history):
    years, launches = history
    train = years < 2024
    return {
        model: launch.fit_ramp(years[train], launches[train], model)
        for model in ("logistic", "gompertz", "exponential")
    }


def test_history_is_the_shared_file(history):
    years, launches = history
    assert list(years) == list(range(2016, 2025))
    assert launches[-1] == 134  # SpaceX flew 134 orbital Falcon launches in 2024


@pytest.mark.parametrize("model", ["logistic", "gompertz", "exponential"])
def test_backtest_2024_inside_the_80_percent_interval(backtest_fits, model):
    # Calibrate on 2016-2023, predict 2024: the 80 % predictive interval must contain the observed 134.
    ramp = backtest_fits[model]
    assert ramp.converged
    low, mid, high = ramp.predict([2024], quantiles=(0.1, 0.5, 0.9))[:, 0]
    assert low < 134 < high
    assert 60 < mid < 170
    # Over-dispersed counts (2019 dipped to 13): the quasi-Poisson dispersion is well above 1.
    assert ramp.dispersion > 1.5


def test_predict_shape_quantile_order_and_widening(backtest_fits):
    ramp = backtest_fits["logistic"]
    years = [2024, 2026, 2030, 2035]
    q = ramp.predict(years, quantiles=(0.05, 0.1, 0.5, 0.9, 0.95))
    assert q.shape == (5, 4)
    assert np.all(np.diff(q, axis=0) >= 0)
    width = q[-1] / q[0]
    assert np.all(np.diff(width) > 0)  # farther out, wider
    mean_only = ramp.predict(years, observation_noise=False)
    assert (mean_only[2, 0] - mean_only[0, 0]) < (q[3, 0] - q[1, 0])  # a predictive interval, not a mean band
    np.testing.assert_array_equal(ramp.predict(years), ramp.predict(years))  # deterministic for a seed


def test_exponential_overshoots_the_s_curve(backtest_fits):
    exponential, logistic = backtest_fits["exponential"], backtest_fits["logistic"]
    e2035, l2035 = exponential.mean([2035])[0], logistic.mean([2035])[0]
    assert e2035 > 5 * l2035  # thousands of Falcon launches a year vs a few hundred
    assert exponential.growth_rate_per_yr == pytest.approx(0.341, abs=0.01)
    assert np.isinf(exponential.ceiling_launches_per_yr)
    assert logistic.ceiling_launches_per_yr < 2000


def test_s_curve_becomes_a_scenario_cadence(history):
    years, launches = history
    ramp = launch.fit_ramp(years, launches, ceiling_prior=(300.0, 0.5))
    cadence = ramp.to_cadence()
    assert cadence.ref_year == 2024.0
    assert cadence.start_launches_per_yr == pytest.approx(ramp.mean([2024])[0])
    future = np.arange(2024.0, 2030.0)
    np.testing.assert_allclose(np.asarray(cadence_launches(cadence, future)), ramp.mean(future), rtol=1e-9)
    summary = ramp.summary()
    assert summary["ceiling_prior"] == (300.0, 0.5) and summary["log_ceiling_sd"] > 0
