"""Property-based robustness of the command line: random arguments for every ``orbital`` command, in-process.

Each case draws a command and, for each of its options, nothing, a good value or a bad one (negative, zero, huge,
NaN, infinite, not a number, empty), sometimes an unknown option or a stray argument, and a scenario that is a
cheap valid file or a bad name or path. The run must end in one of two ways:
- exit 0, every file it wrote complete and finite (strict JSON, finite CSV numbers);
- exit 2 with exactly one line on stderr, naming an argument, an option or the file, and no output written.
Never a traceback (exit 1 with an exception), never a partial output folder.

Valid runs stay cheap: a scenario inheriting ai1-100gw with a one-day geometry at 600 s and one satellite per
shell, illumination windows of minutes to an hour, a three-satellite TLE file. ``--coordinator`` is never drawn
(a valid one joins a multi-host run and waits for its peers). ``ORBITAL_CLI_ROBUSTNESS_EXAMPLES`` sets the cases
per command (default 16); e.g. ``ORBITAL_CLI_ROBUSTNESS_EXAMPLES=300 pytest tests/test_cli_robustness.py``.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from orbital.cli import app
from orbital.data import STARLINK_TLE, path

EXAMPLES = int(os.environ.get("ORBITAL_CLI_ROBUSTNESS_EXAMPLES", "16"))
runner = CliRunner()

NUMBERS = ["0", "-1", "-0", "1e6", "1e308", "-1e308", "1e-300", "nan", "-nan", "inf", "-inf", "abc", "", " ", "0x10"]
INTEGERS = ["0", "-1", "1e3", "2.5", "x", "", str(2**64), str(10**30)]
# Any float as the text a user could type (repr: 'nan', 'inf', '1e-308', '-0.0').
FLOAT_TEXT = st.floats(allow_nan=True, allow_infinity=True).map(repr)
NAMES = ["nope", "", " ", "ai1-100GW", "ai1_100gw", "../../etc/passwd", "/", "-", "\u00e9t\u00e9", "a" * 300]

# What each command writes (its files must all be there after exit 0).
WRITES = {
    "illumination": {"satellites.csv", "shells.csv"},
    "plan": {"plan.csv", "shells.csv", "summary.json", "provenance.json", "ramp.png"},
    "sweep": {"sweep.csv", "sweep.png", "sweep_provenance.json"},
    "sensitivity": {"sensitivity.csv", "tornado.png", "sensitivity_provenance.json"},
    "montecarlo": {"montecarlo.csv", "montecarlo_inputs.csv", "fan.png", "montecarlo_provenance.json"},
    "validate": {"validation.csv"},
}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict:
    """Inputs the cases name: a cheap valid scenario, broken ones, a small TLE file, files that are not inputs."""
    folder = tmp_path_factory.mktemp("inputs")
    inherit = '[scenario]\nname = "{name}"\ninherits = "ai1-100gw"\n'
    tiny = "[study]\ngeometry_days = 1\ngeometry_step_s = 600\nsample_sats_per_shell = 1\n"
    texts = {
        "tiny.toml": inherit.format(name="tiny") + tiny,
        "bad-toml.toml": "[scenario\nname = ",
        "bad-name.toml": inherit.format(name="../escape") + tiny,
        "bad-key.toml": inherit.format(name="bad-key") + tiny + "geometry_dayz = 3\n",
        "bad-base.toml": '[scenario]\nname = "x"\ninherits = "nope"\n',
        "late.toml": inherit.format(name="late") + "[study]\nstart_year = 2150\n",
        "huge.toml": inherit.format(name="huge") + "[study]\ngeometry_days = 400\ngeometry_step_s = 10\n"
        "sample_sats_per_shell = 64\n[[shells]]\n"
        + "".join(
            f'name = "s{k}"\naltitude_km = 550.0\ninclination_deg = 53.0\nshare = 0.05\n[[shells]]\n' for k in range(19)
        )
        + 'name = "s19"\naltitude_km = 550.0\ninclination_deg = 53.0\nshare = 0.05\n',
        "empty.toml": "",
        "few.tle": "\n".join(path(STARLINK_TLE).read_text().splitlines()[:9]) + "\n",
        "garbage.tle": "not a TLE\nat all\n",
        "empty.tle": "",
        "garbage.npz": "not a checkpoint",
    }
    for name, text in texts.items():
        (folder / name).write_text(text)
    (folder / "binary.toml").write_bytes(bytes(range(256)))
    (folder / "binary.tle").write_bytes(bytes(range(256)) * 4)
    (folder / "a-folder").mkdir()
    return {name: str(folder / name) for name in [*texts, "binary.toml", "binary.tle", "a-folder"]}


def scenario_names(files) -> st.SearchStrategy:
    bad = [files[n] for n in ("bad-toml.toml", "bad-name.toml", "bad-key.toml", "bad-base.toml", "late.toml")]
    bad += [files[n] for n in ("huge.toml", "empty.toml", "binary.toml", "a-folder")] + NAMES
    return st.sampled_from([files["tiny.toml"]] * 3 + bad)


def option(name: str, good: list, bad: list) -> st.SearchStrategy:
    """Absent, a good value or a bad one, as a list of arguments."""
    return st.one_of(
        st.just([]),
        st.sampled_from([[name, value] for value in good]),
        st.sampled_from([[name, value] for value in bad]),
    )


def outs(case_dir: Path, files: dict) -> st.SearchStrategy:
    return st.sampled_from(
        [["--out", str(case_dir / "out")]] * 4
        + [["--out", files["few.tle"]], ["--out", str(Path(files["few.tle"]) / "below")], []]
    )


def command_arguments(command: str, files: dict, case_dir: Path) -> st.SearchStrategy:
    """Random argument lists of ``command``; ``[]`` pieces are options left out."""
    days = option("--days", ["0.01", "0.05"], NUMBERS)
    metric = option("--metric", ["gw_effective", "gw_launched"], ["year", "binding_code", "nope", "", "GW_EFFECTIVE"])
    pieces = {
        "illumination": [
            st.sampled_from([[], [], ["--tle", files["few.tle"]]])
            | st.sampled_from([["--tle", files[n]] for n in ("garbage.tle", "empty.tle", "binary.tle", "a-folder")])
            | st.just(["--tle", str(case_dir / "missing.tle")]),
            option(
                "--start",
                ["2027-01-01", "2026-05-13T06:00:00Z", "2099-12-31"],
                ["1800-01-01", "2100-01-01", "2200-06-01", "yesterday", "", "2027-02-30", "20270", "1e9"],
            ),
            days,
            option("--step-s", ["600", "3600"], NUMBERS)
            | FLOAT_TEXT.filter(lambda v: not 1.0 <= abs(float(v)) < 1e5).map(lambda v: ["--step-s", v]),
            st.sampled_from([[], ["--float32"]]),
            option("--checkpoint", [str(case_dir / "run.npz")], [files["garbage.npz"], files["a-folder"]]),
            option("--num-processes", ["1"], ["0", "2", "-1", "x"]),
            option("--process-id", ["0"], ["1", "-1", "x"]),
            outs(case_dir, files),
        ],
        "geometry": [
            st.sampled_from([["650"], ["550"], ["160"], ["6000"]])
            | st.sampled_from([[v] for v in NUMBERS] + [[]])
            | FLOAT_TEXT.map(lambda v: [v]),
            option("--beta-deg", ["0", "45", "-90", "75"], NUMBERS + ["90.0001"])
            | FLOAT_TEXT.map(lambda v: ["--beta-deg", v]),
        ],
        "scenarios": [],
        "plan": [scenario_names(files).map(lambda s: [s]), outs(case_dir, files)],
        "sweep": [
            scenario_names(files).map(lambda s: [s]),
            st.lists(
                st.sampled_from(
                    [
                        "pads_initial=1,2",
                        "limits.flights_per_vehicle_per_yr=15,30",
                        "vehicles.payload_t=100,200",
                        "nope=1",
                        "pads_initial",
                        "pads_initial=",
                        "=1",
                        "pads_initial=nan",
                        "pads_initial=-1,2",
                        "pads_initial=1e400",
                        "pads_initial=1,,2",
                        "cadence.ref_year=1800",
                        "cadence.ref_year=2030,2031",
                        "cohorts.kw_per_tonne_initial=50,60",
                        "year=1",
                        "share=0.5",
                        "start_gw_per_yr=1e9",
                        "pads_initial=" + ",".join(["1"] * 1000),
                    ]
                ),
                min_size=0,
                max_size=2,
            ).map(lambda items: [arg for item in items for arg in ("--set", item)]),
            metric,
            outs(case_dir, files),
        ],
        "sensitivity": [
            scenario_names(files).map(lambda s: [s]),
            metric,
            option("--year", ["2030"], ["1800", "2026", "2046", "3000", "-1", "x", "2030.5", str(2**70)])
            | st.integers(-(2**80), 2**80).filter(lambda y: not 2027 <= y <= 2045).map(lambda y: ["--year", str(y)]),
            option("--top", ["5"], ["0", "-3", "x", str(10**12)]),
            outs(case_dir, files),
        ],
        "montecarlo": [
            scenario_names(files).map(lambda s: [s]),
            option("-n", ["2", "20"], ["1", "100000000", *INTEGERS])
            | st.integers(-(2**80), 1).map(lambda n: ["-n", str(n)])
            | st.integers(10**6 + 1, 2**80).map(lambda n: ["-n", str(n)]),
            option("--seed", ["0", "7"], ["-1", str(2**32), *INTEGERS])
            | st.integers(-(2**80), 2**80).map(lambda n: ["--seed", str(n)]),
            metric,
            outs(case_dir, files),
        ],
        # The full table's year-long case takes seconds each time; --quick is its argument here.
        "validate": [st.just(["--quick"]), outs(case_dir, files)],
    }[command]
    extras = st.sampled_from([[]] * 6 + [["--bogus"], ["--bogus", "1"], ["zzz-extra"], ["--days"], ["-"]])
    return st.tuples(*pieces, extras).map(lambda parts: [command] + [arg for part in parts for arg in part])


def mentioned_names(arguments: list) -> set:
    """Words an error about ``arguments`` may name: option names (either spelling) and longer values."""
    names = {"argument", "option", "scenario", "altitude_km", "beta_deg"}
    for arg in arguments[1:]:
        if arg.startswith("-") and len(arg) > 1:
            bare = arg.lstrip("-")
            names |= {arg, bare, bare.replace("-", "_")}
            names |= {"draws", "n="} if arg == "-n" else set()
        elif len(arg.strip()) >= 3:
            names |= {arg, arg[:60], Path(arg).name}
    return {name for name in names if name.strip()}


def strict_json(text: str):
    def refuse(constant):
        raise AssertionError(f"non-finite JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def check_written(case_dir: Path, command: str, arguments: list, stderr: str):
    written = [p for p in case_dir.rglob("*") if p.is_file()]
    if "--out" in arguments and arguments[arguments.index("--out") + 1] == str(case_dir / "out"):
        names = {p.name for p in (case_dir / "out").iterdir()}
        assert WRITES[command] <= names, (arguments, names)
    for file in written:
        if file.suffix == ".json":
            strict_json(file.read_text())
        elif file.suffix == ".csv":
            frame = pd.read_csv(file)
            numbers = frame.select_dtypes("number").to_numpy(dtype=float)
            # Satellites whose SGP4 propagation fails are NaN by design, with a warning that says so.
            if not (file.name == "satellites.csv" and "SGP4 failed" in stderr):
                assert np.all(np.isfinite(numbers)), (arguments, file.name)


def run_case(command: str, files: dict, data) -> None:
    case_dir = Path(tempfile.mkdtemp(prefix="case-", dir=files["__root"]))
    arguments = data.draw(command_arguments(command, files, case_dir))
    cwd = os.getcwd()
    os.chdir(case_dir)  # default output folders (orbital-results/<name>) land inside the case
    try:
        result = runner.invoke(app, arguments)
    finally:
        os.chdir(cwd)
    where = (
        f"orbital {' '.join(arguments)!r}: exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    )
    assert result.exit_code in (0, 2), f"{where}\nexception: {result.exception!r}"
    assert "Traceback" not in result.output, where
    if result.exit_code == 0:
        check_written(case_dir, command, arguments, result.stderr)
    else:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), where
        assert any(name in lines[0] for name in mentioned_names(arguments)), where
        assert not list(case_dir.iterdir()), where  # nothing written, not even a folder
    shutil.rmtree(case_dir)


@pytest.fixture(scope="module")
def inputs(files, tmp_path_factory):
    return {**files, "__root": str(tmp_path_factory.mktemp("cases"))}


@pytest.mark.parametrize("command", list(WRITES) + ["geometry", "scenarios"])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_arguments_exit_0_with_finite_outputs_or_2_with_one_line(command, inputs, data):
    run_case(command, inputs, data)
