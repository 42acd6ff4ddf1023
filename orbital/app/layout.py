"""The planner page: widgets, their callbacks and the layout (Panel), over a ``PlannerState``.

``planner_app(scenario)`` returns the page as one Panel object: a notebook shows it in one call, ``orbital serve``
serves one per browser session (``serve``). Moving a slider sets one input of the scenario; the state validates
it (one-line message on the page if it is not allowed) and runs the compiled plan; the views are refilled in
place. Slow steps (a shell's altitude: new eclipse geometry; another scenario; the kW/t mode's first use; Monte
Carlo) run off the page's event loop so the page stays live and says what it is doing.
"""

from __future__ import annotations

import asyncio
import html
import io
import time

import panel as pn

from orbital import planner
from orbital.app.knobs import KW_PER_TONNE_INPUT, altitude_knobs, input_knobs
from orbital.app.plots import PlanViews, numbers_html
from orbital.app.state import DEFAULT_PAGE_DRAWS, GeometryCache, PlannerState

SIDEBAR_WIDTH = 360


def knob_class(name: str) -> str:
    """The CSS class of an input's slider on the page (for scripts and browser tests)."""
    return "knob-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in name)


class PlannerPage:
    """One page: the state, its widgets and views. ``view`` is the Panel object."""

    def __init__(self, state: PlannerState):
        self.state = state
        self.busy = False
        self.bands = None
        self.last_update_s = 0.0
        self.error = pn.pane.HTML("", css_classes=["orbital-error"], styles={"color": "#b00020"}, width=SIDEBAR_WIDTH)
        self.status = pn.pane.HTML("", css_classes=["orbital-status"], width=SIDEBAR_WIDTH)
        self.view = pn.Column(sizing_mode="stretch_width")
        self._build()

    # --- building ---------------------------------------------------------------------------------------------
    def _build(self):
        state = self.state
        scenario_names = list(planner.builtin_scenarios())
        self.scenario_select = pn.widgets.Select(
            name="scenario (built-in)",
            options=scenario_names,
            value=state.scenario.name if state.scenario.name in scenario_names else None,
            width=SIDEBAR_WIDTH - 20,
        )
        self.scenario_path = pn.widgets.TextInput(
            name="or a scenario TOML file", placeholder="path/to/scenario.toml", width=SIDEBAR_WIDTH - 20
        )
        self.load_button = pn.widgets.Button(name="Load scenario", button_type="primary")
        self.load_button.on_click(self._on_load)

        self.sliders = {}
        for knob in input_knobs(state.model, state.theta) + altitude_knobs(state.scenario):
            slider = pn.widgets.EditableFloatSlider(
                name=knob.label,
                start=knob.start,
                end=knob.end,
                step=knob.step,
                value=knob.value,
                width=SIDEBAR_WIDTH - 20,
                format="0,0.[0000]",
                css_classes=[knob_class(knob.name)],
            )
            slider.description = knob.doc
            # Both: a slider's release sets value_throttled, and not every browser event path (a typed value, a
            # drag that ends off the handle) sets it; a value equal to the state's is no change (see _on_slider).
            for what in ("value", "value_throttled"):
                slider.param.watch(lambda event, name=knob.name: self._on_slider(name, event.new), what)
            self.sliders[knob.name] = slider
        self.kw_from_design = pn.widgets.Checkbox(
            name="kW/t of the first cohorts from the design's mass roll-up", value=state.model.kw_from_design
        )
        self.kw_from_design.param.watch(self._on_kw_mode, "value")
        self.set_text = pn.widgets.TextInput(
            name="any input: key=value (as orbital sweep --set)",
            placeholder="e.g. limits.pads_added_per_yr=3",
            width=SIDEBAR_WIDTH - 20,
        )
        self.set_text.param.watch(self._on_set_text, "enter_pressed")

        years = state.years
        self.metric = pn.widgets.Select(
            name="metric", css_classes=["orbital-metric"], options=list(planner.METRICS), value=planner.DEFAULT_METRIC
        )
        self.year = pn.widgets.IntSlider(
            name="year", start=int(years[0]), end=int(years[-1]), value=int(years[-1]), step=1
        )
        self.metric.param.watch(lambda _: self._show_analysis(), "value")
        self.year.param.watch(lambda _: self._show_analysis(), "value_throttled")

        mc = state.scenario.montecarlo
        self.draws = pn.widgets.IntInput(name="draws", value=min(mc.draws, DEFAULT_PAGE_DRAWS), width=120)
        self.seed = pn.widgets.IntInput(name="seed", value=mc.seed, width=120)
        self.mc_button = pn.widgets.Button(name="Run Monte Carlo", button_type="default")
        self.mc_button.on_click(self._on_montecarlo)

        self.export = pn.widgets.FileDownload(
            callback=lambda: io.StringIO(self.state.scenario_toml()),
            filename=f"{state.scenario.name}.toml",
            label="Export scenario TOML",
            css_classes=["orbital-export"],
            button_type="success",
            width=SIDEBAR_WIDTH - 20,
        )

        self.views = PlanViews(state)
        self.header = pn.pane.HTML("", sizing_mode="stretch_width")
        self.numbers = pn.pane.HTML("", css_classes=["orbital-numbers"], sizing_mode="stretch_width")
        sidebar = pn.Column(
            self.scenario_select,
            self.scenario_path,
            self.load_button,
            pn.pane.HTML("<b>Inputs</b> (drag a slider or type a value)"),
            *self.sliders.values(),
            self.kw_from_design,
            self.set_text,
            self.error,
            self.export,
            self.status,
            width=SIDEBAR_WIDTH,
        )
        bokeh = dict(sizing_mode="stretch_width")
        main = pn.Column(
            self.header,
            pn.Row(pn.pane.Bokeh(self.views.ramp, **bokeh), pn.pane.Bokeh(self.views.cost, **bokeh)),
            pn.Row(pn.pane.Bokeh(self.views.binding, **bokeh), pn.pane.Bokeh(self.views.mass, **bokeh)),
            pn.Row(self.metric, self.year),
            pn.Row(pn.pane.Bokeh(self.views.tornado, **bokeh), pn.pane.Bokeh(self.views.seasons, **bokeh)),
            pn.Row(self.draws, self.seed, self.mc_button),
            pn.pane.Bokeh(self.views.bands, **bokeh),
            pn.pane.HTML(
                "<b>The plan by year</b> (plan.csv of <code>orbital plan</code>; hover a cell for its exact value)"
            ),
            self.numbers,
            sizing_mode="stretch_width",
        )
        self.view[:] = [pn.Row(sidebar, main, sizing_mode="stretch_width")]
        self._refresh()

    # --- refreshing ---------------------------------------------------------------------------------------------
    def _refresh(self):
        state = self.state
        self.views.update(state)
        self.numbers.object = numbers_html(state.table)
        last = state.table.iloc[-1]
        self.header.object = (
            f"<h2 style='margin:4px 0'>{html.escape(state.scenario.name)}</h2>"
            f"<div>{html.escape(state.scenario.scenario.description)}</div>"
            f"<div class='orbital-headline'>{int(last['year'])}: {last['gw_launched']:,.1f} GW launched, "
            f"{last['gw_operating']:,.1f} GW operating, {last['gw_effective']:,.1f} GW effective; binding: "
            f"{html.escape(str(last['binding_constraint']))}</div>"
        )
        kw = self.sliders.get(KW_PER_TONNE_INPUT)
        if kw is not None:
            kw.disabled = state.model.kw_from_design
            if state.model.kw_from_design:
                self._quietly(kw, float(state.outputs["kw_per_tonne_rollup"][0]))
        self._show_analysis()

    @staticmethod
    def _quietly(slider, value):
        """Show ``value`` on a slider without treating it as the user's move."""
        slider.param.update(value=value)

    def _show_analysis(self):
        try:
            self.views.show_sensitivity(self.state.sensitivity(self.metric.value, int(self.year.value)))
        except ValueError as err:
            self._fail(err)
        self.views.show_bands(self.bands["bands"] if self.bands else None, self.metric.value, self._bands_n())

    def _bands_n(self):
        return self.bands["n"] if self.bands else None

    def _fail(self, err):
        self.error.object = html.escape(" ".join(str(err).split()))

    def _done(self, started: float, what: str):
        self.last_update_s = time.perf_counter() - started
        self.error.object = ""
        self.status.object = html.escape(f"{what}: updated in {1e3 * self.last_update_s:,.0f} ms")

    # --- callbacks ------------------------------------------------------------------------------------------------
    def apply(self, change, what: str):
        """Apply ``change(state)`` and refresh the views; a refused value leaves the message and the last plan."""
        started = time.perf_counter()
        try:
            change(self.state)
        except (ValueError, TypeError, OSError, FloatingPointError) as err:
            self._fail(err)
            return False
        if isinstance(self.bands, dict) and self.bands.get("theta") is not self.state.theta:
            self.bands = None  # bands of other inputs: stale
        self._refresh()
        self._done(started, what)
        return True

    async def apply_slow(self, change, what: str, message: str):
        """``apply`` for a slow change: the work runs in a thread, the page says what it is doing meanwhile."""
        if self.busy:
            self._fail("busy: the previous change is still being computed")
            return False
        self.busy = True
        self.status.object = html.escape(message)
        started = time.perf_counter()
        try:
            await asyncio.get_running_loop().run_in_executor(None, change, self.state)
        except (ValueError, TypeError, OSError, FloatingPointError) as err:
            self._fail(err)
            self.status.object = ""
            return False
        finally:
            self.busy = False
        self._refresh()
        self._done(started, what)
        return True

    def _on_slider(self, name, value):
        # A slider showing the state (``_quietly``), or the roll-up's kW/t while it is not an input, is no change.
        if value is None or self.sliders[name].disabled or value == self.state.value(name):
            return
        if name.startswith("shells."):
            return self._spawn(
                self.apply_slow(
                    lambda s: s.set_inputs({name: value}),
                    f"{name} = {value:g}",
                    f"{name} = {value:g}: computing the shells' eclipse geometry (seconds)...",
                )
            )
        if self.busy:
            self._fail("busy: the previous change is still being computed")
            return
        self.apply(lambda s: s.set_inputs({name: value}), f"{name} = {value:g}")

    def _on_kw_mode(self, event):
        self._spawn(
            self.apply_slow(
                lambda s: s.set_kw_from_design(event.new),
                "kW/t mode",
                "switching the kW/t mode (the first time compiles the plan's other variant: a minute or two)...",
            )
        )

    def _on_set_text(self, _event):
        text = self.set_text.value_input if self.set_text.value_input is not None else self.set_text.value
        if self.apply(lambda s: s.set_text(text), text):
            self._sync_sliders()

    def _sync_sliders(self):
        for name, slider in self.sliders.items():
            self._quietly(slider, self.state.value(name))

    def _on_load(self, _event):
        name = self.scenario_path.value.strip() or self.scenario_select.value
        geometries = self.state.geometries

        async def load():
            self.busy = True
            self.status.object = html.escape(f"loading {name}: eclipse geometry and compilation (up to minutes)...")
            try:
                state = await asyncio.get_running_loop().run_in_executor(
                    None, lambda: PlannerState(planner.load_scenario(name), geometries)
                )
            except (ValueError, TypeError, OSError, FloatingPointError) as err:
                self._fail(err)
                self.status.object = ""
                return
            finally:
                self.busy = False
            self.state, self.bands = state, None
            self._build()
            self.status.object = html.escape(f"loaded {state.scenario.name}")

        self._spawn(load())

    def _on_montecarlo(self, _event):
        n, seed = self.draws.value, self.seed.value
        theta = self.state.theta

        def run(state):
            result = state.montecarlo(n, seed)
            result["theta"] = theta
            self.bands = result

        self._spawn(
            self.apply_slow(
                run, f"Monte Carlo of {n:,} draws", f"Monte Carlo of {n:,} draws (the first run compiles)..."
            )
        )

    @staticmethod
    def _spawn(coroutine):
        """Run a coroutine on the page's event loop (server or notebook); in plain Python, to completion."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(coroutine)
        return loop.create_task(coroutine)


def planner_app(scenario=planner.DEFAULT_SCENARIO, geometries: GeometryCache | None = None):
    """The interactive planner for ``scenario`` (a built-in name, a TOML path or a ``Scenario``) as one Panel
    object; in a notebook, run ``pn.extension()`` first and leave it as the cell's value. Call
    ``jax.config.update("jax_enable_x64", True)`` before it for the CLI's float64 numbers."""
    state = scenario if isinstance(scenario, PlannerState) else PlannerState(scenario, geometries)
    return PlannerPage(state).view


def serve(state: PlannerState, address: str, port: int, show: bool):
    """Serve the page of ``state`` (one fresh copy per browser session) on ``address:port`` until interrupted."""
    origins = [f"{address}:{port}"] + ([f"localhost:{port}"] if address in ("127.0.0.1", "localhost") else [])
    return pn.serve(
        lambda: PlannerPage(state.copy()).view,
        address=address,
        port=port,
        show=show,
        websocket_origin=origins,
        title=f"orbital planner: {state.scenario.name}",
        verbose=False,
    )
