"""Bad inputs to the fleet engine end in one clear message (or a warning), never a library traceback: damaged
checkpoints, steps longer than the window, binary or duplicated TLE files, old element sets, lost satellites."""

import re
import warnings

import numpy as np
import pytest
from test_orbital_sgp4_jax import VERIFICATION_TLES

import orbital
import orbital.data
from orbital.lighting import IlluminationStats

STARLINK = orbital.data.path("starlink-2026-05-13.tle")


def _starlink_text(n_sats: int) -> str:
    """The first ``n_sats`` three-line element sets of the shipped Starlink file."""
    lines = STARLINK.read_text().splitlines()
    return "\n".join(lines[: 3 * n_sats]) + "\n"


def _tiny_fleet():
    return orbital.Fleet.from_shells([orbital.Shell.walker(550.0, 53.0, 2, 2, name="tiny")])


# --- 1. checkpoints ------------------------------------------------------------------------------------------
def _damaged_checkpoints(tmp_path):
    valid = tmp_path / "valid.npz"
    np.savez(valid, run_key="x" * 64, next_step=3, data=np.arange(1000.0))
    whole = valid.read_bytes()
    cases = {
        "truncated.npz": whole[: len(whole) // 2],
        "empty.npz": b"",
        "garbage.npz": bytes(range(256)) * 4,
        "missing_key.npz": None,
    }
    paths = []
    for name, content in cases.items():
        path = tmp_path / name
        if content is None:
            np.savez(path, something=np.zeros(3))
        else:
            path.write_bytes(content)
        paths.append(path)
    directory = tmp_path / "a_directory.npz"
    directory.mkdir()
    return paths + [directory]


def test_damaged_checkpoint_is_one_clear_error(tmp_path):
    fleet = _tiny_fleet()
    for path in _damaged_checkpoints(tmp_path):
        with pytest.raises(ValueError) as caught:
            orbital.illumination(fleet, "2027-01-01", days=0.05, checkpoint=path)
        message = str(caught.value)
        assert "\n" not in message
        assert str(path) in message
        assert "damaged or not a checkpoint of this program" in message
        assert "delete it" in message and "another path" in message


def test_damaged_checkpoint_is_refused_by_budget(tmp_path):
    fleet = _tiny_fleet()
    path = tmp_path / "budget.npz"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(ValueError, match=re.escape(str(path)) + ".*damaged.*delete it"):
        orbital.budget(fleet, orbital.SatelliteDesign(), "2027-01-01", days=0.05, checkpoint=path)


def test_foreign_checkpoint_still_refused(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, run_key="another run", next_step=1)
    with pytest.raises(ValueError, match="belongs to a different run"):
        orbital.illumination(_tiny_fleet(), "2027-01-01", days=0.05, checkpoint=path)


# --- 2. steps and the window ---------------------------------------------------------------------------------
@pytest.mark.parametrize("step_s", [576000.0, 86400.001, 0.0, -60.0, float("nan")])
def test_step_outside_window_is_refused(step_s):
    with pytest.raises(ValueError) as caught:
        orbital.illumination(_tiny_fleet(), "2027-01-01", days=1.0, step_s=step_s)
    message = str(caught.value)
    assert message.startswith(f"step_s={step_s!r} is outside the allowed range (0, 86400] s")


def test_step_equal_to_window_is_allowed_and_bounded():
    stats = orbital.illumination(_tiny_fleet(), "2027-01-01", days=1.0, step_s=86400.0)
    assert stats.n_steps == 1
    assert np.all(stats.max_eclipse_min <= 1440.0)


def test_longest_eclipse_never_exceeds_window():
    # 50,000 s does not divide one day: two steps span 100,000 s, more than the 86,400 s window.
    fleet = orbital.Fleet.from_shells([orbital.Shell.walker(550.0, 53.0, 8, 8, name="many")])
    stats = orbital.illumination(fleet, "2027-01-01", days=1.0, step_s=50000.0)
    assert stats.n_steps == 2
    assert np.nanmax(stats.max_eclipse_min) <= 1440.0
    # Some satellite is in eclipse at both instants: its run is capped at the window exactly.
    assert np.any(stats.max_eclipse_min == 1440.0)


def test_cli_refuses_step_longer_than_window():
    from typer.testing import CliRunner

    from orbital.cli import app

    result = CliRunner().invoke(app, ["illumination", "--days", "1", "--step-s", "600000"])
    assert result.exit_code != 0
    text = result.output + (str(result.exception) if result.exception else "")
    assert "step_s=600000.0 is outside the allowed range (0, 86400] s" in text


# --- 3. TLE files --------------------------------------------------------------------------------------------
def test_binary_tle_file_names_the_file(tmp_path):
    path = tmp_path / "binary.tle"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(ValueError) as caught:
        orbital.Fleet.from_tle(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    assert "not a text file" in message and "element sets" in message


def test_duplicate_satellites_are_dropped_with_one_warning(tmp_path):
    text = _starlink_text(5)
    lines = text.splitlines()
    first_satnum = int(lines[1][2:7])
    path = tmp_path / "duplicates.tle"
    # The first satellite three times and the second once more: 3 duplicates.
    path.write_text(text + "\n".join(lines[0:3] * 2 + lines[3:6]) + "\n")
    with pytest.warns(UserWarning) as record:
        fleet = orbital.Fleet.from_tle(path)
    messages = [str(w.message) for w in record if "duplicate" in str(w.message)]
    assert len(messages) == 1
    assert "dropped 3 duplicate element set(s)" in messages[0]
    assert f"e.g. {first_satnum}" in messages[0]
    assert str(path) in messages[0]
    assert len(fleet) == 5
    assert [s.satnum for s in fleet.satrecs] == [int(line[2:7]) for line in lines[1::3]]


def test_no_duplicate_warning_on_clean_file(tmp_path):
    path = tmp_path / "clean.tle"
    path.write_text(_starlink_text(5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(orbital.Fleet.from_tle(path)) == 5


def test_old_element_sets_warn_once_with_epoch_and_age(tmp_path):
    path = tmp_path / "few.tle"
    path.write_text(_starlink_text(4))
    fleet = orbital.Fleet.from_tle(path)
    epoch = fleet.epoch.utc.isot[:10]
    with pytest.warns(RuntimeWarning, match="element") as record:
        orbital.illumination(fleet, "2026-08-01", days=0.05, step_s=120.0)
    age = [str(w.message) for w in record if "median epoch" in str(w.message)]
    assert len(age) == 1
    assert epoch in age[0]
    expected_days = (orbital.timescales.time_grid("t", "2026-08-01").utc_jd1 - fleet.epoch.utc.jd1) + (
        orbital.timescales.time_grid("t", "2026-08-01").utc_jd2 - fleet.epoch.utc.jd2
    )
    assert f"{expected_days:+.1f} days" in age[0]
    assert record[0].filename == __file__


def test_fresh_element_sets_do_not_warn(tmp_path):
    path = tmp_path / "few.tle"
    path.write_text(_starlink_text(4))
    fleet = orbital.Fleet.from_tle(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        orbital.illumination(fleet, "2026-05-13", days=0.05, step_s=120.0)


def test_by_shell_counts_only_valid_satellites():
    nan = np.nan
    stats = IlluminationStats(
        names=np.array(["a", "b", "c", "d", "e"]),
        shell_index=np.array([0, 0, 0, 1, 1]),
        shell_names=["low", "high"],
        sunlit_fraction=np.array([0.6, nan, 0.8, 1.0, nan]),
        eclipse_fraction=np.array([0.4, nan, 0.2, 0.0, nan]),
        eclipse_days=np.array([1.0, nan, 1.0, 0.0, nan]),
        max_eclipse_min=np.array([35.0, nan, 30.0, 0.0, nan]),
        start="2027-01-01",
        days=1.0,
        step_s=60.0,
        n_steps=1440,
    )
    summary = stats.by_shell()
    assert summary.loc["low", "satellites"] == 2
    assert summary.loc["low", "satellites_lost"] == 1
    assert summary.loc["high", "satellites"] == 1
    assert summary.loc["high", "satellites_lost"] == 1
    assert summary.loc["low", "sunlit_fraction"] == pytest.approx(0.7)
    assert summary.loc["low", "min_sunlit_fraction"] == 0.6
    assert summary.loc["low", "max_eclipse_min"] == 35.0
    assert summary.loc["high", "eclipse_days_max"] == 0.0


def test_by_shell_counts_real_sgp4_failures(tmp_path):
    # One healthy and one decaying satellite (Vallado et al. 2006 verification sets): the lost one is counted apart.
    path = tmp_path / "decay.tle"
    path.write_text("\n".join(line for key in ("28057", "28872") for line in VERIFICATION_TLES[key]) + "\n")
    fleet = orbital.Fleet.from_tle(path)
    with pytest.warns(RuntimeWarning, match=r"SGP4 failed for 1 satellite"):
        summary = orbital.illumination(fleet, "2005-12-01", days=1.0).by_shell()
    assert summary["satellites"].tolist() == [1]
    assert summary["satellites_lost"].tolist() == [1]
    assert np.isfinite(summary["sunlit_fraction"].iloc[0])
