"""The fleet's own environment in the plan: collision losses in the cohorts, derelicts, manoeuvres, fragments and
the shells' capacity (``launch.FleetHazard`` in the projection, the ``[collisions]`` section in the planner).

The planner's columns are checked against the public collision API (``orbital.environment.debris``) evaluated on
the plan's own populations, the launch kernel's hazard against closed forms (a constant hazard is an extra
failure rate; the derelict pools follow ``derelict_history``), gradients against central differences."""

import equinox as eqx
import numpy as np
import pytest

import launch
from orbital import planner
from orbital.environment import capacity, debris

N_YEARS = 19
SMALL_GEOMETRY = {"geometry_days": 2, "geometry_step_s": 1800, "sample_sats_per_shell": 2}
# Float64 throughout (conftest); the kernels and the reference evaluate the same sums in another order.
ROUNDING = 1e-9


def hazard(base=0.0, per_gw=0.0, pool_share=(0.0,), lifetime=1.0, per_pool=0.0, n=N_YEARS):
    k = len(pool_share)
    return launch.FleetHazard(
        np.full(n, base), np.full(n, per_gw), np.asarray(pool_share, float), np.full((n, k), lifetime),
        np.full((n, k), per_pool),
    )  # fmt: skip


# --- the launch kernel ----------------------------------------------------------------------------------------
def test_no_hazard_changes_nothing():
    scenario = launch.default_scenario()
    plain = launch.project_arrays(scenario, 2027, N_YEARS)
    with_zero = launch.project_arrays(scenario, 2027, N_YEARS, hazard=hazard())
    for key, value in plain.items():
        np.testing.assert_allclose(with_zero[key], value, rtol=ROUNDING, atol=0, err_msg=key)


def test_constant_hazard_is_an_extra_failure_rate():
    """Struck first, then failures on the survivors: survival exp(-h e) exp(-lambda e) = exp(-(lambda + h) e)."""
    scenario = launch.default_scenario()
    extra = 0.03
    rate = float(scenario.cohorts.failure_rate_per_yr)
    struck = launch.project_arrays(scenario, 2027, N_YEARS, hazard=hazard(base=extra))
    raised = eqx.tree_at(lambda s: s.cohorts.failure_rate_per_yr, scenario, rate + extra)
    failing = launch.project_arrays(raised, 2027, N_YEARS)
    for key in ("gw_operating", "gw_operating_nameplate", "gw_launched"):
        np.testing.assert_allclose(struck[key], failing[key], rtol=ROUNDING, err_msg=key)
    np.testing.assert_allclose(struck["gw_failed"] + struck["gw_collision_lost"], failing["gw_failed"], rtol=ROUNDING)
    # The cost of delivered compute sees the same extra failure rate.
    np.testing.assert_allclose(struck["lcoc_orbit_usd_per_kw_yr"], failing["lcoc_orbit_usd_per_kw_yr"], rtol=ROUNDING)


def test_fleet_accounting_closes_and_pools_follow_their_law():
    scenario = launch.default_scenario()
    share = (0.06, 0.04)
    out = launch.project_arrays(scenario, 2027, N_YEARS, hazard=hazard(0.01, 2e-4, share, lifetime=4.0, per_pool=1e-3))
    # Everything launched is operating, failed, retired or destroyed.
    lost = np.cumsum(out["gw_failed"] + out["gw_retired"] + out["gw_collision_lost"])
    np.testing.assert_allclose(out["gw_operating_nameplate"] + lost, out["gw_cumulative_launched"], rtol=1e-9)
    # Each pool is fed its share of the year's failed and retired GW and decays with its lifetime.
    inflow = out["gw_failed"] + out["gw_retired"]
    for k, s in enumerate(share):
        expected = debris.derelict_history(0.0, s * np.asarray(inflow), 4.0)
        np.testing.assert_allclose(out["derelict_pool_gw"][:, k], expected, rtol=1e-9)
    # The hazard in each year is its affine law in the fleet after launches and the pools before.
    operating_after_launch = np.asarray(out["gw_operating_nameplate"]) + np.asarray(
        out["gw_failed"] + out["gw_retired"] + out["gw_collision_lost"]
    )
    pools_before = np.vstack([np.zeros(2), np.asarray(out["derelict_pool_gw"])[:-1]])
    expected_rate = 0.01 + 2e-4 * operating_after_launch + 1e-3 * pools_before.sum(axis=1)
    np.testing.assert_allclose(out["collision_hazard_per_yr"], expected_rate, rtol=1e-9)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (dict(base=-0.1), r"hazard.base_per_yr=-0.1 is outside the allowed range \[0, inf\)"),
        (dict(lifetime=0.0), r"hazard.pool_lifetime_yr=0 yr is outside the allowed range \(0, inf\) yr"),
        (dict(pool_share=(1.5,)), r"hazard.pool_share=1.5 is outside the allowed range \[0, 1\]"),
        (dict(n=5), r"hazard.base_per_yr has shape \(5,\); expected \(19,\)"),
    ],
)
def test_bad_hazard_is_one_line(bad, message):
    with pytest.raises(ValueError, match=message) as err:
        launch.project_arrays(launch.default_scenario(), 2027, N_YEARS, hazard=hazard(**bad))
    assert "\n" not in str(err.value)


