"""Eclipse transient: steady state equals the equilibrium temperature, the energy balance closes, a light
radiator with a long step stays stable, and the scheme converges to an independent ODE solution."""

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate, optimize

import thermal
from thermal import core

SIGMA = 5.670374419e-8
ENVIRONMENT = dict(solar_absorptivity=0.2, sun_view_factor=0.5, earth_view_factor=0.5, albedo=0.3, earth_ir_w_m2=237.0)
AREA_M2 = 100.0


def orbit_series(steps_sun=60, steps_eclipse=36):
    """A 96-minute orbit in 60 s steps: sun, one penumbra step each way, umbra; compute shed to half in eclipse."""
    fraction = np.r_[np.ones(steps_sun - 1), 0.5, np.zeros(steps_eclipse - 1), 0.5]
    heat_w = np.where(fraction > 0.0, 3e4, 1.5e4)
    return fraction, heat_w


def params(kg_per_m2=2.0, **overrides):
    arguments = dict(
        area_m2=AREA_M2,
        emissivity=0.9,
        heat_capacity_j_k=kg_per_m2 * AREA_M2 * thermal.ALUMINIUM_SPECIFIC_HEAT_J_KG_K,
        thermal_resistance_k_w=1e-4,
        **ENVIRONMENT,
    )
    arguments.update(overrides)
    return thermal.transient_params(**arguments)


@partial(jax.jit, static_argnames="substeps")
def _trajectory(p, fraction, heat_w, dt_s, start_k, substeps):
    def body(state, inputs):
        state = core.transient_step(p, state, *inputs, substeps)
        return state, state.radiator_temperature_k

    return jax.lax.scan(body, core.transient_init(p, start_k), (fraction, heat_w, dt_s))


def trajectory(p, fraction, heat_w, dt_s, start_k, substeps=1):
    """Final state and the radiator temperature after every step (one compilation per series length)."""
    n = len(fraction)
    final, temperatures = _trajectory(
        p,
        jnp.asarray(fraction, float),
        jnp.asarray(heat_w, float),
        jnp.full((n,), dt_s, float),
        jnp.asarray(start_k, float),
        substeps,
    )
    return final, np.asarray(temperatures)


@pytest.mark.parametrize("fraction, lift_k", [(1.0, 0.0), (0.0, 0.0), (0.3, 0.0), (1.0, 30.0)])
def test_steady_state_equals_equilibrium_temperature(fraction, lift_k):
    p = params(lift_k=lift_k)  # 2 kg/m²: time constant ~4 min; 96 steps of 20 min are ~500 time constants
    n = 96
    final, _ = trajectory(p, np.full(n, fraction), np.full(n, 3e4), 1200.0, 250.0)
    environment = dict(ENVIRONMENT, solar_absorptivity=ENVIRONMENT["solar_absorptivity"] * fraction)
    if lift_k == 0.0:
        expected = float(thermal.radiator_temperature_k(3e4, AREA_M2, 0.9, **environment))
    else:
        # radiator at T rejects the heat plus the compressor power of a pump whose cold side is T - lift
        def mismatch(t):
            pump = thermal.heat_pump(3e4, t - lift_k, lift_k, 0.5)
            return float(thermal.radiator_temperature_k(pump.rejected_w, AREA_M2, 0.9, **environment)) - t

        expected = optimize.brentq(mismatch, 250.0, 400.0, xtol=1e-12)
    assert float(final.radiator_temperature_k) == pytest.approx(expected, abs=1e-3)  # 1 mK
    assert float(final.chip_temperature_k) == pytest.approx(expected - lift_k + 3e4 * 1e-4, abs=1e-3)


def test_energy_balance_closes():
    fraction, heat_w = orbit_series()
    p = params(lift_k=20.0)
    start = 280.0
    final, _ = trajectory(p, fraction, heat_w, 60.0, start)
    stored = float(p.heat_capacity_j_k * (final.radiator_temperature_k - start))
    balance = float(final.absorbed_j + final.dissipated_j + final.compressor_j - final.emitted_j)
    assert balance == pytest.approx(stored, abs=1e-9 * float(final.emitted_j))
    assert float(final.dissipated_j) == pytest.approx(float(np.sum(heat_w) * 60.0), rel=1e-14)
    assert float(final.elapsed_s) == len(fraction) * 60.0


