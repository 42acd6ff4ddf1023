"""The ``orbital`` command line: each command loads its input, makes one public library call and renders the
result (a table on the console, files through ``orbital.planner.write_files``). The library never changes JAX's
or astropy's settings; the CLI sets them for its own process (see ``_friendly``). Output folders are checked right
after the arguments are parsed, before any computation (``planner.check_output_dir``)."""

from __future__ import annotations

import concurrent.futures
import functools
import sys
import warnings
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from orbital import planner, resources
from orbital.twin_command import twin as twin_command


class _OneLineErrors(TyperGroup):
    """Usage errors (a value click cannot parse, an unknown option, a missing argument) as one line on stderr
    with exit code 2, like every other bad input, instead of click's usage block."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Abort:
            _print_error("aborted")
            sys.exit(1)
        except typer.TyperException as err:  # typer's click exceptions: usage errors and bad values
            if type(err).__name__ != "NoArgsIsHelpError":  # (that one has printed the help already)
                _print_error(err.format_message() if hasattr(err, "format_message") else str(err))
            sys.exit(getattr(err, "exit_code", 2))
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
    help="Plan orbital AI compute constellations: fleet-wide eclipse, power and thermal budgets, "
    "launch ramps.\n\nStart with `orbital plan` (runs the built-in ai1-100gw scenario and writes "
    "tables and plots), then `orbital scenarios`, `orbital sweep`, `orbital sensitivity`, "
    "`orbital montecarlo`, `orbital solve` and `orbital validate`. SCENARIO is a built-in name or a TOML file "
    "(see docs/planner.md).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(width=120)
errors = Console(stderr=True)


def _print_error(message: str):
    # One line (soft_wrap: rich must not wrap it), markup-escaped (messages contain [section] names).
    errors.print(f"[bold red]error:[/] {escape(' '.join(str(message).split()))}", highlight=False, soft_wrap=True)


# Compiled kernels are kept between CLI runs in this folder (JAX's persistent compilation cache): a second
# `orbital plan` skips most of its compilation. ORBITAL_COMPILE_CACHE=off turns it off; a path moves it.
COMPILE_CACHE_ENV = "ORBITAL_COMPILE_CACHE"
# The host-side tables a plan builds (NRLMSIS density by inclination, the altitude trade) are kept here, so a
# second run does not build them again. ORBITAL_TABLE_CACHE=off turns it off; a path moves it.
TABLE_CACHE_ENV = "ORBITAL_TABLE_CACHE"


def _cache_dir(setting_name: str, leaf: str) -> Path | None:
    import os

    setting = os.environ.get(setting_name)
    if setting is not None:
        return None if setting.strip().lower() in ("", "0", "off", "false", "no") else Path(setting).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "orbital-compute" / leaf


def compile_cache_dir() -> Path | None:
    """The CLI's compilation cache folder: $ORBITAL_COMPILE_CACHE, else $XDG_CACHE_HOME/orbital-compute/jax,
    else ~/.cache/orbital-compute/jax; None when $ORBITAL_COMPILE_CACHE is off, 0, false, no or empty."""
    return _cache_dir(COMPILE_CACHE_ENV, "jax")


def table_cache_dir() -> Path | None:
    """The CLI's table cache folder: $ORBITAL_TABLE_CACHE, else $XDG_CACHE_HOME/orbital-compute/tables, else
    ~/.cache/orbital-compute/tables; None when $ORBITAL_TABLE_CACHE is off, 0, false, no or empty."""
    return _cache_dir(TABLE_CACHE_ENV, "tables")


def _use_caches(jax):
    """Turn on JAX's persistent compilation cache and the table cache for this CLI process only (importing the
    library never does)."""
    folder = compile_cache_dir()
    if folder is not None and jax.config.jax_compilation_cache_dir is None:
        jax.config.update("jax_compilation_cache_dir", str(folder))
        # Every compiled kernel is kept, however quick to compile: a plan compiles about a hundred small ones
        # (0.01-0.1 s each, about 2 s in all), and reading one back is cheaper than compiling it again.
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    from orbital import kept_tables

    kept_tables.keep_tables_in(table_cache_dir())


def _friendly(command):
    """Bad input ends with a one-line message and exit code 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        import jax
        from erfa import ErfaWarning

        # The CLI process's own setting (it owns the process): plans and budgets in float64. Library callers
        # choose for themselves; nothing in the library flips it.
        jax.config.update("jax_enable_x64", True)
        _use_caches(jax)
        # Never reach the network: astropy may otherwise fetch a leap-second table when its bundled ones are
        # near expiry (docs/security.md); the bundled table is then used as it is.
        from astropy.utils import iers

        iers.conf.auto_download = False
        # Windows are checked to lie in orbital.timescales' years, where ERFA's "dubious year" (UTC before 1960,
        # leap seconds not yet announced) moves an instant by seconds at most: noise on the console.
        warnings.filterwarnings("ignore", message=".*dubious year", category=ErfaWarning)
        try:
            return command(*args, **kwargs)
        except (ValueError, TypeError, OSError, FloatingPointError, OverflowError) as err:
            # OSError: a file that cannot be read (missing, a folder, no permission), named by the message.
            _print_error(str(err))
            raise typer.Exit(code=2) from None

    return wrapper


