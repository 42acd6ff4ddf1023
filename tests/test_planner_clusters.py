"""Cluster shells in scenarios and in the plan (orbital.planner.clusters): the scenario form, the cluster table
against the formation library on the same inputs, the per-satellite mass and power for the roll-up, and the plan's
cluster files."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from orbital import formation as lib
from orbital import planner
from orbital.core import drag
from orbital.core.constants import SECONDS_PER_JULIAN_YEAR
from orbital.design import design_mass
from orbital.environment import atmosphere
from orbital.environment.parameters import Environment
from orbital.environment.solar_cycle import f107_sfu
from orbital.fleet import Shell
from orbital.planner import clusters, outputs
from orbital.planner.fleets import representative_shells
from orbital.planner.scenario import ScenarioError, load_scenario, parse_scenario

SMALL_GEOMETRY = {"geometry_days": 2, "geometry_step_s": 1800, "sample_sats_per_shell": 2}
CLUSTER_SHELL = {"name": "cl", "kind": "cluster", "altitude_km": 650.0, "ltan_hours": 18.0, "share": 1.0}
WALKER_SHELL = {"name": "wk", "altitude_km": 550.0, "inclination_deg": 53.0, "share": 1.0}
# Two routes to the same NRLMSIS table (the plan's per-shell altitude interpolation, and the public density
# function's): they differ only by where the altitude interpolation happens.
DENSITY_ROUTES_RTOL = 0.05


def scenario_with(*shells, **sections):
    data = load_scenario("ai1-100gw").to_dict()
    data["shells"] = [dict(s) for s in shells]
    data.update(sections)
    return parse_scenario(data, "test.toml")


def one_line_error(*shells) -> str:
    with pytest.raises(ScenarioError) as err:
        scenario_with(*shells)
    message = str(err.value)
    assert "\n" not in message
    return message


# --- the scenario form ------------------------------------------------------------------------------------------
def test_cluster_kind_defaults_to_the_suncatcher_formation_at_the_shells_orbit():
    shell = scenario_with(CLUSTER_SHELL).shells[0]
    assert shell.is_cluster and shell.orbit_kind == "sun-synchronous"
    formation = shell.cluster_formation()
    default = lib.ClusterFormation()
    for name in ("ring_count", "first_ring_members", "radius_m", "cross_track_ratio", "member_size_m", "mass_kg"):
        assert float(getattr(formation, name)) == float(getattr(default, name)), name
    assert formation.layout == "rings" and formation.j2_corrected
    assert float(formation.altitude_km) == 650.0 and float(formation.ltan_h) == 18.0
    assert formation.inclination_deg is None  # sun-synchronous: the inclination follows from J2
    assert lib.lattice(formation).plane_m.shape[0] == 81
    terminal = shell.optical_terminal()
    assert float(terminal.aperture_diameter_m) == float(lib.OpticalTerminal().aperture_diameter_m)


def test_cluster_tables_and_a_walker_reference_orbit():
    shell = scenario_with(
        {
            **{k: v for k, v in CLUSTER_SHELL.items() if k != "ltan_hours"},
            "inclination_deg": 53.0,
            "cluster": {"layout": "grid", "grid_side": 3, "radius_m": 300.0},
            "terminal": {"channels": 24, "transmit_power_w": 2.0},
        }
    ).shells[0]
    formation = shell.cluster_formation()
    assert shell.orbit_kind == "walker" and float(formation.inclination_deg) == 53.0
    assert formation.layout == "grid" and lib.lattice(formation).plane_m.shape[0] == 9
    assert float(shell.optical_terminal().channels) == 24.0


def test_shells_without_kind_are_unchanged():
    scenario = load_scenario("ai1-100gw")
    for shell in scenario.shells:
        assert shell.kind is None and shell.cluster is None and shell.terminal is None and not shell.is_cluster
    # The written scenario (and so its hash) carries no cluster keys for them.
    for written in scenario.to_dict()["shells"]:
        assert not {"kind", "cluster", "terminal"} & set(written)
    assert clusters.cluster_table(scenario) is None
    loads = clusters.cluster_loads(scenario)
    for values in loads:
        assert values.shape == (len(scenario.shells),) and not values.any()


def test_cluster_scenario_round_trips():
    scenario = scenario_with(CLUSTER_SHELL)
    again = parse_scenario(scenario.to_dict(), "again")
    assert again.sha256() == scenario.sha256()
    assert again.shells[0].cluster == scenario.shells[0].cluster


def test_a_cluster_shell_is_sampled_at_its_reference_orbit():
    cluster, plain = (
        representative_shells(scenario_with(shell), 2)[0]
        for shell in (CLUSTER_SHELL, {k: v for k, v in CLUSTER_SHELL.items() if k != "kind"})
    )
    assert cluster.altitude_km == plain.altitude_km and cluster.inclination_deg == plain.inclination_deg
    np.testing.assert_array_equal(cluster.raan_deg, plain.raan_deg)
    np.testing.assert_array_equal(cluster.arg_latitude_deg, plain.arg_latitude_deg)


def test_shell_cluster_lists_every_member_on_its_centres_orbit():
    formation = lib.ClusterFormation(inclination_deg=53.0, layout="grid", grid_side=3, radius_m=300.0)
    shell = Shell.cluster(formation, planes=4, clusters_per_plane=2, phasing=1, epoch="2027-01-01")
    centres = Shell.walker(550.0 + 100.0, 53.0, 4, 2, 1, epoch="2027-01-01")
    assert len(shell) == 8 * 9 and shell.inclination_deg == 53.0 and shell.altitude_km == 650.0
    np.testing.assert_array_equal(shell.raan_deg, np.repeat(centres.raan_deg, 9))
    # Each member's angle ahead of its centre is its along-track offset at the epoch over the orbit radius.
    along_m = lib.relative_positions_m(formation, [0.0], np.deg2rad(centres.arg_latitude_deg))[:, 0, :, 1]
    ahead_deg = (shell.arg_latitude_deg.reshape(8, 9) - centres.arg_latitude_deg[:, None] + 180.0) % 360.0 - 180.0
    np.testing.assert_allclose(np.deg2rad(ahead_deg) * (6378.137 + 650.0) * 1e3, along_m, atol=1e-6)
    assert np.abs(along_m).max() > 100.0  # the offsets are there, not all zero
    sso = Shell.cluster(lib.ClusterFormation(), clusters_per_plane=3)
    assert len(sso) == 3 * 81 and sso.inclination_deg == pytest.approx(97.99, abs=0.01)
    with pytest.raises(TypeError, match="formation: expected a ClusterFormation"):
        Shell.cluster("suncatcher")


@pytest.mark.parametrize(
    "change, words",
    [
        ({"cluster": {"radius_m": -1.0}}, ["shells[0:cl].cluster.radius_m = -1.0", "allowed range (0, 100000] m"]),
        ({"cluster": {"radius_m": 10.0}}, ["cluster.spacing = 0.956709 m", "(5, inf) m", "member_size_m=5"]),
        ({"cluster": {"layout": "hex"}}, ["cluster.layout = 'hex'", "'rings', 'grid'"]),
        ({"cluster": {"ring_count": 3.5}}, ["cluster.ring_count = 3.5", "whole number"]),
        ({"cluster": {"rings": 3}}, ["cluster.rings = 3", "unknown key", "ring_count"]),
        ({"cluster": {"f107_sfu": 100.0}}, ["cluster.f107_sfu", "unknown key"]),
        ({"terminal": {"aperture_diameter_m": 0.0}}, ["terminal.aperture_diameter_m = 0.0", "allowed range (0, 10]"]),
        ({"terminal": {"wavelength_m": -1e-6}}, ["terminal.wavelength_m = -1e-06", "allowed range (0, 0.0001]"]),
        ({"terminal": {"channels": 2.5}}, ["terminal.channels = 2.5", "whole number"]),
        ({"kind": "torus"}, ["shells[0:cl].kind = 'torus'", "'walker', 'sun-synchronous' or 'cluster'"]),
        ({"kind": "walker"}, ["kind = 'walker' takes inclination_deg"]),
        ({"kind": None, "terminal": {}}, ["[shells.terminal] belongs to a cluster shell"]),
        ({"ltan_hours": None}, ["exactly one of inclination_deg", "reference orbit"]),
    ],
)
def test_bad_cluster_shells_get_one_line(change, words):
    shell = {k: v for k, v in {**CLUSTER_SHELL, **change}.items() if v is not None}
    message = one_line_error(shell)
    assert message.startswith("test.toml: shells[0:cl]")
    for word in words:
        assert word in message, message


# --- the table against the library ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mixed():
    """A Walker shell and a small grid cluster shell at 550 km, 53 deg (kept small for the compile times)."""
    cluster = {
        **{k: v for k, v in CLUSTER_SHELL.items() if k != "ltan_hours"},
        "altitude_km": 550.0,
        "inclination_deg": 53.0,
        "share": 0.5,
        "cluster": {"layout": "grid", "grid_side": 3, "radius_m": 400.0, "cross_track_ratio": math.sqrt(3.0)},
    }
    return scenario_with({**WALKER_SHELL, "share": 0.5}, cluster)


def life_inputs(scenario):
    """The design life's mean F10.7 samples and Ap from [environment] and [study], written out independently."""
    design = scenario.satellite_design()
    life = float(design.design_life_years)
    years = scenario.study.start_year + life * (np.arange(48) + 0.5) / 48
    env = Environment(**scenario.environment.model_dump())
    return np.asarray(f107_sfu(years, env.solar_cycle()), float), float(env.ap), design


