"""JAX contracts of the public functions: gradients of every output with respect to every input match central
finite differences (float64), vmap equals a loop, jit equals no-jit, and float32 stays within stated tolerances
of float64."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import thermal

# ------------------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------------------


def check_jacobian_against_central_differences(function, x, relative_step=1e-6, rtol=2e-6, atol=1e-7):
    """function: (n,) -> (m,). Compares jacrev with central differences for every input, all in one batch.

    Steps are 1e-6 relative (1e-6 absolute below 1); atol 1e-7 covers the rounding of outputs ~300 (300 * 2e-16
    / 2e-6 = 3e-8), rtol 2e-6 the O(h^2) truncation."""
    x = jnp.asarray(x, dtype=jnp.float64)
    jacobian = np.asarray(jax.jit(jax.jacrev(function))(x))
    steps = relative_step * np.maximum(np.abs(np.asarray(x)), 1.0)
    evaluate = jax.jit(function)
    finite_differences = np.stack(
        [
            (np.asarray(evaluate(x.at[i].add(h))) - np.asarray(evaluate(x.at[i].add(-h)))) / (2 * h)
            for i, h in enumerate(steps)
        ],
        axis=1,
    )
    assert np.all(np.isfinite(jacobian))
    scale = np.maximum(np.abs(finite_differences), np.abs(jacobian))
    bad = np.abs(jacobian - finite_differences) > atol + rtol * scale
    assert not bad.any(), (
        f"jacobian mismatch at (output, input) {np.argwhere(bad).tolist()}:\n"
        f"{jacobian[bad]} vs {finite_differences[bad]}"
    )
    return jacobian


STEADY_INPUTS = [
    "heat_w",
    "temperature_k",
    "emissivity",
    "sides",
    "solar_flux_w_m2",
    "solar_absorptivity",
    "ir_absorptivity",
    "sun_view_factor",
    "earth_view_factor",
    "albedo",
    "earth_temperature_k",
]


def steady_outputs(x):
    values = dict(zip(STEADY_INPUTS, x))
    heat, temperature, emissivity, sides = (values.pop(k) for k in ("heat_w", "temperature_k", "emissivity", "sides"))
    net = thermal.net_flux_w_m2(temperature, emissivity, sides, **values)
    area = thermal.radiator_area_m2(heat, temperature, emissivity, sides, **values)
    # the temperature of a fixed area (area input = heat / 400 so that it too is an input)
    back = thermal.radiator_temperature_k(heat, heat / 400.0, emissivity, sides, **values)
    sizing = thermal.size_radiator(heat, temperature, emissivity, sides, **values)
    absorbed = thermal.absorbed_flux_w_m2(emissivity, **values)
    return jnp.stack([net, area, back, sizing.emitted_w_m2, absorbed])


@pytest.mark.parametrize(
    "x",
    [
        [1e6, 293.15, 0.92, 2.0, 1366.0, 0.09, 0.09, 1.0, 0.25, 0.3, 253.15],
        [3e4, 340.0, 0.8, 1.0, 1320.0, 0.3, 0.85, 0.4, 0.6, 0.35, 255.0],
    ],
)
def test_steady_gradients_match_finite_differences(x):
    check_jacobian_against_central_differences(steady_outputs, x)


def test_kirchhoff_default_gradient_flows_to_emissivity():
    def net(emissivity):
        return thermal.net_flux_w_m2(
            300.0, emissivity, solar_absorptivity=0.2, earth_view_factor=0.3, earth_ir_w_m2=237.0
        )

    # d/d eps of (2 eps sigma T^4 - eps * 237 * 0.3)
    assert float(jax.grad(net)(0.8)) == pytest.approx(2 * 5.670374419e-8 * 300.0**4 - 237.0 * 0.3, rel=1e-12)


def test_heat_pump_and_coating_gradients_match_finite_differences():
    def pump(x):
        result = thermal.heat_pump(x[0], x[1], x[2], x[3])
        return jnp.stack([result.hot_temperature_k, result.cop, result.power_w, result.rejected_w])

    check_jacobian_against_central_differences(pump, [1e5, 300.0, 35.0, 0.45])

    def coating(x):
        alpha, epsilon = thermal.Coating(x[0], x[1], x[2], x[3]).at(x[4])
        return jnp.stack([alpha, epsilon])

    check_jacobian_against_central_differences(coating, [0.1, 0.85, 0.015, -0.005, 7.0])


# Transient: every scalar parameter, the initial temperature, the step length, and (as directional derivatives)
# the illumination and heat series.
# 96 one-minute steps like tests/test_thermal_transient.py, so that compiled scans are shared within a session.
FRACTION = np.r_[np.ones(59), 0.6, np.zeros(35), 0.4]
HEAT_W = np.where(FRACTION > 0.0, 3e4, 1.6e4)
DIRECTION = np.random.default_rng(7).normal(size=(2, FRACTION.size))
TRANSIENT_INPUTS = [
    "area_m2",
    "emissivity",
    "heat_capacity_j_k",
    "sides",
    "thermal_resistance_k_w",
    "lift_k",
    "carnot_fraction",
    "solar_flux_w_m2",
    "solar_absorptivity",
    "ir_absorptivity",
    "sun_view_factor",
    "earth_view_factor",
    "albedo",
    "earth_ir_w_m2",
    "initial_temperature_k",
    "dt_s",
    "fraction_direction",
    "heat_direction",
]
TRANSIENT_X = [
    100.0,
    0.9,
    3.0 * 100 * 897.0,
    2.0,
    2e-4,
    25.0,
    0.5,
    1361.0,
    0.2,
    0.85,
    0.5,
    0.45,
    0.3,
    237.0,
    285.0,
    90.0,
    0.0,
    0.0,
]


def transient_outputs(x, periodic=False):
    values = dict(zip(TRANSIENT_INPUTS, x))
    start = values.pop("initial_temperature_k")
    dt_s = values.pop("dt_s")
    fraction = FRACTION + values.pop("fraction_direction") * DIRECTION[0]
    heat = HEAT_W + values.pop("heat_direction") * 1e4 * DIRECTION[1]
    params = thermal.transient_params(**values)
    result = thermal.transient_extremes(params, fraction, heat, dt_s, initial_temperature_k=None if periodic else start)
    return jnp.stack(
        [
            result.min_radiator_k,
            result.max_radiator_k,
            result.min_chip_k,
            result.max_chip_k,
            result.final_state.radiator_temperature_k,
            result.final_state.emitted_j / 1e6,
        ]
    )


def test_transient_gradients_match_finite_differences():
    jacobian = check_jacobian_against_central_differences(transient_outputs, TRANSIENT_X, rtol=1e-5)
    # every input moves at least one output (no input silently ignored)
    assert np.all(np.abs(jacobian).max(axis=0) > 0.0)


def test_periodic_start_gradient_matches_finite_differences_along_a_direction():
    # Forward mode through the shooting step (itself a jvp): one directional derivative over all inputs.
    x = jnp.asarray(TRANSIENT_X)
    direction = jnp.asarray(np.random.default_rng(3).normal(size=x.size)) * jnp.maximum(jnp.abs(x), 1.0)
    direction = direction.at[TRANSIENT_INPUTS.index("initial_temperature_k")].set(0.0)  # unused when periodic
    function = jax.jit(lambda x: transient_outputs(x, periodic=True))
    _, derivative = jax.jvp(function, (x,), (direction,))
    h = 1e-7
    finite = (function(x + h * direction) - function(x - h * direction)) / (2 * h)
    np.testing.assert_allclose(np.asarray(derivative), np.asarray(finite), rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------------------------------------------------
# vmap, jit, float32
# ------------------------------------------------------------------------------------------------------------
ENVIRONMENT = dict(solar_absorptivity=0.15, sun_view_factor=0.7, earth_view_factor=0.4)


def test_vmap_equals_loop_for_the_steady_functions():
    temperatures = jnp.linspace(200.0, 400.0, 7)
    emissivities = jnp.linspace(0.6, 0.95, 7)
    mapped = jax.vmap(lambda t, e: thermal.radiator_area_m2(1e5, t, e, **ENVIRONMENT))(temperatures, emissivities)
    single = jax.jit(lambda t, e: thermal.size_radiator(1e5, t, e, **ENVIRONMENT).area_m2)
    looped = [float(single(t, e)) for t, e in zip(temperatures, emissivities)]
    np.testing.assert_allclose(np.asarray(mapped), looped, rtol=1e-14)
    assert np.isinf(looped[0]) and np.isinf(float(mapped[0]))  # infeasible at 200 K: +inf both ways
    altitudes = jnp.array([400.0, 550.0, 1200.0])
    mapped = jax.vmap(lambda h: thermal.earth_view_factor(h, 1.2))(altitudes)
    single = jax.jit(lambda h: thermal.earth_view_factor(h, 1.2))
    np.testing.assert_allclose(np.asarray(mapped), [float(single(h)) for h in altitudes], rtol=1e-14)


def test_vmap_over_satellites_equals_loop_for_the_transient():
    areas = np.array([60.0, 100.0, 180.0])
    shifts = [0, 10, 25]  # each satellite enters eclipse at a different step
    fractions = np.stack([np.roll(FRACTION, s) for s in shifts])
    params = thermal.transient_params(jnp.asarray(areas), 0.9, jnp.asarray(areas) * 2 * 897.0, **ENVIRONMENT)

    mapped = jax.jit(
        jax.vmap(
            lambda p, f: thermal.transient_extremes(p, f, HEAT_W, 60.0),
            in_axes=(
                # Batched fields (area, heat capacity) on axis 0, the rest shared (built by unflattening, so the
                # range checks at construction do not see the axis numbers).
                jax.tree.map(lambda leaf: 0 if np.ndim(leaf) else None, params),
                0,
            ),
        )
    )
    result = mapped(params, jnp.asarray(fractions))
    for i, area in enumerate(areas):
        single = thermal.transient_extremes(
            thermal.transient_params(area, 0.9, area * 2 * 897.0, **ENVIRONMENT), fractions[i], HEAT_W, 60.0
        )
        for name in ("min_radiator_k", "max_radiator_k", "min_chip_k", "max_chip_k"):
            assert float(getattr(result, name)[i]) == pytest.approx(float(getattr(single, name)), abs=1e-9)


def test_jit_equals_no_jit():
    arguments = (2e5, 320.0, 0.88)
    eager = thermal.radiator_area_m2(*arguments, **ENVIRONMENT)
    jitted = jax.jit(lambda q, t, e: thermal.radiator_area_m2(q, t, e, **ENVIRONMENT))(*arguments)
    assert float(jitted) == pytest.approx(float(eager), rel=1e-14)
    eager = thermal.radiator_temperature_k(2e5, 400.0, 0.88, **ENVIRONMENT)
    jitted = jax.jit(lambda a: thermal.radiator_temperature_k(2e5, a, 0.88, **ENVIRONMENT))(400.0)
    assert float(jitted) == pytest.approx(float(eager), rel=1e-14)
    # (the transient: test_vmap_over_satellites_equals_loop_for_the_transient compares jit(vmap(...)) with eager
    # calls, and test_extremes_equal_a_manual_scan_and_the_init_step_pair a jitted scan with eager extremes)


def test_float32_within_stated_tolerance_of_float64():
    f32 = jnp.float32
    # Closed forms: float32 carries ~7 digits; the Starcloud net flux is a difference of terms ~1.2x itself.
    starcloud = dict(
        solar_flux_w_m2=1366.0,
        solar_absorptivity=0.09,
        ir_absorptivity=0.09,
        sun_view_factor=1.0,
        earth_view_factor=0.25,
        albedo=0.3,
        earth_temperature_k=253.15,
    )
    net32 = thermal.net_flux_w_m2(f32(293.15), f32(0.92), **starcloud)
    assert net32.dtype == jnp.float32
    assert float(net32) == pytest.approx(633.129, rel=1e-5)
    area32 = thermal.radiator_area_m2(f32(1e6), f32(300.0), f32(0.9), sides=1)
    assert area32.dtype == jnp.float32 and float(area32) == pytest.approx(2419.14, rel=1e-5)
    # Transient: 96 implicit steps in float32 stay within 0.01 K of float64.
    params64 = thermal.transient_params(100.0, 0.9, 2e5, lift_k=10.0, **ENVIRONMENT)
    params32 = thermal.transient_params(f32(100.0), f32(0.9), f32(2e5), lift_k=f32(10.0), **ENVIRONMENT)
    result64 = thermal.transient_extremes(params64, FRACTION, HEAT_W, 60.0)
    result32 = thermal.transient_extremes(params32, FRACTION.astype(np.float32), HEAT_W.astype(np.float32), f32(60.0))
    assert result32.max_chip_k.dtype == jnp.float32
    for name in ("min_radiator_k", "max_radiator_k", "min_chip_k", "max_chip_k"):
        assert float(getattr(result32, name)) == pytest.approx(float(getattr(result64, name)), abs=0.01)