def _start_distributed(coordinator: str | None, num_processes: int, process_id: int) -> bool:
    """Join a multi-host run when ``coordinator`` is given; True on the process that reports (process 0)."""
    if coordinator is None:
        if num_processes != 1 or process_id != 0:
            raise ValueError("--num-processes and --process-id need --coordinator HOST:PORT")
        return True
    if num_processes < 1 or not 0 <= process_id < num_processes:
        raise ValueError(
            f"--process-id={process_id} is not allowed with --num-processes={num_processes}: "
            f"use 0 to {num_processes - 1}"
        )
    import jax

    # CPU-only hosts need a collectives backend for the cross-host gathers; GPU hosts use NCCL regardless.
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(coordinator_address=coordinator, num_processes=num_processes, process_id=process_id)
    return jax.process_index() == 0


@app.command()
@_friendly
def illumination(
    tle: Path | None = typer.Option(
        None, help="Three- or two-line TLE file of a real fleet (SGP4). Default: a built-in mix of three shells."
    ),
    start: str | None = typer.Option(
        None,
        help="Window start, ISO date or datetime (UTC). Default: the median epoch of the --tle element sets, "
        "else 2027-01-01.",
    ),
    days: float = typer.Option(1.0, help="Window length in days."),
    step_s: float = typer.Option(60.0, "--step-s", help="Time step in seconds."),
    float32: bool = typer.Option(False, "--float32", help="Compute in float32 (faster, see README tolerances)."),
    out: Path | None = typer.Option(None, help="Folder for satellites.csv and shells.csv."),
    checkpoint: Path | None = typer.Option(
        None,
        help="Checkpoint file: an interrupted run started again with "
        "the same options resumes from its last completed day.",
    ),
    coordinator: str | None = typer.Option(
        None,
        help="Multi-host run: HOST:PORT of process 0 (jax.distributed); "
        "every host runs the same command with its --process-id.",
    ),
    num_processes: int = typer.Option(1, "--num-processes", help="Multi-host run: number of processes."),
    process_id: int = typer.Option(0, "--process-id", help="Multi-host run: this process's index."),
):
    """Sunlit fraction, eclipse days and longest eclipse of every satellite over a window (conical shadow).

    The satellites are sharded over every device of the run: all local GPUs (or CPU devices), and with
    --coordinator those of every host; process 0 prints and writes the results."""
    from rich.progress import Progress

    from orbital.lighting import illumination as run_illumination
    from orbital.timescales import time_grid

    # Joining a multi-host run must come before anything touches JAX (the checks below may).
    leader = _start_distributed(coordinator, num_processes, process_id)
    if out is not None:
        planner.check_output_dir(out)
    resources.window_steps(days, step_s)
    if start is not None:
        time_grid("--start", start)
    fleet = planner.illumination_fleet(tle, start)
    start = start or planner.default_window_start(fleet)
    _check_illumination_resources(len(fleet), fleet.kind, days, step_s, 4 if float32 else 8)
    with Progress(console=errors, transient=True, disable=not leader) as bar:
        task = bar.add_task(f"{len(fleet):,} satellites x {days:g} days", total=1.0)
        stats = run_illumination(
            fleet,
            start,
            days,
            step_s,
            dtype="float32" if float32 else None,
            progress=lambda done, total: bar.update(task, completed=done / total),
            checkpoint=checkpoint,
        )
    if not leader:
        return
    summary = stats.by_shell()
    table = Table(title=f"Illumination from {start}, {days:g} days at {step_s:g} s ({len(fleet):,} satellites)")
    for column in ["shell", "sats", "sunlit mean", "sunlit min", "longest eclipse min", "eclipse days"]:
        table.add_column(column, justify="left" if column == "shell" else "right")
    for shell, row in summary.iterrows():
        table.add_row(
            str(shell),
            f"{int(row.satellites):,}",
            f"{row.sunlit_fraction:.4f}",
            f"{row.min_sunlit_fraction:.4f}",
            f"{row.max_eclipse_min:.1f}",
            f"{row.eclipse_days_max:.0f}",
        )
    console.print(table)
    if out is not None:
        planner.write_files(out, {"satellites.csv": stats.to_dataframe(), "shells.csv": summary.reset_index()})
        console.print(f"wrote {out / 'satellites.csv'} and {out / 'shells.csv'}")


