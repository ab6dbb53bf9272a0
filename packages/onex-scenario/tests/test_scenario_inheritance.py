"""`extends`: named and relative bases, deep merges, and errors that name the chain."""

from __future__ import annotations

from pathlib import Path

import onex_scenario
import pytest
from onex_scenario import DependencyModeEnum, ScenarioConfigModel, TierEnum, load_scenario
from onex_scenario.inheritance import deep_merge
from onex_scenario.loader import ScenarioLoader
from onex_scenario.modes import plan_modes
from onex_scenario.yaml_files import read_yaml_text

from conftest import SHIPPED_BASES, Tree

pytestmark = pytest.mark.unit


def test_deep_merge_merges_mappings_replaces_lists_and_drops_nulls() -> None:
    base = {"a": {"x": 1, "y": [1, 2], "z": {"k": 1}}, "b": 1, "c": 2}
    child = {"a": {"y": [3], "z": {"j": 2}}, "c": None, "d": None}
    assert deep_merge(base, child) == {
        "a": {"x": 1, "y": [3], "z": {"k": 1, "j": 2}},
        "b": 1,
        "d": None,
    }
    assert base == {"a": {"x": 1, "y": [1, 2], "z": {"k": 1}}, "b": 1, "c": 2}  # untouched


def test_two_levels_of_named_bases(tree: Tree) -> None:
    tree.write(
        "_bases/top.yaml",
        "external_services: {kafka: {kind: kafka}, redis: {kind: redis}}\ntags: [top]\n",
    )
    tree.write("_bases/middle.yaml", "extends: base:top\ndependency_mode: real\ntags: [middle]\n")
    tree.write(
        "integration/x.yaml",
        "extends: base:middle\nname: x\nexternal_services: {redis: null}\n",
    )
    loader = ScenarioLoader(environ={})
    loaded = loader.load(tree.root / "integration" / "x.yaml")
    scenario = loaded.scenario
    assert scenario.tags == ("middle",)  # lists are replaced, not concatenated
    assert list(scenario.external_services) == ["kafka"]  # null removed the base's redis
    assert plan_modes(scenario).mode("kafka") is DependencyModeEnum.REAL
    assert scenario.extends == "base:middle"
    assert [p.name for p in loaded.chain] == ["x.yaml", "middle.yaml", "top.yaml"]


def test_relative_base_paths_resolve_from_the_file(tree: Tree) -> None:
    tree.write("shared/common.yaml", "description: from the shared base\n")
    tree.write("unit/deep/x.yaml", "extends: ../../shared/common.yaml\nname: x\ntier: unit\n")
    assert tree.load("unit/deep/x.yaml").description == "from the shared base"


def test_the_nearest_bases_folder_wins_then_extra_dirs(tree: Tree) -> None:
    tree.write("_bases/b.yaml", "description: outer\n")
    tree.write("unit/_bases/b.yaml", "description: inner\n")
    tree.write("extra/c.yaml", "description: extra\n")
    tree.write("unit/x.yaml", "extends: base:b\nname: x\n")
    tree.write("unit/y.yaml", "extends: base:c\nname: y\n")
    assert tree.load("unit/x.yaml").description == "inner"
    assert tree.load("unit/y.yaml", base_dirs=[tree.root / "extra"]).description == "extra"


def modes(scenario: ScenarioConfigModel) -> dict[str, str]:
    return {name: s.mode.value for name, s in plan_modes(scenario).services.items()}


def test_the_shipped_bases(tree: Tree) -> None:
    tree.write("unit/m.yaml", "extends: base:mock_only\nname: m\n")
    tree.write("mixed/k.yaml", "extends: base:kafka_real\nname: k\n")
    tree.write("integration/a.yaml", "extends: base:all_real\nname: a\n")
    mock = tree.load("unit/m.yaml", base_dirs=[SHIPPED_BASES])
    kafka = tree.load("mixed/k.yaml", base_dirs=[SHIPPED_BASES])
    real = tree.load("integration/a.yaml", base_dirs=[SHIPPED_BASES])
    assert modes(mock) == {"kafka": "mock", "postgres": "mock", "redis": "mock"}
    assert modes(kafka) == {"kafka": "real", "postgres": "mock", "redis": "mock"}
    assert modes(real) == {"kafka": "real", "postgres": "real", "redis": "real"}
    assert (mock.tier, kafka.tier, real.tier) == (
        TierEnum.UNIT,
        TierEnum.MIXED,
        TierEnum.INTEGRATION,
    )
    assert real.timeouts("postgres").health_check == 30.0


def test_an_extends_cycle_names_the_chain(tree: Tree) -> None:
    a = tree.write("unit/a.yaml", "extends: b.yaml\nname: a\n")
    b = tree.write("unit/b.yaml", "extends: a.yaml\n")
    (issue,) = tree.issues("unit/a.yaml")
    assert str(issue) == f"{b}:1:10: extends: extends cycle: {a} → {b} → {a}"


def test_a_file_extending_itself_is_a_cycle(tree: Tree) -> None:
    a = tree.write("unit/a.yaml", "extends: ./a.yaml\nname: a\n")
    assert tree.messages("unit/a.yaml") == [f"extends: extends cycle: {a} → {a}"]


