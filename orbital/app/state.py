"""The planner page's state: a validated scenario, its geometry and plan model, the input vector ``theta`` and
everything computed from it. No Panel here: the page (``orbital.app.layout``), the tests and the benchmark drive
this object.

Every change goes through the scenario: the new values are written into the scenario's tables and the whole
scenario is validated again (``orbital.planner.parse_scenario``, the check ``orbital plan`` runs on a file), so a
bad value gets the planner's own one-line message and every state the page shows is one that a scenario file
reproduces (``scenario_toml``). ``theta`` is then read from the new scenario (``input_tree``), so the exported
file and the page agree bit for bit.

What changes costs what:

- an input of ``theta`` (every slider but the altitudes): one call of the compiled plan function, no compilation;
- a shell's altitude or the study window: the shells' eclipse geometry is evaluated again (the slow step,
  seconds; kept per shell set, so going back is instant); its arrays keep their shapes, so the plan function is
  not compiled again;
- switching kW/t between the design's roll-up and a given value: a different compiled variant of the plan (one
  compilation the first time in a process);
- another scenario with other shells, vehicles or years: a new compiled plan.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable

import jax.numpy as jnp
import numpy as np
import pandas as pd

from orbital import planner
from orbital.app import gradients
from orbital.app.scenario_toml import scenario_toml
from orbital.planner.clusters import cluster_loads
from orbital.planner.inputs import flatten_inputs, input_tree

# Monte Carlo on the page: the draws offered at first (the scenario's own count can be 10^4 or more, seconds per
# press on a laptop), and the metrics kept (all headline metrics, so switching metric needs no new run and the
# batched plan is compiled once).
DEFAULT_PAGE_DRAWS = 1000
MONTECARLO_PAGE_METRICS = tuple(planner.METRICS)


class GeometryCache:
    """The shells' geometry per shell set and study window (the slow step), shared by every page of a server."""

    def __init__(self):
        self._geometries: dict[str, planner.Geometry] = {}

    @staticmethod
    def key(scenario) -> str:
        shells = [{k: v for k, v in s.model_dump(mode="json").items() if k != "share"} for s in scenario.shells]
        return json.dumps({"shells": shells, "study": scenario.study.model_dump(mode="json")}, sort_keys=True)

    def get(self, scenario, progress: Callable[[float, float], None] | None = None) -> planner.Geometry:
        key = self.key(scenario)
        geometry = self._geometries.get(key)
        if geometry is None:
            geometry = self._geometries[key] = planner.compute_geometry(scenario, progress)
        elif any(shell.is_cluster for shell in scenario.shells):
            # A cluster member's terminal and formation propellant follow the design and the environment: the
            # same step as compute_geometry's last one, on the cached illumination.
            bare = dataclasses.replace(geometry, cluster_loads=None)
            geometry = dataclasses.replace(bare, cluster_loads=cluster_loads(scenario, bare))
        return geometry


