"""The plan's outputs and gradient kept between runs as exported programs (``orbital.planner.kept_programs``): the
numbers of the programs traced in the run to rounding; read back in a later run without tracing, for any input
values, with the same numbers bit for bit; one program per structure; a file that cannot be read is rebuilt."""

import jax
import numpy as np
import pytest

from orbital import kept_tables
from orbital.planner import kept_programs, load_scenario
from orbital.planner.model import PlanModel

SMALL_STUDY = {"n_years": 12, "geometry_days": 3, "geometry_step_s": 1800, "sample_sats_per_shell": 2}
METRIC = "lcoc_ratio"
# The exported program is lowered for export; XLA orders a few operations differently (last bit, 2e-16 relative).
ROUNDING = 1e-13


@pytest.fixture(scope="module")
def model():
    return PlanModel.from_scenario(load_scenario("ai1-100gw").with_changes(study=SMALL_STUDY))


@pytest.fixture
def kept(tmp_path, monkeypatch):
    """A kept folder and a process that has loaded no program yet; the library's default (nothing kept) after."""
    monkeypatch.setattr(kept_programs, "_called", {})
    yield tmp_path
    kept_tables.keep_tables_in(None)


def computed(model, theta) -> tuple:
    year = model.start_year + model.n_years - 1
    return jax.device_get((model.jitted(theta), model.value_and_grad(METRIC, year, theta)))


def assert_identical(a, b):
    jax.tree.map(lambda x, y: np.testing.assert_array_equal(np.asarray(x), np.asarray(y)), a, b)


def assert_to_rounding(a, b):
    jax.tree.map(lambda x, y: np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=ROUNDING, atol=0), a, b)


def a_later_run(monkeypatch):
    """A new process: nothing loaded, and tracing the model again would fail the test."""
    monkeypatch.setattr(kept_programs, "_called", {})

    def no_tracing(*args, **kwargs):
        raise AssertionError("the kept program was traced again instead of read back")

    monkeypatch.setattr(kept_programs.export, "export", no_tracing)


def test_kept_programs_equal_the_traced_ones_and_are_read_back_for_other_values(model, kept, monkeypatch):
    other = model.theta0.at[model.index("economics.launch_usd_per_kg_start")].multiply(0.5)
    traced = {"default": computed(model, model.theta0), "other": computed(model, other)}

    kept_tables.keep_tables_in(kept)
    first = {"default": computed(model, model.theta0), "other": computed(model, other)}
    assert_to_rounding(first, traced)
    assert len(list(kept.glob("plan-program-*.npz"))) == 2  # the outputs and the gradient

    a_later_run(monkeypatch)
    assert_identical(computed(model, other), first["other"])
    assert_identical(computed(model, model.theta0), first["default"])


def test_a_scenario_of_another_structure_gets_its_own_programs(model, kept):
    kept_tables.keep_tables_in(kept)
    computed(model, model.theta0)
    shorter = PlanModel(model.scenario.with_changes(study=SMALL_STUDY | {"n_years": 10}), model.geometry)
    kept_tables.keep_tables_in(None)
    traced = computed(shorter, shorter.theta0)
    kept_tables.keep_tables_in(kept)
    assert_to_rounding(computed(shorter, shorter.theta0), traced)
    assert len(list(kept.glob("plan-program-*.npz"))) == 4


def test_a_kept_program_that_cannot_be_read_is_rebuilt(model, kept, monkeypatch):
    kept_tables.keep_tables_in(kept)
    first = computed(model, model.theta0)
    for path in kept.glob("plan-program-*.npz"):
        np.savez(path, exported=np.frombuffer(b"not a program", np.uint8))
    monkeypatch.setattr(kept_programs, "_called", {})
    assert_identical(computed(model, model.theta0), first)
    a_later_run(monkeypatch)
    assert_identical(computed(model, model.theta0), first)  # rewritten whole: now read back