def test_a_missing_named_base_names_the_chain_and_suggests(tree: Tree) -> None:
    tree.write("_bases/kafka_real.yaml", "tier: mixed\n")
    tree.write("_bases/mid.yaml", "extends: base:kafka_rel\n")
    x = tree.write("unit/x.yaml", "extends: base:mid\nname: x\n")
    mid = tree.root / "_bases" / "mid.yaml"
    (issue,) = tree.issues("unit/x.yaml")
    assert issue.file == str(mid)
    assert issue.message == (
        f"base 'kafka_rel' not found ({x} → {mid} → base:kafka_rel); looked in: "
        f"{tree.root / '_bases'}, {SHIPPED_BASES}; did you mean 'kafka_real'?"
    )


def test_a_missing_base_file(tree: Tree) -> None:
    x = tree.write("unit/x.yaml", "extends: ../nope.yaml\nname: x\n")
    assert tree.messages("unit/x.yaml") == [
        f"extends: base file not found: {tree.root / 'nope.yaml'} ({x} → ../nope.yaml)"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "[a]",
            "expected a named base such as base:kafka_real or a path such as "
            "../_bases/kafka_real.yaml, got ['a']",
        ),
        ("base:../x", "expected base:<name> with a plain name, got 'base:../x'"),
        ("'base:'", "expected base:<name> with a plain name, got 'base:'"),
    ],
)
def test_malformed_extends(tree: Tree, value: str, message: str) -> None:
    tree.write("unit/x.yaml", f"extends: {value}\nname: x\n")
    assert tree.messages("unit/x.yaml") == [f"extends: {message}"]


def test_named_bases_without_any_bases_folder(tree: Tree) -> None:
    x = tree.write("unit/x.yaml", "extends: base:nowhere\nname: x\n")
    (message,) = tree.messages("unit/x.yaml")
    assert message.startswith(
        f"extends: base 'nowhere' not found ({x} → base:nowhere); looked in: "
    )


def test_errors_in_a_base_point_into_the_base(tree: Tree) -> None:
    base = tree.write(
        "_bases/b.yaml", "description: ok\nexternal_services:\n  kafka: {kind: kafak}\n"
    )
    tree.write("unit/x.yaml", "extends: base:b\nname: x\n")
    (issue,) = tree.issues("unit/x.yaml")
    assert (issue.file, issue.line, issue.column, issue.key_path) == (
        str(base),
        3,
        17,
        "external_services.kafka.kind",
    )


def test_a_child_value_overrides_the_base_position(tree: Tree) -> None:
    tree.write("_bases/b.yaml", "cleanup_after: true\n")
    x = tree.write("unit/x.yaml", "extends: base:b\nname: x\ncleanup_after: perhaps\n")
    (issue,) = tree.issues("unit/x.yaml")
    assert (issue.file, issue.line) == (str(x), 3)


def test_a_syntax_error_in_a_base_is_reported_in_the_base(tree: Tree) -> None:
    base = tree.write("_bases/b.yaml", "a: [1\n")
    tree.write("unit/x.yaml", "extends: base:b\nname: x\n")
    (issue,) = tree.issues("unit/x.yaml")
    assert issue.file == str(base)
    assert issue.message.startswith("YAML syntax error")


def test_resource_paths_are_relative_to_the_declaring_base(tree: Tree) -> None:
    tree.write("_bases/sql/schema.sql", "create table t (id int);\n")
    tree.write("_bases/db.yaml", "resources: {postgres: {schema: sql/schema.sql}}\n")
    tree.write("unit/x.yaml", "extends: base:db\nname: x\n")
    assert tree.load("unit/x.yaml").resources.postgres.schema_file == str(
        tree.root / "_bases" / "sql" / "schema.sql"
    )


def test_bases_are_parsed_once_per_loader(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    from onex_scenario import inheritance

    tree.write("_bases/b.yaml", "description: shared\n")
    for n in range(3):
        tree.write(f"unit/x{n}.yaml", f"extends: base:b\nname: x{n}\n")
    reads: list[Path] = []
    real = read_yaml_text

    def counting(path: Path, file: str) -> str:
        reads.append(path)
        return real(path, file)

    monkeypatch.setattr(inheritance, "read_yaml_text", counting)
    loader = ScenarioLoader(environ={})
    for n in range(3):
        loader.load(tree.root / "unit" / f"x{n}.yaml")
    assert sorted(p.name for p in reads) == ["b.yaml", "x0.yaml", "x1.yaml", "x2.yaml"]
    assert load_scenario(tree.root / "unit" / "x0.yaml", environ={}).description == "shared"


def test_the_shipped_bases_are_found_from_a_project_outside_the_repository(tree: Tree) -> None:
    (tree.root / ".git").mkdir()  # a project of its own, with no _bases/ folder
    tree.write("unit/m.yaml", "extends: base:mock_only\nname: m\n")
    tree.write("mixed/k.yaml", "extends: base:kafka_real\nname: k\n")
    assert modes(tree.load("unit/m.yaml")) == {"kafka": "mock", "postgres": "mock", "redis": "mock"}
    assert modes(tree.load("mixed/k.yaml"))["kafka"] == "real"
    assert SHIPPED_BASES.is_relative_to(Path(onex_scenario.__file__).parent)


def test_a_projects_own_base_of_the_same_name_wins_over_the_shipped_one(tree: Tree) -> None:
    tree.write("extra/mock_only.yaml", "description: ours\n")
    tree.write("unit/m.yaml", "extends: base:mock_only\nname: m\n")
    assert tree.load("unit/m.yaml", base_dirs=[tree.root / "extra"]).description == "ours"
    assert tree.load("unit/m.yaml").external_services  # the shipped one otherwise