class PlannerState:
    """A scenario on the page: its plan model at the current inputs and what the views show."""

    def __init__(self, scenario, geometries: GeometryCache | None = None, progress=None):
        if not isinstance(scenario, planner.Scenario):
            scenario = planner.load_scenario(scenario)
        self.geometries = geometries if geometries is not None else GeometryCache()
        self.scenario = scenario
        self.model = planner.PlanModel(scenario, self.geometries.get(scenario, progress))
        self.theta = np.asarray(self.model.theta0, dtype=float)
        self.evaluate()

    def copy(self) -> PlannerState:
        """An independent state on the same scenario and compiled functions (one per browser session)."""
        other = copy.copy(self)
        other.model = copy.copy(self.model)
        other.theta = self.theta.copy()
        return other

    # --- changes ---------------------------------------------------------------------------------------------
    def set_inputs(self, changes: dict) -> None:
        """Set inputs by name (``limits.flights_per_vehicle_per_yr``, ``vehicles.payload_t[1]``,
        ``shells.<shell>.altitude_km``); ValueError with the scenario check's one line if any value is not
        allowed (the state is then unchanged)."""
        data = self.scenario.to_dict()
        for name, value in changes.items():
            self._write(data, name, value)
        self._apply(data)

    def set_text(self, text: str) -> None:
        """``key=value`` for any numeric input (full name or unique suffix, as ``orbital sweep --set``)."""
        key, values = planner.parse_set(text)
        if len(values) != 1:
            raise ValueError(f"--set {text!r}: give one value (the page shows one case; `orbital sweep` takes more)")
        if key.endswith(".altitude_km") and key.startswith("shells."):
            self.set_inputs({key: values[0]})
            return
        indices = planner.resolve_input(self.model, key)
        self.set_inputs({self.model.names[i]: values[0] for i in indices})

    def set_kw_from_design(self, from_design: bool) -> None:
        """kW/t of the first cohorts from the design's mass roll-up (True) or as an input, starting from the
        roll-up's current value (False)."""
        if from_design == self.model.kw_from_design:
            return
        data = self.scenario.to_dict()
        if from_design:
            data["cohorts"].pop("kw_per_tonne_initial", None)
        else:
            data["cohorts"]["kw_per_tonne_initial"] = float(self.outputs["kw_per_tonne_rollup"][0])
        self._apply(data)

    def _write(self, data: dict, name: str, value) -> None:
        """Write one input into the scenario's tables (a vector input: the whole vector, from ``theta``)."""
        value = float(value)
        base = name.split("[")[0]
        parts = base.split(".")
        if parts[0] == "shells":
            shell, key = base[len("shells.") :].rsplit(".", 1)
            rows = [row for row in data["shells"] if row["name"] == shell]
            if not rows or key not in ("altitude_km", "share"):
                raise ValueError(f"{name}: not an input of a shell of scenario {self.scenario.name!r}")
            rows[0][key] = value
            return
        if name not in self.model.names and base not in self.model.names:
            raise ValueError(f"{name}: not a numeric scenario input (`orbital sensitivity` lists them)")
        table = data
        for part in parts[:-1]:
            table = table.setdefault(part, {})
        if "[" in name:
            elements = [i for i, n in enumerate(self.model.names) if n.split("[")[0] == base]
            given = table.get(parts[-1])
            # Several elements of one vector in one change: each is written into the vector as changed so far.
            vector = list(given) if isinstance(given, list) else [float(self.theta[i]) for i in elements]
            vector[self.model.names.index(name) - elements[0]] = value
            table[parts[-1]] = vector
        else:
            table[parts[-1]] = value

    def _apply(self, data: dict) -> None:
        scenario = planner.parse_scenario(data, self.scenario.name)
        theta, layout = flatten_inputs(input_tree(scenario))
        geometry = self.geometries.get(scenario)
        kw_from_design = scenario.cohorts.kw_per_tonne_initial is None
        if (
            geometry is self.model.geometry
            and kw_from_design == self.model.kw_from_design
            and layout == self.model.layout
            and scenario.study == self.scenario.study
        ):
            model = copy.copy(self.model)
            model.scenario = scenario
            model.theta0 = jnp.asarray(theta, dtype=self.model.theta0.dtype)
        else:
            model = planner.PlanModel(scenario, geometry)
        previous = self.scenario, self.model, self.theta
        self.scenario, self.model, self.theta = scenario, model, np.asarray(model.theta0, dtype=float)
        try:
            self.evaluate()
        except (ValueError, FloatingPointError) as err:
            self.scenario, self.model, self.theta = previous
            self.evaluate()
            raise ValueError(str(err)) from None

    # --- what the views show ---------------------------------------------------------------------------------
    def evaluate(self) -> None:
        """Run the compiled plan at ``theta``: outputs, the plan table (``orbital plan``'s plan.csv), the shells'
        mass roll-up and the metrics' Jacobian."""
        # A host array: unflattening it for the shells' roll-up is then numpy slicing, not one JAX op per input.
        theta = self.theta
        self.outputs = {k: np.asarray(v) for k, v in self.model.jitted(theta).items() if not isinstance(v, dict)}
        self.table = self.model.table(theta)
        self.shells = self.model.shells_table(theta)
        self.jacobian = gradients.metrics_jacobian(self.model, theta)
        if not np.all(np.isfinite(self.jacobian)):
            raise FloatingPointError("the plan's sensitivities are not finite at these inputs; check the values")

    @property
    def years(self) -> np.ndarray:
        return self.table["year"].to_numpy()

    @property
    def geometry(self) -> planner.Geometry:
        return self.model.geometry

    def sensitivity(self, metric: str, year: int) -> pd.DataFrame:
        """Ranked elasticities of ``metric`` in ``year`` at the current inputs (``orbital sensitivity``'s table)."""
        planner.check_metric(metric)
        return gradients.elasticities(self.model, self.theta, self.outputs[metric], self.jacobian, metric, year)

    def montecarlo(self, n: int | None = None, seed: int | None = None) -> dict:
        """``orbital montecarlo`` at the current inputs (the scenario's distributions replace the inputs they
        name), bands for every headline metric."""
        planner.check_draws(n, seed)
        return planner.montecarlo(self.model, n, seed, metrics=MONTECARLO_PAGE_METRICS)

    def scenario_toml(self) -> str:
        """The current inputs as a scenario file that ``orbital plan`` reproduces exactly."""
        return scenario_toml(self.scenario)

    def value(self, name: str) -> float:
        """The current value of an input (``theta``'s element, or a shell's altitude)."""
        if name.startswith("shells.") and name.endswith(".altitude_km"):
            shell = name[len("shells.") : -len(".altitude_km")]
            return float(next(s.altitude_km for s in self.scenario.shells if s.name == shell))
        return float(self.theta[self.model.index(name)])
