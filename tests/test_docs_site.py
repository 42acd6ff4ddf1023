"""The documentation site's generated reference and its links, checked without running MkDocs.

The reference pages are built by plain functions in ``docs/hooks.py`` (the MkDocs hook calls the same ones), so
these tests read what the site will show. ``mkdocs build --strict`` (run separately in CI) then fails on any
``::: name`` entry mkdocstrings cannot resolve, any broken internal link or anchor, and any notebook cell that
raises.

The rule for links that leave the site: a page may link outside the site only to a source it cites. An external
link (the target of a Markdown link, image, reference definition, autolink or raw-HTML ``href``/``src`` that has a
scheme, ``https:``, ``mailto:``, ..., or is protocol-relative, ``//host/...``; text in code is not a link) is
allowed only when it is the canonical resolver address of a citation identifier: ``https://arxiv.org/abs/<id>``
for an arXiv preprint or ``https://doi.org/<doi>`` for a DOI, and that identifier is written out in the text of
the same page (``arXiv:<id>``, ``doi:<doi>`` or the bare DOI), outside the link's address. The theme must not add
links or loads of its own (web fonts, the "Made with" footer).
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

import launch
from launch.validation import parameter_specs
from orbital.cli import app
from orbital.design import SatelliteDesign
from orbital.environment.debris import CollisionEnvironment
from orbital.environment.parameters import Environment
from orbital.environment.radiation import RadiationEffects
from orbital.formation import ClusterFormation, OpticalTerminal
from orbital.planner import DEFAULT_SCENARIO, input_names, load_scenario
from orbital.planner.scenario import (
    CLUSTER_SHELL_FIELDS,
    COLLISION_MASS_FIELDS,
    CorrelationIn,
    DistributionIn,
    Meta,
    MonteCarloIn,
    ShellIn,
    Study,
)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MKDOCS_YML = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def _load_hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


hooks = _load_hooks()


@pytest.fixture(scope="module")
def scenario_keys_page() -> str:
    return hooks.scenario_keys_markdown()


# --- API reference ------------------------------------------------------------------------------------------------
PUBLIC_PACKAGES = ("orbital", "orbital.planner", "launch", "thermal")


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_every_public_name_has_an_entry_on_its_reference_page(package):
    module = importlib.import_module(package)
    assert package in hooks.PUBLIC_PACKAGES
    page = hooks.api_markdown(package)
    entries = re.findall(r"^::: (\S+)$", page, flags=re.MULTILINE)
    # Exactly the package's __all__, each once: nothing public left out, nothing private shown.
    assert sorted(entries) == sorted(f"{package}.{name}" for name in module.__all__)
    assert len(entries) == len(set(entries))
    # The page is generated at build time and is in the site's navigation.
    path = hooks.api_page_path(package)
    assert path in hooks.GENERATED_PAGES
    assert re.search(rf"^\s+- {re.escape(package)}: {re.escape(path)}$", MKDOCS_YML, flags=re.MULTILINE)


# --- Scenario keys ------------------------------------------------------------------------------------------------
def _field_names(cls, exclude=()) -> list:
    return [f.name for f in dataclasses.fields(cls) if f.name not in exclude]


def declared_scenario_keys() -> dict:
    """``{dotted key: ParameterSpec or None}`` for every key a scenario file may set, enumerated from the classes
    the scenario builds and the planner's own tables, independently of the page generator."""
    default = launch.LaunchScenario()
    keys = {}
    sections = {"cadence": "cadence", "limits": "limits", "vehicles": "vehicles", "share": "compute_share"}
    sections |= {"cohorts": "cohorts", "supply": "supply", "economics": "economics"}
    for attribute, table in sections.items():
        part = getattr(default, attribute)
        specs = parameter_specs(type(part))
        for name in _field_names(type(part)):
            value = getattr(part, name)
            if dataclasses.is_dataclass(value):  # [supply.chips], [supply.arrays], [supply.factory]
                nested = parameter_specs(type(value))
                for sub in _field_names(type(value)):
                    keys[f"{table}.{name}.{sub}"] = nested.get(sub)
            else:
                keys[f"{table}.{name}"] = specs.get(name)
    for table, cls, exclude in (
        ("design", SatelliteDesign, ()),
        ("environment", Environment, ()),
        ("collisions", CollisionEnvironment, COLLISION_MASS_FIELDS),
        ("radiation", RadiationEffects, ()),
        ("shells.cluster", ClusterFormation, CLUSTER_SHELL_FIELDS),
        ("shells.terminal", OpticalTerminal, ()),
    ):
        specs = parameter_specs(cls)
        for name in _field_names(cls, exclude):
            keys[f"{table}.{name}"] = specs.get(name)
    keys["design.base"] = None
    for table, model in (
        ("scenario", Meta),
        ("study", Study),
        ("shells", ShellIn),
        ("montecarlo", MonteCarloIn),
        ("montecarlo.inputs.<name>", DistributionIn),
        ("montecarlo.correlations", CorrelationIn),
    ):
        for name in model.model_fields:
            if name not in ("cluster", "terminal", "inputs", "correlations"):  # tables, listed above
                keys.setdefault(f"{table}.{name}", None)
    return keys


