"""`${VAR}` / `${VAR:-default}` at load time; step references stay for the runner."""

from __future__ import annotations

import pytest
from onex_scenario import ModelCallStep
from onex_scenario.interpolation import interpolate_data, interpolate_text

from conftest import Tree

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${A}", "alpha"),
        ("x-${A}-y", "x-alpha-y"),
        ("${EMPTY}", ""),
        ("${EMPTY:-fallback}", "fallback"),
        ("${UNSET:-fallback}", "fallback"),
        ("${UNSET:-}", ""),
        ("${A:-fallback}", "alpha"),
        ("${UNSET:-a:b-c}", "a:b-c"),
        ("$${A}", "${A}"),
        ("${steps.place.correlation_id}", "${steps.place.correlation_id}"),
        ("$${steps.place.id}", "$${steps.place.id}"),
        ("cost: $5", "cost: $5"),
        ("no interpolation", "no interpolation"),
    ],
)
def test_interpolate_text(text: str, expected: str) -> None:
    assert interpolate_text(text, {"A": "alpha", "EMPTY": ""}) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "${UNSET}",
            "environment variable UNSET is not set (write ${UNSET:-default} to give a default)",
        ),
        (
            "${1A}",
            "invalid interpolation '${1A}': expected ${VAR}, ${VAR:-default} or a "
            "${steps.<id>.<field>} reference",
        ),
        ("${A-x}", "invalid interpolation '${A-x}'"),
        ("${A", "unterminated '${A' (missing '}')"),
    ],
)
def test_interpolation_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"^.") as caught:
        interpolate_text(text, {"A": "alpha"})
    assert str(caught.value).startswith(message)


def test_only_values_are_interpolated_and_unchanged_parts_are_shared() -> None:
    untouched = {"k": [1, "plain"]}
    data = {"${A}": "${A}", "same": untouched, "list": ["${A}", 2]}
    result, problems = interpolate_data(data, {"A": "x"})
    assert result == {"${A}": "x", "same": {"k": [1, "plain"]}, "list": ["x", 2]}
    assert isinstance(result, dict)
    assert result["same"] is untouched
    assert problems == []
    assert data["list"] == ["${A}", 2]  # the input is not modified


def test_scenario_values_use_the_environment(tree: Tree) -> None:
    tree.write(
        "unit/x.yaml",
        """
        name: ${NAME:-from_default}
        node: a.b:C
        cleanup_after: ${KEEP:-false}
        resources: {kafka: {topics: [{name: orders, partitions: "${PARTS}"}]}}
        steps:
          - {id: a, call: run, kwargs: {region: "${REGION:-eu}"}}
          - {id: z, call: run, args: ["${steps.a.output}"], kwargs: {ref: "${steps.a.output}x"}}
        """,
    )
    scenario = tree.load("unit/x.yaml", environ={"PARTS": "6", "REGION": "us"})
    assert scenario.name == "from_default"
    assert scenario.cleanup_after is False
    assert scenario.resources.kafka.topics[0].partitions == 6
    first, second = scenario.steps
    assert isinstance(first, ModelCallStep)
    assert isinstance(second, ModelCallStep)
    assert first.keyword_args == {"region": "us"}
    assert second.args == ("${steps.a.output}",)
    assert second.keyword_args == {"ref": "${steps.a.output}x"}


def test_unset_variables_are_reported_at_their_position_once(tree: Tree) -> None:
    path = tree.write(
        "unit/x.yaml",
        "name: x\n"
        "resources: {kafka: {topics: [{name: t, partitions: '${PARTS}'}]}}\n"
        "metadata: {a: '${B}'}\n",
    )
    issues = tree.issues("unit/x.yaml")
    assert [str(i) for i in issues] == [
        f"{path}:2:52: resources.kafka.topics[0].partitions: environment variable PARTS is not set "
        "(write ${PARTS:-default} to give a default)",
        f"{path}:3:15: metadata.a: environment variable B is not set "
        "(write ${B:-default} to give a default)",
    ]


def test_interpolation_errors_and_validation_errors_are_reported_together(tree: Tree) -> None:
    tree.write("unit/x.yaml", "name: x\nmetadata: {a: '${B}'}\ncleanup_after: perhaps\n")
    assert [m.split(":")[0] for m in tree.messages("unit/x.yaml")] == [
        "metadata.a",
        "cleanup_after",
    ]


def test_extends_is_interpolated(tree: Tree) -> None:
    tree.write("_bases/real.yaml", "description: real base\n")
    tree.write("_bases/mock.yaml", "description: mock base\n")
    tree.write("unit/x.yaml", "extends: base:${FLAVOUR:-mock}\nname: x\n")
    assert tree.load("unit/x.yaml").description == "mock base"
    assert tree.load("unit/x.yaml", environ={"FLAVOUR": "real"}).description == "real base"
    tree.write("unit/y.yaml", "extends: base:${FLAVOUR}\nname: y\n")
    assert tree.messages("unit/y.yaml") == [
        "extends: environment variable FLAVOUR is not set "
        "(write ${FLAVOUR:-default} to give a default)"
    ]


def test_values_in_bases_are_interpolated_too(tree: Tree) -> None:
    tree.write("_bases/b.yaml", "description: ${WHO:-nobody}\n")
    tree.write("unit/x.yaml", "extends: base:b\nname: x\n")
    assert tree.load("unit/x.yaml", environ={"WHO": "base"}).description == "base"


def test_anchors_merge_keys_and_lists_are_interpolated(tree: Tree) -> None:
    tree.write(
        "unit/x.yaml",
        """
        name: x
        metadata:
          base: &b {who: "${WHO}", list: ["${WHO}", plain, "$${WHO}"]}
          merged: {<<: *b, extra: "${MISSING:-z}"}
          alias: *b
        """,
    )
    metadata = tree.load("unit/x.yaml", environ={"WHO": "me"}).metadata
    base = {"who": "me", "list": ["me", "plain", "${WHO}"]}
    assert metadata == {"base": base, "merged": {**base, "extra": "z"}, "alias": base}


def test_a_failure_inside_an_alias_is_reported_where_it_is_written(tree: Tree) -> None:
    path = tree.write(
        "unit/x.yaml",
        "name: x\nmetadata:\n  base: &b {who: '${WHO}'}\n  ok: fine\n  again: *b\n",
    )
    unset = "environment variable WHO is not set (write ${WHO:-default} to give a default)"
    assert [str(i) for i in tree.issues("unit/x.yaml")] == [
        f"{path}:3:9: metadata.again.who: {unset}",  # the alias points at the anchored mapping
        f"{path}:3:18: metadata.base.who: {unset}",
    ]