def test_light_radiator_with_60_s_steps_is_stable():
    # 0.1 kg/m² of aluminium: time constant ~10 s, six times shorter than the step. An explicit scheme would
    # diverge; backward Euler settles onto the equilibrium temperatures of sun and shadow.
    p = params(kg_per_m2=0.1)
    fraction, heat_w = orbit_series()
    _, temperatures = trajectory(p, fraction, heat_w, 60.0, 250.0)
    hot = float(thermal.radiator_temperature_k(3e4, AREA_M2, 0.9, **ENVIRONMENT))
    cold = float(thermal.radiator_temperature_k(1.5e4, AREA_M2, 0.9, **dict(ENVIRONMENT, solar_absorptivity=0.0)))
    assert np.all(np.isfinite(temperatures))
    # backward Euler is monotone: started between them, the temperature never leaves [shadow, sun] equilibria
    assert np.all(temperatures > cold - 1e-9) and np.all(temperatures < hot + 1e-9)
    assert temperatures[58] == pytest.approx(hot, abs=1e-6)  # end of sun
    assert temperatures[94] == pytest.approx(cold, abs=1e-6)  # end of umbra
    result = thermal.transient_extremes(p, fraction, heat_w, 60.0)
    assert float(result.max_radiator_k) == pytest.approx(hot, abs=1e-6)
    assert float(result.min_radiator_k) == pytest.approx(cold, abs=1e-6)


def test_newton_solves_each_implicit_step_to_machine_precision():
    p = params(kg_per_m2=0.1, lift_k=40.0)
    substep = jax.jit(core.implicit_substep)
    for start, fraction, heat, dt in [(400.0, 0.0, 0.0, 60.0), (60.0, 1.0, 1e6, 3600.0), (300.0, 0.5, 3e4, 0.1)]:
        t1, absorbed, compressor, emitted, _ = substep(p, start, fraction, heat, dt)
        residual = p.heat_capacity_j_k * (t1 - start) / dt - (heat + absorbed + compressor - emitted)
        scale = heat + absorbed + compressor + emitted + p.heat_capacity_j_k * start / dt
        assert abs(float(residual)) <= 1e-13 * float(scale)


def reference_temperatures(p, fraction, heat_w, dt_s, start_k):
    """scipy Radau on the same ODE with the same piecewise-constant inputs (no heat pump)."""
    temperatures, temperature = [], start_k
    absorbed_sun = float(
        AREA_M2
        * ENVIRONMENT["solar_absorptivity"]
        * 1361.0
        * (ENVIRONMENT["sun_view_factor"] + ENVIRONMENT["albedo"] * ENVIRONMENT["earth_view_factor"])
    )
    absorbed_ir = AREA_M2 * 0.9 * ENVIRONMENT["earth_ir_w_m2"] * ENVIRONMENT["earth_view_factor"]
    radiating = AREA_M2 * 2 * 0.9 * SIGMA
    capacity = float(p.heat_capacity_j_k)
    for f, q in zip(fraction, heat_w):

        def rhs(_, y, f=f, q=q):
            return [(q + absorbed_sun * f + absorbed_ir - radiating * y[0] ** 4) / capacity]

        solution = integrate.solve_ivp(rhs, (0.0, dt_s), [temperature], method="LSODA", rtol=1e-10, atol=1e-8)
        temperature = solution.y[0, -1]
        temperatures.append(temperature)
    return np.array(temperatures)


def test_converges_to_an_independent_ode_solution():
    # 0.5 kg/m²: time constant ~50 s, comparable with the 60 s step, the hardest case for accuracy. Backward
    # Euler is first order: the error shrinks in proportion to the sub-step, and is largest right after the
    # sun/shadow switches (measured 5.6 K with 60 s steps, 0.37 K with 20 sub-steps of 3 s). The extremes,
    # reached near the sun and umbra equilibria, agree to a millikelvin (measured 2e-6 K).
    p = params(kg_per_m2=0.5)
    fraction, heat_w = orbit_series()
    start = float(thermal.radiator_temperature_k(3e4, AREA_M2, 0.9, **ENVIRONMENT))
    reference = reference_temperatures(p, fraction, heat_w, 60.0, start)
    errors = {}
    for substeps in (1, 20):
        _, temperatures = trajectory(p, fraction, heat_w, 60.0, start, substeps)
        errors[substeps] = np.max(np.abs(temperatures - reference))
        assert temperatures.max() == pytest.approx(reference.max(), abs=1e-3)
        assert temperatures.min() == pytest.approx(reference.min(), abs=1e-3)
    assert errors[1] < 7.0
    assert errors[20] < errors[1] / 10.0


