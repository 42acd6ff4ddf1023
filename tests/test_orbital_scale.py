"""Scale-out contracts: sharded over several devices (satellites; Monte Carlo scenarios) = one device,
chunked = whole, resumed = uninterrupted."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import orbital
from orbital.data import DATA_DIR

SCRIPT = """
import json, warnings
warnings.simplefilter("ignore")
import jax
jax.config.update("jax_enable_x64", True)
import orbital
from orbital.data import DATA_DIR
fleet = orbital.Fleet.from_shells([
    orbital.Shell.walker(550.0, 53.0, 6, 7, phasing=1, epoch="2027-12-01"),
    orbital.Shell.sun_synchronous(650.0, 6.0, planes=1, sats_per_plane=5, epoch="2027-12-01")])
lit = orbital.illumination(fleet, "2027-12-01", 1.5, block_sats=16, chunk_steps=500)
budget = orbital.budget(fleet, orbital.SatelliteDesign(eclipse_compute_fraction=0.5), "2027-12-01", 0.5,
                        block_sats=16)
import launch
monte_carlo = launch.monte_carlo(launch.sample_scenarios(n=1001, seed=3), n_years=20)
import os
tle = os.environ.get("TLE_PATH")
tle_sunlit = [] if not tle else orbital.illumination(orbital.Fleet.from_tle(tle), "2026-05-13", 0.5,
                                                     block_sats=16).sunlit_fraction.tolist()
print(json.dumps({"devices": jax.device_count(), "sunlit_fraction": lit.sunlit_fraction.tolist(),
                  "tle_sunlit_fraction": tle_sunlit,
                  "gw_operating": monte_carlo["gw_operating"].tolist(),
                  "launches": monte_carlo["launches"].tolist(),
                  "max_eclipse_min": lit.max_eclipse_min.tolist(), "eclipse_days": lit.eclipse_days.tolist(),
                  "compute_availability": budget.compute_availability.tolist(),
                  "max_radiator_k": budget.max_radiator_k.tolist()}))