def _check_illumination_resources(n_sat: int, kind: str, days: float, step_s: float, dtype_bytes: int):
    """Refuse, before anything runs, a window whose estimated memory or time is beyond orbital.resources' limits."""
    estimate = resources.scan_estimate(n_sat, days, step_s, kind=kind, dtype_bytes=dtype_bytes)
    n_steps = resources.window_steps(days, step_s)
    resources.check_estimate(
        estimate,
        f"illumination of {n_sat:,} satellites x {n_steps:,} steps ({days:g} days at {step_s:g} s)",
        "use fewer --days, a coarser --step-s or fewer satellites (--tle)",
    )


@app.command()
@_friendly
def geometry(
    altitude_km: float = typer.Argument(..., help="Circular orbit altitude in km."),
    beta_deg: float = typer.Option(0.0, help="Beta angle in degrees."),
):
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
    table.add_row(
        f"eclipse fraction at beta {beta_deg:g} deg", f"{orbital.eclipse_fraction(altitude_km, beta_deg):.4f}"
    )
    table.add_row(
        f"longest eclipse at beta {beta_deg:g} deg (min)", f"{orbital.eclipse_duration_min(altitude_km, beta_deg):.2f}"
    )
    console.print(table)


# --- the planner ------------------------------------------------------------------------------------------
SCENARIO_HELP = (
    "Built-in scenario name (ai1-100gw, suncatcher, conservative; `orbital scenarios` lists them) or a "
    "path to a scenario TOML file."
)
OUT_HELP = "Folder for the results (created if needed; written as a set, atomically; see docs/security.md)."
DEFAULT_OUT_HELP = OUT_HELP + " Default: orbital-results/<scenario>."


def _write(out: Path, files: dict):
    planner.write_files(out, files)
    console.print(f"wrote {', '.join(files)} to {out}")


def _output_dir(scenario_name: str, out: Path | None) -> Path:
    """``--out``, else ``orbital-results/<scenario name>``; checked to be writable before any computation."""
    return planner.check_output_dir(out if out is not None else planner.default_output_dir(scenario_name))


def _load_model(scenario: str, out: Path | None, check=None):
    """Load the scenario, check its output folder (and ``check(scenario)``, e.g. the run's resources), and build
    its plan model (the shells' geometry, the slow step, under a progress bar); returns ``(model, output folder)``."""
    from rich.progress import Progress

    loaded = planner.load_scenario(scenario)
    out_dir = _output_dir(loaded.name, out)
    if check is not None:
        check(loaded)
    with Progress(console=errors, transient=True) as bar:
        task = bar.add_task(
            f"eclipse geometry of {len(loaded.shells)} shell(s), {loaded.study.geometry_days:g} days", total=1.0
        )
        model = planner.PlanModel.from_scenario(
            loaded, progress=lambda done, total: bar.update(task, completed=done / total)
        )
    return model, out_dir


@app.command()
@_friendly
def scenarios():
    """List the built-in scenarios."""
    table = Table(title="Built-in scenarios (orbital plan NAME)")
    table.add_column("name")
    table.add_column("description")
    for name in planner.builtin_scenarios():
        table.add_row(name, planner.load_scenario(name).scenario.description)
    console.print(table)


