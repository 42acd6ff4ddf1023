"""Calendar bounds: a study ends by the launch model's last year; a time or window lies in the years where the Sun
model is checked against a shipped ephemeris (orbital.timescales: 1900-01-01 to 2100-01-01 UTC)."""

import datetime as dt
import warnings

import numpy as np
import pytest
import skyfield_data
from astropy.coordinates import PrecessedGeocentric, get_sun
from astropy.time import Time
from skyfield.api import Loader
from typer.testing import CliRunner

import orbital
from orbital import planner, timescales
from orbital.cli import app
from orbital.core import sun as sun_kernels

runner = CliRunner()


def sun_error_deg(jd_tt: np.ndarray, reference_unit: np.ndarray) -> float:
    ours = np.array([np.asarray(sun_kernels.sun_position_km(sun_kernels.sun_epoch(jd), 0.0)) for jd in jd_tt])
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    return float(np.rad2deg(np.arccos(np.clip(np.sum(ours * reference_unit, axis=1), -1.0, 1.0))).max())


@pytest.mark.parametrize("first_jd", [2415020.5, 2488069.5 - 365.25], ids=["1900", "2099"])
def test_the_sun_model_holds_at_the_ends_of_the_range_against_erfa(first_jd):
    # ERFA's epv00 (astropy's built-in ephemeris) covers 1900-01-01 to 2100-01-01. The Almanac's series claims
    # 0.01 deg; up to 0.01 deg more comes from frames (get_sun is apparent: aberration ~0.006 deg) and the series'
    # own ageing.
    jd = first_jd + np.linspace(0.0, 365.0, 40)
    t = Time(jd, format="jd", scale="tt")
    reference = get_sun(t).transform_to(PrecessedGeocentric(equinox=t, obstime=t)).cartesian.xyz.value.T
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    assert sun_error_deg(jd, reference) < 0.02


def test_the_sun_model_holds_at_the_start_of_the_range_against_de421():
    loader = Loader(skyfield_data.get_skyfield_data_path())
    ts, eph = loader.timescale(builtin=True), loader("de421.bsp")
    t = ts.tt_jd(2415020.5 + np.linspace(0.0, 365.0, 40))  # 1900
    ra, dec, _ = eph["earth"].at(t).observe(eph["sun"]).apparent().radec(epoch="date")
    eph.close()
    reference = np.stack(
        [np.cos(dec.radians) * np.cos(ra.radians), np.cos(dec.radians) * np.sin(ra.radians), np.sin(dec.radians)], 1
    )
    # As tests/test_orbital_skyfield.py: 0.01 deg of the series plus nutation (skyfield's true equinox), and the
    # series' slow ageing a century from its epoch.
    assert sun_error_deg(t.tt, reference) < 0.02


@pytest.mark.parametrize(
    "value",
    [
        "1800-01-01",
        "1899-12-31T23:59:59",
        "2100-01-01",
        "2100-06-01",
        "2200-06-01",
        dt.datetime(1850, 1, 1, tzinfo=dt.UTC),
        Time("1800-01-01", scale="tt"),
        [dt.datetime(2027, 1, 1, tzinfo=dt.UTC), dt.datetime(2150, 1, 1, tzinfo=dt.UTC)],
    ],
    ids=str,
)
def test_times_outside_the_range_are_refused_in_one_line(value):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused before ERFA can warn "dubious year"
        with pytest.raises(ValueError) as err:
            timescales.time_grid("when", value)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("when=") and "1900-01-01 to 2100-01-01 UTC" in message, message


@pytest.mark.parametrize("value", ["1900-01-01", "1955-07-01", "2045-01-01", "2099-12-31T23:59:59"])
def test_times_inside_the_range_pass_without_erfa_warnings(value):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grid = timescales.time_grid("when", value)
    assert grid.offsets_s.shape == (1,)
    assert np.isfinite(grid.tt_jd)


def test_a_window_must_end_in_the_range_too():
    reference = timescales.check_window("start", "2099-12-30", 2.0)  # ends on 2100-01-01: allowed
    assert reference.offsets_s.size == 1
    with pytest.raises(ValueError) as err:
        timescales.uniform_grid("start", "2099-12-30", 2.5, 600.0)
    message = str(err.value)
    assert message.startswith("start='2099-12-30' with days=2.5: the window ends 2100-01-01T12:00:00") and (
        "1900-01-01 to 2100-01-01 UTC" in message
    ), message


def test_the_fleet_engine_refuses_a_window_outside_the_range():
    fleet = orbital.Fleet.from_shells([orbital.Shell.walker(550.0, 53.0, 2, 1)])
    with pytest.raises(ValueError, match=r"^start='1800-01-01' is outside the years a window may lie in"):
        orbital.illumination(fleet, "1800-01-01", 1.0)
    with pytest.raises(ValueError, match=r"^start='2099-06-01' with days=365: the window ends 2100-06-01"):
        orbital.illumination(fleet, "2099-06-01", 365.0, 3600.0)
    with pytest.raises(ValueError, match=r"^epoch='2200-01-01' is outside"):
        orbital.Shell.walker(550.0, 53.0, 2, 1, epoch="2200-01-01")


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["--start", "1800-01-01"], "--start='1800-01-01' is outside the years a window may lie in"),
        (["--start", "2200-01-01"], "--start='2200-01-01' is outside the years a window may lie in"),
        (["--start", "2099-12-31", "--days", "2", "--step-s", "3600"], "the window ends 2100-01-02"),
    ],
)
def test_cli_windows_outside_the_range_exit_2_in_one_line(arguments, fragment):
    result = runner.invoke(app, ["illumination", *arguments])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_the_geometry_window_of_a_scenario_is_checked():
    base = {"scenario": {"name": "x", "inherits": "ai1-100gw"}}
    with pytest.raises(planner.ScenarioError) as err:
        planner.parse_scenario({**base, "study": {"geometry_start": "1800-01-01"}}, "x.toml")
    assert str(err.value).startswith("x.toml: study.geometry_start='1800-01-01' is outside the years"), err.value
    # An omitted window follows start_year; past the range the message says how to set it.
    with pytest.raises(planner.ScenarioError) as err:
        planner.parse_scenario({**base, "study": {"start_year": 2150}}, "x.toml")
    message = str(err.value)
    assert "study.geometry_start='2150-01-01'" in message and "January 1 of study.start_year (2150)" in message
    late = planner.parse_scenario({**base, "study": {"start_year": 2150, "geometry_start": "2090-01-01"}}, "x.toml")
    assert late.study.geometry_start == "2090-01-01" and late.study.start_year == 2150