"""


def _run(devices: int, tle_path: str = "") -> dict:
    env = dict(
        os.environ,
        XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}",
        JAX_PLATFORMS="cpu",
        TLE_PATH=tle_path,
    )
    output = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def test_sharded_over_four_devices_equals_one_device(tmp_path):
    # A TLE fleet too (the JAX SGP4 path): the first 40 sets of the shipped Starlink catalogue.
    catalogue = DATA_DIR / "starlink-2026-05-13.tle"
    tle_path = ""
    if catalogue.exists():
        tle_path = str(tmp_path / "starlink-40.tle")
        Path(tle_path).write_text("\n".join(catalogue.read_text().splitlines()[: 3 * 40]) + "\n")
    one, four = _run(1, tle_path), _run(4, tle_path)
    assert one["devices"] == 1 and four["devices"] == 4
    assert np.shape(four["gw_operating"]) == (1001, 20)
    assert len(four["tle_sunlit_fraction"]) == (40 if tle_path else 0)
    for key in (
        "sunlit_fraction",
        "max_eclipse_min",
        "eclipse_days",
        "compute_availability",
        "max_radiator_k",
        "gw_operating",
        "launches",
        "tle_sunlit_fraction",
    ):
        np.testing.assert_allclose(four[key], one[key], rtol=1e-12, atol=1e-12, err_msg=key)


class _Interrupt(Exception):
    pass


def test_interrupted_run_resumes_from_its_last_chunk(tmp_path):
    fleet = orbital.Fleet.from_shells([orbital.Shell.walker(550.0, 53.0, 5, 6, phasing=1, epoch="2027-06-01")])
    whole = orbital.illumination(fleet, "2027-06-01", days=2, step_s=120, chunk_steps=200)
    checkpoint = tmp_path / "run.npz"
    seen = []

    def stop_after_two_chunks(done, total):
        seen.append(done)
        if len(seen) == 2:
            raise _Interrupt

    try:
        orbital.illumination(
            fleet,
            "2027-06-01",
            days=2,
            step_s=120,
            chunk_steps=200,
            checkpoint=checkpoint,
            progress=stop_after_two_chunks,
        )
    except _Interrupt:
        pass
    assert checkpoint.exists() and seen == [200, 400]
    resumed_progress = []
    resumed = orbital.illumination(
        fleet,
        "2027-06-01",
        days=2,
        step_s=120,
        chunk_steps=200,
        checkpoint=checkpoint,
        progress=lambda done, total: resumed_progress.append(done),
    )
    assert resumed_progress[0] == 600  # picked up after the second chunk, not from the start
    assert not checkpoint.exists()
    for field in ("sunlit_fraction", "eclipse_fraction", "eclipse_days", "max_eclipse_min"):
        np.testing.assert_array_equal(getattr(resumed, field), getattr(whole, field), err_msg=field)
    # A checkpoint of another run is refused, never silently mixed in.
    seen.clear()
    try:
        orbital.illumination(
            fleet,
            "2027-06-01",
            days=2,
            step_s=120,
            chunk_steps=200,
            checkpoint=checkpoint,
            progress=stop_after_two_chunks,
        )
    except _Interrupt:
        pass
    assert checkpoint.exists()
    with pytest.raises(ValueError, match=r"checkpoint='.*run.npz' belongs to a different run"):
        orbital.illumination(fleet, "2027-06-02", days=2, step_s=120, chunk_steps=200, checkpoint=checkpoint)


# None: the budget sizes the batteries by an illumination pass first; a number: sized in advance, one pass that
# folds the illumination statistics itself (its checkpoint keeps them).
@pytest.mark.parametrize("worst_eclipse_min", [None, 36.0])
def test_interrupted_budget_resumes_without_redoing_its_sizing_pass(tmp_path, worst_eclipse_min):
    fleet = orbital.Fleet.from_shells(
        [
            orbital.Shell.walker(550.0, 53.0, 4, 5, phasing=1, epoch="2027-06-01"),
            orbital.Shell.sun_synchronous(700.0, 6.0, 1, 4, epoch="2027-06-01"),
        ]
    )
    design = orbital.SatelliteDesign(eclipse_compute_fraction=0.5)
    options = dict(days=2, step_s=120, chunk_steps=200, block_sats=16, worst_eclipse_min=worst_eclipse_min)
    whole = orbital.budget(fleet, design, "2027-06-01", **options)
    checkpoint = tmp_path / "budget.npz"
    seen = []

    def stop_after_two_chunks(done, total):
        seen.append(done)
        if len(seen) == 2:
            raise _Interrupt

    with pytest.raises(_Interrupt):
        orbital.budget(fleet, design, "2027-06-01", **options, checkpoint=checkpoint, progress=stop_after_two_chunks)
    assert checkpoint.exists() and seen == [200, 400]
    # The sizing pass completed and was saved (batteries sized in advance: there is none).
    assert not (tmp_path / "budget.npz.illumination").exists()
    resumed_progress = []
    resumed = orbital.budget(
        fleet,
        design,
        "2027-06-01",
        **options,
        checkpoint=checkpoint,
        progress=lambda done, total: resumed_progress.append(done),
    )
    assert resumed_progress[0] == 600
    assert not checkpoint.exists()
    for field in (
        "compute_energy_kwh",
        "battery_depth_reached",
        "max_chip_k",
        "min_radiator_k",
        "curtailed_kwh",
        "worst_eclipse_min",
        "battery_capacity_wh",
    ):
        np.testing.assert_array_equal(getattr(resumed, field), getattr(whole, field), err_msg=field)
    for field in ("sunlit_fraction", "eclipse_fraction", "eclipse_days", "max_eclipse_min"):
        np.testing.assert_array_equal(getattr(resumed.illumination, field), getattr(whole.illumination, field))
    # Another design is another run: its checkpoint is never mixed in.
    seen.clear()
    with pytest.raises(_Interrupt):
        orbital.budget(fleet, design, "2027-06-01", **options, checkpoint=checkpoint, progress=stop_after_two_chunks)
    with pytest.raises(ValueError, match=r"checkpoint='.*budget.npz' belongs to a different run"):
        orbital.budget(
            fleet, orbital.SatelliteDesign(eclipse_compute_fraction=0.6), "2027-06-01", **options, checkpoint=checkpoint
        )
    resized = {**options, "worst_eclipse_min": 30.0}  # another sizing is another run as well
    with pytest.raises(ValueError, match=r"checkpoint='.*budget.npz' belongs to a different run"):
        orbital.budget(fleet, design, "2027-06-01", **resized, checkpoint=checkpoint)


def test_traced_budget_refuses_a_checkpoint(tmp_path):
    import jax

    fleet = orbital.Fleet.from_shells([orbital.Shell.walker(550.0, 53.0, 1, 2, epoch="2027-06-01")])

    def compute(bus_power_w):
        design = orbital.SatelliteDesign(bus_power_w=bus_power_w)
        return orbital.budget(fleet, design, "2027-06-01", days=0.1, checkpoint=tmp_path / "x.npz").mass_kg.sum()

    with pytest.raises(ValueError, match="checkpoint: a budget traced by jit, grad or vmap cannot be checkpointed"):
        jax.grad(compute)(5000.0)


def test_mesh_and_block_size_are_arguments():
    import jax

    fleet = orbital.Fleet.from_shells([orbital.Shell.walker(550.0, 53.0, 3, 7, epoch="2027-06-01")])
    design = orbital.SatelliteDesign(eclipse_compute_fraction=0.5)
    one_device = jax.sharding.Mesh(np.array(jax.devices()[:1]), ("sat",))
    default = orbital.illumination(fleet, "2027-06-01", days=0.5)
    placed = orbital.illumination(fleet, "2027-06-01", days=0.5, mesh=one_device, block_sats=8)
    for field in ("sunlit_fraction", "eclipse_fraction", "eclipse_days", "max_eclipse_min"):
        np.testing.assert_allclose(
            getattr(placed, field), getattr(default, field), rtol=1e-12, atol=1e-12, err_msg=field
        )
    default = orbital.budget(fleet, design, "2027-06-01", days=0.25)
    placed = orbital.budget(fleet, design, "2027-06-01", days=0.25, mesh=one_device, block_sats=8)
    for field in ("compute_energy_kwh", "battery_depth_reached", "max_chip_k", "min_radiator_k"):
        np.testing.assert_allclose(
            getattr(placed, field), getattr(default, field), rtol=1e-12, atol=1e-12, err_msg=field
        )
    instant = datetime.datetime(2027, 6, 1, 6, tzinfo=datetime.UTC)
    np.testing.assert_array_equal(orbital.sunlit(fleet, instant, mesh=one_device), orbital.sunlit(fleet, instant))
    with pytest.raises(TypeError, match="mesh: expected a jax.sharding.Mesh or None, got str"):
        orbital.illumination(fleet, "2027-06-01", days=0.5, mesh="gpu")
