"""``orbital twin``: the plan's fleet twin of one year (``orbital.planner.twin``), flown through its power, battery
and thermal budget, with its files. A plain function: ``orbital.cli`` registers it as a command (its error
handling, 64-bit mode and compilation cache wrap it like every other command)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from orbital import planner, resources
from orbital.planner import twin as twin_module
from orbital.planner.outputs import png_bytes, provenance, to_json

console = Console(width=120)
errors = Console(stderr=True)

# The budget's satellite-steps per second on the reference 2-core CPU, float64, with its sizing illumination pass
# and the fleet series (benchmarks/twin.py; the budget alone is ~24 M/s in float32 under load, RESULTS.md).
TWIN_RATE_SAT_STEPS_S = 15e6


def twin(
    scenario: str = typer.Argument(
        planner.DEFAULT_SCENARIO,
        help="Built-in scenario name (`orbital scenarios` lists them) or a scenario TOML file.",
    ),
    year: int = typer.Option(..., help="Plan year whose operating fleet (plan.csv's row) is flown."),
    days: float = typer.Option(365.0, help="Window length in days (default: the whole year)."),
    step_s: float = typer.Option(60.0, "--step-s", help="Time step in seconds."),
    sample: int | None = typer.Option(
        None,
        help="Fly a stratified subsample of this many satellites (each weighted by the satellites it stands for); "
        "default: every satellite.",
    ),
    seed: int = typer.Option(0, help="Seed of the subsample; the same seed flies the same satellites."),
    out: Path | None = typer.Option(None, help="Folder for the results (default: orbital-results/<scenario>)."),
):
    """The operating fleet of one plan year, satellite by satellite (cohort ages, array degradation, shell slots),
    through a year of power, battery and thermal budget.

    Writes twin_satellites_<shell>.csv (per-satellite statistics), twin_compute.csv (the fleet's delivered GW at
    every step), twin_shells.csv (the plan's closed-form availability beside the twin's), twin_summary.json (firm
    capacity, energy shed, distributions, provenance), twin_compute.png and twin_distributions.png."""
    from rich.progress import Progress

    twin_module.check_sample(sample, "stratified", seed)
    n_steps = resources.window_steps(days, step_s)
    loaded = planner.load_scenario(scenario)
    study = loaded.study
    if not study.start_year <= year < study.start_year + study.n_years:
        raise ValueError(
            f"--year={year}: outside the scenario's study window "
            f"[{study.start_year}, {study.start_year + study.n_years - 1}]"
        )
    out_dir = planner.check_output_dir(out if out is not None else planner.default_output_dir(loaded.name))
    with Progress(console=errors, transient=True) as bar:
        task = bar.add_task(f"eclipse geometry of {len(loaded.shells)} shell(s)", total=1.0)
        model = planner.PlanModel.from_scenario(
            loaded, progress=lambda done, total: bar.update(task, completed=done / total)
        )
    operating = float(model.table()["satellites_operating"].iloc[model.year_index(year)])
    flown = round(operating) if sample is None else min(sample, round(operating))
    _check_resources(flown, days, step_s, n_steps, sample is None)
    fleet_twin = twin_module.build_twin(model, year, sample=sample, seed=seed)
    with Progress(console=errors, transient=True) as bar:
        task = bar.add_task(f"{fleet_twin.n_flown:,} satellites x {days:g} days at {step_s:g} s", total=1.0)
        result = twin_module.run_twin(
            fleet_twin, days, step_s, progress=lambda done, total: bar.update(task, completed=done / total)
        )
    _print(result)
    files = twin_files(loaded, result)
    planner.write_files(out_dir, files)
    console.print(f"wrote {', '.join(files)} to {out_dir}")


def _check_resources(n_sat: int, days: float, step_s: float, n_steps: int, whole_fleet: bool):
    """Refuse, before the budget runs, a run beyond orbital.resources' memory or time limits."""
    estimate = resources.scan_estimate(max(n_sat, 1), days, step_s, scan="budget")
    if estimate.seconds is not None:
        estimate = estimate._replace(seconds=estimate.sat_steps / TWIN_RATE_SAT_STEPS_S)
    resources.check_estimate(
        estimate,
        f"the twin's budget of {n_sat:,} satellites x {n_steps:,} steps ({days:g} days at {step_s:g} s)",
        ("fly a subsample (--sample N), " if whole_fleet else "fly fewer satellites (--sample), ")
        + "fewer --days or a coarser --step-s",
    )


