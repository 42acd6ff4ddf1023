"""Power, battery and thermal budgets: published numbers, energy balance, gradients, JAX contracts."""

import dataclasses
import datetime as dt

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import orbital
import thermal
from orbital.design import SatelliteDesign

UTC = dt.UTC
one_tenth_w_m2 = 0.1


@pytest.fixture(scope="module")
def small_fleet():
    return orbital.Fleet.from_shells(
        [
            orbital.Shell.sun_synchronous(650.0, 6.0, planes=1, sats_per_plane=2, epoch="2027-12-21"),
            orbital.Shell.walker(550.0, 53.0, 2, 2, phasing=1, epoch="2027-12-21"),
        ]
    )


def test_solar_flux_seasonal_swing():
    # 1361 W/m^2 at 1 AU (Kopp & Lean 2011), about 1407.6 (early January, perihelion) and 1316.6 (early July, aphelion).
    january, july = orbital.solar_flux_w_m2([dt.datetime(2027, 1, 3, tzinfo=UTC), dt.datetime(2027, 7, 5, tzinfo=UTC)])
    assert january == pytest.approx(1407.6, abs=one_tenth_w_m2)
    assert july == pytest.approx(1316.6, abs=one_tenth_w_m2)


def test_dawn_dusk_650_km_is_about_96_percent_sunlit_over_a_year():
    # A "98 % sunlit" dawn-dusk orbit is really ~95-96 %: the December (LTAN 6 h) or June (18 h) eclipse
    # season of ~3 months with eclipses up to 20 min per orbit.
    fleet = orbital.Fleet.from_shells(
        [
            orbital.Shell.sun_synchronous(650.0, 6.0, epoch="2027-01-01"),
            orbital.Shell.sun_synchronous(650.0, 18.0, epoch="2027-01-01"),
        ]
    )
    year = orbital.illumination(fleet, "2027-01-01", 365, step_s=60)
    assert np.all((year.sunlit_fraction > 0.95) & (year.sunlit_fraction < 0.97))
    assert np.all((year.eclipse_days > 80) & (year.eclipse_days < 100))
    np.testing.assert_allclose(year.max_eclipse_min, 20.0, atol=1.0)


def test_battery_mass_formula():
    # E / (specific energy x DoD x efficiency): 120 kW through a 35.9 min eclipse (550 km, beta 0) at 200 Wh/kg,
    # 30 % DoD and 95 % discharge efficiency = 71,800 Wh / 57 Wh/kg = 1,259.6 kg.
    assert orbital.battery_mass_kg(120e3, 35.9, 200.0, 0.3, 0.95) == pytest.approx(120e3 * 35.9 / 60 / 57.0)
    grad = jax.grad(orbital.battery_mass_kg, argnums=(0, 1, 2, 3))(120e3, 35.9, 200.0, 0.3)
    assert all(np.isfinite(g) for g in grad)
    with pytest.raises(ValueError, match=r"depth_of_discharge=1.5 is outside the allowed range \(0, 1\]"):
        orbital.battery_mass_kg(1e3, 30.0, 200.0, 1.5)
    with pytest.raises(ValueError, match=r"depth_of_discharge=0 is outside the allowed range \(0, 1\]"):
        orbital.battery_mass_kg(1e3, 30.0, 200.0, 0.0)


def test_kw_per_tonne_is_an_output_of_stated_assumptions():
    # AI1: ~70 kW/t (SpaceX); the FCC filing: 100 kW/t. Each preset states the subsystem assumptions behind it.
    ai1 = orbital.design_mass(SatelliteDesign.ai1(), worst_eclipse_min=20.0, altitude_km=600.0)
    filing = orbital.design_mass(SatelliteDesign.filing_100kw_per_t(), worst_eclipse_min=20.0, altitude_km=600.0)
    assert ai1.kw_per_tonne == pytest.approx(70.0, rel=0.03)
    assert filing.kw_per_tonne == pytest.approx(100.0, rel=0.03)
    for breakdown in (ai1, filing):
        parts = (
            breakdown.compute_kg
            + breakdown.array_kg
            + breakdown.battery_kg
            + breakdown.radiator_kg
            + breakdown.bus_kg
            + breakdown.structure_kg
            + breakdown.thruster_kg
            + breakdown.tank_kg
            + breakdown.propellant_kg
        )
        assert parts == pytest.approx(breakdown.total_kg, rel=1e-12)
    # The radiator area is thermal's answer for the same heat, temperature and environment.
    environment = orbital.design.radiator_environment(SatelliteDesign(), 600.0)
    expected = thermal.radiator_area_m2(153e3, 320.0, 0.9, 2, environment=environment)
    assert ai1.radiator_area_m2 == pytest.approx(float(expected), rel=1e-9)