def test_table_equals_the_library_on_the_same_inputs(mixed):
    table = clusters.cluster_table(mixed)
    assert isinstance(table, pd.DataFrame) and list(table["shell"]) == ["cl"]
    row = table.iloc[0]
    f107, ap, design = life_inputs(mixed)
    formation = lib.ClusterFormation(
        altitude_km=550.0,
        inclination_deg=53.0,
        layout="grid",
        grid_side=3,
        radius_m=400.0,
        cross_track_ratio=math.sqrt(3.0),
        f107_sfu=float(np.mean(f107)),
        ap=ap,
        isp_s=float(design.thruster_isp_s),
        mission_yr=float(design.design_life_years),
    )
    terminal = lib.OpticalTerminal()
    period_s = 2.0 * math.pi * math.sqrt((6378.137 + 550.0) ** 3 / 398600.4418)
    times = np.linspace(0.0, period_s, int(math.ceil(period_s / 60.0)) + 1)
    stats = lib.neighbour_statistics(formation, times, dtype=np.float64)
    bandwidth = lib.cluster_bandwidth(formation, terminal, times)
    density = float(np.mean(atmosphere.density_kg_m3(550.0, f107, ap, 53.0)))
    keeping = lib.formation_keeping(formation, density)
    budget = lib.terminal_budget(formation, terminal)
    expected = {
        "members_per_cluster": 9,
        "links_per_cluster": stats.pairs.shape[0],
        "cluster_radius_m": stats.radius_m[0],
        "neighbour_distance_min_m": stats.min_distance_m.min(),
        "neighbour_distance_max_m": stats.max_distance_m.max(),
        "closest_approach_m": stats.closest_approach_m[0],
        "link_rate_min_gbps": bandwidth.link_min_bps.min() / 1e9,
        "bisection_min_gbps": bandwidth.bisection_bps.min() / 1e9,
        "injection_min_gbps_per_satellite": bandwidth.injection_min_bps.min() / 1e9,
        "f107_sfu_life_mean": np.mean(f107),
        "density_kg_m3_life_mean": density,
        "formation_dv_m_s_per_yr_mean": np.mean(keeping.dv_m_s_per_yr),
        "formation_dv_m_s_per_yr_max": np.max(keeping.dv_m_s_per_yr),
        "formation_propellant_kg_mean": np.mean(keeping.propellant_kg),
        "formation_propellant_kg_max": np.max(keeping.propellant_kg),
        "terminals_per_satellite_mean": np.mean(budget.terminals),
        "terminals_per_satellite_max": np.max(budget.terminals),
        "terminal_mass_kg_mean": np.mean(budget.mass_kg),
        "terminal_power_w_mean": np.mean(budget.power_w),
        "design_life_yr": float(design.design_life_years),
    }
    for key, value in expected.items():
        assert row[key] == pytest.approx(float(value), rel=1e-12), key
    # A tilted lattice pays for differential J2 across the track: more than the drag spread alone.
    assert row["formation_dv_m_s_per_yr_max"] > keeping.drag_dv_m_s_per_yr
    # The 3x3 grid's nine members: 3 terminals at the corners ... 8 at the centre (neighbour_factor 1.5).
    assert row["terminals_per_satellite_max"] == 8

    loads = clusters.cluster_loads(mixed)
    assert loads.terminal_kg[0] == loads.terminal_power_w[0] == loads.formation_propellant_kg[0] == 0.0
    assert loads.terminal_kg[1] == pytest.approx(np.mean(budget.mass_kg), rel=1e-12)
    assert loads.terminal_power_w[1] == pytest.approx(np.mean(budget.power_w), rel=1e-12)
    assert loads.formation_propellant_kg[1] == pytest.approx(np.mean(keeping.propellant_kg), rel=1e-12)