def twin_files(scenario, result: twin_module.TwinResult) -> dict:
    """The twin's file set: per-shell satellite tables, the compute series, the shells' comparison, the summary
    with provenance, two plots."""
    satellites = result.satellites_frame()
    files = {f"twin_satellites_{name}.csv": frame.reset_index(drop=True) for name, frame in satellites.groupby("shell")}
    files.update(
        {
            "twin_compute.csv": result.compute_series(),
            "twin_shells.csv": result.shells,
            "twin_summary.json": to_json({**result.summary, "provenance": provenance(scenario)}, "twin_summary.json"),
            "twin_compute.png": png_bytes(twin_module.plot_twin_compute(result)),
            "twin_distributions.png": png_bytes(twin_module.plot_twin_distributions(result)),
        }
    )
    return files


def _print(result: twin_module.TwinResult):
    summary = result.summary
    plan, twin_part = summary["plan"], summary["twin"]
    flown = summary["satellites"]
    table = Table(
        title=f"{summary['scenario']} {summary['year']}: {flown['operating']:,} satellites operating, "
        f"{flown['flown']:,} flown ({flown['sampling']}), {summary['window']['days']:g} days at "
        f"{summary['window']['step_s']:g} s"
    )
    for column in ("quantity", "plan (closed form)", "twin (time-stepped)"):
        table.add_column(column, justify="left" if column == "quantity" else "right")

    def with_error(entry, digits=4):
        error = entry["standard_error"]
        return f"{entry['value']:.{digits}f}" + (f" ± {error:.{digits}f}" if error else "")

    table.add_row(
        "compute availability", f"{plan['compute_availability']:.4f}", with_error(twin_part["compute_availability"])
    )
    table.add_row("operating GW", f"{plan['gw_operating']:,.3f}", f"{twin_part['gw_operating']:,.3f}")
    table.add_row("delivered GW (mean)", f"{plan['gw_effective']:,.3f}", f"{twin_part['mean_delivered_gw']:,.3f}")
    table.add_row("firm GW (lowest)", f"{plan['gw_firm']:,.3f}", f"{twin_part['firm_gw_lowest']:,.3f}")
    firm_p = f"firm_gw_p{twin_module.FIRM_PERCENTILE:g}"
    table.add_row(f"firm GW (p{twin_module.FIRM_PERCENTILE:g} of steps)", "", f"{twin_part[firm_p]:,.3f}")
    table.add_row("energy delivered (GWh)", "", with_error(twin_part["delivered_energy_gwh"], 1))
    table.add_row("energy shed (GWh)", "", with_error(twin_part["shed_energy_gwh"], 1))
    chip = summary["distributions"]["max_chip_k"]
    soc = summary["distributions"]["min_state_of_charge"]
    table.add_row("hottest chip K (p99 / max)", "", f"{chip['p99']:.1f} / {chip['max']:.1f}")
    table.add_row("lowest battery SoC (p1 / min)", "", f"{soc['p1']:.3f} / {soc['min']:.3f}")
    console.print(table)
    shells = Table(title="Per shell: compute availability")
    for column in ("shell", "satellites", "flown", "planes", "plan", "twin", "twin - plan"):
        shells.add_column(column, justify="left" if column == "shell" else "right")
    for _, row in result.shells.iterrows():
        shells.add_row(
            str(row["shell"]),
            f"{int(row['satellites']):,}",
            f"{int(row['flown']):,}",
            f"{int(row['planes']):,}",
            f"{row['closed_form_availability']:.4f}",
            f"{row['twin_availability']:.4f}",
            f"{row['twin_availability'] - row['closed_form_availability']:+.4f}",
        )
    console.print(shells)