def test_energy_balance_closes(small_fleet):
    # Battery-heavy policy with an undersized battery: charging, discharging, curtailment and unserved compute
    # all occur; array energy = loads + battery change + losses + curtailed, to rounding.
    for design in (
        SatelliteDesign(),
        SatelliteDesign(eclipse_compute_fraction=1.0, battery_depth_of_discharge=0.1, array_tracks_sun=0.5),
    ):
        result = orbital.budget(small_fleet, design, "2027-12-21", days=0.5, step_s=60)
        balance = result.array_energy_kwh - (
            result.energy_delivered_kwh + result.battery_change_kwh + result.loss_kwh + result.curtailed_kwh
        )
        np.testing.assert_allclose(balance, 0.0, atol=1e-9 * result.array_energy_kwh.max())
        assert np.all(result.compute_availability <= 1.0 + 1e-12)
        assert np.all(result.battery_depth_reached <= design.battery_depth_of_discharge + 1e-12)


def test_thermal_steady_state_matches_equilibrium():
    # A 1,600 km dawn-dusk satellite in June never sees shadow: its radiator settles to thermal's equilibrium
    # temperature for the heat it dissipates (bus + full compute) in its environment.
    fleet = orbital.Fleet.from_shells([orbital.Shell.sun_synchronous(1600.0, 6.0, epoch="2027-06-21")])
    design = SatelliteDesign()
    result = orbital.budget(fleet, design, "2027-06-21", days=0.5, step_s=120)
    assert result.illumination.sunlit_fraction[0] == 1.0
    environment = orbital.design.radiator_environment(design, 1600.0)
    heat_w = design.bus_power_w + design.compute_power_w
    expected = thermal.radiator_temperature_k(heat_w, result.radiator_area_m2[0], 0.9, 2, environment=environment)
    assert result.max_radiator_k[0] == pytest.approx(float(expected), abs=1e-6)
    assert result.min_radiator_k[0] == pytest.approx(float(expected), abs=1e-6)
    assert result.compute_availability[0] == pytest.approx(1.0)


def test_budget_reports_progress_per_chunk(small_fleet):
    seen = []
    orbital.budget(
        small_fleet,
        SatelliteDesign(),
        "2027-12-21",
        days=1.5,
        step_s=120,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(720, 1080), (1080, 1080)]


def test_power_state_keeps_only_the_records_asked_for():
    from orbital.core import power

    params = power.PowerParams(
        array_area_m2=600.0,
        array_power_w_m2=250.0,
        degradation_per_year=0.015,
        tracks_sun=1.0,
        bus_power_w=3e3,
        compute_power_w=120e3,
        eclipse_compute_fraction=0.5,
        battery_capacity_wh=2e5,
        depth_of_discharge=0.3,
        one_way_efficiency=0.95,
    )
    lean = power.init(params, records=("compute_wh",))
    full = power.init(params)
    for fraction in (1.0, 0.0, 0.0, 1.0):
        array_w = power.array_power_w(params, fraction, 1.0, 0.0, 0.0)
        lean, lean_heat = power.step(params, lean, array_w, fraction, 60.0)
        full, full_heat = power.step(params, full, array_w, fraction, 60.0)
        assert float(lean_heat) == float(full_heat)
    assert lean.array_wh is None and lean.unserved_compute_wh is None
    assert float(lean.battery_wh) == float(full.battery_wh) and float(lean.compute_wh) == float(full.compute_wh)
    with pytest.raises(ValueError, match=r"records: \['compute_kwh'\] are not records of PowerState"):
        power.init(params, records=("compute_kwh",))
    with pytest.raises(ValueError, match=r"PowerParams\.one_way_efficiency=1\.2 is outside the allowed range"):
        dataclasses.replace(params, one_way_efficiency=1.2)


