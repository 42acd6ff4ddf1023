"""Multi-host runs through ``jax.distributed``: two local processes with two CPU devices each (four devices, gloo
collectives) must reproduce the single-process statistics and budgets. This is the worked launch of
docs/performance.md, run for real on one machine."""

import os
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd

import orbital
from orbital.planner import default_shells

BUDGET_WORKER = textwrap.dedent("""
    import sys
    import jax
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(coordinator_address=sys.argv[1], num_processes=2, process_id=int(sys.argv[2]))
    import numpy as np
    import orbital
    assert len(jax.devices()) == 4 and len(jax.local_devices()) == 2
    fleet = orbital.Fleet.from_shells([orbital.Shell.walker(550.0, 53.0, 7, 11, epoch="2027-01-01"),
                                       orbital.Shell.sun_synchronous(650.0, 18.0, 3, 5, epoch="2027-01-01")])
    result = orbital.budget(fleet, orbital.SatelliteDesign.ai1(), "2027-01-01", days=0.25, block_sats=32)
    if jax.process_index() == 0:
        np.savez(sys.argv[3], max_chip_k=result.max_chip_k, compute_energy_kwh=result.compute_energy_kwh,
                 battery_depth_reached=result.battery_depth_reached, sunlit=result.illumination.sunlit_fraction)
""")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def _run_two_processes(command_of):
    """Start process 0 and 1 of a two-host run on this machine; returns their (returncode, output) pairs."""
    coordinator = f"localhost:{_free_port()}"
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu")
    processes = [
        subprocess.Popen(
            command_of(coordinator, rank), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for rank in (0, 1)
    ]
    return [(p.wait(timeout=300), p.stdout.read()) for p in processes]


def test_cli_illumination_on_two_hosts_equals_one_process(tmp_path):
    out = tmp_path / "two-hosts"
    results = _run_two_processes(
        lambda coordinator, rank: [
            sys.executable,
            "-m",
            "orbital.cli",
            "illumination",
            "--days",
            "0.25",
            "--out",
            str(out),
            "--coordinator",
            coordinator,
            "--num-processes",
            "2",
            "--process-id",
            str(rank),
        ]
    )
    for code, output in results:
        assert code == 0, output[-3000:]
    two_hosts = pd.read_csv(out / "satellites.csv")
    single = orbital.illumination(
        orbital.Fleet.from_shells(default_shells("2027-01-01")), "2027-01-01", days=0.25
    ).to_dataframe()
    assert len(two_hosts) == len(single) == 2264
    for column in ("sunlit_fraction", "eclipse_fraction", "eclipse_days", "max_eclipse_min"):
        np.testing.assert_allclose(two_hosts[column], single[column], rtol=0, atol=1e-12, err_msg=column)


def test_budget_on_two_hosts_equals_one_process(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(BUDGET_WORKER)
    saved = tmp_path / "budget.npz"
    results = _run_two_processes(
        lambda coordinator, rank: [sys.executable, str(script), coordinator, str(rank), str(saved)]
    )
    for code, output in results:
        assert code == 0, output[-3000:]
    fleet = orbital.Fleet.from_shells(
        [
            orbital.Shell.walker(550.0, 53.0, 7, 11, epoch="2027-01-01"),
            orbital.Shell.sun_synchronous(650.0, 18.0, 3, 5, epoch="2027-01-01"),
        ]
    )
    single = orbital.budget(fleet, orbital.SatelliteDesign.ai1(), "2027-01-01", days=0.25, block_sats=32)
    with np.load(saved) as two_hosts:
        np.testing.assert_allclose(two_hosts["max_chip_k"], single.max_chip_k, rtol=1e-12)
        np.testing.assert_allclose(two_hosts["compute_energy_kwh"], single.compute_energy_kwh, rtol=1e-12)
        np.testing.assert_allclose(two_hosts["battery_depth_reached"], single.battery_depth_reached, atol=1e-12)
        np.testing.assert_allclose(two_hosts["sunlit"], single.illumination.sunlit_fraction, atol=1e-12)
