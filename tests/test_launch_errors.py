"""Bad input gives a clear error naming the argument, the value and what is allowed."""

import re

import jax
import numpy as np
import pytest

import launch

YEARS = np.arange(2016.0, 2024.0)
LAUNCHES = np.array([8, 18, 21, 13, 25, 31, 61, 96.0])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: launch.launches_per_year(1e6, -5.0),
            ValueError,
            "payload_t=-5 t is outside the allowed range (0, inf) t",
        ),
        (
            lambda: launch.gw_per_year(1e6, -70.0),
            ValueError,
            "kw_per_tonne=-70 kW/t is outside the allowed range [0, inf) kW/t",
        ),
        (lambda: launch.gw_per_year(-1.0, 70.0), ValueError, "tonnes_per_year=-1"),
        (
            lambda: launch.Cadence(start_launches_per_yr=-3.0),
            ValueError,
            "Cadence.start_launches_per_yr=-3 launches/yr is outside the allowed range (0, 1e+06] launches/yr",
        ),
        (
            lambda: launch.Cadence(start_launches_per_yr=200.0, ceiling_launches_per_yr=100.0),
            ValueError,
            "Cadence.ceiling_launches_per_yr=100 launches/yr must be greater than Cadence.start_launches_per_yr=200",
        ),
        (
            lambda: launch.Capacity(start_gw_per_yr=10.0, ceiling_gw_per_yr=5.0),
            ValueError,
            "Capacity.ceiling_gw_per_yr=5 GW/yr must be greater than Capacity.start_gw_per_yr=10",
        ),
        (
            lambda: launch.VehicleMix(payload_t=(100.0, -200.0)),
            ValueError,
            "VehicleMix.payload_t=-200 t is outside the allowed range (0, 2000] t",
        ),
        (
            lambda: launch.VehicleMix(intro_year=(2029.0, 2027.0)),
            ValueError,
            "VehicleMix.intro_year must be non-decreasing: VehicleMix.intro_year[0]=2029 is followed by",
        ),
        (
            lambda: launch.CohortParams(kw_per_tonne_initial=-1.0),
            ValueError,
            "CohortParams.kw_per_tonne_initial=-1 kW/t is outside the allowed range (0, 10000] kW/t",
        ),
        (
            lambda: launch.CohortParams(degradation_per_yr=1.0),
            ValueError,
            "CohortParams.degradation_per_yr=1 1/yr is outside the allowed range [0, 1) 1/yr",
        ),
        (
            lambda: launch.CohortParams(life_sd_yr=0.01),
            ValueError,
            "CohortParams.life_sd_yr=0.01 yr is outside the allowed range [0.05, 50] yr",
        ),
        (lambda: launch.Economics(learning_rate=1.2), ValueError, "Economics.learning_rate=1.2 is outside"),
        (lambda: launch.fit_ramp(YEARS[::-1], LAUNCHES), ValueError, "years must be strictly increasing"),
        (
            lambda: launch.fit_ramp(YEARS[:3], LAUNCHES[:3]),
            ValueError,
            "a history of 3 years is too short for model='logistic': it has 3 parameters and needs at least 4",
        ),
        (lambda: launch.fit_ramp(YEARS[:2], LAUNCHES[:2], "exponential"), ValueError, "needs at least 3"),
        (
            lambda: launch.fit_ramp(YEARS, -LAUNCHES),
            ValueError,
            "launches=-8 launches/yr is outside the allowed range [0, inf) launches/yr",
        ),
        (lambda: launch.fit_ramp(YEARS, LAUNCHES[:-1]), ValueError, "must have the same shape as years"),
        (lambda: launch.fit_ramp(YEARS, LAUNCHES, "linear"), ValueError, "model='linear' is not one of"),
        (lambda: launch.fit_ramp(YEARS, LAUNCHES, ceiling_prior=(-5.0, 1.0)), ValueError, "ceiling_prior[0]=-5"),
        (lambda: launch.project(launch.default_scenario(), 2027, 0), ValueError, "n_years=0 is outside"),
        (
            lambda: launch.project(launch.default_scenario(), 2027.5, 10),
            TypeError,
            "start_year=2027.5 must be a Python int",
        ),
        (lambda: launch.project("default"), TypeError, "must be a LaunchScenario"),
        (lambda: launch.Cadence(model="exponential"), ValueError, "Cadence.model='exponential' is not one of"),
        (lambda: launch.Cadence.from_table([2030, 2027], [10, 20]), ValueError, "Cadence.table_years must be strictly"),
        (
            lambda: launch.launched_power_usd_per_kw_yr(575.0, 0.0, 5.0, 200.0),
            ValueError,
            "power_kw=0 kW is outside the allowed range (0, inf) kW",
        ),
        (lambda: launch.gw_per_year("lots", 70.0), TypeError, "tonnes_per_year='lots' is not a number"),
    ],
)
def test_bad_input_is_named_with_its_value_and_allowed_range(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


@pytest.fixture(scope="module")
def ramp():
    return launch.fit_ramp(YEARS, LAUNCHES)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(quantiles=(0.9, 0.1)), "quantiles must be strictly increasing"),
        (dict(quantiles=(0.0, 0.5)), "quantiles=0 is outside the allowed range (0, 1)"),
        (dict(quantiles=(0.5, 1.0)), "quantiles=1 is outside the allowed range (0, 1)"),
    ],
)
def test_bad_quantiles(ramp, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        ramp.predict([2024], **kwargs)


def test_predict_years_must_be_ordered(ramp):
    with pytest.raises(ValueError, match=re.escape("years must be non-decreasing")):
        ramp.predict([2026, 2024])


def test_traced_values_skip_eager_checks_and_stay_finite():
    # Inside jit the values are tracers: no eager check, the kernels' guards keep the output finite.
    out = jax.jit(lambda p: launch.launches_per_year(1e6, p))(0.0)
    assert not np.isnan(float(out))  # inf (division by zero payload) but never NaN
    # A learning rate >= 1 is invalid (checked eagerly above) but traced it meets the log guard: finite.
    grad = jax.grad(lambda lr: launch.launch_usd_per_kg(2e4, 3600.0, 1e4, lr))(1.5)
    assert np.isfinite(float(grad))