def test_shedding_compute_in_eclipse_lowers_availability(small_fleet):
    shed = orbital.budget(small_fleet, SatelliteDesign(eclipse_compute_fraction=0.0), "2027-12-21", days=0.5)
    carry = orbital.budget(small_fleet, SatelliteDesign(eclipse_compute_fraction=1.0), "2027-12-21", days=0.5)
    eclipsed = shed.worst_eclipse_min > 0
    assert 0 < eclipsed.sum() < len(small_fleet)
    assert np.all(carry.compute_availability[eclipsed] > shed.compute_availability[eclipsed])
    np.testing.assert_allclose(carry.compute_availability[~eclipsed], 1.0)
    np.testing.assert_allclose(shed.compute_availability[~eclipsed], 1.0)
    assert np.all(carry.battery_capacity_wh[eclipsed] > 10 * shed.battery_capacity_wh[eclipsed])
    assert np.all(carry.mass_kg[eclipsed] > shed.mass_kg[eclipsed])
    # Arrays sized for peak compute in full sun (30 kW of surplus) cannot recharge a battery that carried 123 kW
    # through a 36 min eclipse within one ~60 min day pass: the battery policy still loses compute unless the array
    # is oversized. The dawn-dusk satellites' 20 min eclipses and 78 min day passes leave enough time.
    long_eclipse = shed.worst_eclipse_min > 30.0
    assert np.all(carry.compute_availability[long_eclipse] < 1.0)
    np.testing.assert_allclose(carry.compute_availability[eclipsed & ~long_eclipse], 1.0, atol=1e-9)
    oversized = orbital.budget(
        small_fleet, SatelliteDesign(eclipse_compute_fraction=1.0, array_oversize=2.0), "2027-12-21", days=0.5
    )
    np.testing.assert_allclose(oversized.compute_availability, 1.0, atol=1e-9)
    # Shedding the full compute load cools the radiator hard in eclipse: a transient a planner must see.
    assert np.all(shed.min_radiator_k[eclipsed] < carry.min_radiator_k[eclipsed])


DIFFERENTIABLE_OUTPUTS = [
    "array_energy_kwh",
    "energy_delivered_kwh",
    "compute_energy_kwh",
    "compute_availability",
    "loss_kwh",
    "curtailed_kwh",
    "battery_change_kwh",
    "battery_capacity_wh",
    "battery_depth_reached",
    "min_radiator_k",
    "max_radiator_k",
    "max_chip_k",
    "array_area_m2",
    "radiator_area_m2",
    "array_power_bol_w",
    "array_power_eol_w",
    "mass_kg",
    "kw_per_tonne",
]


def test_gradients_of_every_output_match_finite_differences():
    fleet = orbital.Fleet.from_shells([orbital.Shell.walker(550.0, 53.0, 1, 2, epoch="2027-03-01")])
    # Partial battery use and partial array cosine keep every design input active somewhere; radiator_sides sits
    # inside its range [1, 2] (a back face partly blocked) so that central differences stay valid, as does some
    # added shielding (its range starts at its default, 0).
    base = SatelliteDesign(
        eclipse_compute_fraction=0.3, array_tracks_sun=0.6, radiator_sides=1.8, compute_shielding_mm_al=2.0
    )
    names = [f.name for f in dataclasses.fields(SatelliteDesign)]

    def outputs(values):
        design = SatelliteDesign(**dict(zip(names, values)))
        result = orbital.budget(fleet, design, "2027-03-01", days=0.1, step_s=120)
        return jnp.concatenate([jnp.atleast_1d(getattr(result, name)) for name in DIFFERENTIABLE_OUTPUTS])

    x0 = jnp.array([float(getattr(base, name)) for name in names])
    jacobian = jax.jacfwd(outputs)(x0)
    assert np.all(np.isfinite(jacobian))
    for i, name in enumerate(names):
        step = 1e-6 * max(abs(float(x0[i])), 1e-3)
        numeric = (outputs(x0.at[i].add(step)) - outputs(x0.at[i].add(-step))) / (2 * step)
        scale = np.maximum(np.abs(np.asarray(numeric)), np.abs(np.asarray(outputs(x0)))) * abs(float(x0[i])) + 1e-9
        # Compare elasticities so that outputs of very different sizes share one tolerance.
        np.testing.assert_allclose(
            np.asarray(jacobian[:, i]) * abs(float(x0[i])) / scale,
            np.asarray(numeric) * abs(float(x0[i])) / scale,
            atol=1e-5,
            err_msg=name,
        )


def test_budget_under_jit_and_vmap(small_fleet):
    designs = [SatelliteDesign(compute_power_w=p, peak_compute_power_w=1.25 * p) for p in (80e3, 120e3)]
    looped = np.array([orbital.budget(small_fleet, d, "2027-12-21", 0.25).compute_energy_kwh for d in designs])
    stacked = jax.tree.map(lambda *xs: jnp.stack([jnp.asarray(x, float) for x in xs]), *designs)
    vmapped = jax.vmap(lambda d: orbital.budget(small_fleet, d, "2027-12-21", 0.25).compute_energy_kwh)(stacked)
    np.testing.assert_allclose(vmapped, looped, rtol=1e-10)
    jitted = jax.jit(lambda d: orbital.budget(small_fleet, d, "2027-12-21", 0.25).compute_energy_kwh)(designs[1])
    np.testing.assert_allclose(jitted, looped[1], rtol=1e-10)