# --- the planner ----------------------------------------------------------------------------------------------
def one_shell(altitude_km=600.0, **collisions):
    base = planner.load_scenario("ai1-100gw").to_dict()
    base["study"].update(SMALL_GEOMETRY)
    base["shells"] = [{"name": "walker", "altitude_km": altitude_km, "share": 1.0, "inclination_deg": 53.0}]
    base["collisions"] = {**base.get("collisions", {}), **collisions}
    return planner.Scenario.model_validate(base)


@pytest.fixture(scope="module")
def single():
    return planner.PlanModel.from_scenario(one_shell())


@pytest.fixture(scope="module")
def default_model():
    scenario = planner.load_scenario("ai1-100gw").with_changes(study=SMALL_GEOMETRY)
    return planner.PlanModel.from_scenario(scenario)


def collision_inputs(model):
    tree = planner.inputs.unflatten_inputs(model.theta0, model.layout)
    mass = float(model.jitted(model.theta0)["satellite_mass_kg"][0])
    fields = {k: float(v) for k, v in tree["collisions"].items()}
    return debris.CollisionEnvironment(**fields, satellite_mass_kg=mass, derelict_mass_kg=mass)


def test_plan_columns_equal_the_public_collision_model(single):
    out = {k: np.asarray(v) for k, v in single.jitted(single.theta0).items()}
    params = collision_inputs(single)
    for year in (6, 12, N_YEARS - 1):
        rates = debris.shell_collision_rates(
            params, out["satellites_operating"][year], out["derelicts"][year], 600.0, params.shell_thickness_km
        )
        collisions = sum(float(rates[key]) for key in debris.RATE_KEYS if key.startswith("collisions_"))
        assert out["collisions_per_yr"][year] == pytest.approx(collisions, rel=ROUNDING)
        assert out["manoeuvres_per_yr"][year] == pytest.approx(float(rates["manoeuvres_per_yr"]), rel=ROUNDING)
        assert out["fragments_per_yr"][year] == pytest.approx(float(rates["fragments_per_yr"]), rel=ROUNDING)
        band = capacity.shell_capacity(600.0, params.shell_thickness_km, 10.0, 10.0)
        assert out["shell_fill_fraction"][year] == pytest.approx(out["satellites_operating"][year] / band, rel=1e-9)
        assert out["shells_needed"][year] == np.ceil(out["satellites_operating"][year] / band)
    # Satellites lost to collisions: the projection's hazard, which reads the fleet after each year's launches.
    assert np.all(out["satellites_lost_to_collisions"] > 0.0)
    assert np.all(np.diff(out["derelicts"][:12]) > 0.0)


def test_the_hazard_in_the_cohorts_matches_the_per_satellite_model(single):
    """The projection's hazard (affine law, slopes by forward differentiation) against the public per-satellite
    hazard at the populations the projection used: the fleet after launches and the derelicts before."""
    out = {k: np.asarray(v) for k, v in single.jitted(single.theta0).items()}
    params = collision_inputs(single)
    per_gw = 1e9 / float(planner.inputs.unflatten_inputs(single.theta0, single.layout)["design"]["compute_power_w"])
    lost_gw = out["gw_failed"] + out["gw_retired"] + out["gw_collision_lost"]
    for year in (8, N_YEARS - 1):
        fleet = (out["gw_operating_nameplate"][year] + lost_gw[year]) * per_gw
        derelicts = out["derelicts"][year - 1]
        expected = debris.collision_hazard_per_satellite_yr(params, fleet, derelicts, 600.0, params.shell_thickness_km)
        assert out["collision_hazard_per_yr"][year] == pytest.approx(float(expected), rel=1e-9)


