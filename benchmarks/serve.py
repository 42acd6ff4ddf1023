"""Response of the planner page (``orbital serve``) to an input change: compute + redraw on the server side.

The page is rendered into a Bokeh document (as the server does for a browser session), then sliders are moved
the way a browser moves them (value and throttled value together). Each move runs the scenario check, the
compiled plan, the plan table, the shells' mass roll-up, the metrics' Jacobian and refills every figure's data
and the numbers table; the time is from the move to the end of the callback. The browser's own drawing is not
included (it is asynchronous, in the browser). Compilations during the moves are counted (must be 0).

    python benchmarks/serve.py                      # the built-in ai1-100gw (full one-year geometry)
    python benchmarks/serve.py --small              # the test suite's small study settings
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
cache = os.environ.get("ORBITAL_COMPILE_CACHE", os.path.expanduser("~/.cache/orbital-compute/jax"))
if cache.lower() not in ("", "0", "off", "false", "no"):
    jax.config.update("jax_compilation_cache_dir", cache)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.1)

import param
from bokeh.document import Document

from orbital import planner
from orbital.app.compiles import count_compilations
from orbital.app.layout import PlannerPage
from orbital.app.state import PlannerState

SMALL_STUDY = {"n_years": 12, "geometry_days": 3, "geometry_step_s": 1800, "sample_sats_per_shell": 2}
MOVES = (
    ("limits.flights_per_vehicle_per_yr", (20.0, 25.0, 35.0, 40.0, 30.0)),
    ("cadence.ceiling_launches_per_yr", (8000.0, 12000.0, 10000.0)),
    ("economics.wacc_per_yr", (0.06, 0.1, 0.08)),
    ("economics.launch_usd_per_kg_start", (2000.0, 5000.0, 3600.0)),
    ("vehicles.payload_t[1]", (150.0, 250.0, 200.0)),
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=planner.DEFAULT_SCENARIO)
    parser.add_argument("--small", action="store_true", help="the tests' small study settings")
    args = parser.parse_args(argv)
    scenario = planner.load_scenario(args.scenario)
    if args.small:
        scenario = scenario.with_changes(study=SMALL_STUDY)
    started = time.perf_counter()
    state = PlannerState(scenario)
    page = PlannerPage(state)
    page.view.get_root(Document())
    print(f"{scenario.name}: geometry, compilation and first page in {time.perf_counter() - started:.1f} s")
    times = []
    with count_compilations() as count:
        for name, values in MOVES:
            for value in values:
                slider = page.sliders[name]
                t0 = time.perf_counter()
                with param.edit_constant(slider):
                    slider.param.update(value=value, value_throttled=value)
                times.append(time.perf_counter() - t0)
                if page.error.object:
                    print(f"error: {page.error.object}", file=sys.stderr)
                    return 1
        t0 = time.perf_counter()
        page.metric.value = "lcoc_ratio"
        metric_s = time.perf_counter() - t0
    ms = sorted(1e3 * t for t in times)
    print(
        f"{len(ms)} slider moves: median {statistics.median(ms):.0f} ms, p90 {ms[int(0.9 * (len(ms) - 1))]:.0f} ms, "
        f"max {ms[-1]:.0f} ms (target < 300 ms); metric switch {1e3 * metric_s:.0f} ms; "
        f"compilations during the moves: {count.compiles} (traces {count.traces})"
    )
    return 0 if count.traces == count.compiles == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
