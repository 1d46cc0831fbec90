"""The three layers: a toolkit that knows no section, listings that are the book's listings, and the
application on top; every section's metrics.json carries the same identity keys."""
import ast
import dataclasses
import json
from dataclasses import replace
from pathlib import Path

import pytest

from app.sections import SECTIONS
from tf1_ae.pipeline import IDENTITY
from tf1_ae.runs import REPO_ROOT

LISTINGS = sorted(p for p in (REPO_ROOT / "graphs").glob("*.py") if p.name != "__init__.py")


def imported_modules(path):
    tree = ast.parse(Path(path).read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


# The one toolkit file that imports upward: `python -m tf1_ae`'s entry point hands over to the command line
# (and says in its words that a closed stdout runs nothing).
UPWARD = {"__main__.py": {"app.cli", "app.failures"}}


@pytest.mark.parametrize("path", sorted((REPO_ROOT / "tf1_ae").glob("*.py")), ids=lambda p: p.name)
def test_the_toolkit_imports_no_listing_and_no_application_but_its_entry_point_the_command_line(path):
    assert {m for m in imported_modules(path) if m.split(".")[0] in ("graphs", "app")} == UPWARD.get(path.name, set())


@pytest.mark.parametrize("path", LISTINGS, ids=lambda p: p.stem)
def test_a_listing_module_is_short_and_imports_no_application(path):
    assert len(path.read_text().splitlines()) <= 150
    assert not {m for m in imported_modules(path) if m.split(".")[0] == "app"}


@pytest.mark.parametrize("name", list(SECTIONS))
def test_every_section_has_its_idea_formula_config_and_builder_or_named_runner(name):
    section = SECTIONS[name]
    module = section.module
    assert module.IDEA.strip() and module.LOSS.strip()
    assert dataclasses.is_dataclass(module.Config) and module.Config.__dataclass_params__.frozen
    if section.runner:  # a run that is more than training what build() returns: one function, named for it
        assert callable(getattr(module, section.runner)) and section.runner != "run"
    else:
        assert callable(module.build)


@pytest.mark.parametrize("name", list(SECTIONS))
def test_a_record_states_what_its_listing_defines(name):
    """The record's shorthand flags are exactly its Config's flag fields, each variant names a Config class of
    its listing with that field, and a record has sources exactly when its Config has a source (what it needs)."""
    from tf1_ae.config import flag_fields

    section = SECTIONS[name]
    config_class = section.module.Config
    assert set(section.flags) == set(flag_fields(config_class))
    for field, value, class_name in section.variants:
        variant = getattr(section.module, class_name)
        assert field in section.flags and value in flag_fields(config_class)[field][0]
        assert issubclass(variant, config_class) and getattr(variant(), field) == value
    has_source = "source" in {f.name for f in dataclasses.fields(config_class)}
    assert (section.sources is not None) == has_source
    if has_source:
        assert section.needs[0] in section.source_names()

def book_lines(tree):
    """`…training_op = ….minimize(…)` assignments outside any `if` (the book's line, in plain sight)."""
    in_if = {id(node) for branch in ast.walk(tree) if isinstance(branch, (ast.If, ast.IfExp)) for node in ast.walk(branch)}
    return [node for node in ast.walk(tree) if isinstance(node, ast.Assign) and id(node) not in in_if
            and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "minimize"
            and any(isinstance(t, ast.Name) and t.id.endswith("training_op") for t in node.targets)]


@pytest.mark.parametrize("path", LISTINGS, ids=lambda p: p.stem)
def test_a_listing_reads_as_the_book_s_cell(path):
    """No speed path in a listing (the toolkit derives them), no function defined inside another, and where it
    builds an optimizer, the book's `training_op = optimizer.minimize(loss)` outside any branch."""
    tree = ast.parse(path.read_text())
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} | {
        node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)} | {
        node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
    assert not {name for name in names if "tower" in name.lower()}
    assert not [k for k in ast.walk(tree) if isinstance(k, ast.keyword) and k.arg == "step"]
    nested = [inner.name for outer in ast.walk(tree) if isinstance(outer, ast.FunctionDef)
              for inner in ast.walk(outer) if inner is not outer and isinstance(inner, ast.FunctionDef)]
    assert not nested
    builds_optimizer = any(isinstance(node, ast.Attribute) and node.attr.endswith("Optimizer") for node in ast.walk(tree))
    assert bool(book_lines(tree)) == builds_optimizer


def test_every_kind_of_run_writes_the_same_identity_keys(options):
    quick = replace(options, steps=3)
    for name in ("pca", "kl_plot", "stacked_tied", "layerwise_cached", "reconstructions"):
        SECTIONS[name].run(quick, log=lambda line: None)
        metrics = json.loads((options.out / f"checkpoints/{name}/metrics.json").read_text())
        assert set(IDENTITY) <= set(metrics), name
        assert metrics["section"] == name and metrics["seed"] == 42
    trained = json.loads((options.out / "checkpoints/stacked_tied/metrics.json").read_text())
    assert trained["steps"] == 3 and trained["data"] == "mnist5k" and trained["samples_per_second"] > 0


@pytest.mark.parametrize("name", list(SECTIONS))
def test_a_record_names_the_book_section_its_listing_names(name):
    """The listing's docstring opens with its book section (§"…"); the record's `book` is that section, and
    both say alike whether the section goes beyond the book."""
    import re

    section = SECTIONS[name]
    opening = " ".join(section.module.__doc__.strip().split("\n\n")[0].split())
    titles = re.findall(r'§"([^"]+)"', opening)
    assert titles and all(title in section.book for title in titles), (opening, section.book)
    assert opening.lower().startswith("beyond the book") == section.book.startswith("beyond the book")