@app.command()
@_friendly
def plan(
    scenario: str = typer.Argument(planner.DEFAULT_SCENARIO, help=SCENARIO_HELP),
    out: Path | None = typer.Option(None, help=DEFAULT_OUT_HELP),
):
    """Yearly deployment plan: GW launched, operating and effective, satellites, batteries, radiators.

    Writes plan.csv (one row per year), shells.csv (per-shell illumination and budgets), summary.json,
    provenance.json and plots (ramp.png, eclipse_seasons.png, mass_breakdown.png)."""
    from rich.progress import Progress

    loaded = planner.load_scenario(scenario)
    out_dir = _output_dir(loaded.name, out)
    # The altitude trade and the summary's gradient start beside the geometry and the tables: on a first run their
    # compiles are much of the command's time, and XLA compiles without holding Python's lock.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="plan") as early:
        with Progress(console=errors, transient=True) as bar:
            task = bar.add_task(
                f"eclipse geometry of {len(loaded.shells)} shell(s), {loaded.study.geometry_days:g} days", total=1.0
            )
            with warnings.catch_warnings():
                # Printed below, after the table, as plain lines.
                warnings.simplefilter("ignore", planner.PlanWarning)
                result = planner.plan(
                    loaded, progress=lambda done, total: bar.update(task, completed=done / total), executor=early
                )
        files = planner.plan_files(result)
    table = Table(title=f"{loaded.name}: plan (every 3rd year and the last)")
    columns = [
        "year",
        "launches",
        "gw_launched",
        "gw_operating",
        "gw_effective",
        "satellites_operating",
        "binding_constraint",
    ]
    for column in columns:
        table.add_column(column, justify="right")
    shown = result.table.iloc[sorted(set(range(0, len(result.table), 3)) | {len(result.table) - 1})]
    for _, row in shown.iterrows():
        table.add_row(
            str(row.year),
            f"{row.launches:,.0f}",
            f"{row.gw_launched:,.1f}",
            f"{row.gw_operating:,.1f}",
            f"{row.gw_effective:,.1f}",
            f"{row.satellites_operating:,.0f}",
            str(row.binding_constraint),
        )
    console.print(table)
    summary = result.summary()
    h = summary["headline"]
    # The first year's cohort (plan.csv's first kw_per_tonne), which differs from the design's roll-up when the
    # scenario sets cohorts.kw_per_tonne_initial or a kw_ref_year other than the start year.
    first = result.table.iloc[0]
    console.print(
        f"compute availability {h['compute_availability']:.3f}, kW/t at start {first.kw_per_tonne:.1f} in "
        f"{first.year} (cohorts from the {h['kw_per_tonne_source']}; design roll-up {h['kw_per_tonne_rollup']:.1f}), "
        f"satellite {h['satellite_mass_kg']:,.0f} kg"
    )
    e = summary["economics"]
    console.print(
        f"delivered compute: orbit ${e['orbit_usd_per_accelerator_hr_first_year']:.2f} -> "
        f"${e['orbit_usd_per_accelerator_hr_final_year']:.2f} per accelerator-hour ({first.year} -> "
        f"{int(result.table['year'].iloc[-1])} cohorts), ground ${e['ground_usd_per_accelerator_hr']:.2f}; "
        f"{e['parity_note']}; {e['break_even_note']}; firm capacity {e['firm_compute_fraction']:.3f} of operating "
        f"GW (mean {e['compute_availability']:.3f})"
    )
    n = summary["environment"]
    last_year = int(result.table["year"].iloc[-1])
    console.print(
        f"orbits in {last_year}: collision hazard {n['collision_hazard_per_yr_final_year']:.3g}/yr per satellite"
        f" (peak {n['peak_collision_hazard_per_yr']:.3g} in {n['peak_collision_hazard_year']}), "
        f"{n['manoeuvres_per_satellite_yr_final_year']:,.0f} avoidance manoeuvres per satellite-year, "
        f"{n['derelicts_final_year']:,.0f} derelicts, {n['satellites_lost_to_collisions_total']:,.0f} satellites lost "
        f"to collisions in all, {n['propellant_t_total']:,.0f} t of propellant launched, "
        f"{n['shells_needed_final_year']} band(s) needed"
    )
    for message in summary["warnings"]:
        errors.print(f"warning: {message}", markup=False, highlight=False)
    _write(out_dir, files)


