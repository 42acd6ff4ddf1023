"""The example notebooks as stored: executed top to bottom at full size, and their results consistent.

The notebooks are executed once per CI run, by the documentation build (``mkdocs build --strict`` with
mkdocs-jupyter: a cell that raises fails the build; CI sets ORBITAL_EXAMPLES_SMALL=1 there). This module does not
execute them a second time: it checks the outputs stored with them (a full-size run) against invariants of the
models and independent computations, so a notebook stored from a broken, partial or small run fails here.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import pytest

from orbital.planner import load_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def _book(name: str):
    return nbformat.read(EXAMPLES / name, as_version=4)


def _outputs(name: str, marker: str) -> list:
    """The stored outputs of the one code cell whose source contains ``marker``."""
    cells = [c for c in _book(name).cells if c.cell_type == "code" and marker in c.source]
    assert len(cells) == 1, (name, marker)
    return cells[0].outputs


def _frame(name: str, marker: str) -> dict:
    """The DataFrame a cell displayed, from its stored plain-text form: ``{row label: {column: text}}``. pandas
    wraps wide frames into blocks of columns separated by blank lines; each block is read on its own."""
    texts = [o.data["text/plain"] for o in _outputs(name, marker) if "data" in o and "text/plain" in o.data]
    assert texts, (name, marker)
    table: dict = {}
    for block in re.split(r"\n\s*\n", texts[-1].strip()):
        lines = block.splitlines()
        columns = lines[0].replace("\\", " ").split()
        for line in lines[1:]:
            tokens = line.replace("\\", " ").split()
            if len(tokens) == len(columns) + 1:
                table.setdefault(tokens[0], {}).update(zip(columns, tokens[1:]))
            elif len(tokens) == len(columns):  # a pivot: the header's first word names the columns
                table.setdefault(tokens[0], {}).update(zip(columns[1:], tokens[1:]))
    assert table, (name, marker)
    return table


def test_there_are_four_notebooks_stored_run_in_order_without_errors():
    assert [p.name for p in NOTEBOOKS] == [
        "01_ramp_to_100gw.ipynb",
        "02_launch_what_ifs.ipynb",
        "03_sensitivity_and_monte_carlo.ipynb",
        "04_eclipse_seasons.ipynb",
    ]
    for path in NOTEBOOKS:
        book = nbformat.read(path, as_version=4)
        # Stored with the outputs of one full run, top to bottom, so a reader sees results without running it.
        counts = [cell.execution_count for cell in book.cells if cell.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), path.name
        for cell in book.cells:
            if cell.cell_type == "code":
                assert cell.outputs or "import" in cell.source, (path.name, cell.source[:60])
                assert not [out for out in cell.outputs if out.output_type == "error"], path.name


@pytest.mark.parametrize(
    "name, figures",
    [
        ("01_ramp_to_100gw.ipynb", 2),
        ("02_launch_what_ifs.ipynb", 1),
        ("03_sensitivity_and_monte_carlo.ipynb", 2),
        ("04_eclipse_seasons.ipynb", 2),
    ],
)
def test_every_figure_is_stored(name, figures):
    pngs = [
        o for c in _book(name).cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})
    ]
    assert len(pngs) == figures


def test_stored_plan_obeys_the_launch_arithmetic():
    # GW launched = compute tonnes x kW/t / 1e6 (the planner's launch arithmetic), recomputed here from the
    # stored columns; the last years are launch-bound and near the filing's 100 GW/yr at 1 Mt/yr.
    table = _frame("01_ramp_to_100gw.ipynb", "gw_from_tonnes")
    assert len(table) == 4
    for row in table.values():
        recomputed = float(row["compute_tonnes"]) * float(row["kw_per_tonne"]) / 1e6
        assert float(row["gw_launched"]) == pytest.approx(recomputed, rel=1e-6)
        assert float(row["gw_from_tonnes"]) == pytest.approx(recomputed, rel=1e-6)
        assert row["binding_constraint"] == "launch"
    last = table[max(table, key=lambda k: int(table[k]["year"]))]
    assert int(last["year"]) == 2045
    assert 90.0 < float(last["gw_launched"]) < 100.0
    assert 95.0 < float(last["kw_per_tonne"]) < 100.0  # cohorts approach the filing's 100 kW/t


def test_stored_payload_sweep_scales_with_payload_when_launches_bind():
    # Launch-bound, the number of launches does not depend on the payload: GW launched is proportional to it.
    table = _frame("02_launch_what_ifs.ipynb", '"payload_t": [100.0, 150.0, 200.0]')
    final = table["2045"]
    base = float(final["100.0"])
    assert base > 10.0
    assert float(final["150.0"]) == pytest.approx(1.5 * base, abs=0.15)  # printed to 0.1 GW
    assert float(final["200.0"]) == pytest.approx(2.0 * base, abs=0.15)


def test_stored_monte_carlo_has_ordered_bands_and_the_scenarios_rank_correlation():
    bands = _frame("03_sensitivity_and_monte_carlo.ipynb", 'mc["bands"].query')
    assert len(bands) == 7
    for row in bands.values():
        p = [float(row[k]) for k in ("p5", "p25", "p50", "p75", "p95")]
        assert p == sorted(p)
        assert p[0] <= float(row["mean"]) <= p[-1]
    # A Gaussian copula with correlation rho gives Spearman's rank correlation (6 / pi) asin(rho / 2) (Kruskal
    # 1958); the scenario's rho between flights per ship and the launch price, with 100,000 draws, must show it.
    corr = _frame("03_sensitivity_and_monte_carlo.ipynb", 'corr(method="spearman")')
    (pair,) = load_scenario("ai1-100gw").montecarlo.correlations
    expected = 6.0 / math.pi * math.asin(pair.rho / 2.0)
    assert float(corr[pair.a][pair.b]) == pytest.approx(expected, abs=0.01)
    assert float(corr[pair.b][pair.a]) == pytest.approx(expected, abs=0.01)
    for a, row in corr.items():
        for b, value in row.items():
            if a == b:
                assert float(value) == 1.0
            elif {a, b} != {pair.a, pair.b}:
                assert abs(float(value)) <= 0.02, (a, b)  # independent draws; 500 draws would scatter ~0.05


def test_stored_dawn_dusk_seasons_shrink_with_altitude():
    table = _frame("04_eclipse_seasons.ipynb", '"longest_eclipse_min": geometry.worst_eclipse_min')
    rows = sorted(table.values(), key=lambda row: float(row["altitude_km"]))
    # The full-size run's six altitudes (the small run has three).
    assert [float(r["altitude_km"]) for r in rows] == [400.0, 550.0, 650.0, 800.0, 1000.0, 1200.0]
    sunlit = [float(r["sunlit_fraction"]) for r in rows]
    days = [float(r["eclipse_days"]) for r in rows]
    longest = [float(r["longest_eclipse_min"]) for r in rows]
    assert sunlit == sorted(sunlit) and len(set(sunlit)) == 6
    assert days == sorted(days, reverse=True) and len(set(days)) == 6
    assert longest == sorted(longest, reverse=True)
    # A dawn-dusk (LTAN 18 h) 650 km orbit is ~96 % sunlit over a year, not eclipse-free (the same case as
    # tests/test_orbital_budget.py, there at 60 s steps: 96.0 %).
    at_650 = rows[2]
    assert float(at_650["sunlit_fraction"]) == pytest.approx(0.960, abs=0.002)
    assert 60 < float(at_650["eclipse_days"]) < 120
