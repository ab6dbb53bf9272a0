"""Loading many files: discovery, partial failure, duplicate names, positions afterwards."""

from __future__ import annotations

import gc

import pytest
from onex_scenario import LoadedScenario, discover_scenario_files, load_scenarios
from onex_scenario.loader import is_scenario_file
from onex_scenario.source_map import Position

from conftest import DATA, REPO, SHIPPED_BASES, Tree

pytestmark = pytest.mark.unit


def test_discovery_skips_bases_hidden_folders_and_the_index(tree: Tree) -> None:
    for name in [
        "index.yaml",
        "unit/a.yaml",
        "unit/b.yml",
        "unit/notes.txt",
        "_bases/x.yaml",
        "unit/_private/y.yaml",
        ".hidden/z.yaml",
        "mixed/deeper/c.yaml",
    ]:
        tree.write(name, "name: x\n")
    found = discover_scenario_files([tree.root])
    assert [p.relative_to(tree.root).as_posix() for p in found] == [
        "mixed/deeper/c.yaml",
        "unit/a.yaml",
        "unit/b.yml",
    ]
    assert discover_scenario_files([tree.root / "_bases" / "x.yaml"]) == [
        tree.root / "_bases" / "x.yaml"
    ]
    assert is_scenario_file(tree.root / "unit" / "a.yaml", tree.root)
    assert not is_scenario_file(tree.root / "_bases" / "x.yaml", tree.root)
    assert not is_scenario_file(tree.root / "index.yaml", tree.root)


def test_one_bad_file_does_not_hide_the_others(tree: Tree) -> None:
    tree.write("unit/good.yaml", "name: good\n")
    bad = tree.write("unit/bad.yaml", "name: bad\ncleanup_after: perhaps\n")
    tree.write("unit/broken.yaml", "name: [\n")
    loaded, issues = load_scenarios([tree.root], environ={})
    assert [item.scenario.name for item in loaded] == ["good"]
    assert [(i.file, i.line) for i in issues] == [
        (str(bad), 2),
        (str(tree.root / "unit" / "broken.yaml"), 2),
    ]


def test_duplicate_names_are_reported_on_the_second_file(tree: Tree) -> None:
    first = tree.write("unit/a.yaml", "name: same\n")
    second = tree.write("unit/b.yaml", "description: x\nname: same\n")
    _, issues = load_scenarios([tree.root], environ={})
    assert [str(i) for i in issues] == [
        f"{second}:2:7: name: scenario name 'same' is already used by {first}"
    ]


def test_loaded_scenarios_keep_their_source_and_positions() -> None:
    (item,) = load_scenarios([DATA / "mixed"], environ={}, base_dirs=[SHIPPED_BASES])[0]
    assert isinstance(item, LoadedScenario)
    assert item.path == DATA / "mixed" / "order_accepted.yaml"
    assert [p.name for p in item.chain] == [
        "order_accepted.yaml",
        "kafka_real.yaml",
        "mock_only.yaml",
    ]
    assert item.position(("steps", 2)) == Position(str(item.path), 17, 5)
    assert item.position(("external_services", "redis")).file == str(
        SHIPPED_BASES / "mock_only.yaml"
    )


def test_the_collector_is_restored_after_a_batch(tree: Tree) -> None:
    tree.write("unit/a.yaml", "name: a\ncleanup_after: perhaps\n")
    assert gc.isenabled()
    load_scenarios([tree.root], environ={})
    assert gc.isenabled()
    gc.disable()
    try:
        load_scenarios([tree.root], environ={})
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_test_samples_are_valid() -> None:
    loaded, issues = load_scenarios([DATA], environ={}, base_dirs=[SHIPPED_BASES])
    assert issues == []
    assert sorted(item.scenario.name for item in loaded) == ["order_accepted", "order_mock"]


def test_the_repository_scenarios_are_valid() -> None:
    _, issues = load_scenarios([REPO / "scenarios"], environ={})
    assert [str(i) for i in issues] == []
