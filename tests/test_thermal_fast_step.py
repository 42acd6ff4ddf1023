"""The fleet fast path (Newton from the previous temperature, no heat pump) equals the bracketed solver."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from thermal import core


def _series(params, solver, fraction, heat_w, dt_s):
    state = core.transient_init(params, 300.0, heat_w[0])

    def body(state, inputs):
        return solver(params, state, *inputs, dt_s), state.radiator_temperature_k

    return jax.lax.scan(body, state, (fraction, heat_w))


def test_fast_step_matches_bracketed_solver_through_eclipses():
    environment = core.RadiatorEnvironment(solar_absorptivity=0.1, earth_view_factor=0.5)
    # Light (0.5 kg/m^2) and heavy (10 kg/m^2) aluminium panels, 60 s steps; compute (120 kW) shed in a 35 min
    # eclipse every 95 min: temperature swings of tens of kelvin per step on the light panel.
    steps = np.arange(600)
    in_sun = ((steps % 95) < 60).astype(float)
    heat_w = 3e3 + 120e3 * in_sun
    for areal_mass_kg_m2 in (0.5, 10.0):
        params = core.TransientParams(
            area_m2=160.0, emissivity=0.9, heat_capacity_j_k=160.0 * areal_mass_kg_m2 * 900.0, environment=environment
        )
        slow, slow_path = _series(params, core.transient_step, jnp.asarray(in_sun), jnp.asarray(heat_w), 60.0)
        fast, fast_path = _series(
            params, core.transient_step_no_heat_pump, jnp.asarray(in_sun), jnp.asarray(heat_w), 60.0
        )
        assert np.ptp(np.asarray(slow_path)) > 20.0
        np.testing.assert_allclose(fast_path, slow_path, atol=1e-6)
        for a, b in zip(fast, slow):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-6)

    def final_temperature(area_m2):
        p = core.TransientParams(
            area_m2=area_m2, emissivity=0.9, heat_capacity_j_k=area_m2 * 4500.0, environment=environment
        )
        return _series(p, core.transient_step_no_heat_pump, jnp.asarray(in_sun), jnp.asarray(heat_w), 60.0)[
            0
        ].radiator_temperature_k

    gradient = jax.grad(final_temperature)(160.0)
    numeric = (final_temperature(160.0 + 1e-4) - final_temperature(160.0 - 1e-4)) / 2e-4
    assert np.isfinite(gradient)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6)


def test_records_not_kept_stay_none_and_the_kept_ones_are_unchanged():
    # The fleet budget carries only the records it reads; the others are None through every step.
    params = core.TransientParams(area_m2=160.0, emissivity=0.9, heat_capacity_j_k=160.0 * 2.0 * 900.0)
    lean = core.transient_init(params, 300.0, 3e3, records=("max_chip_k",))
    full = core.transient_init(params, 300.0, 3e3)
    assert lean.min_radiator_k is None and lean.absorbed_j is None and lean.max_chip_k is not None
    for _ in range(3):
        lean = core.transient_step_no_heat_pump(params, lean, 1.0, 1.2e5, 60.0)
        full = core.transient_step_no_heat_pump(params, full, 1.0, 1.2e5, 60.0)
    assert lean.chip_temperature_k is None and lean.elapsed_s is None
    assert float(lean.radiator_temperature_k) == float(full.radiator_temperature_k)
    assert float(lean.max_chip_k) == float(full.max_chip_k)
    with pytest.raises(ValueError, match=r"records: \['max_chip'\] are not records of TransientState"):
        core.transient_init(params, 300.0, records=("max_chip",))
