"""Plots of the plan and its analyses: matplotlib figures, built without pyplot (the caller saves them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from orbital.planner.geometry import Geometry


def _figure(width=9.0, height=5.0, layout="constrained"):
    # A bare Figure (no pyplot): no GUI backend is needed to save it, and the process's backend stays as it is.
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout=layout)


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


def plot_costs(table: pd.DataFrame, title: str = ""):
    """Cost of delivered compute by launch year, in orbit and on the ground (USD per delivered kW-year, and per
    accelerator-hour on the right axis), with the parity year marked when there is one."""
    fig = _figure()
    ax = fig.add_subplot()
    years = table["year"].to_numpy()
    ax.plot(years, table["lcoc_orbit_usd_per_kw_yr"], "o-", label="orbit (cohort launched that year)")
    ax.plot(years, table["lcoc_ground_usd_per_kw_yr"], "s--", label="ground data centre")
    parity = years[table["lcoc_ratio"].to_numpy() <= 1.0]
    if len(parity):
        ax.axvline(parity[0], color="grey", lw=0.8)
        ax.annotate(f"parity {parity[0]}", (parity[0], ax.get_ylim()[1]), ha="left", va="top", fontsize=8)
    _integer_years(ax)
    ax.set_ylabel("USD per delivered kW-year")
    hours = table["lcoc_orbit_usd_per_accelerator_hr"].iloc[0] / table["lcoc_orbit_usd_per_kw_yr"].iloc[0]
    right = ax.secondary_yaxis("right", functions=(lambda x: x * hours, lambda y: y / hours))
    right.set_ylabel("USD per accelerator-hour")
    ax.set_title(title or "Cost of delivered compute: orbit against the ground")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_cost_waterfall(economics: pd.DataFrame, year: int, title: str = ""):
    """Waterfall of the cost per delivered kW-year of the ``year`` cohort by component, orbit then ground."""
    import launch

    row = economics.set_index("year").loc[int(year)]
    fig = _figure(10.0, 5.0)
    ax = fig.add_subplot()
    x, ticks, labels = 0.0, [], []
    for side, parts, colour in (
        ("orbit", launch.ORBIT_COST_COMPONENTS, "tab:blue"),
        ("ground", launch.GROUND_COST_COMPONENTS, "tab:orange"),
    ):
        level = 0.0
        for part in parts:
            value = row[f"lcoc_{side}_{part}_usd_per_kw_yr"]
            ax.bar(x, value, bottom=level, color=colour, alpha=0.6)
            level += value
            ticks.append(x)
            labels.append(f"{side}\n{part}")
            x += 1.0
        ax.bar(x, level, color=colour)
        ax.annotate(f"{level:,.0f}", (x, level), ha="center", va="bottom", fontsize=8)
        ticks.append(x)
        labels.append(f"{side}\ntotal")
        x += 1.5
    ax.set_xticks(ticks)
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_ylabel("USD per delivered kW-year")
    ax.set_title(title or f"Cost of delivered compute by component, {year} cohort")
    ax.grid(alpha=0.3, axis="y")
    return fig


def plot_firm_capacity(geometry: Geometry, daily_availability: np.ndarray, title: str = ""):
    """The fleet's compute availability day by day over the geometry window: the mean is what it delivers, the
    lowest day what it can sell as firm capacity."""
    fig = _figure(9.0, 4.5)
    ax = fig.add_subplot()
    days = geometry.day_offsets[: len(daily_availability)]
    ax.plot(days, 100.0 * daily_availability, label="fleet availability")
    ax.axhline(100.0 * daily_availability.mean(), color="tab:green", ls="--", label="mean (delivered)")
    ax.axhline(100.0 * daily_availability.min(), color="tab:red", ls=":", label="lowest day (firm)")
    ax.set_xlabel(f"days from {geometry.start}")
    ax.set_ylabel("compute availability (% of operating GW)")
    ax.set_title(title or "Firm capacity: the seasonal profile of the fleet's compute")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_cost_bands(bands: pd.DataFrame, title: str = ""):
    """Monte Carlo bands of the cost of delivered compute in orbit and on the ground by year."""
    fig = _figure()
    ax = fig.add_subplot()
    for metric, colour, label in (
        ("lcoc_orbit_usd_per_kw_yr", "tab:blue", "orbit"),
        ("lcoc_ground_usd_per_kw_yr", "tab:orange", "ground"),
    ):
        frame = bands[bands["metric"] == metric]
        columns = [c for c in frame.columns if c.startswith("p")]
        years = frame["year"].to_numpy()
        n = len(columns)
        for i in range(n // 2):
            ax.fill_between(
                years, frame[columns[i]], frame[columns[n - 1 - i]], alpha=0.15 + 0.15 * i, color=colour, lw=0
            )
        middle = frame[columns[n // 2]] if n % 2 else frame["mean"]
        ax.plot(
            years,
            middle,
            color=colour,
            label=f"{label} ({columns[n // 2] if n % 2 else 'mean'}, bands {columns[0][1:]}-{columns[-1][1:]} %)",
        )
    _integer_years(ax)
    ax.set_ylabel("USD per delivered kW-year")
    ax.set_title(title or "Cost of delivered compute, Monte Carlo bands")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def _plain_log_labels(axis):
    # The log scale's default labels (10^n) are typeset as mathtext: parsing them took a third of the time to save
    # the seven-panel altitude trade. The same ticks labelled as plain numbers (1e-05, 0.4, 100).
    from matplotlib.ticker import LogFormatter

    class PlainLogFormatter(LogFormatter):
        def __call__(self, x, pos=None):
            return f"{x:g}" if super().__call__(x, pos) else ""

    axis.set_major_formatter(PlainLogFormatter(base=10.0))
    axis.set_minor_formatter(PlainLogFormatter(base=10.0, labelOnlyBase=False))


def plot_altitude_trade(trade: pd.DataFrame, title: str = ""):
    """One design against altitude (``orbital.planner.environment_trade.altitude_trade``): eclipses, propellant
    over the design life, natural lifetime, collision risk, radiation dose and kW/t."""
    # Fixed margins: the constrained layout of seven panels doubled the time to save the figure (1.3 s against 0.5 s).
    fig = _figure(18.0, 7.0, layout=None)
    fig.subplots_adjust(left=0.05, right=0.985, bottom=0.08, top=0.88, wspace=0.3, hspace=0.28)
    axes = fig.subplots(2, 4, sharex=True)
    h = trade["altitude_km"].to_numpy()
    ax = axes[0, 0]
    ax.plot(h, 100.0 * trade["eclipse_fraction"], "o-", label="time in eclipse (%)")
    ax.plot(h, trade["longest_eclipse_min"], "s--", label="longest eclipse (min)")
    ax.set_title("eclipses")
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    ax.plot(h, trade["propellant_kg"], "o-", color="tab:orange")
    ax.set_ylabel("kg per satellite")
    ax.set_title("propellant per satellite over its life")
    ax = axes[1, 0]
    ax.semilogy(h, trade["natural_lifetime_yr"], "o-", color="tab:red")
    ax.set_ylabel("years")
    ax.set_title("natural lifetime (drag alone, to re-entry)")
    ax = axes[1, 1]
    ax.plot(h, trade["kw_per_tonne"], "o-", color="tab:green")
    ax.set_ylabel("kW/t")
    ax.set_title("compute per launch mass")
    ax = axes[0, 2]
    ax.semilogy(h, 100.0 * trade["debris_hazard_per_yr"], "o-", color="tab:brown", label="background debris")
    ax.semilogy(h, 100.0 * trade["fleet_hazard_per_yr"], "s--", color="tab:purple", label="with 1e5 in the band")
    ax.set_ylabel("% of satellites lost per year")
    ax.set_title("collision risk")
    ax.legend(fontsize=8)
    ax = axes[1, 2]
    ax.semilogy(h, trade["manoeuvres_per_satellite_yr"], "o-", color="tab:gray")
    ax.set_ylabel("per satellite per year")
    ax.set_title("avoidance manoeuvres, 1e5 in the band")
    ax = axes[1, 3]
    ax.semilogy(h, trade["dose_rad_per_yr"], "o-", color="tab:olive")
    ax.set_ylabel("rad(Si) per year")
    ax.set_title("trapped-particle dose behind the shielding")
    axes[0, 3].remove()
    for ax in fig.axes:
        ax.grid(alpha=0.3)
        if ax.get_yscale() == "log":
            _plain_log_labels(ax.yaxis)
        # A title at a fixed height: placing it automatically lays out every tick label of every panel once more
        # before the figure is drawn (half the time to save it). No panel has labels above it to avoid.
        ax.set_title(ax.get_title(), y=1.0)
    for ax in axes[1]:
        ax.set_xlabel("altitude (km)")
    if title:
        fig.suptitle(title)
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


def plot_solve(result, title: str = ""):
    """Goal seek (``orbital solve``): the metric in the year against the varied input over the search grid, the
    target as a horizontal line, the scenario's value and the solution marked. The input axis is logarithmic where
    half the grid is geometric (a scenario value near the low end of a wide range)."""
    fig = _figure(8.0, 4.5)
    ax = fig.add_subplot()
    xs = np.asarray(result.grid_inputs)
    ax.plot(xs, result.grid_metric, ".-", color="tab:blue", lw=1, label=f"{result.metric} in {result.year}")
    ax.axhline(result.target, color="tab:red", lw=1, ls="--", label=f"target {result.target:,.6g}")
    if result.initial_metric_value is not None:
        ax.plot(result.initial_value, result.initial_metric_value, "s", color="grey", label="scenario value")
    ax.plot(result.value, result.metric_value, "o", color="tab:red", ms=8, label=f"solution {result.value:,.6g}")
    ax.axvline(result.value, color="tab:red", lw=0.8, alpha=0.5)
    if result.grid_spacing != "linear" and xs.size and xs.min() > 0:
        ax.set_xscale("log")
    unit = f" ({result.unit})" if result.unit else ""
    ax.set_xlabel(f"{result.input}{unit}")
    ax.set_ylabel(result.metric)
    note = f"; the grid saw {result.sign_changes} crossings" if result.sign_changes > 1 else ""
    ax.set_title((title or f"Goal seek: {result.metric} in {result.year}") + note)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_cluster_lattice(positions_m: np.ndarray, pairs: np.ndarray, title: str = ""):
    """One cluster over one orbit: each member's relative track in the orbital plane (along-track against
    radial, m), its points coloured by the member's nearest-neighbour distance at that instant, and the lattice
    at the first instant with its neighbour links. ``positions_m``: (time, member, 3) radial / along-track /
    cross-track; ``pairs``: (link, 2) neighbour indices."""
    positions_m = np.asarray(positions_m, float)
    pairs = np.asarray(pairs, int)
    distance = np.linalg.norm(positions_m[:, pairs[:, 0]] - positions_m[:, pairs[:, 1]], axis=-1)  # (time, link)
    n_members = positions_m.shape[1]
    nearest = np.full(positions_m.shape[:2], np.inf)
    for end in (0, 1):
        # Each link's distance offered to both of its ends; a member's nearest neighbour is the least.
        np.minimum.at(nearest.T, pairs[:, end], distance.T)
    nearest = np.where(np.isfinite(nearest), nearest, np.nan)
    fig = _figure(7.5, 6.5)
    ax = fig.add_subplot()
    first = positions_m[0]
    for i, j in pairs:
        ax.plot(first[[i, j], 1], first[[i, j], 0], color="0.75", lw=0.6, zorder=1)
    points = ax.scatter(
        positions_m[..., 1].ravel(), positions_m[..., 0].ravel(), c=nearest.ravel(), s=3, cmap="viridis", zorder=2
    )
    ax.scatter(first[:, 1], first[:, 0], s=12, color="k", zorder=3, label=f"{n_members} members at t = 0")
    fig.colorbar(points, ax=ax, label="nearest-neighbour distance (m)")
    ax.set_xlabel("along-track (m)")
    ax.set_ylabel("radial (m)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title(title or "Cluster lattice over one orbit")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    return fig


def plot_link_rate(distance_m: np.ndarray, rate_bps: np.ndarray, neighbour_range_m, title: str = ""):
    """One-way data rate of a link against its length (log-log), with the range of the lattice's neighbour
    distances over an orbit shaded. ``neighbour_range_m``: (least, greatest) neighbour distance."""
    fig = _figure(8.0, 5.0)
    ax = fig.add_subplot()
    ax.loglog(np.asarray(distance_m, float), np.asarray(rate_bps, float) / 1e9, color="tab:blue")
    low, high = (float(x) for x in neighbour_range_m)
    label = f"neighbour distances over an orbit: {low:.0f}-{high:.0f} m"
    ax.axvspan(low, high, color="tab:orange", alpha=0.2, label=label)
    ax.set_xlabel("separation (m)")
    ax.set_ylabel("data rate, one way (Gbps)")
    ax.set_title(title or "Optical crosslink: data rate against separation")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return fig