def _row(page: str, key: str) -> list:
    match = re.search(rf"^\| `{re.escape(key)}` \|(.*)\|$", page, flags=re.MULTILINE)
    assert match, f"{key} is not on the scenario keys page"
    return [cell.strip() for cell in match.group(1).split(" | ")]


def test_every_declared_scenario_key_is_on_the_scenario_keys_page(scenario_keys_page):
    declared = declared_scenario_keys()
    assert len(declared) > 180  # launch, design, environment, collisions, radiation, clusters, planner tables
    on_page = set(re.findall(r"^\| `([^`]+)` \|", scenario_keys_page, flags=re.MULTILINE))
    listed = {key.dotted for key in hooks.scenario_keys()}
    assert on_page >= listed
    assert set(declared) <= on_page, sorted(set(declared) - on_page)
    # Nothing on the page that the schema does not accept.
    assert listed <= set(declared), sorted(listed - set(declared))


def test_scenario_keys_page_states_each_declared_unit_range_and_meaning(scenario_keys_page):
    checked = 0
    for key, spec in declared_scenario_keys().items():
        if spec is None:
            continue
        type_, default, unit, allowed, meaning = _row(scenario_keys_page, key)
        assert unit == spec.unit, key
        assert allowed == spec.interval(), key
        assert meaning.startswith(spec.doc.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")[:40]), key
        checked += 1
    assert checked > 150


def test_scenario_keys_page_shows_the_declared_defaults(scenario_keys_page):
    # A launch default as declared on its class, a [design] default as each preset has it, and a calendar year
    # that follows the study: the page must state each as the code does.
    cohorts = launch.CohortParams()
    _, default, *_ = _row(scenario_keys_page, "cohorts.failure_rate_per_yr")
    assert float(default) == pytest.approx(cohorts.failure_rate_per_yr, rel=1e-6)
    _, default, *_ = _row(scenario_keys_page, "design.battery_depth_of_discharge")
    ai1, filing = SatelliteDesign.ai1(), SatelliteDesign.filing_100kw_per_t()
    assert (
        default == f"ai1: {ai1.battery_depth_of_discharge:g}; filing_100kw_per_t: {filing.battery_depth_of_discharge:g}"
    )
    _, default, *_ = _row(scenario_keys_page, "design.radiator_temperature_k")
    assert default == f"ai1: {ai1.radiator_temperature_k:g}; filing_100kw_per_t: {filing.radiator_temperature_k:g}"
    _, default, *_ = _row(scenario_keys_page, "vehicles.intro_year")
    intro = launch.LaunchScenario().vehicles.intro_year
    assert default.startswith("omitted: follows start_year")
    assert "[" + ", ".join(f"{year:g}" for year in intro) + "]" in default
    _, default, _, allowed, _ = _row(scenario_keys_page, "study.n_years")
    assert (default, allowed) == (str(Study().n_years), "[1, 100]")


def test_every_numeric_input_name_is_on_the_scenario_keys_page(scenario_keys_page):
    names = input_names(load_scenario(DEFAULT_SCENARIO))
    listed = re.findall(r"^- `([^`]+)`$", scenario_keys_page, flags=re.MULTILINE)
    assert listed == list(names)
    assert "vehicles.payload_t[1]" in listed


# --- Command line -------------------------------------------------------------------------------------------------
def test_cli_page_has_every_command_and_option_that_help_prints():
    page = hooks.cli_markdown()
    sections = dict(re.findall(r"^## `orbital (\S+)`\n(.*?)(?=^## |\Z)", page, flags=re.MULTILINE | re.DOTALL))
    runner = CliRunner()
    listing = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0
    commands = set(re.findall(r"^│ (\w+)\s", listing.output, flags=re.MULTILINE)) or set(
        re.findall(r"^  (\w+)\s", listing.output, flags=re.MULTILINE)
    )
    assert {"plan", "sweep", "sensitivity", "montecarlo", "solve", "validate", "illumination"} <= commands
    assert set(sections) == commands
    for command, section in sections.items():
        result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, command
        options = set(re.findall(r"(--[a-z][a-z0-9-]*)", result.output)) - {"--help"}
        documented = set(re.findall(r"(--[a-z][a-z0-9-]*)", section))
        assert options <= documented, (command, sorted(options - documented))


def test_orbital_help_points_to_a_page_that_exists():
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    pointed = re.findall(r"docs/[\w./-]+\.md", result.output)
    assert pointed
    for path in pointed:
        assert (ROOT / path).is_file(), path
        assert re.search(rf":\s+{re.escape(path.removeprefix('docs/'))}$", MKDOCS_YML, flags=re.MULTILINE), path


def test_every_page_in_docs_is_in_the_navigation():
    # mkdocs build --strict fails on a page left out of the nav; this says which, without building.
    nav = set(re.findall(r":\s+([\w./-]+\.md)$", MKDOCS_YML, flags=re.MULTILINE))
    nav |= set(re.findall(r"^\s+- ([\w./-]+\.md)$", MKDOCS_YML, flags=re.MULTILINE))  # section index pages
    pages = {str(path.relative_to(DOCS)) for path in DOCS.rglob("*.md")}
    assert pages - nav == set()
    assert nav - pages - set(hooks.GENERATED_PAGES) == set()


# --- Links that leave the site ------------------------------------------------------------------------------------
SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
CODE = re.compile(r"^(```|~~~).*?^\1[ \t]*$|`[^`\n]+`", flags=re.MULTILINE | re.DOTALL)
LINK_TARGETS = (
    re.compile(r"\]\(\s*<?([^)\s>]+)"),  # [text](target), ![alt](target)
    re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", flags=re.MULTILINE),  # [label]: target
    re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^\s>]+)>"),  # <scheme:...> autolinks
    re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']"""),  # raw HTML
)
CITATION_RESOLVERS = (
    (re.compile(r"^https://arxiv\.org/abs/(\d{4}\.\d{4,5})(?:v\d+)?$"), ("arXiv:{}",)),
    (re.compile(r"^https://doi\.org/(10\.\d{4,9}/\S+)$"), ("doi:{}", "{}")),
)


