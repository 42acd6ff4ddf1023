"""`orbital serve` in a real browser (Debian's chromium and chromedriver, headless, nothing downloaded): load the
page, move a slider, switch the sensitivity metric, export the scenario TOML; the page's numbers must equal
plan.csv of `orbital plan` run on the exported file. One server start; screenshots go to the test's folder."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from orbital.app.layout import knob_class

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--window-size=1600,2600",
)
# The server compiles the plan and its Jacobian before it listens: minutes on a 2-core machine.
SERVER_START_S = 900
SMALL_STUDY = "n_years = 12\ngeometry_days = 3\ngeometry_step_s = 1800\nsample_sats_per_shell = 2\n"
SLIDER = "vehicles.payload_t[1]"

# Every element matching a selector, through the shadow roots Bokeh and Panel render into.
DEEP_QUERY = """
const selector = arguments[0], found = [];
function walk(root) {
  root.querySelectorAll(selector).forEach(e => found.push(e));
  root.querySelectorAll('*').forEach(e => { if (e.shadowRoot) walk(e.shadowRoot); });
}
walk(arguments[1] || document);
return found;
"""
# The Bokeh title texts of the page's figures (they are drawn on a canvas, not in the DOM).
TITLES = """
const titles = [];
for (const doc of Bokeh.documents) for (const m of doc.all_models) if (m.type === 'Title') titles.push(m.text);
return titles;
"""


def _driver(download_dir: Path):
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} missing: this test drives Debian's chromium; install it with "
            "`apt-get install -y chromium chromium-driver`"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    # An explicit driver path: selenium manager (which would download a driver) never runs.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    return driver


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(what: str, check, timeout_s: float, proc=None):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"{what}: the server exited with code {proc.returncode}")
        value = check()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"{what}: not within {timeout_s:g} s")


def _inside(driver, host: str, selector: str):
    """The first ``selector`` inside the (shadow) content of the first element matching ``host``."""
    element = driver.execute_script(DEEP_QUERY, host)[0]
    return driver.execute_script(DEEP_QUERY, selector, element.shadow_root)[0]


def _page_numbers(driver) -> pd.DataFrame:
    """The numbers table of the page, from each cell's exact value (its title), read in one script (the table
    is replaced whole on each update)."""
    cells = driver.execute_script(
        DEEP_QUERY.replace("return found;", "")
        + "return found.map(c => [c.parentElement.dataset.year, c.dataset.column, c.title]);",
        "table.orbital-numbers td",
    )
    rows: dict = {}
    for year, column, exact in cells:
        rows.setdefault(int(year), {})[column] = exact
    return pd.DataFrame([rows[year] for year in sorted(rows)])


def test_page_in_a_browser_matches_orbital_plan(tmp_path):
    scenario = tmp_path / "small.toml"
    scenario.write_text(f'[scenario]\nname = "ai1-100gw-small"\ninherits = "ai1-100gw"\n\n[study]\n{SMALL_STUDY}')
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    port = _free_port()
    # The server and `orbital plan` below share a compilation cache: the plan is compiled once.
    env = {**os.environ, "ORBITAL_COMPILE_CACHE": str(tmp_path / "jax-cache")}
    orbital = [sys.executable, "-m", "orbital.cli"]
    log = (tmp_path / "server.log").open("w", buffering=1)
    server = subprocess.Popen(
        [*orbital, "serve", str(scenario), "--port", str(port), "--no-show"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    driver = None
    try:
        url = f"http://127.0.0.1:{port}/"
        # The server prints its address once it listens (each page request builds a session: poll no earlier).
        server_log = tmp_path / "server.log"
        _wait("the server listening", lambda: "serving" in server_log.read_text(), SERVER_START_S, server)
        driver = _driver(downloads)
        driver.get(url)
        _wait("the page's table of numbers", lambda: driver.execute_script(DEEP_QUERY, "table.orbital-numbers td"), 60)
        driver.save_screenshot(str(tmp_path / "1-loaded.png"))
        before = _page_numbers(driver)
        assert before["year"].tolist() == [str(y) for y in range(2027, 2039)]

        # Move a slider: drag the second vehicle's payload handle to the right and let go (the launch ramp binds
        # in the small study, so more tonnes per flight launch more GW).
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.support.ui import Select

        handle = _inside(driver, f".{knob_class(SLIDER)}", ".noUi-handle")
        ActionChains(driver).drag_and_drop_by_offset(handle, 40, 0).perform()
        _wait("the plan after the slider move", lambda: not _page_numbers(driver).equals(before), 60)
        driver.save_screenshot(str(tmp_path / "2-slider-moved.png"))
        after = _page_numbers(driver)

        # Switch the sensitivity metric.
        select = _inside(driver, ".orbital-metric", "select")
        Select(select).select_by_visible_text("lcoc_ratio")
        _wait(
            "the tornado of lcoc_ratio",
            lambda: any(t.startswith("Exact sensitivities of lcoc_ratio") for t in driver.execute_script(TITLES)),
            60,
        )
        driver.save_screenshot(str(tmp_path / "3-metric-lcoc_ratio.png"))

        # Export: the download is the scenario of the page's inputs.
        _inside(driver, ".orbital-export", "button").click()
        exported = _wait("the exported TOML", lambda: [p for p in downloads.glob("*.toml")], 60)[0]
        driver.save_screenshot(str(tmp_path / "4-exported.png"))
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=30)
        log.close()

    import tomllib

    moved = tomllib.loads(exported.read_text())["vehicles"]["payload_t"]
    assert moved[0] == 100.0 and moved[1] > 200.0, "the handle was dragged right of the scenario's 200 t"
    out = tmp_path / "plan"
    done = subprocess.run([*orbital, "plan", str(exported), "--out", str(out)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    plan = pd.read_csv(io.StringIO((out / "plan.csv").read_text()))
    assert after["year"].astype(int).tolist() == plan["year"].tolist()
    for column in after.columns:
        if column in ("year", "binding_constraint"):
            assert after[column].tolist() == plan[column].astype(str).tolist(), column
        else:
            assert [float(v) for v in after[column]] == plan[column].tolist(), column
    assert [float(v) for v in after["gw_launched"]] != [float(v) for v in before["gw_launched"]]
