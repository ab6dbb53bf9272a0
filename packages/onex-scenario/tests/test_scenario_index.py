"""scenarios/index.yaml: validation, and agreement with the files."""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_scenario import (
    ExpectedResultEnum,
    ScenarioValidationError,
    find_index,
    index_problems,
    load_index,
    load_scenarios,
)

from conftest import REPO, Tree

pytestmark = pytest.mark.unit

INDEX = """
version: 1
scenarios:
  - {id: a, path: unit/a.yaml, tier: unit, tags: [smoke]}
  - {id: gone, path: unit/gone.yaml, tier: unit, expected_result: fail}
  - {id: b, path: mixed/b.yaml, tier: unit}
"""


def _tree(tree: Tree) -> None:
    tree.write("index.yaml", INDEX)
    tree.write("unit/a.yaml", "name: a\n")
    tree.write("unit/unlisted.yaml", "name: unlisted\n")
    tree.write(
        "mixed/b.yaml",
        "name: b\nexternal_services: {k: {kind: kafka, dependency_mode: real}, r: {kind: redis}}\n",
    )
    tree.write("_bases/base.yaml", "description: not a scenario\n")


def test_the_repository_index_is_valid() -> None:
    index = load_index(REPO / "scenarios" / "index.yaml")
    assert index.index.version == 1


def test_entries_are_typed(tree: Tree) -> None:
    _tree(tree)
    index = load_index(tree.root / "index.yaml")
    first = index.index.scenarios[0]
    assert (first.id, first.tags, first.expected_result) == (
        "a",
        ("smoke",),
        ExpectedResultEnum.PASS,
    )
    assert index.index.scenarios[1].expected_result is ExpectedResultEnum.FAIL
    assert index.entry_for(tree.root / "unit" / "a.yaml") == first
    assert index.by_id("b") == index.index.scenarios[2]


def test_missing_files_unlisted_files_and_tier_mismatches_are_reported(tree: Tree) -> None:
    _tree(tree)
    index = load_index(tree.root / "index.yaml")
    loaded, issues = load_scenarios([tree.root], environ={})
    assert issues == []
    problems = [str(p) for p in index_problems(index, scenarios=loaded)]
    index_file = tree.root / "index.yaml"
    gone = tree.root / "unit" / "gone.yaml"
    unlisted = tree.root / "unit" / "unlisted.yaml"
    mixed = tree.root / "mixed" / "b.yaml"
    assert problems == [
        f"{index_file}:4:22: scenarios[1].path: index entry 'gone': no file {gone}",
        f"{unlisted}:1:1: (document): not listed in {index_file}; add an entry "
        "such as {id: unlisted, path: unit/unlisted.yaml, tier: ..., expected_result: pass}",
        f"{index_file}:5:39: scenarios[2].tier: index says tier 'unit' but {mixed} is 'mixed'",
    ]


def test_problems_can_be_limited_to_one_folder(tree: Tree) -> None:
    _tree(tree)
    index = load_index(tree.root / "index.yaml")
    assert index_problems(index, within=tree.root / "mixed") == []
    assert len(index_problems(index, within=tree.root / "unit")) == 2


def test_index_format_errors(tree: Tree) -> None:
    path = tree.write(
        "index.yaml",
        """
        version: 2
        scenarios:
          - {id: a, path: a.yaml, tier: unit}
          - {id: a, path: ./a.yaml, tier: unit, expected: pass}
          - {id: c, path: ../c.yaml, tier: nope}
          - {id: d, path: /abs/d.yaml, tier: unit, expected_result: maybe}
        """,
    )
    with pytest.raises(ScenarioValidationError) as caught:
        load_index(path)
    assert [f"{i.key_path}: {i.message}" for i in caught.value.issues] == [
        "version: expected 1, got 2",
        "scenarios[1].expected: unknown key 'expected'; did you mean 'expected_result'?",
        "scenarios[2].tier: expected 'unit', 'integration', 'mixed' or 'e2e', got 'nope'",
        "scenarios[3].expected_result: expected 'pass', 'fail' or 'skip', got 'maybe'",
    ]
    tree.write(
        "index.yaml",
        "scenarios:\n  - {id: a, path: a.yaml, tier: unit}\n"
        "  - {id: a, path: ./a.yaml, tier: unit}\n  - {id: c, path: ../c.yaml, tier: unit}\n",
    )
    with pytest.raises(ScenarioValidationError) as caught:
        load_index(path)
    assert [f"{i.key_path}: {i.message}" for i in caught.value.issues] == [
        "scenarios[1].id: id 'a' is already used by scenarios[0]",
        "scenarios[1].path: path './a.yaml' is already listed by scenarios[0]",
        "scenarios[2].path: expected a path relative to the index's folder, without '..'",
    ]


def test_find_index_looks_in_the_folder_and_above(tree: Tree) -> None:
    _tree(tree)
    (tree.root / ".git").mkdir()
    assert find_index(tree.root / "unit") == tree.root / "index.yaml"
    assert find_index(tree.root / "unit" / "a.yaml") == tree.root / "index.yaml"
    (tree.root / "index.yaml").unlink()
    assert find_index(tree.root / "unit") is None


def test_relative_starts_give_relative_paths(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tree)
    monkeypatch.chdir(tree.root / "unit")
    assert find_index(Path(".")) == Path("../index.yaml")
