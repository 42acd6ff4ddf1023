"""The interactive planner without a browser: its numbers are `orbital plan`'s, a slider move changes theta and
compiles nothing, the exported TOML reproduces the plan, bad input gets the planner's one-line message, the
tornado's gradients are the plan's derivatives and the Monte Carlo bands are `orbital montecarlo`'s."""

from __future__ import annotations

import html
import re
import warnings

import numpy as np
import param
import pytest

from orbital import planner
from orbital.app.compiles import count_compilations
from orbital.app.layout import PlannerPage
from orbital.app.plots import NUMBER_COLUMNS
from orbital.app.state import GeometryCache, PlannerState

SMALL_STUDY = {"n_years": 12, "geometry_days": 3, "geometry_step_s": 1800, "sample_sats_per_shell": 2}
SLIDER = "limits.flights_per_vehicle_per_yr"


@pytest.fixture(scope="module")
def state():
    return PlannerState(planner.load_scenario("ai1-100gw").with_changes(study=SMALL_STUDY), GeometryCache())


def move(page: PlannerPage, name: str, value: float):
    """What the browser does when a slider is let go: the widget's value and throttled value change together."""
    slider = page.sliders[name]
    with param.edit_constant(slider):
        slider.param.update(value=value, value_throttled=value)


def enter(page: PlannerPage, text: str):
    """Type ``text`` into the page's key=value box and press Enter."""
    page.set_text.value_input = text
    page.set_text.param.trigger("enter_pressed")


def page_numbers(page: PlannerPage) -> dict:
    """The numbers table of the page: column -> the exact values in the cells' titles, by year."""
    cells = re.findall(r'<td data-column="([^"]+)" title="([^"]*)">', page.numbers.object)
    table: dict = {}
    for column, exact in cells:
        table.setdefault(column, []).append(html.unescape(exact))
    return table


def plan_of(scenario):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", planner.PlanWarning)
        return planner.plan(scenario)


def test_displayed_numbers_and_export_equal_orbital_plan(state, tmp_path):
    page = PlannerPage(state.copy())
    move(page, SLIDER, 21.5)
    move(page, "vehicles.payload_t[1]", 160.0)
    assert page.error.object == ""
    path = tmp_path / "exported.toml"
    path.write_text(page.state.scenario_toml())
    loaded = planner.load_scenario(path)
    assert loaded.limits.flights_per_vehicle_per_yr == 21.5
    assert list(loaded.vehicles.payload_t) == [100.0, 160.0]
    assert loaded.to_dict() == {**page.state.scenario.to_dict(), "scenario": loaded.to_dict()["scenario"]}
    plan = plan_of(loaded)
    # The whole plan table, bit for bit, and every number the page shows.
    assert plan.table.equals(page.state.table)
    shown = page_numbers(page)
    assert list(shown) == list(NUMBER_COLUMNS)
    for column in NUMBER_COLUMNS:
        expected = plan.table[column]
        if column in ("year", "binding_constraint"):
            assert shown[column] == expected.astype(str).tolist()
        else:
            assert [float(v) for v in shown[column]] == expected.tolist()
    # The moves mattered: the scenario's own plan differs.
    assert not plan.table["gw_launched"].equals(state.table["gw_launched"])


def test_slider_move_changes_theta_and_compiles_nothing(state):
    page = PlannerPage(state.copy())
    k = page.state.model.index(SLIDER)
    theta = page.state.theta.copy()
    with count_compilations() as count:
        move(page, SLIDER, 24.0)
        move(page, "economics.wacc_per_yr", 0.1)
        page.metric.value = "lcoc_ratio"
    changed = np.flatnonzero(page.state.theta != theta)
    assert changed.tolist() == sorted([k, page.state.model.index("economics.wacc_per_yr")])
    assert page.state.theta[k] == 24.0
    assert (count.traces, count.compiles) == (0, 0)
    # The page now shows the plan at the new theta.
    assert page.state.table.equals(page.state.model.table(page.state.theta))


def test_bad_input_gets_the_scenario_files_one_line_message(state, tmp_path):
    page = PlannerPage(state.copy())
    table = page.state.table.copy()
    move(page, SLIDER, -3.0)
    shown = page.error.object
    assert "\n" not in shown and shown
    # The same check and message as `orbital plan` on a file with that value (after its label).
    path = tmp_path / "bad.toml"
    path.write_text('[scenario]\nname = "bad"\ninherits = "ai1-100gw"\n[limits]\nflights_per_vehicle_per_yr = -3.0\n')
    with pytest.raises(planner.ScenarioError) as err:
        planner.load_scenario(path)
    assert html.unescape(shown).split(": ", 1)[1] == str(err.value).split(": ", 1)[1]
    assert "limits.flights_per_vehicle_per_yr = -3.0" in shown and "allowed range (0, 1000]" in shown
    # The page keeps the last good plan.
    assert page.state.table.equals(table)
    # The text box takes any input, with `orbital sweep --set`'s messages.
    for text in ("foo=1", "payload_t"):
        enter(page, text)
        with pytest.raises(ValueError) as expected:
            key, _ = planner.parse_set(text)
            planner.resolve_input(page.state.model, key)
        assert html.unescape(page.error.object) == str(expected.value)
    enter(page, "payload_t=150")
    assert page.error.object == ""
    assert list(page.state.scenario.vehicles.payload_t) == [150.0, 150.0]
    assert page.sliders["vehicles.payload_t[1]"].value == 150.0


def test_tornado_gradients_are_the_plans_derivatives(state):
    # Central differences of the compiled plan (an independent computation) against the forward-mode Jacobian.
    metric, year = "lcoc_orbit_usd_per_kw_yr", 2035
    frame = state.sensitivity(metric, year)
    assert frame.attrs["metric_value"] == state.outputs[metric][year - state.model.start_year]
    for _, row in frame.head(4).iterrows():
        k = state.model.index(row["input"])
        step = 1e-6 * max(abs(state.theta[k]), 1.0)
        values = []
        for sign in (1.0, -1.0):
            theta = state.theta.copy()
            theta[k] += sign * step
            values.append(float(state.model.jitted(theta)[metric][year - state.model.start_year]))
        difference = (values[0] - values[1]) / (2 * step)
        assert row["gradient"] == pytest.approx(difference, rel=1e-5)
    assert frame["elasticity"].abs().is_monotonic_decreasing


def test_montecarlo_bands_are_orbital_montecarlos_at_the_current_inputs(state, tmp_path):
    page = PlannerPage(state.copy())
    move(page, "economics.wacc_per_yr", 0.1)
    result = page.state.montecarlo(64, 3)
    path = tmp_path / "exported.toml"
    path.write_text(page.state.scenario_toml())
    loaded = planner.load_scenario(path)
    model = planner.PlanModel(loaded, page.state.geometry)
    expected = planner.montecarlo(model, 64, 3, metrics=planner.METRICS)
    assert result["bands"].equals(expected["bands"])
    with pytest.raises(ValueError, match=r"n=1 is outside the allowed range \[2,"):
        page.state.montecarlo(1, 0)
