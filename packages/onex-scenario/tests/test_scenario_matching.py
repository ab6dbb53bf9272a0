"""Expected-versus-actual comparison in the four match modes."""

from __future__ import annotations

import pytest
from onex_scenario import MatchModeEnum, Mismatch, match_value
from onex_scenario.matching import type_description_problems

pytestmark = pytest.mark.unit

ACTUAL = {
    "id": "order-17",
    "qty": 2,
    "price": 9.5,
    "ok": True,
    "tags": ["a", "b", "c"],
    "meta": {"x": 1, "y": None},
}


def texts(mismatches: list[Mismatch]) -> list[str]:
    return [str(m) for m in mismatches]


def test_exact_requires_equal_keys_and_values() -> None:
    assert match_value(ACTUAL, dict(ACTUAL), "exact") == []
    assert texts(
        match_value({"id": "order-17", "qty": 3, "extra": 1}, ACTUAL, MatchModeEnum.EXACT)
    ) == [
        "$.qty: expected 3, got 2",
        "$.extra: expected 1, got no such key",
        "$.price: expected no such key, got 9.5",
        "$.ok: expected no such key, got true",
        '$.tags: expected no such key, got ["a", "b", "c"]',
        '$.meta: expected no such key, got {"x": 1, "y": null}',
    ]


def test_booleans_never_equal_numbers_but_ints_equal_floats() -> None:
    assert texts(match_value(1, True, "exact")) == ["$: expected 1, got true"]
    assert texts(match_value(True, 1, "partial")) == ["$: expected true, got 1"]
    assert match_value(2, 2.0, "exact") == []
    assert texts(match_value("2", 2, "exact")) == ['$: expected "2", got 2']


def test_partial_is_a_recursive_subset_with_equal_length_lists() -> None:
    assert match_value({"meta": {"x": 1}, "tags": ["a", "b", "c"]}, ACTUAL, "partial") == []
    assert texts(match_value({"tags": ["a", "b"]}, ACTUAL, "partial")) == [
        '$.tags: expected a list of 2 items, got 3 items: ["a", "b", "c"]'
    ]
    assert texts(match_value({"meta": {"z": 1}}, ACTUAL, "partial")) == [
        "$.meta.z: expected 1, got no such key"
    ]
    assert texts(match_value({"meta": 1}, ACTUAL, "partial")) == [
        '$.meta: expected 1, got {"x": 1, "y": null}'
    ]
    assert texts(match_value({"a": 1}, [1], "partial")) == ["$: expected a mapping, got [1]"]
    assert texts(match_value([{"a": 1}], [{"a": 2}], "partial")) == ["$[0].a: expected 1, got 2"]


def test_contains_supports_wildcards_globs_and_list_membership() -> None:
    assert match_value({"id": "order-*", "qty": "*", "tags": ["c", "a"]}, ACTUAL, "contains") == []
    assert match_value({"meta": {"y": "*"}}, ACTUAL, "contains") == []
    assert texts(match_value({"id": "invoice-*"}, ACTUAL, "contains")) == [
        "$.id: expected a string matching 'invoice-*', got \"order-17\""
    ]
    assert texts(match_value({"tags": ["z"]}, ACTUAL, "contains")) == [
        '$.tags[*]: expected an item matching "z", got ["a", "b", "c"]'
    ]
    assert texts(match_value({"missing": "*"}, ACTUAL, "contains")) == [
        '$.missing: expected "*", got no such key'
    ]
    assert texts(match_value(["a", "a"], ["a", "b"], "contains")) == [
        '$[*]: expected an item matching "a", got ["a", "b"]'
    ]
    assert (
        match_value([{"id": "o-*"}, {"id": "o-1"}], [{"id": "o-1"}, {"id": "o-2"}], "contains")
        == []
    )


def test_type_checks_type_names() -> None:
    description = {
        "id": "str",
        "qty": "int",
        "price": "number",
        "ok": "bool",
        "tags": ["str"],
        "meta": {"y": "null|int"},
    }
    assert match_value(description, ACTUAL, "type") == []
    assert texts(
        match_value({"qty": "str", "ok": "int", "nope": "any", "tags": ["int"]}, ACTUAL, "type")
    ) == [
        "$.qty: expected a value of type str, got 2",
        "$.ok: expected a value of type int, got true",
        '$.nope: expected a value of type "any", got no such key',
        '$.tags[0]: expected a value of type int, got "a"',
        '$.tags[1]: expected a value of type int, got "b"',
        '$.tags[2]: expected a value of type int, got "c"',
    ]
    assert texts(match_value(["int", "str"], [1], "type")) == [
        "$: expected a list of 2 items, got 1 items"
    ]
    assert texts(match_value("strr", "x", "type")) == [
        "$: expected a known type name, not 'strr', got \"x\""
    ]
    assert texts(match_value(5, "x", "type")) == ['$: expected a type description, not 5, got "x"']


def test_type_description_problems() -> None:
    assert type_description_problems({"a": "str|null", "b": ["int"]}) == []
    assert type_description_problems({"a": "strng", "b": [3]}) == [
        "$.a: unknown type name 'strng' (known: any, array, bool, boolean, date, datetime, "
        "decimal, dict, float, int, integer, list, mapping, none, null, number, object, str, "
        "string, uuid)",
        "$.b[0]: expected a type name such as 'str' or a mapping/list of them, got 3",
    ]


def test_unusual_keys_are_quoted_in_paths_and_long_values_shortened() -> None:
    (mismatch,) = match_value({"a b": "x" * 100}, {"a b": "y"}, "exact")
    assert mismatch.path == '$["a b"]'
    assert mismatch.expected.endswith("...")
    assert len(mismatch.expected) == 80


def test_unknown_modes_are_refused() -> None:
    with pytest.raises(ValueError, match="'fuzzy' is not a valid MatchModeEnum"):
        match_value(1, 1, "fuzzy")


def test_a_numeric_column_matches_the_yaml_number_by_decimal_value() -> None:
    from decimal import Decimal

    assert match_value({"balance": 12.5}, {"balance": Decimal("12.50")}, "contains") == []
    assert match_value(0.1, Decimal("0.1"), "exact") == []
    assert match_value(12.5, Decimal("12.51"), "exact") != []


def test_a_timestamptz_column_matches_an_iso_instant_and_only_that_instant() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    opened = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert match_value("2026-01-02T03:04:05Z", opened, "exact") == []
    assert match_value("2026-01-02T04:04:05+01:00", opened, "exact") == []
    assert match_value("2026-01-02T03:04:06Z", opened, "exact") != []
    assert match_value("2026-01-02T03:04:05", opened, "exact") != [], "a zone is required"
    assert match_value("later", opened.astimezone(timezone(timedelta(hours=2))), "exact") != []