@app.command()
@_friendly
def sweep(
    scenario: str = typer.Argument(..., help=SCENARIO_HELP),
    set_: list[str] = typer.Option(
        ...,
        "--set",
        help="key=v1,v2,... (repeatable), e.g. "
        "--set limits.flights_per_vehicle_per_yr=15,30 --set payload_t=100,150,200. "
        "Keys: any numeric scenario input (full name or unique suffix; "
        "`orbital sensitivity` lists them).",
    ),
    metric: str = typer.Option(planner.DEFAULT_METRIC, help="Output to plot and tabulate."),
    out: Path | None = typer.Option(None, help=DEFAULT_OUT_HELP),
):
    """What-if grid over one or more inputs, evaluated in one vmapped call.

    Writes sweep.csv (one row per case and year) and sweep.png."""
    settings = dict(planner.parse_set(text) for text in set_)
    # Bad options fail before the slow geometry step.
    n_points = planner.check_sweep(settings)
    planner.check_metric(metric)

    def check(loaded):
        years = loaded.study.n_years
        resources.check_estimate(
            resources.sweep_estimate(n_points, years, len(planner.output_names())),
            f"--set: a sweep of {n_points:,} cases x {years} years",
            "sweep fewer values, or plan fewer years (study.n_years)",
        )

    model, out_dir = _load_model(scenario, out, check)
    with errors.status(f"evaluating {n_points:,} what-if case(s) in one vmapped call"):
        result = planner.sweep(model, settings, metrics=(metric,))
    keys = list(settings)
    last = result[result["year"] == result["year"].max()]
    table = Table(title=f"{model.scenario.name}: sweep, {metric} in {int(last['year'].iloc[0])}")
    for column in keys + [metric, "gw_launched", "binding_constraint"]:
        table.add_column(column, justify="right")
    for _, row in last.head(60).iterrows():
        table.add_row(
            *[f"{row[k]:g}" for k in keys],
            f"{row[metric]:,.2f}",
            f"{row.gw_launched:,.2f}",
            str(row.binding_constraint),
        )
    console.print(table)
    _write(out_dir, planner.sweep_files(model, result, settings, metric))


@app.command()
@_friendly
def sensitivity(
    scenario: str = typer.Argument(planner.DEFAULT_SCENARIO, help=SCENARIO_HELP),
    metric: str = typer.Option(planner.DEFAULT_METRIC, help="Output to differentiate (a plan.csv column)."),
    year: int | None = typer.Option(None, help="Year of the output (default: the last study year)."),
    top: int = typer.Option(20, min=1, help="Rows to print and plot."),
    out: Path | None = typer.Option(None, help=DEFAULT_OUT_HELP),
):
    """Exact sensitivities (jax.grad) of one output to every numeric input, ranked.

    Writes sensitivity.csv (gradients and elasticities) and tornado.png."""
    planner.check_metric(metric)
    model, out_dir = _load_model(scenario, out)
    with errors.status(f"jax.grad of {metric} with respect to {len(model.names)} inputs"):
        result = planner.sensitivity(model, metric, year)
    table = Table(
        title=f"{model.scenario.name}: elasticity of {metric} in {result.attrs['year']} "
        f"(= {result.attrs['metric_value']:,.4g}); % change per 1 % change of the input"
    )
    for column in ["rank", "input", "value", "elasticity", "per"]:
        table.add_column(column, justify="left" if column == "input" else "right")
    for _, row in result.head(top).iterrows():
        table.add_row(str(row["rank"]), row.input, f"{row.value:.4g}", f"{row.elasticity:+.4f}", row.per)
    console.print(table)
    _write(out_dir, planner.sensitivity_files(model, result, top))