def test_crossing_shells_meet_and_separated_shells_do_not(default_model):
    """The default scenario's two shells share 600 km: the dawn-dusk and the 53 degree patterns cross. Moving one
    by more than the band's thickness removes the crossing encounters."""
    together = default_model.jitted(default_model.theta0)
    scenario = default_model.scenario.to_dict()
    scenario["shells"][1]["altitude_km"] = 650.0
    apart_model = planner.PlanModel.from_scenario(planner.Scenario.model_validate(scenario))
    apart = apart_model.jitted(apart_model.theta0)
    year = 12
    assert float(together["collision_hazard_per_yr"][year]) > 1.5 * float(apart["collision_hazard_per_yr"][year])


def test_collisions_grow_at_least_linearly_with_the_fleet(single):
    theta = single.theta0
    out = single.jitted(theta)
    bigger = single.jitted(theta.at[single.index("vehicles.payload_t[1]")].multiply(1.5))
    for year in (14, 18):
        n1, n2 = float(out["satellites_operating"][year]), float(bigger["satellites_operating"][year])
        assert n2 > n1
        ratio = n2 / n1
        assert float(bigger["collisions_per_yr"][year]) >= ratio * float(out["collisions_per_yr"][year])
        assert float(bigger["manoeuvres_per_yr"][year]) >= ratio * float(out["manoeuvres_per_yr"][year])


@pytest.mark.parametrize(
    ("name", "step"),
    [
        ("collisions.shell_thickness_km", 0.05),
        ("environment.disposal_reliability", 1e-4),
        ("collisions.avoidance_efficacy", 1e-4),
    ],
)
def test_gradients_equal_central_differences(default_model, name, step):
    year = 14
    for metric in ("collisions_per_yr", "gw_effective"):
        value, grad = default_model.value_and_grad(metric, 2027 + year)
        i = default_model.index(name)
        theta = default_model.theta0
        up = float(default_model.jitted(theta.at[i].add(step))[metric][year])
        down = float(default_model.jitted(theta.at[i].add(-step))[metric][year])
        fd = (up - down) / (2 * step)
        assert np.isfinite(float(grad[i]))
        assert float(grad[i]) == pytest.approx(fd, rel=2e-4, abs=1e-9 * abs(float(value))), (name, metric)


def test_overflowing_shell_is_named_with_its_year():
    scenario = one_shell(min_separation_km=300.0)
    with pytest.warns(planner.PlanWarning) as caught:
        result = planner.plan(scenario)
    shells = result.shells.set_index("shell")
    year = int(shells.loc["walker", "first_overflow_year"])
    assert year > 2027
    fill = result.table.set_index("year")["shell_fill_fraction"]
    assert fill.loc[year] > 1.0 >= fill.loc[year - 1]
    messages = [str(w.message) for w in caught]
    assert any("shell walker: its band holds" in m and f"overflows in {year}" in m for m in messages)
    assert result.summary()["warnings"] == [m for m in messages if m in result.summary()["warnings"]]


def test_collision_inputs_are_plan_inputs(default_model):
    names = set(default_model.names)
    assert {"collisions.shell_thickness_km", "collisions.min_separation_km", "collisions.coordination_factor"} <= names
    # The satellite's mass is the plan's own roll-up, not a [collisions] key.
    assert "collisions.satellite_mass_kg" not in names


@pytest.mark.parametrize(
    ("collisions", "message"),
    [
        ({"shell_thickness_km": -1.0}, "shell_thickness_km"),
        ({"min_separation_km": 0.0}, "min_separation_km"),
        ({"satellite_mass_kg": 1000.0}, "satellite_mass_kg"),
    ],
)
def test_bad_collisions_section_is_one_line(collisions, message):
    with pytest.raises(ValueError) as err:
        planner.parse_scenario(
            {"scenario": {"name": "x"}, "shells": [{"name": "a", "altitude_km": 550.0, "share": 1.0,
                                                   "inclination_deg": 53.0}], "collisions": collisions}
        )  # fmt: skip
    text = str(err.value)
    assert message in text and "\n" not in text