@pytest.mark.parametrize(
    "changes, pattern",
    [
        (dict(battery_depth_of_discharge=0.0), r"battery_depth_of_discharge=0 is outside the allowed range \(0, 1\]"),
        (dict(battery_depth_of_discharge=1.2), r"battery_depth_of_discharge=1.2 is outside"),
        (dict(radiator_emissivity=1.3), r"radiator_emissivity=1.3 is outside the allowed range \(0, 1\]"),
        (dict(array_areal_density_kg_m2=-1.0), r"array_areal_density_kg_m2=-1 kg/m2 is outside"),
        (dict(peak_compute_power_w=100e3), r"peak_compute_power_w=100000 W is below compute_power_w=120000 W;"),
        (dict(array_power_w_m2=float("nan")), r"array_power_w_m2=nan"),
        (dict(eclipse_compute_fraction=2.0), r"eclipse_compute_fraction=2 is outside the allowed range \[0, 1\]"),
    ],
)
def test_bad_designs_are_named(changes, pattern):
    with pytest.raises(ValueError, match=pattern):
        SatelliteDesign(**changes)


def test_radiator_that_cannot_reject_heat_is_an_error_not_nan(small_fleet):
    cold = SatelliteDesign(radiator_temperature_k=150.0, radiator_solar_absorptivity=0.9)
    with pytest.raises(ValueError, match=r"radiator_temperature_k=150 K: the radiator cannot reject any heat"):
        orbital.budget(small_fleet, cold, "2027-12-21", days=0.1)
    # The kernel itself reports an infinite area (and so zero kW/t), never NaN, for traced use.
    breakdown = orbital.design_mass(cold, worst_eclipse_min=20.0, altitude_km=550.0)
    assert breakdown.radiator_area_m2 == np.inf and breakdown.kw_per_tonne == 0.0
    with pytest.raises(TypeError, match=r"unknown SatelliteDesign field\(s\) \['radiator_colour'\]"):
        SatelliteDesign().replace(radiator_colour="white")


# --- the tiled scan against the per-step formulation ----------------------------------------------------------
# Both evaluate the same expressions in float64; they differ only in the order of the energy sums (a tile at a
# time), so every output agrees to rounding. 1e-9 relative is the contract; zero stays zero (no cancellation).
SAME_KERNEL_RTOL = 1e-9
COMPARED_OUTPUTS = [*DIFFERENTIABLE_OUTPUTS, "thermal_ok"]


def _per_step_budget(monkeypatch, *args, **kwargs):
    from orbital import budgets

    with monkeypatch.context() as patch:
        patch.setattr(budgets, "_circular_budget_chunk", budgets.reference_circular_chunk)
        patch.setattr(budgets, "_vector_budget_chunk", budgets.reference_vector_chunk)
        return orbital.budget(*args, **kwargs)


def _assert_same_budget(tiled, reference):
    for name in COMPARED_OUTPUTS:
        np.testing.assert_allclose(
            np.asarray(getattr(tiled, name), float),
            np.asarray(getattr(reference, name), float),
            rtol=SAME_KERNEL_RTOL,
            atol=0.0,
            err_msg=name,
        )


@pytest.mark.parametrize(
    "design, days, step_s, block_sats",
    [
        # Battery policy with an undersized battery on fixed arrays: the floor binds, arrays follow beta.
        (
            SatelliteDesign(eclipse_compute_fraction=1.0, battery_depth_of_discharge=0.1, array_tracks_sun=0.5),
            1.5,
            120,
            4,
        ),
        # Sun-tracking arrays (sin beta left out), 86-step chunks (a partial last tile) over two days.
        (SatelliteDesign(eclipse_compute_fraction=0.5), 2.0, 1000, None),
        # Shedding policy, aged arrays carried into the window by age_years below.
        (SatelliteDesign(eclipse_compute_fraction=0.0, array_tracks_sun=0.0), 0.5, 60, None),
    ],
)
def test_tiled_budget_equals_the_per_step_kernel(monkeypatch, small_fleet, design, days, step_s, block_sats):
    options = dict(step_s=step_s, block_sats=block_sats, age_years=2.0)
    tiled = orbital.budget(small_fleet, design, "2027-12-21", days, **options)
    reference = _per_step_budget(monkeypatch, small_fleet, design, "2027-12-21", days, **options)
    _assert_same_budget(tiled, reference)
    assert np.any(reference.battery_depth_reached > 0.0)  # the comparison covers batteries that work


