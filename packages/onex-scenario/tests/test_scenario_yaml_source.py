"""Safe YAML reading: positions, and every way a file can fail before validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_scenario import ScenarioValidationError
from onex_scenario.source_map import Position
from onex_scenario.yaml_files import read_yaml_file
from onex_scenario.yaml_source import MAX_DEPTH, parse_yaml_data, parse_yaml_text

from conftest import Tree

pytestmark = pytest.mark.unit


def _issue(text: str) -> str:
    with pytest.raises(ScenarioValidationError) as caught:
        parse_yaml_text(text, "f.yaml")
    assert len(caught.value.issues) == 1
    return str(caught.value.issues[0])


def test_positions_of_keys_and_values_are_one_based() -> None:
    data, source_map = parse_yaml_text("a: 1\nsteps:\n  - id: x\n    call: run\n", "f.yaml")
    assert data == {"a": 1, "steps": [{"id": "x", "call": "run"}]}
    assert source_map.key_position(("steps",)) == Position("f.yaml", 2, 1)
    assert source_map.value_position(("steps", 0)) == Position("f.yaml", 3, 5)
    assert source_map.key_position(("steps", 0, "call")) == Position("f.yaml", 4, 5)
    assert source_map.value_position(("steps", 0, "call")) == Position("f.yaml", 4, 11)


def test_a_missing_path_falls_back_to_its_nearest_ancestor() -> None:
    _, source_map = parse_yaml_text("outer:\n  inner: {a: 1}\n", "f.yaml")
    assert source_map.value_position(("outer", "inner", "nope", 3)) == Position("f.yaml", 2, 10)


def test_fast_and_positional_parsers_build_the_same_data() -> None:
    text = "a: &x {b: [1, 2.5, true, null, '3', 2024-01-01]}\nc: *x\nd:\n  <<: *x\n  e: f\n"
    data, _ = parse_yaml_text(text, "f.yaml")
    assert parse_yaml_data(text, "f.yaml") == data
    assert data["a"]["b"] == [1, 2.5, True, None, "3", "2024-01-01"]  # type: ignore[index]
    assert data["d"] == {"b": [1, 2.5, True, None, "3", "2024-01-01"], "e": "f"}  # type: ignore[index]


def test_explicit_keys_win_over_merge_keys() -> None:
    data = parse_yaml_data("base: &b {a: 1, b: 2}\nuse:\n  <<: *b\n  b: 3\n", "f.yaml")
    assert data["use"] == {"a": 1, "b": 3}  # type: ignore[index]


def test_yaml_syntax_error_names_line_and_column() -> None:
    assert _issue("a: [1, 2\nb: 3\n") == (
        "f.yaml:2:2: (document): YAML syntax error: while parsing a flow sequence "
        "did not find expected ',' or ']'"
    )


def test_tab_indentation_is_a_syntax_error() -> None:
    assert "f.yaml:2:1: (document): YAML syntax error" in _issue("a:\n\tb: 1\n")


def test_control_characters_are_reported_with_their_position() -> None:
    assert _issue("a: b\nc: \x07\n") == (
        "f.yaml:2:4: (document): YAML syntax error: control characters are not allowed"
    )


def test_several_documents_are_refused() -> None:
    assert "expected a single document" in _issue("a: 1\n---\nb: 2\n")


def test_duplicate_keys_are_refused_with_the_first_line() -> None:
    assert _issue("name: a\nx: 1\nname: b\n") == (
        "f.yaml:3:1: name: duplicate key 'name' (first defined at line 1)"
    )


def test_duplicate_keys_are_refused_by_the_fast_parser_with_the_same_message() -> None:
    with pytest.raises(ScenarioValidationError, match="duplicate key 'name'"):
        parse_yaml_data("name: a\nname: b\n", "f.yaml")


def test_non_string_keys_are_refused_with_a_hint() -> None:
    assert _issue("on: 1\n") == (
        "f.yaml:1:1: (document): keys must be strings, got 'on' (YAML reads it as bool); "
        "quote it if it is meant as text"
    )
    assert "got a list or mapping as a key" in _issue("? [1]\n: 2\n")


def test_python_tags_are_refused() -> None:
    assert _issue("x: !!python/object/apply:os.system ['true']\n") == (
        "f.yaml:1:4: x: unsupported YAML tag !!python/object/apply:os.system"
    )


@pytest.mark.parametrize(
    "text", ["x: !!binary aGVsbG8=\n", "x: !!set {a: null}\n", "x: !custom 1\n"]
)
def test_non_core_tags_are_refused(text: str) -> None:
    assert "unsupported YAML tag" in _issue(text)


def test_alias_expansion_is_bounded() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 8):
        refs = ",".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    assert "expands to more than" in _issue("\n".join(lines) + "\n")


def test_recursive_alias_is_refused() -> None:
    assert "an alias refers to a node that contains it" in _issue("a: &x [1, *x]\n")


def test_nesting_depth_is_bounded() -> None:
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    assert f"nested deeper than {MAX_DEPTH} levels" in _issue(f"a: {deep}\n")


def test_a_merge_key_needs_mappings() -> None:
    assert "a merge key (<<) needs a mapping" in _issue("a:\n  <<: [1]\n")


def test_read_errors_become_validation_issues(tmp_path: Path) -> None:
    with pytest.raises(ScenarioValidationError) as caught:
        read_yaml_file(tmp_path / "absent.yaml")
    assert str(caught.value).endswith(
        "absent.yaml:1:1: (document): cannot read the file: No such file or directory"
    )
    with pytest.raises(ScenarioValidationError, match="cannot read the file: Is a directory"):
        read_yaml_file(tmp_path)


def test_non_utf8_bytes_are_located(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: ok\ndescription: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ScenarioValidationError) as caught:
        read_yaml_file(path)
    assert str(caught.value) == (
        f"{path}:2:17: (document): not UTF-8 text: byte 0xe9 cannot be decoded; "
        "save the file as UTF-8"
    )


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: ok\n")
    assert read_yaml_file(path)[0] == {"name": "ok"}


def test_empty_and_non_mapping_scenarios_are_refused(tree: Tree) -> None:
    tree.write("empty.yaml", "# only a comment\n")
    tree.write("list.yaml", "- name: x\n")
    tree.write("scalar.yaml", "just text\n")
    assert tree.messages("empty.yaml") == [
        "(document): the file is empty; expected a mapping of scenario keys"
    ]
    assert tree.messages("list.yaml") == [
        "(document): expected a mapping of scenario keys, got a list"
    ]
    assert tree.messages("scalar.yaml") == [
        "(document): expected a mapping of scenario keys, got a string"
    ]
