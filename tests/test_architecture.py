"""Architecture rules the code base keeps (the import contracts proper are in pyproject.toml, run by `lint-imports`):
one shared validation module, no private names imported across modules, no import cycles, no process-wide side
effects at import, and a repository that stands alone (no references to documents or trackers outside it)."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("orbital", "launch", "thermal")
# Python files whose imports are checked: the packages, the tests and the benchmarks.
PYTHON_TREES = (*PACKAGES, "tests", "benchmarks")
TEXT_SUFFIXES = {".py", ".md", ".toml", ".ipynb"}
SKIPPED_DIRS = {".venv", ".ci-venv", ".git", "build", "dist", "__pycache__", ".pytest_cache", ".hypothesis"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for tree in PYTHON_TREES for p in sorted((ROOT / tree).rglob("*.py"))}


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


# (a) ------------------------------------------------------------------------------------------------------------


def test_launch_and_thermal_validation_modules_are_one_file():
    # thermal keeps a copy so that it never imports launch; the two must not drift apart.
    launch_copy = (ROOT / "launch" / "validation.py").read_bytes()
    thermal_copy = (ROOT / "thermal" / "validation.py").read_bytes()
    assert launch_copy == thermal_copy, "thermal/validation.py differs from launch/validation.py: copy it over"


# (b) ------------------------------------------------------------------------------------------------------------


def absolute_module(importer: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = importer.split(".") if path.name == "__init__.py" else importer.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def private_imports() -> list[str]:
    """``from a.b import _c`` where a.b is another module, and private modules imported from outside the package
    that holds them (``from thermal._x import y`` in orbital)."""
    modules = project_modules()
    roots = set(PYTHON_TREES)
    found = []
    for importer, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom):
                source = absolute_module(importer, path, node)
                targets = [(source, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [(alias.name, None) for alias in node.names]
            else:
                continue
            for source, name in targets:
                if source.split(".")[0] not in roots:
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                # A private submodule (`from launch import _x` names the module launch._x): private to its package.
                module = f"{source}.{name}" if name and f"{source}.{name}" in modules else source
                parts = module.split(".")
                for i, part in enumerate(parts):
                    owner = ".".join(parts[:i])
                    if is_private(part) and not (importer == owner or importer.startswith(owner + ".")):
                        found.append(f"{where}: {importer} imports the private module {module}")
                        break
                if name and module == source and is_private(name) and source != importer:
                    found.append(f"{where}: {importer} imports the private name {name} from {source}")
    return found


def test_no_private_names_are_imported_across_modules():
    found = list(dict.fromkeys(private_imports()))  # one line per import statement and name
    assert not found, "make these public in the module whose job they are:\n" + "\n".join(found)


# (c) ------------------------------------------------------------------------------------------------------------

# Built from parts so that this file does not match itself.
FORBIDDEN_REFERENCES = {
    "a design document outside the repository": re.compile(re.escape("DES" + "IGN §")),
    "a folder beside the repository": re.compile(re.escape(".." + "/shared")),
    "an issue tracker the repository does not ship": re.compile(r"\bissue\s*#?\d+", re.IGNORECASE),
}


def text_files() -> list[Path]:
    """Tracked and new (not ignored) files when git can tell, else every file outside build and venv folders."""
    git = shutil.which("git")
    if git and (ROOT / ".git").exists():
        listed = subprocess.run(
            [git, "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        paths = [ROOT / name for name in listed]
    else:
        paths = [p for p in ROOT.rglob("*") if not SKIPPED_DIRS & set(p.relative_to(ROOT).parts)]
    return sorted(p for p in paths if p.suffix in TEXT_SUFFIXES and p.is_file())


def test_the_repository_stands_alone():
    found = []
    for path in text_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for what, pattern in FORBIDDEN_REFERENCES.items():
                if match := pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r} ({what})")
    assert not found, "cite the real source (paper and section, filing, closed form) or reword:\n" + "\n".join(found)


# (d) ------------------------------------------------------------------------------------------------------------


def strongly_connected_components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the module graph is small, but recursion depth is not ours to spend)."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def one_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A shortest cycle through the component's first module (breadth-first within the component)."""
    members, start = set(component), component[0]
    parents, frontier = {start: None}, [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in sorted(graph[node] & members):
                if successor == start:
                    path = [node]
                    while parents[path[-1]] is not None:
                        path.append(parents[path[-1]])
                    return [*reversed(path), start]
                if successor not in parents:
                    parents[successor] = node
                    following.append(successor)
        frontier = following
    return component


def test_no_import_cycles():
    # Complements the acyclic_siblings contract of lint-imports: this one also sees a module importing its own
    # package's __init__ and cycles across the three packages. Imports inside functions count: a cycle broken
    # only by a deferred import is still a cycle in the design.
    grimp = pytest.importorskip("grimp")
    sys.path.insert(0, str(ROOT))
    try:
        import_graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))
    graph = {m: set(import_graph.find_modules_directly_imported_by(m)) for m in import_graph.modules}
    cycles = [one_cycle(graph, c) for c in strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


# (e) ------------------------------------------------------------------------------------------------------------

# Snapshots the process-wide settings a library could change at import: JAX's configuration, astropy's IERS,
# units and time configuration, numpy's print and error state, and the warnings filters. The third-party
# packages are imported first, so that only the project's own import-time effects are compared.
SIDE_EFFECT_PROBE = """
import json, warnings

import astropy.coordinates, astropy.time, astropy.units, astropy.utils.iers
import equinox, jax, matplotlib, numpy, optimistix, pandas, pydantic, rich, sgp4.api, skyfield.api, typer


def state():
    registry = astropy.units.get_current_unit_registry()
    return {
        "jax": {k: repr(v) for k, v in sorted(jax.config.values.items())},
        "jax_enable_x64": bool(jax.config.jax_enable_x64),
        "iers": {k: repr(getattr(astropy.utils.iers.conf, k)) for k in astropy.utils.iers.conf},
        "astropy.time": {k: repr(getattr(astropy.time.conf, k)) for k in astropy.time.conf},
        "astropy.units": [repr(registry.equivalencies), sorted(map(str, registry.all_units))],
        "numpy": [repr(numpy.get_printoptions()), repr(numpy.geterr())],
        "warnings": [repr(f) for f in warnings.filters],
        "matplotlib_backend": matplotlib.get_backend(),
    }


before = state()
import launch, orbital, thermal
import orbital.planner, orbital.scenario
after = state()
print(json.dumps({"before": before, "after": after}))
"""


def test_importing_the_packages_changes_no_process_wide_setting():
    result = subprocess.run(
        [sys.executable, "-c", SIDE_EFFECT_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-4000:]
    states = json.loads(result.stdout.strip().splitlines()[-1])
    before, after = (flatten(states[when]) for when in ("before", "after"))
    changed = {key: (before.get(key), after.get(key)) for key in before.keys() | after.keys()}
    changed = {key: values for key, values in sorted(changed.items()) if values[0] != values[1]}
    assert not changed, f"importing orbital, launch and thermal changed (before, after): {changed}"


def flatten(state: dict) -> dict:
    flat = {}
    for group, value in state.items():
        if isinstance(value, dict):
            flat.update({f"{group}.{key}": item for key, item in value.items()})
        else:
            flat[group] = value
    return flat