def test_tiled_budget_equals_the_per_step_kernel_on_sgp4_states(monkeypatch, tmp_path):
    from orbital.data import DATA_DIR

    four_sets = tmp_path / "four.tle"
    four_sets.write_text("\n".join((DATA_DIR / "starlink-2026-05-13.tle").read_text().splitlines()[:12]) + "\n")
    fleet = orbital.Fleet.from_tle(four_sets)
    design = SatelliteDesign(eclipse_compute_fraction=0.5, array_tracks_sun=0.7)
    tiled = orbital.budget(fleet, design, "2026-05-13", 0.3, step_s=90)
    reference = _per_step_budget(monkeypatch, fleet, design, "2026-05-13", 0.3, step_s=90)
    _assert_same_budget(tiled, reference)


STATISTICS = ("sunlit_fraction", "eclipse_fraction", "eclipse_days", "max_eclipse_min")


@pytest.mark.parametrize("kind", ["circular", "sgp4"])
def test_one_pass_budget_equals_the_self_sizing_budget(small_fleet, tmp_path, kind):
    # Batteries sized in advance for the eclipses the sizing pass would find: the one-pass budget must give the
    # same budgets, and the illumination statistics it folds itself must be orbital.illumination's.
    if kind == "sgp4":
        from orbital.data import DATA_DIR

        four_sets = tmp_path / "four.tle"
        four_sets.write_text("\n".join((DATA_DIR / "starlink-2026-05-13.tle").read_text().splitlines()[:12]) + "\n")
        fleet, start, days, step_s = orbital.Fleet.from_tle(four_sets), "2026-05-13", 0.6, 90
    else:
        fleet, start, days, step_s = small_fleet, "2027-12-21", 1.5, 120
    design = SatelliteDesign(eclipse_compute_fraction=1.0, battery_depth_of_discharge=0.1, array_tracks_sun=0.5)
    options = dict(step_s=step_s, age_years=np.linspace(0.0, 3.0, len(fleet)), series_weights=np.ones(len(fleet)))
    sizing = orbital.budget(fleet, design, start, days, **options)
    one_pass = orbital.budget(fleet, design, start, days, worst_eclipse_min=sizing.worst_eclipse_min, **options)
    _assert_same_budget(one_pass, sizing)
    np.testing.assert_allclose(one_pass.fleet_compute_w, sizing.fleet_compute_w, rtol=SAME_KERNEL_RTOL)
    np.testing.assert_array_equal(one_pass.worst_eclipse_min, sizing.worst_eclipse_min)
    # Batteries that reach their floor (the design's depth of discharge): the sizing changes the trajectory.
    assert np.any(np.isclose(sizing.battery_depth_reached, design.battery_depth_of_discharge, rtol=1e-9))
    lit = orbital.illumination(fleet, start, days, step_s)
    for name in STATISTICS:
        np.testing.assert_allclose(getattr(one_pass.illumination, name), getattr(lit, name), rtol=1e-12, err_msg=name)


def test_one_pass_budget_sizes_every_battery_for_the_given_eclipse(small_fleet):
    design = SatelliteDesign(eclipse_compute_fraction=0.5)
    one = orbital.budget(small_fleet, design, "2027-12-21", 0.5, worst_eclipse_min=40.0)
    each = orbital.budget(small_fleet, design, "2027-12-21", 0.5, worst_eclipse_min=np.full(len(small_fleet), 40.0))
    np.testing.assert_array_equal(one.battery_capacity_wh, each.battery_capacity_wh)
    # Battery capacity is proportional to the eclipse it is sized for (battery_mass_formula above).
    longer = orbital.budget(small_fleet, design, "2027-12-21", 0.5, worst_eclipse_min=80.0)
    np.testing.assert_allclose(longer.battery_capacity_wh, 2.0 * one.battery_capacity_wh, rtol=1e-12)


@pytest.mark.parametrize(
    "value, pattern",
    [
        (-1.0, r"worst_eclipse_min"),
        (np.nan, r"worst_eclipse_min"),
        (np.ones(3), r"worst_eclipse_min: got shape \(3,\)"),
    ],
)
def test_bad_sizing_eclipse_is_named(small_fleet, value, pattern):
    with pytest.raises(ValueError, match=pattern):
        orbital.budget(small_fleet, SatelliteDesign(), "2027-12-21", 0.5, worst_eclipse_min=value)