@app.command()
@_friendly
def montecarlo(
    scenario: str = typer.Argument(planner.DEFAULT_SCENARIO, help=SCENARIO_HELP),
    n: int | None = typer.Option(None, "-n", "--draws", help="Draws (default: the scenario's montecarlo.draws)."),
    seed: int | None = typer.Option(
        None, help="Random seed (default: the scenario's); the same seed gives identical results."
    ),
    metric: str = typer.Option(planner.DEFAULT_METRIC, help="Output of the fan chart and table."),
    out: Path | None = typer.Option(None, help=DEFAULT_OUT_HELP),
):
    """Monte Carlo over the scenario's uncertain inputs: percentile bands per year.

    Writes montecarlo.csv (bands), montecarlo_inputs.csv (the draws) and fan.png (fan chart)."""
    from rich.progress import Progress

    planner.check_draws(n, seed)
    planner.check_metric(metric)

    def check(loaded):
        draws, years = loaded.montecarlo.draws if n is None else n, loaded.study.n_years
        metrics = len(dict.fromkeys([metric, *planner.MONTECARLO_METRICS]))
        resources.check_estimate(
            resources.montecarlo_estimate(
                draws, years, len(planner.output_names()), len(planner.input_names(loaded)), metrics
            ),
            f"-n: a Monte Carlo of {draws:,} draws x {years} years",
            "use fewer draws (-n; pool several seeds for more), or plan fewer years (study.n_years)",
        )

    model, out_dir = _load_model(scenario, out, check)
    with Progress(console=errors, transient=True) as bar:
        task = bar.add_task("Monte Carlo draws", total=1.0)
        result = planner.montecarlo(
            model,
            n,
            seed,
            metrics=[metric, *planner.MONTECARLO_METRICS],
            progress=lambda done, total: bar.update(task, completed=done / total),
        )
    bands = result["bands"]
    frame = bands[bands["metric"] == metric]
    table = Table(title=f"{model.scenario.name}: {metric}, {result['n']:,} draws, seed {result['seed']}")
    columns = ["year"] + [c for c in frame.columns if c.startswith("p")]
    for column in columns:
        table.add_column(column, justify="right")
    for _, row in frame.iloc[::3].iterrows():
        table.add_row(str(int(row.year)), *[f"{row[c]:,.2f}" for c in columns[1:]])
    console.print(table)
    _write(out_dir, planner.montecarlo_files(model, result, metric))


# Ports a server may listen on (0 would pick one at random, and the printed address would be wrong).
PORT_RANGE = (1, 65535)


@app.command()
@_friendly
def serve(
    scenario: str = typer.Argument(planner.DEFAULT_SCENARIO, help=SCENARIO_HELP),
    address: str = typer.Option(
        "127.0.0.1", help="Address to listen on. The default serves this machine only; see docs/security.md."
    ),
    port: int = typer.Option(5006, help="Port to listen on."),
    show: bool = typer.Option(True, "--show/--no-show", help="Open the page in the default browser."),
):
    """Interactive planner in the browser: move the inputs, see the ramp, costs, binding constraints, eclipse
    seasons, mass breakdown, exact sensitivities and Monte Carlo bands follow; export the inputs as a scenario
    TOML that `orbital plan` reproduces (docs/interactive.md). Ctrl+C stops it."""
    from rich.progress import Progress

    from orbital.app.layout import serve as serve_page
    from orbital.app.state import PlannerState

    if not PORT_RANGE[0] <= port <= PORT_RANGE[1]:
        raise ValueError(f"--port={port} is outside the allowed range [{PORT_RANGE[0]}, {PORT_RANGE[1]}]")
    if not address.strip():
        raise ValueError("--address='': give an address to listen on, e.g. 127.0.0.1")
    loaded = planner.load_scenario(scenario)
    errors.print(
        "the shells' eclipse geometry, then compiling the plan and its gradients (minutes the first time; later "
        "runs reuse the compilation cache)",
        highlight=False,
    )
    with Progress(console=errors, transient=True) as bar:
        task = bar.add_task(
            f"eclipse geometry of {len(loaded.shells)} shell(s), {loaded.study.geometry_days:g} days", total=1.0
        )
        state = PlannerState(loaded, progress=lambda done, total: bar.update(task, completed=done / total))
    console.print(f"serving {loaded.name} at http://{address}:{port}/ (Ctrl+C stops)", highlight=False)
    serve_page(state, address, port, show)


