"""TLE fleets: the JAX SGP4 path of ``orbital.illumination`` against the python-sgp4 host path (which fleets with a
deep-space set take), and failed propagations reported, not hidden."""

import numpy as np
import pytest
from test_orbital_sgp4_jax import DEEP_SPACE_TLE, VERIFICATION_TLES

import orbital

one_part_in_a_billion = 1e-9


def _fleet(tmp_path, name, element_sets):
    path = tmp_path / name
    path.write_text("\n".join(line for lines in element_sets for line in lines) + "\n")
    return orbital.Fleet.from_tle(path)


def _starlink_sets(shared_data, count):
    lines = (shared_data / "starlink-2026-05-13.tle").read_text().splitlines()
    return [tuple(lines[3 * i : 3 * i + 3]) for i in range(count)]


def test_jax_sgp4_path_equals_python_sgp4_path(tmp_path, shared_data):
    starlink = _starlink_sets(shared_data, 120)
    on_device = orbital.illumination(_fleet(tmp_path, "a.tle", starlink), "2026-05-13", days=0.5, block_sats=64)
    # One deep-space set sends the whole fleet to python-sgp4 on the host.
    on_host = orbital.illumination(
        _fleet(tmp_path, "b.tle", starlink + [DEEP_SPACE_TLE]), "2026-05-13", days=0.5, block_sats=64
    )
    for field in ("sunlit_fraction", "eclipse_fraction", "eclipse_days", "max_eclipse_min"):
        np.testing.assert_allclose(
            getattr(on_device, field), getattr(on_host, field)[:120], rtol=0, atol=one_part_in_a_billion, err_msg=field
        )
    assert 0.55 < np.mean(on_device.sunlit_fraction) < 0.75


@pytest.mark.parametrize("host_path", [False, True], ids=["jax-sgp4", "python-sgp4"])
def test_decaying_satellite_is_reported_and_nan(tmp_path, host_path):
    sets = [VERIFICATION_TLES["28057"], VERIFICATION_TLES["28872"]] + ([DEEP_SPACE_TLE] if host_path else [])
    fleet = _fleet(tmp_path, "decay.tle", sets)
    with pytest.warns(RuntimeWarning, match=r"SGP4 failed for 1 satellite\(s\) \(e.g. NORAD 28872\)"):
        stats = orbital.illumination(fleet, "2005-12-01", days=1.0)
    assert np.isfinite(stats.sunlit_fraction[0]) and np.isnan(stats.sunlit_fraction[1])
    assert np.isnan(stats.max_eclipse_min[1])
