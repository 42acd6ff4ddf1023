"""Plots of the plan and its analyses: matplotlib figures, built without pyplot (the caller saves them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from orbital.planner.geometry import Geometry


def _figure(width=9.0, height=5.0):
    # A bare Figure (no pyplot): no GUI backend is needed to save it, and the process's backend stays as it is.
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _integer_years(ax):
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year")


def plot_ramp(table: pd.DataFrame, title: str = ""):
    """GW launched per year, GW operating and GW effective (operating x availability), binding constraint
    marked by the shading under the launched curve."""
    fig = _figure()
    ax = fig.add_subplot()
    years = table["year"].to_numpy()
    ax.plot(years, table["gw_launched"], "o-", label="GW launched per year")
    ax.plot(years, table["gw_operating"], "s-", label="GW operating (year end, derated)")
    ax.plot(years, table["gw_effective"], "^-", label="GW effective (x compute availability)")
    colours = {
        "launch": "tab:blue",
        "factory": "tab:orange",
        "arrays": "tab:green",
        "chips": "tab:red",
        "demand": "tab:purple",
    }
    binding = table["binding_constraint"].astype(str).to_numpy()
    for name in dict.fromkeys(binding):
        mask = binding == name
        ax.fill_between(
            years,
            0,
            table["gw_launched"],
            where=mask,
            step="mid",
            alpha=0.15,
            color=colours.get(name, "grey"),
            label=f"binding: {name}",
        )
    _integer_years(ax)
    ax.set_ylabel("GW")
    ax.set_title(title or "Deployment ramp")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_seasons(geometry: Geometry, title: str = ""):
    """Share of each day spent in eclipse, by shell (sample mean) over the geometry window."""
    fig = _figure(9.0, 4.5)
    ax = fig.add_subplot()
    for k, name in enumerate(geometry.shell_names):
        ax.plot(geometry.day_offsets, 100.0 * geometry.daily_eclipse_fraction[k], label=name)
    ax.set_xlabel(f"days from {geometry.start}")
    ax.set_ylabel("time in eclipse (% of day)")
    ax.set_title(
        title or f"Eclipse seasons ({geometry.sample_sats} sampled satellites per shell, {geometry.step_s:g} s steps)"
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_mass(shells: pd.DataFrame, title: str = ""):
    """Stacked mass breakdown per satellite, one bar per shell."""
    fig = _figure(7.0, 4.5)
    ax = fig.add_subplot()
    parts = ["compute_kg", "array_kg", "battery_kg", "radiator_kg", "bus_kg", "structure_kg"]
    bottom = np.zeros(len(shells))
    for part in parts:
        ax.bar(shells["shell"], shells[part], bottom=bottom, label=part.removesuffix("_kg"))
        bottom += shells[part].to_numpy()
    for x, (total, kwt) in enumerate(zip(shells["mass_kg"], shells["kw_per_tonne"])):
        ax.annotate(f"{total:,.0f} kg\n{kwt:.1f} kW/t", (x, total), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("kg per satellite")
    ax.set_title(title or "Mass breakdown per satellite")
    ax.set_ylim(0, bottom.max() * 1.2)
    ax.legend(fontsize=8)
    return fig


def plot_tornado(sens: pd.DataFrame, top: int = 15):
    fig = _figure(8.0, 0.35 * min(top, len(sens)) + 1.5)
    ax = fig.add_subplot()
    rows = sens.head(top).iloc[::-1]
    colours = ["tab:blue" if e >= 0 else "tab:red" for e in rows["elasticity"]]
    ax.barh(rows["input"], rows["elasticity"], color=colours)
    ax.axvline(0.0, color="black", lw=0.8)
    ax.set_xlabel(
        f"elasticity of {sens.attrs.get('metric', 'metric')} in {sens.attrs.get('year', '')}\n"
        "(% change per +1 % of the input, or per +1 year for calendar years; exact, jax.grad)"
    )
    ax.tick_params(axis="y", labelsize=8)
    return fig


def plot_fan(bands: pd.DataFrame, metric: str = "gw_effective", title: str = ""):
    fig = _figure()
    ax = fig.add_subplot()
    frame = bands[bands["metric"] == metric]
    columns = [c for c in frame.columns if c.startswith("p")]
    years = frame["year"].to_numpy()
    n = len(columns)
    for i in range(n // 2):
        ax.fill_between(
            years,
            frame[columns[i]],
            frame[columns[n - 1 - i]],
            alpha=0.2 + 0.2 * i,
            color="tab:blue",
            lw=0,
            label=f"{columns[i][1:]}-{columns[n - 1 - i][1:]} %",
        )
    if n % 2:
        ax.plot(years, frame[columns[n // 2]], color="tab:blue", label=f"median ({columns[n // 2]})")
    _integer_years(ax)
    ax.set_ylabel(metric)
    ax.set_title(title or f"Monte Carlo bands of {metric}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_sweep(table: pd.DataFrame, keys: list, metric: str = "gw_effective"):
    fig = _figure()
    ax = fig.add_subplot()
    for _, frame in table.groupby("case"):
        label = ", ".join(f"{k}={frame[k].iloc[0]:g}" for k in keys)
        ax.plot(frame["year"], frame[metric], label=label)
    _integer_years(ax)
    ax.set_ylabel(metric)
    ax.set_title(f"What-if sweep: {metric}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return fig