def test_extremes_equal_a_manual_scan_and_the_init_step_pair():
    p = params(kg_per_m2=5.0, lift_k=15.0)
    fraction, heat_w = orbit_series()
    result = thermal.transient_extremes(p, fraction, heat_w, 60.0, initial_temperature_k=290.0, warmup_passes=0)
    init, step = thermal.radiator_transient(p)

    @jax.jit
    def scan_with_the_pair(fraction, heat_w):  # how a per-satellite scan uses the (init, step) pair
        def body(state, inputs):
            state = step(state, inputs[0], inputs[1], 60.0)
            return state, state.chip_temperature_k

        return jax.lax.scan(body, init(290.0), (fraction, heat_w))

    state, chips = scan_with_the_pair(jnp.asarray(fraction), jnp.asarray(heat_w))
    chips = np.asarray(chips)
    _, temperatures = trajectory(p, fraction, heat_w, 60.0, 290.0)
    assert float(result.min_radiator_k) == pytest.approx(temperatures.min(), abs=1e-9)
    assert float(result.max_radiator_k) == pytest.approx(temperatures.max(), abs=1e-9)
    assert float(result.max_chip_k) == pytest.approx(chips.max(), abs=1e-9)
    assert float(result.min_chip_k) == pytest.approx(chips.min(), abs=1e-9)
    np.testing.assert_allclose(chips, temperatures - 15.0 + heat_w * 1e-4, atol=1e-9)
    assert float(state.radiator_temperature_k) == pytest.approx(float(result.final_state.radiator_temperature_k))


def test_default_start_is_the_periodic_state():
    # A heavy radiator (20 kg/m², time constant ~40 min, comparable with the orbit): started cold, one pass is far
    # from the repeating orbit; the default start (Newton shooting on T_end = T_start) is on it, so a pass started
    # from its final temperature repeats it to within a millikelvin.
    p = params(kg_per_m2=20.0)
    fraction, heat_w = orbit_series()
    cold_start = thermal.transient_extremes(p, fraction, heat_w, 60.0, initial_temperature_k=150.0)
    default = thermal.transient_extremes(p, fraction, heat_w, 60.0)
    again = thermal.transient_extremes(
        p, fraction, heat_w, 60.0, initial_temperature_k=default.final_state.radiator_temperature_k
    )
    assert float(cold_start.min_radiator_k) < float(default.min_radiator_k) - 50.0
    for name in ("min_radiator_k", "max_radiator_k", "min_chip_k", "max_chip_k"):
        assert float(getattr(again, name)) == pytest.approx(float(getattr(default, name)), abs=1e-3)
    assert float(again.final_state.radiator_temperature_k) == pytest.approx(
        float(default.final_state.radiator_temperature_k), abs=1e-3
    )
    assert float(default.max_radiator_k) - float(default.min_radiator_k) > 5.0


def test_heat_pump_runs_the_radiator_hotter_and_the_chip_cooler():
    fraction, heat_w = orbit_series()
    plain = thermal.transient_extremes(params(), fraction, heat_w, 60.0)
    pumped = thermal.transient_extremes(params(lift_k=40.0), fraction, heat_w, 60.0)
    assert float(pumped.max_radiator_k) > float(plain.max_radiator_k)  # it also rejects the compressor power
    assert float(pumped.max_chip_k) < float(plain.max_chip_k) - 20.0
    assert float(pumped.final_state.compressor_j) > 0.0 and float(plain.final_state.compressor_j) == 0.0


def test_zero_length_step_changes_nothing():
    p = params()
    state = thermal.transient_init(p, 300.0)

    def step(dt):  # the kernel: the public transient_step rejects dt_s <= 0 for concrete inputs
        return core.transient_step(p, state, 1.0, 3e4, dt)

    after = jax.jit(step)(0.0)
    assert float(after.radiator_temperature_k) == 300.0 and float(after.emitted_j) == 0.0
    assert math.isfinite(float(jax.jit(jax.grad(lambda dt: step(dt).radiator_temperature_k))(0.0)))