# --- the plan ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def suncatcher_plan():
    scenario = load_scenario("suncatcher").with_changes(study=SMALL_GEOMETRY)
    with pytest.warns(planner.PlanWarning):
        return planner.plan(scenario)


def test_suncatcher_plans_with_its_cluster(suncatcher_plan):
    plan = suncatcher_plan
    assert plan.scenario.shells[0].is_cluster
    row = plan.clusters.iloc[0]
    # arXiv:2511.19468, "Orbital dynamics": 81 satellites, ~1 km radius, neighbours 100-200 m apart in the design;
    # the lattice breathes 2:1 over an orbit, so the closest pair comes to about half its design spacing.
    assert row["members_per_cluster"] == 81
    assert row["cluster_radius_m"] == pytest.approx(1000.0, rel=1e-3)
    assert 90.0 < row["closest_approach_m"] < 100.0
    # Suncatcher: 1.6 Tbps per transceiver pair (8 x 100 Gbps each way) at these ranges, power to spare.
    assert row["link_rate_min_gbps"] == pytest.approx(800.0, rel=1e-12)
    # The plan's density (its shell table) and the public density function agree.
    f107, ap, _ = life_inputs(plan.scenario)
    inclination = float(plan.geometry.inclination_deg[0])
    density = float(np.mean(atmosphere.density_kg_m3(650.0, f107, ap, inclination)))
    assert row["density_kg_m3_life_mean"] == pytest.approx(density, rel=DENSITY_ROUTES_RTOL)


