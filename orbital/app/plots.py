"""The planner page's live views: bokeh figures (hover, pan, box and wheel zoom) fed by ``ColumnDataSource``s that
``PlanViews.update`` refills from a ``PlannerState``; the figures themselves are built once, so a change sends
only new numbers to the browser. Also the table of the plan's numbers (HTML, each cell's exact value in its
``title``)."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, Legend, LegendItem, NumeralTickFormatter
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

import launch

TOOLS = "pan,box_zoom,wheel_zoom,reset,save"
# plan.csv columns shown in the table of numbers (``orbital plan``'s console table and the cost of compute).
NUMBER_COLUMNS = (
    "year",
    "launches",
    "gw_launched",
    "gw_operating",
    "gw_effective",
    "satellites_operating",
    "kw_per_tonne",
    "launch_usd_per_kg",
    "lcoc_orbit_usd_per_kw_yr",
    "lcoc_ground_usd_per_kw_yr",
    "binding_constraint",
)
# The satellite's mass by part (shells.csv); together they make ``mass_kg``.
MASS_PARTS = (
    "compute_kg",
    "array_kg",
    "battery_kg",
    "radiator_kg",
    "bus_kg",
    "structure_kg",
    "shielding_kg",
    "terminal_kg",
    "thruster_kg",
    "tank_kg",
    "propellant_kg",
)
RAMP_LINES = {"gw_launched": "launched", "gw_operating": "operating", "gw_effective": "effective", "gw_firm": "firm"}
COST_LINES = {"lcoc_orbit_usd_per_kw_yr": "orbit", "lcoc_ground_usd_per_kw_yr": "ground"}
CAP_LINES = {
    "cap_launch_gw": "launch",
    "cap_factory_gw": "factory",
    "cap_arrays_gw": "arrays",
    "cap_chips_gw": "chips",
    "demand_gw": "demand",
}
TORNADO_ROWS = 15


def format_number(value) -> str:
    """A table cell: integers and labels as they are, other numbers to 4 significant digits with separators."""
    if isinstance(value, str | pd.Categorical) or not np.issubdtype(type(value), np.number):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"


def numbers_html(table: pd.DataFrame) -> str:
    """The plan's yearly numbers as an HTML table; each cell's ``title`` holds the exact value (``repr``)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in NUMBER_COLUMNS)
    rows = []
    for _, row in table.iterrows():
        cells = []
        for column in NUMBER_COLUMNS:
            value = row[column]
            label = column in ("year", "binding_constraint")
            exact, shown = (str(value), str(value)) if label else (repr(float(value)), format_number(value))
            cells.append(f'<td data-column="{column}" title="{html.escape(exact)}">{html.escape(shown)}</td>')
        rows.append(f'<tr data-year="{int(row["year"])}">{"".join(cells)}</tr>')
    return (
        '<table class="orbital-numbers" style="border-collapse:collapse;font-size:12px;text-align:right">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _figure(title: str, height: int = 300, **kwargs):
    fig = figure(title=title, tools=TOOLS, height=height, sizing_mode="stretch_width", **kwargs)
    fig.toolbar.autohide = True
    return fig


def _lines(fig, source, columns: dict, unit: str):
    renderers = []
    for k, (column, label) in enumerate(columns.items()):
        renderers.append(
            fig.line("year", column, source=source, color=Category10_10[k], line_width=2, legend_label=label)
        )
        fig.scatter("year", column, source=source, color=Category10_10[k], size=4)
    tips = [("year", "@year")] + [(label, f"@{column}{{0,0.[000]}} {unit}") for column, label in columns.items()]
    fig.add_tools(HoverTool(renderers=renderers[:1], tooltips=tips, mode="vline"))
    fig.legend.location = "top_left"
    fig.legend.click_policy = "hide"
    return renderers


class PlanViews:
    """The figures of one page and the sources behind them."""

    def __init__(self, state):
        self.plan = ColumnDataSource(self._plan_data(state))
        self.ramp = _figure("Compute in orbit by year (GW)")
        _lines(self.ramp, self.plan, RAMP_LINES, "GW")
        self.ramp.yaxis.axis_label = "GW"

        self.cost = _figure("Cost of delivered compute by launch year: orbit vs the ground")
        _lines(self.cost, self.plan, COST_LINES, "USD/kW-yr")
        self.cost.yaxis.axis_label = "USD per delivered kW-year"
        self.cost.yaxis.formatter = NumeralTickFormatter(format="0,0")

        self.binding = _figure(
            "Binding constraint by year (GW launched and the caps)", y_axis_type="log", x_axis_label="year"
        )
        _lines(self.binding, self.plan, {**CAP_LINES, "gw_launched": "launched"}, "GW")
        self.binding.scatter(
            "year",
            "gw_launched",
            source=self.plan,
            size=11,
            marker="square",
            fill_color="binding_color",
            line_color=None,
        )
        self.binding.add_tools(
            HoverTool(tooltips=[("year", "@year"), ("binding", "@binding_constraint")], mode="mouse")
        )
        self.binding.yaxis.axis_label = "GW per year"

        self.seasons_source = ColumnDataSource()
        self.seasons = _figure("Eclipse seasons: share of each day in eclipse", x_axis_label="day of the window")
        self.seasons.yaxis.axis_label = "% of the day in eclipse"
        self.seasons.add_layout(Legend(), "right")
        self._season_key = None

        self.mass_source = ColumnDataSource()
        self.mass = _figure("Mass breakdown per satellite (kg)", x_range=FactorRange())
        self.mass.add_layout(Legend(), "right")
        self._mass_built = False

        self.tornado_source = ColumnDataSource({"input": [], "elasticity": [], "color": [], "value": [], "per": []})
        self.tornado = _figure("Sensitivity", y_range=FactorRange(), height=420)
        self.tornado.hbar(y="input", right="elasticity", height=0.7, color="color", source=self.tornado_source)
        self.tornado.add_tools(
            HoverTool(
                tooltips=[
                    ("input", "@input"),
                    ("value", "@value{0,0.[0000]}"),
                    ("elasticity", "@elasticity{+0.0000} % per @per"),
                    ("gradient", "@gradient"),
                ]
            )
        )
        self.tornado.xaxis.axis_label = "% change of the metric per +1 % of the input (or per +1 year)"

        self.bands_source = ColumnDataSource({"year": [], "p_lo": [], "p_hi": [], "q_lo": [], "q_hi": [], "mid": []})
        self.bands = _figure("Monte Carlo bands (press Run Monte Carlo)")
        self.bands.varea("year", "p_lo", "p_hi", source=self.bands_source, alpha=0.25, legend_label="outer band")
        self.bands.varea("year", "q_lo", "q_hi", source=self.bands_source, alpha=0.45, legend_label="inner band")
        mid = self.bands.line("year", "mid", source=self.bands_source, line_width=2, legend_label="median")
        self.bands.add_tools(
            HoverTool(
                renderers=[mid],
                tooltips=[("year", "@year"), ("median", "@mid{0,0.[000]}"), ("band", "@p_lo - @p_hi")],
                mode="vline",
            )
        )
        self.bands.legend.location = "top_left"
        self.update(state)

    @staticmethod
    def _plan_data(state) -> dict:
        out = state.outputs
        colors = dict(zip(launch.BINDING_NAMES, Category10_10))
        binding = state.table["binding_constraint"].astype(str).tolist()
        data = {"year": state.years.astype(float), "binding_constraint": binding}
        data["binding_color"] = [colors[b] for b in binding]
        for column in (*RAMP_LINES, *COST_LINES, *CAP_LINES):
            data[column] = np.asarray(out[column], dtype=float)
        return data

    def update(self, state):
        """Refill every source from ``state`` (the figures' geometry views only when the geometry changed)."""
        self.plan.data = self._plan_data(state)
        geometry = state.geometry
        if self._season_key is not geometry:
            self._season_key = geometry
            data = {"day": np.asarray(geometry.day_offsets, dtype=float)}
            for k, _name in enumerate(geometry.shell_names):
                data[f"shell{k}"] = 100.0 * np.asarray(geometry.daily_eclipse_fraction[k], dtype=float)
            self.seasons_source.data = data
            self.seasons.renderers = []
            items = []
            for k, name in enumerate(geometry.shell_names):
                line = self.seasons.line(
                    "day", f"shell{k}", source=self.seasons_source, color=Category10_10[k % 10], line_width=2
                )
                items.append(LegendItem(label=name, renderers=[line]))
            self.seasons.legend.items = items
            self.seasons.tools = [t for t in self.seasons.tools if not isinstance(t, HoverTool)]
            self.seasons.add_tools(
                HoverTool(
                    tooltips=[("day", "@day")]
                    + [(name, f"@shell{k}{{0.0}} %") for k, name in enumerate(geometry.shell_names)],
                    mode="vline",
                )
            )
        shells = state.shells
        data = {"shell": shells["shell"].astype(str).tolist(), "mass_kg": shells["mass_kg"].to_numpy(float)}
        data["kw_per_tonne"] = shells["kw_per_tonne"].to_numpy(float)
        for part in MASS_PARTS:
            data[part] = shells[part].to_numpy(float)
        self.mass_source.data = data
        if list(self.mass.x_range.factors) != data["shell"]:
            self.mass.x_range.factors = data["shell"]
        if not self._mass_built:
            self._mass_built = True
            bars = self.mass.vbar_stack(
                list(MASS_PARTS),
                x="shell",
                width=0.6,
                color=[Category10_10[k % 10] for k in range(len(MASS_PARTS))],
                source=self.mass_source,
            )
            self.mass.legend.items = [
                LegendItem(label=part.removesuffix("_kg"), renderers=[bar]) for part, bar in zip(MASS_PARTS, bars)
            ]
            self.mass.add_tools(
                HoverTool(
                    tooltips=[("shell", "@shell"), ("part", "$name"), ("kg", "@$name{0,0}")]
                    + [("satellite", "@mass_kg{0,0} kg"), ("kW/t", "@kw_per_tonne{0.0}")]
                )
            )
            for part, bar in zip(MASS_PARTS, bars):
                bar.name = part

    def show_sensitivity(self, frame: pd.DataFrame):
        rows = frame.head(TORNADO_ROWS).iloc[::-1]
        self.tornado_source.data = {
            "input": rows["input"].tolist(),
            "elasticity": rows["elasticity"].to_numpy(float),
            "gradient": rows["gradient"].to_numpy(float),
            "value": rows["value"].to_numpy(float),
            "per": [p.removeprefix("+1 ") for p in rows["per"]],
            "color": ["#1f77b4" if e >= 0 else "#d62728" for e in rows["elasticity"]],
        }
        self.tornado.y_range.factors = rows["input"].tolist()
        a = frame.attrs
        self.tornado.title.text = (
            f"Exact sensitivities of {a['metric']} in {a['year']} (= {a['metric_value']:,.4g}), top {len(rows)}"
        )

    def show_bands(self, bands: pd.DataFrame | None, metric: str, n: int | None = None):
        if bands is None:
            self.bands_source.data = {k: [] for k in self.bands_source.data}
            self.bands.title.text = "Monte Carlo bands (press Run Monte Carlo)"
            return
        frame = bands[bands["metric"] == metric]
        columns = [c for c in frame.columns if c.startswith("p")]
        middle = columns[len(columns) // 2]
        inner = (columns[1], columns[-2]) if len(columns) >= 4 else (middle, middle)
        self.bands_source.data = {
            "year": frame["year"].to_numpy(float),
            "p_lo": frame[columns[0]].to_numpy(float),
            "p_hi": frame[columns[-1]].to_numpy(float),
            "q_lo": frame[inner[0]].to_numpy(float),
            "q_hi": frame[inner[1]].to_numpy(float),
            "mid": frame[middle].to_numpy(float),
        }
        self.bands.title.text = (
            f"Monte Carlo of {metric}: {columns[0][1:]}-{columns[-1][1:]} % and {inner[0][1:]}-{inner[1][1:]} % "
            f"bands, median ({n:,} draws)"
        )
