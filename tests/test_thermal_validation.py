"""Bad input gets a clear error naming the argument, the value and the allowed range, never NaN."""

import math

import equinox as eqx
import jax
import numpy as np
import pytest

import thermal

SUNLIT = dict(solar_absorptivity=0.2, sun_view_factor=1.0)
PARAMS = thermal.transient_params(100.0, 0.9, 2e5, lift_k=20.0)
SERIES = np.r_[np.ones(10), np.zeros(6)]

BAD_INPUTS = [
    # (call, exception, message pattern)
    (lambda: thermal.net_flux_w_m2(300.0, 1.3), ValueError, r"emissivity=1\.3 is outside the allowed range \(0, 1\]"),
    (
        lambda: thermal.radiator_area_m2(1e3, 300.0, 0.0),
        ValueError,
        r"emissivity=0 is outside the allowed range \(0, 1\]",
    ),
    (
        lambda: thermal.radiator_area_m2(1e3, 300.0, 0.9, solar_absorptivity=-0.1, sun_view_factor=1.0),
        ValueError,
        r"solar_absorptivity=-0\.1 is outside the allowed range \[0, 1\]",
    ),
    (
        lambda: thermal.net_flux_w_m2(300.0, 0.9, ir_absorptivity=1.5, solar_absorptivity=0.1, earth_view_factor=0.3),
        ValueError,
        r"ir_absorptivity=1\.5 is outside the allowed range \[0, 1\]",
    ),
    (
        lambda: thermal.radiator_area_m2(1e3, 0.0, 0.9),
        ValueError,
        r"temperature_k=0 K is outside the allowed range \(0, inf\) K",
    ),
    (
        lambda: thermal.net_flux_w_m2(-5.0, 0.9),
        ValueError,
        r"temperature_k=-5 K is outside the allowed range \(0, inf\) K",
    ),
    (
        lambda: thermal.radiator_area_m2(-1e3, 300.0, 0.9),
        ValueError,
        r"heat_w=-1000 W is outside the allowed range \[0, inf\) W",
    ),
    (
        lambda: thermal.radiator_temperature_k(1e3, -2.0, 0.9),
        ValueError,
        r"area_m2=-2 m² is outside the allowed range \(0, inf\) m²",
    ),
    (
        lambda: thermal.radiator_temperature_k(1e3, np.array([10.0, math.nan]), 0.9),
        ValueError,
        r"area_m2=nan m² is outside the allowed range",
    ),
    (
        lambda: thermal.radiator_area_m2(1e3, 300.0, 0.9, sides=3),
        ValueError,
        r"sides=3 is outside the allowed range \(0, 2\]",
    ),
    (
        lambda: thermal.net_flux_w_m2(300.0, 0.9, solar_flx_w_m2=1361.0),
        TypeError,
        r"unknown environment argument\(s\) 'solar_flx_w_m2'; allowed: albedo, earth_ir_w_m2, earth_temperature_k",
    ),
    (
        lambda: thermal.net_flux_w_m2(300.0, 0.9, sun_view_factor=1.0),
        TypeError,
        r"solar_absorptivity is required when the radiator sees the Sun or the Earth",
    ),
    (
        lambda: thermal.net_flux_w_m2(300.0, 0.9, sun_view_factor=1.2, solar_absorptivity=0.1),
        ValueError,
        r"sun_view_factor=1\.2 is outside the allowed range \[0, 1\]",
    ),
    (
        lambda: thermal.net_flux_w_m2(300.0, 0.9, albedo=-0.3),
        ValueError,
        r"albedo=-0\.3 is outside the allowed range \[0, 1\]",
    ),
    (
        lambda: thermal.net_flux_w_m2(300.0, 0.9, earth_ir_w_m2=237.0, earth_temperature_k=255.0),
        TypeError,
        r"give earth_ir_w_m2 or earth_temperature_k, not both",
    ),
    (
        lambda: thermal.net_flux_w_m2(300.0, 0.9, environment={"albedo": 0.3}),
        TypeError,
        r"environment: expected a thermal\.RadiatorEnvironment, got dict",
    ),
    (
        lambda: thermal.radiator_area_m2(1e3, 150.0, 0.9, **SUNLIT),
        ValueError,
        r"infeasible radiator: at temperature_k=150 K the plate emits .* but absorbs 272\.2 W/m²",
    ),
    (
        lambda: thermal.radiator_temperature_k(1e6, 10.0, 0.9, max_temperature_k=350.0),
        ValueError,
        r"infeasible radiator: it can reject heat_w only at \d+(\.\d+)? K, above max_temperature_k=350 K",
    ),
    (
        lambda: thermal.earth_view_factor(-100.0),
        ValueError,
        r"altitude_km=-100 km is outside the allowed range \(0, inf\) km",
    ),
    (
        lambda: thermal.earth_view_factor(550.0, "sideways"),
        ValueError,
        r"orientation='sideways' is not one of 'nadir', 'edge_on', 'zenith'",
    ),
    (
        lambda: thermal.earth_view_factor(550.0, 4.0),
        ValueError,
        r"orientation=4 rad is outside the allowed range \[0, 3\.14159\] rad",
    ),
    (lambda: thermal.heat_pump(1e5, 300.0, -5.0), ValueError, r"lift_k=-5 K is outside the allowed range \[0, inf\) K"),
    (
        lambda: thermal.heat_pump(1e5, 300.0, 30.0, carnot_fraction=1.5),
        ValueError,
        r"carnot_fraction=1\.5 is outside the allowed range \(0, 1\]",
    ),
    (lambda: thermal.Coating(1.2, 0.9).at(1.0), ValueError, r"alpha_bol=1\.2 is outside the allowed range \[0, 1\]"),
    (
        lambda: thermal.Coating(0.1, 0.9).at(-1.0),
        ValueError,
        r"age_years=-1 yr is outside the allowed range \[0, inf\) yr",
    ),
    (
        lambda: thermal.transient_params(100.0, 0.9, 0.0),
        ValueError,
        r"heat_capacity_j_k=0 J/K is outside the allowed range \(0, inf\) J/K",
    ),
    (
        lambda: thermal.transient_params(100.0, 0.9, 1e5, thermal_resistance_k_w=-1e-3),
        ValueError,
        r"thermal_resistance_k_w=-0\.001 K/W is outside the allowed range \[0, inf\) K/W",
    ),
    (
        lambda: thermal.transient_extremes(PARAMS, SERIES * 1.2, 1e4, 60.0),
        ValueError,
        r"illuminated_fraction=1\.2 is outside the allowed range \[0, 1\]",
    ),
    (
        lambda: thermal.transient_extremes(PARAMS, SERIES, 1e4, 0.0),
        ValueError,
        r"dt_s=0 s is outside the allowed range \(0, inf\) s",
    ),
    (
        lambda: thermal.transient_extremes(PARAMS, SERIES, -1e4, 60.0),
        ValueError,
        r"heat_w=-10000 W is outside the allowed range \[0, inf\) W",
    ),
    (
        lambda: thermal.transient_extremes(PARAMS, np.ones((2, 5)), 1e4, 60.0),
        ValueError,
        r"expected a non-empty 1-D series \(time,\), got shape \(2, 5\); batch satellites with jax\.vmap",
    ),
    (
        lambda: thermal.transient_extremes(PARAMS, SERIES, 1e4, 60.0, warmup_passes=-1),
        ValueError,
        r"warmup_passes=-1 must be an int >= 0",
    ),
    (
        lambda: thermal.transient_extremes(PARAMS, SERIES, 1e4, 60.0, substeps=0),
        ValueError,
        r"substeps=0 must be a positive int",
    ),
    (
        lambda: thermal.transient_init(PARAMS, 15.0),
        ValueError,
        r"lift_k=20 K leaves no cold side: the radiator at 15 K minus the lift must stay above 0 K",
    ),
    (
        lambda: thermal.transient_extremes(eqx.tree_at(lambda p: p.emissivity, PARAMS, 2.0), SERIES, 1e4, 60.0),
        ValueError,
        r"emissivity=2 is outside the allowed range \(0, 1\]",
    ),
    (
        lambda: thermal.TransientParams(area_m2=100.0, emissivity=1.5, heat_capacity_j_k=2e5),
        ValueError,
        r"TransientParams\.emissivity=1\.5 is outside the allowed range \(0, 1\]",
    ),
    (
        lambda: thermal.RadiatorEnvironment(albedo=1.2),
        ValueError,
        r"RadiatorEnvironment\.albedo=1\.2 is outside the allowed range \[0, 1\]",
    ),
    (
        lambda: thermal.transient_extremes((100.0, 0.9), SERIES, 1e4, 60.0),
        TypeError,
        r"params: expected thermal\.TransientParams",
    ),
    (
        lambda: thermal.radiator_area_m2("hot", 300.0, 0.9),
        TypeError,
        r"heat_w: expected a number or array of numbers, got 'hot'",
    ),
]


@pytest.mark.parametrize("call, error, message", BAD_INPUTS)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_traced_inputs_skip_eager_checks_and_stay_finite():
    # Under jit the concrete checks cannot run; the kernels' guards keep outputs finite (inf flags infeasible).
    area = jax.jit(lambda t: thermal.radiator_area_m2(1e3, t, 0.9, **SUNLIT))(150.0)
    assert float(area) == math.inf
    values = jax.jit(jax.vmap(lambda q: thermal.radiator_temperature_k(q, 1.0, 0.9)))(np.array([0.0, 1.0, 1e9]))
    assert np.all(np.isfinite(np.asarray(values)))
