"""The ``orbital`` command line. It turns on JAX's 64-bit mode (the library never does, DESIGN §5)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Plan orbital AI compute constellations: fleet-wide eclipse, power and thermal budgets, "
                       "launch ramps.", no_args_is_help=True, add_completion=False)
console = Console(width=120)
errors = Console(stderr=True)


def _friendly(command):
    """Bad input ends with a one-line message and exit code 2, never a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        import jax
        jax.config.update("jax_enable_x64", True)
        try:
            return command(*args, **kwargs)
        except (ValueError, TypeError, FileNotFoundError) as err:
            errors.print(f"[bold red]error:[/] {err}", highlight=False)
            raise typer.Exit(code=2) from None
    return wrapper


def default_shells(epoch: str):
    """A small built-in mix: an AI1-class dawn-dusk shell, a Starlink-like Walker shell, a high Walker shell."""
    from orbital.fleet import Shell
    return [Shell.sun_synchronous(600.0, 18.0, planes=1, sats_per_plane=200, epoch=epoch,
                                 name="sso-600km-dawn-dusk"),
            Shell.walker(550.0, 53.0, 72, 22, phasing=17, epoch=epoch, name="walker-550km-53deg"),
            Shell.walker(1200.0, 70.0, 24, 20, phasing=1, epoch=epoch, name="walker-1200km-70deg")]


@app.command()
@_friendly
def illumination(
    tle: Optional[Path] = typer.Option(None, help="Three- or two-line TLE file of a real fleet (SGP4). "
                                                  "Default: a built-in mix of three shells."),
    start: str = typer.Option("2027-01-01", help="Window start, ISO date or datetime (UTC)."),
    days: float = typer.Option(1.0, help="Window length in days."),
    step_s: float = typer.Option(60.0, "--step-s", help="Time step in seconds."),
    float32: bool = typer.Option(False, "--float32", help="Compute in float32 (faster, see README tolerances)."),
    out: Optional[Path] = typer.Option(None, help="Folder for satellites.csv and shells.csv."),
):
    """Sunlit fraction, eclipse days and longest eclipse of every satellite over a window (conical shadow)."""
    from rich.progress import Progress

    from orbital._io import write_atomic
    from orbital.fleet import Fleet
    from orbital.lighting import illumination as run_illumination

    fleet = Fleet.from_tle(tle) if tle is not None else Fleet.from_shells(default_shells(start))
    with Progress(console=errors, transient=True) as bar:
        task = bar.add_task(f"{len(fleet):,} satellites x {days:g} days", total=1.0)
        stats = run_illumination(fleet, start, days, step_s, dtype="float32" if float32 else None,
                                 progress=lambda done, total: bar.update(task, completed=done / total))
    summary = stats.by_shell()
    table = Table(title=f"Illumination from {start}, {days:g} days at {step_s:g} s ({len(fleet):,} satellites)")
    for column in ["shell", "sats", "sunlit mean", "sunlit min", "longest eclipse min", "eclipse days"]:
        table.add_column(column, justify="left" if column == "shell" else "right")
    for shell, row in summary.iterrows():
        table.add_row(str(shell), f"{int(row.satellites):,}", f"{row.sunlit_fraction:.4f}",
                      f"{row.min_sunlit_fraction:.4f}", f"{row.max_eclipse_min:.1f}", f"{row.eclipse_days_max:.0f}")
    console.print(table)
    if out is not None:
        write_atomic(out / "satellites.csv", lambda path: stats.to_dataframe().to_csv(path, index=False))
        write_atomic(out / "shells.csv", lambda path: summary.to_csv(path))
        console.print(f"wrote {out / 'satellites.csv'} and {out / 'shells.csv'}")


@app.command()
@_friendly
def geometry(altitude_km: float = typer.Argument(..., help="Circular orbit altitude in km."),
             beta_deg: float = typer.Option(0.0, help="Beta angle in degrees.")):
    """Closed forms for one circular orbit: period, sun-synchronous inclination, beta*, eclipse fraction."""
    import orbital
    table = Table(title=f"Circular orbit at {altitude_km:g} km")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("period (min)", f"{orbital.period_min(altitude_km):.3f}")
    try:
        table.add_row("sun-synchronous inclination (deg)", f"{orbital.sso_inclination_deg(altitude_km):.3f}")
    except ValueError:
        table.add_row("sun-synchronous inclination (deg)", "none at this altitude")
    table.add_row("critical beta (deg)", f"{orbital.critical_beta_deg(altitude_km):.3f}")
    table.add_row(f"eclipse fraction at beta {beta_deg:g} deg", f"{orbital.eclipse_fraction(altitude_km, beta_deg):.4f}")
    table.add_row(f"longest eclipse at beta {beta_deg:g} deg (min)",
                  f"{orbital.eclipse_duration_min(altitude_km, beta_deg):.2f}")
    console.print(table)


def main():  # pragma: no cover - console-script entry point convenience
    app()