@app.command()
@_friendly
def validate(
    quick: bool = typer.Option(False, "--quick", help="Skip the year-long dawn-dusk illumination case."),
    out: Path | None = typer.Option(None, help="Folder for validation.csv (optional)."),
):
    """Published-case table (closed forms and published figures the tests reproduce): source, expected,
    computed, pass/fail. Exit code 1 if any case fails."""
    if out is not None:
        planner.check_output_dir(out)
    cases = planner.validation_cases(quick=quick)
    table = Table(title="Published cases")
    for column in ["case", "source", "expected", "computed", "tolerance", "result"]:
        table.add_column(column, justify="left" if column in ("case", "source") else "right")
    for _, row in cases.iterrows():
        table.add_row(
            row.case,
            row.source,
            f"{row.expected:,.6g}",
            f"{row.computed:,.4f}",
            f"{row.tolerance:g}",
            "[green]pass[/]" if row.passed else "[bold red]FAIL[/]",
        )
    console.print(table)
    if out is not None:
        _write(out, planner.validation_files(cases))
    failed = int((~cases["passed"]).sum())
    console.print(f"{len(cases) - failed} of {len(cases)} cases pass")
    if failed:
        raise typer.Exit(code=1)


@app.command()
@_friendly
def solve(
    scenario: str = typer.Argument(..., help=SCENARIO_HELP),
    target: str = typer.Option(
        ..., help="METRIC=VALUE: the output (a plan.csv column) and the value it must reach, e.g. gw_launched=50."
    ),
    year: int = typer.Option(..., help="Year in which the output must reach the value."),
    vary: str = typer.Option(
        ...,
        help="The one input to solve for: full name or unique suffix; a vector input needs its index "
        "(vehicles.payload_t[1]). `orbital sensitivity` lists the inputs.",
    ),
    lower: float | None = typer.Option(None, help="Lower end of the search (default: the input's declared minimum)."),
    upper: float | None = typer.Option(None, help="Upper end of the search (default: the input's declared maximum)."),
    out: Path | None = typer.Option(None, help=DEFAULT_OUT_HELP),
):
    """Goal seek: the value of one input at which an output reaches a target in a year, every other input as the
    scenario has it (a 64-point grid brackets the root, then a safeguarded Newton-bisection with the exact
    derivative). A target the output never reaches in the input's range is refused, naming the range it covers.

    Writes solve.json (the result and provenance) and solve.png (the output against the input)."""
    metric, value = planner.parse_target(target)
    options = dict(target_metric=metric, target_value=value, year=year, vary=vary, lower=lower, upper=upper)
    # Bad options fail before the slow geometry step.
    planner.check_solve(planner.load_scenario(scenario), **options)
    model, out_dir = _load_model(scenario, out)
    with errors.status(f"solving for {vary}: {metric} in {year} = {value:g}"):
        result = planner.solve(model, **options)
    unit = f" {result.unit}" if result.unit else ""
    table = Table(title=f"{model.scenario.name}: {result.input} at which {metric} in {year} = {value:,.6g}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("solution", f"{result.value:,.10g}{unit}")
    table.add_row("scenario value", f"{result.initial_value:,.10g}{unit}")
    table.add_row(f"{metric} in {year} at the solution", f"{result.metric_value:,.10g}")
    table.add_row("relative error", f"{result.relative_error:.2e}")
    table.add_row("declared range", f"{result.declared_range}{unit}")
    table.add_row("range searched", f"[{result.search_range[0]:g}, {result.search_range[1]:g}]{unit}")
    table.add_row("grid cell (bracket)", f"[{result.bracket[0]:g}, {result.bracket[1]:g}]{unit}")
    table.add_row(
        "iterations", f"{result.iterations} (Newton {result.newton_steps}, bisection {result.bisection_steps})"
    )
    table.add_row("crossings of the target on the grid", str(result.sign_changes))
    console.print(table)
    if result.sign_changes > 1:
        console.print(
            f"{metric} crosses the target {result.sign_changes} times over the range; this is the crossing nearest "
            "the scenario's value (narrow the search with --lower/--upper for another)"
        )
    _write(out_dir, planner.solve_files(model, result))


# The fleet twin's command lives beside the library it drives; registered here like the others.
app.command(name="twin")(_friendly(twin_command))


def main():  # pragma: no cover - console-script entry point convenience
    app()


if __name__ == "__main__":
    app()