def external_links(text: str) -> list:
    """The targets of the links, images and autolinks of a Markdown text that leave the site (a URL with a scheme,
    or protocol-relative). Code (fenced blocks and spans) is text, not links."""
    prose = CODE.sub(" ", text)
    targets = [target for pattern in LINK_TARGETS for target in pattern.findall(prose)]
    return [target for target in targets if SCHEME.match(target)]


def uncited_external_links(text: str) -> list:
    """The external links of ``text`` that break the rule in this module's docstring."""
    links = external_links(text)
    prose = CODE.sub(" ", text)
    for link in links:
        prose = prose.replace(link, " ")
    bad = []
    for url in links:
        for pattern, forms in CITATION_RESOLVERS:
            match = pattern.match(url)
            if match and any(form.format(match.group(1)) in prose for form in forms):
                break
        else:
            bad.append(url)
    return bad


def site_texts() -> dict:
    """Every text the site renders: the hand-written pages, the README (the home page includes it), the
    notebooks' Markdown cells and the generated reference pages."""
    texts = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in sorted(DOCS.rglob("*.md"))}
    texts["README.md"] = (ROOT / "README.md").read_text(encoding="utf-8")
    for notebook in hooks.notebooks():
        book = nbformat.read(notebook, as_version=4)
        texts[str(notebook.relative_to(ROOT))] = "\n".join(c.source for c in book.cells if c.cell_type == "markdown")
    for path, build in hooks.GENERATED_PAGES.items():
        texts[f"(generated) {path}"] = build()
    return texts


