"""Built-in scenarios inherit from ai1-100gw explicitly, so they compare on equal terms: every input a scenario
does not set is the base scenario's, not the library's default."""

import tomllib

import jax
import numpy as np
import pytest

from orbital import planner
from orbital.planner import scenario as scenario_module


def flat_inputs(name: str) -> dict:
    loaded = planner.load_scenario(name)
    leaves = jax.tree_util.tree_flatten_with_path(loaded.launch_scenario())[0]
    return {jax.tree_util.keystr(path): np.asarray(leaf) for path, leaf in leaves}


def set_keys(name: str) -> set:
    """``section.key`` of every launch key the scenario file sets itself."""
    raw = tomllib.loads(planner.resolve(name).read_text())
    keys = set()
    for section, table in raw.items():
        if isinstance(table, dict) and section not in ("scenario", "montecarlo", "design", "study"):
            for key, value in table.items():
                if isinstance(value, dict):
                    keys |= {f"{section}.{key}.{inner}" for inner in value}
                else:
                    keys.add(f"{section}.{key}")
    return keys


def test_suncatcher_gets_the_base_pads_not_the_library_default():
    # Before inheritance, suncatcher silently took launch's default of one pad a year instead of ai1-100gw's two.
    assert planner.load_scenario("ai1-100gw").limits.pads_added_per_yr == 2.0
    assert planner.load_scenario("suncatcher").limits.pads_added_per_yr == 2.0


def test_suncatcher_shares_every_launch_input_with_its_base():
    base, suncatcher = flat_inputs("ai1-100gw"), flat_inputs("suncatcher")
    assert base.keys() == suncatcher.keys()
    for key in base:
        np.testing.assert_array_equal(suncatcher[key], base[key], err_msg=key)


def test_conservative_differs_from_its_base_exactly_where_its_file_says():
    base, conservative = flat_inputs("ai1-100gw"), flat_inputs("conservative")
    section = {"share": "compute_share"}
    differing = set()
    for key in base:
        if not np.array_equal(base[key], conservative[key]):
            parts = key.strip(".").split(".")
            parts[0] = section.get(parts[0], parts[0])
            differing.add(".".join(parts))
    assert differing == set_keys("conservative")
    assert differing  # the case does change something


def test_an_unknown_base_is_one_line():
    raw = {"scenario": {"name": "x", "inherits": "no-such"}, "shells": [{"name": "s", "altitude_km": 600.0}]}
    with pytest.raises(planner.ScenarioError, match=r"^x.toml: scenario.inherits = 'no-such': not a built-in"):
        planner.parse_scenario(raw, "x.toml")


def test_an_inheritance_loop_is_refused(tmp_path, monkeypatch):
    (tmp_path / "a.toml").write_text('[scenario]\nname = "a"\ninherits = "b"\n')
    (tmp_path / "b.toml").write_text('[scenario]\nname = "b"\ninherits = "a"\n')
    monkeypatch.setattr(scenario_module, "builtin_scenarios", lambda: {p.stem: p for p in tmp_path.glob("*.toml")})
    with pytest.raises(planner.ScenarioError, match="inheritance loops"):
        planner.parse_scenario({"scenario": {"name": "c", "inherits": "a"}}, "c.toml")