def test_the_roll_up_pays_for_links_and_formation(suncatcher_plan):
    plan = suncatcher_plan
    loads = clusters.cluster_loads(plan.scenario, plan.geometry)
    shell = plan.shells.iloc[0]
    design = plan.scenario.satellite_design()
    g = plan.geometry
    common = (design, g.worst_eclipse_min[0], g.altitude_km[0], shell["density_kg_m3"], g.ram_factor[0])
    bare = design_mass(*common)
    loaded = design_mass(*common, **{name: values[0] for name, values in loads._asdict().items()})
    # The shell's row is the loaded roll-up, and the plan's kW/t is that roll-up's.
    assert shell["mass_kg"] == pytest.approx(float(loaded.total_kg), rel=1e-12)
    assert shell["terminal_kg"] == pytest.approx(loads.terminal_kg[0], rel=1e-12) and shell["terminal_kg"] > 0
    rollup = float(plan.table["kw_per_tonne_rollup"].iloc[0])
    assert rollup == pytest.approx(float(design.compute_power_w) / float(loaded.total_kg), rel=1e-9)
    # The terminals are mass and a bus load (bigger arrays, so a little more drag), the formation's propellant
    # joins the station keeping: the satellite grows by more than both, the keeping propellant by the formation's
    # plus the drag impulse of the larger arrays.
    assert float(loaded.array_area_m2) > float(bare.array_area_m2)
    assert float(loaded.total_kg - bare.total_kg) > loads.terminal_kg[0] + loads.formation_propellant_kg[0]
    life_s = float(design.design_life_years) * SECONDS_PER_JULIAN_YEAR

    def drag_propellant_kg(mass):
        return float(drag.impulse_propellant_kg(mass.drag_force_n, life_s, design.thruster_isp_s))

    keeping = float(loaded.station_keeping_propellant_kg - bare.station_keeping_propellant_kg)
    more_drag = drag_propellant_kg(loaded) - drag_propellant_kg(bare)
    assert more_drag > 0.0
    assert keeping == pytest.approx(loads.formation_propellant_kg[0] + more_drag, rel=1e-9)


def test_plan_files_carry_the_cluster_outputs(suncatcher_plan):
    files = outputs.plan_files(suncatcher_plan)
    for name in ("clusters.csv", "cluster_lattice.png", "link_rate.png"):
        assert name in files and name in outputs.OUTPUT_NAMES
    pd.testing.assert_frame_equal(files["clusters.csv"], suncatcher_plan.clusters)
    for name in ("cluster_lattice.png", "link_rate.png"):
        assert files[name][:8] == b"\x89PNG\r\n\x1a\n"


def test_a_plan_without_clusters_writes_no_cluster_files(suncatcher_plan):
    # The cluster files follow the plan's table alone: without it none is made.
    class Bare:
        clusters = None
        scenario = suncatcher_plan.scenario

    assert outputs.cluster_files(Bare()) == {}