def test_the_link_rule_accepts_cited_sources_and_refuses_the_rest():
    cited = "Suncatcher ([arXiv:2511.19468](https://arxiv.org/abs/2511.19468)) says so."
    assert uncited_external_links(cited) == []
    doi = "See [the paper](https://doi.org/10.1029/2020JA028437) (doi:10.1029/2020JA028437)."
    assert uncited_external_links(doi) == []
    # A resolver address whose identifier the page does not cite, a page elsewhere, a mail address, an image from
    # elsewhere, a reference-style link and raw HTML.
    assert uncited_external_links("[a paper](https://arxiv.org/abs/2511.19468)") == ["https://arxiv.org/abs/2511.19468"]
    assert uncited_external_links("arXiv:2511.19468 [site](https://example.org/x)") == ["https://example.org/x"]
    assert uncited_external_links("<mailto:someone@example.org>") == ["mailto:someone@example.org"]
    assert uncited_external_links("![logo](//cdn.example.org/logo.png)") == ["//cdn.example.org/logo.png"]
    assert uncited_external_links("[x][1]\n\n[1]: https://example.org/ref\n") == ["https://example.org/ref"]
    assert uncited_external_links('<a href="https://example.org/h">h</a>') == ["https://example.org/h"]
    # Links inside the site, and addresses shown as code (a local server's URL in a command), are not external links.
    local = "[keys](../reference/scenario-keys.md#study), `http://127.0.0.1:5006/`\n\n```\ncurl http://x.org\n```\n"
    assert uncited_external_links(local) == []


def test_pages_link_outside_the_site_only_to_cited_sources():
    texts = site_texts()
    assert "docs/planner.md" in texts and "README.md" in texts
    assert any(path.startswith("examples/") for path in texts)
    offending = {path: bad for path, text in texts.items() if (bad := uncited_external_links(text))}
    assert offending == {}
    # The citations that are linked do resolve to their identifiers (at least one page links its source).
    assert any("https://arxiv.org/abs/2511.19468" in text for text in texts.values())


def test_the_theme_loads_and_links_nothing_outside_the_site():
    assert not re.search(r"[a-zA-Z]+://", MKDOCS_YML)
    assert re.search(r"^\s+font: false$", MKDOCS_YML, flags=re.MULTILINE)  # no web fonts
    assert re.search(r"^\s+generator: false$", MKDOCS_YML, flags=re.MULTILINE)  # no "Made with" footer link
    assert "extra_javascript" not in MKDOCS_YML and "extra_css" not in MKDOCS_YML


# --- The build's own settings ---------------------------------------------------------------------------------------
def test_the_build_executes_the_notebooks_and_fails_on_errors():
    assert re.search(r"^strict: true$", MKDOCS_YML, flags=re.MULTILINE)
    assert re.search(r"^\s+execute: !ENV \[ORBITAL_DOCS_EXECUTE, true\]$", MKDOCS_YML, flags=re.MULTILINE)
    assert re.search(r"^\s+allow_errors: false$", MKDOCS_YML, flags=re.MULTILINE)
    # A cached rendering would skip the execution (and hide a notebook broken by a library change).
    assert re.search(r"^\s+cache: false$", MKDOCS_YML, flags=re.MULTILINE)
    nav_notebooks = re.findall(r"(examples/[\w]+\.ipynb)$", MKDOCS_YML, flags=re.MULTILINE)
    assert nav_notebooks == [f"examples/{path.name}" for path in hooks.notebooks()]
    assert len(nav_notebooks) == 4
