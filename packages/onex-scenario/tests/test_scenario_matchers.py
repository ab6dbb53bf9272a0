"""Matchers inside expected values: `$lt` ... `$type`, their messages, load-time checks, schema."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from onex_scenario import match_value
from onex_scenario.expected import ModelMatcher
from onex_scenario.matchers import OPERATORS, matcher_problems
from onex_scenario.schema import scenario_json_schema

from conftest import Tree

pytestmark = pytest.mark.unit

MODES = ("exact", "partial", "contains")


def texts(expected: object, actual: object, mode: str = "partial") -> list[str]:
    return [str(m) for m in match_value(expected, actual, mode)]


def test_order_matchers_compare_numbers_decimal_text_and_datetimes() -> None:
    assert texts({"ttl": {"$le": 900}, "count": {"$ge": 3}}, {"ttl": 900, "count": 7}) == []
    assert texts({"ttl": {"$le": 900}}, {"ttl": 901}) == [
        "$.ttl: expected a value at most 900, got 901"
    ]
    assert texts({"$lt": 10, "$gt": 1}, "9.50") == []  # caches give numbers as text
    assert texts({"$gt": 1}, Decimal("1.5")) == []
    assert texts({"$gt": "2026-01-01T00:00:00Z"}, "2026-12-01T23:07:25+00:00") == []
    assert texts({"$lt": "2026-01-01T00:00:00"}, dt.datetime(2027, 1, 1)) == [
        '$: expected a value below "2026-01-01T00:00:00", got "2027-01-01T00:00:00"'
    ]
    # No number is ordered against text, a boolean or a datetime.
    assert texts({"$ge": 0}, "abc") == ['$: expected a value at least 0, got "abc"']
    assert texts({"$ge": 0}, True) == ["$: expected a value at least 0, got true"]
    assert texts({"$ge": 0}, "2026-01-01T00:00:00") != []
    # A datetime with a time zone does not compare with one without.
    assert texts({"$gt": "2026-01-01T00:00:00"}, "2026-06-01T00:00:00Z") != []


def test_between_includes_both_ends() -> None:
    for value in (1, 5, 10):
        assert texts({"$between": [1, 10]}, value) == []
    assert texts({"$between": [1, 10]}, 11) == [
        "$: expected a value between 1 and 10 (inclusive), got 11"
    ]


def test_regex_searches_text_and_the_text_of_numbers() -> None:
    assert texts({"id": {"$regex": "^r-[0-9]+$"}}, {"id": "r-42"}) == []
    assert texts({"id": {"$regex": "^r-[0-9]+$"}}, {"id": "r-4x"}) == [
        "$.id: expected a string matching regex '^r-[0-9]+$', got \"r-4x\""
    ]
    assert texts({"$regex": "^[0-9]+$"}, 123) == []
    assert texts({"$regex": "x"}, None) == ["$: expected a string matching regex 'x', got null"]


def test_len_counts_strings_lists_and_mappings() -> None:
    assert texts({"items": {"$len": 3}}, {"items": [1, 2, 3]}) == []
    assert texts({"$len": {"$ge": 2}}, {"a": 1, "b": 2}) == []
    assert texts({"$len": 2}, "abc") == ['$: expected a length of 2, got length 3: "abc"']
    assert texts({"items": {"$len": {"$between": [4, 5]}}}, {"items": [1]}) == [
        "len($.items): expected a value between 4 and 5 (inclusive), got 1"
    ]
    assert texts({"$len": 1}, 5) == ["$: expected a string, list or mapping (for $len), got 5"]


def test_any_of_tries_each_alternative_in_the_current_mode() -> None:
    expected = {"status": {"$any_of": ["accepted", "pending"]}}
    assert texts(expected, {"status": "pending"}) == []
    assert texts(expected, {"status": "lost"}) == [
        '$.status: expected any of ["accepted", "pending"], got "lost"'
    ]
    assert texts({"$any_of": ["o-*", None]}, "o-1", "contains") == []
    assert texts({"$any_of": ["o-*"]}, "o-1", "exact") != []  # globs only in contains
    assert texts({"$any_of": [{"a": 1}]}, {"a": 1, "b": 2}, "partial") == []
    assert texts({"$any_of": [{"a": 1}]}, {"a": 1, "b": 2}, "exact") != []


def test_type_matcher_knows_datetime_decimal_uuid_and_date() -> None:
    row = {
        "at": "2026-12-01T23:07:25Z",
        "day": "2026-12-01",
        "price": "9.50",
        "id": str(uuid.uuid4()),
        "n": None,
    }
    expected = {
        "at": {"$type": "datetime"},
        "day": {"$type": "date"},
        "price": {"$type": "decimal"},
        "id": {"$type": "uuid"},
        "n": {"$type": "int|null"},
    }
    assert texts(expected, row) == []
    assert texts({"$type": "datetime"}, "2026-12-01") == [
        '$: expected a value of type datetime, got "2026-12-01"'
    ]
    assert texts({"$type": "decimal"}, "9,50") != []
    assert texts({"$type": "uuid"}, "not-a-uuid") != []
    assert texts({"$type": "date"}, dt.date(2026, 1, 1)) == []
    assert texts({"$type": "decimal|uuid"}, uuid.uuid4()) == []
    # The same names serve `match: type`.
    assert texts({"at": "datetime", "price": "decimal"}, row, "type") == []


def test_several_operators_must_all_hold() -> None:
    assert texts({"$gt": 1, "$lt": 3, "$type": "int"}, 2.5) == [
        "$: expected a value of type int, got 2.5"
    ]


def test_matchers_work_inside_lists_in_every_mode_and_inside_type_descriptions() -> None:
    assert texts([{"$gt": 0}, {"$lt": 0}], [1, -1], "exact") == []
    assert texts([{"$regex": "^b"}], ["a", "b"], "contains") == []
    assert texts({"qty": {"$ge": 1}, "id": "str"}, {"qty": 2, "id": "x"}, "type") == []
    assert texts({"qty": {"$ge": 3}}, {"qty": 2}, "type") == [
        "$.qty: expected a value at least 3, got 2"
    ]


def test_escaped_dollar_keys_are_plain_keys() -> None:
    assert texts({"$$ref": "x"}, {"$ref": "x"}, "exact") == []
    assert texts({"$$ref": "x"}, {"$ref": "y"}) == ['$["$ref"]: expected "x", got "y"']
    assert texts({"$$ref": "str"}, {"$ref": "x"}, "type") == []


def test_load_time_problems_name_the_operator() -> None:
    assert matcher_problems({"a": {"$regex": "("}, "b": [{"$gte": 1}]}) == [
        (
            ("a", "$regex"),
            "invalid regular expression '(': missing ), unterminated subpattern at position 0",
        ),
        (
            ("b", 0, "$gte"),
            "unknown matcher '$gte'; did you mean '$ge'? (known: $lt, $le, $gt, $ge, $between, "
            "$regex, $len, $any_of, $type; write a plain key that starts with '$' as '$$key')",
        ),
    ]
    assert matcher_problems({"$ge": 1, "qty": 2}) == [
        (
            (),
            "a mapping mixes matchers ($ge) with plain keys (qty); split them, or write a plain "
            "key that starts with '$' as '$$key'",
        )
    ]
    assert matcher_problems({"$between": [10, 1]}) == [
        (("$between",), "the low end 10 is above the high end 1")
    ]
    assert matcher_problems({"$between": [1, "2026-01-01T00:00:00"]}) == [
        (("$between",), 'expected two numbers or two datetimes, got [1, "2026-01-01T00:00:00"]')
    ]
    assert matcher_problems({"$le": "soon"}) == [
        (("$le",), 'expected a number or an ISO 8601 datetime, got "soon"')
    ]
    assert matcher_problems({"$len": -1})[0][1].startswith("expected a length")
    assert matcher_problems({"$any_of": []}) == [
        (("$any_of",), "expected a non-empty list of alternatives, got []")
    ]
    assert matcher_problems({"$any_of": [{"$type": "intt"}]})[0][0] == ("$any_of", 0, "$type")
    assert matcher_problems({"$le": "${steps.a.output.n}", "$$x": 1}) != []  # mixed keys
    assert matcher_problems({"$le": "${steps.a.output.n}"}) == []  # resolved at run time
    assert matcher_problems({"$$ref": {"$gt": 1}}) == []


def test_a_bad_matcher_in_a_file_is_reported_at_its_line(tree: Tree) -> None:
    path = tree.write(
        "unit/x.yaml",
        """
        name: x
        node: examples.nodes:Node
        steps:
          - id: run
            call: run
        expect:
          - output:
              step: run
              value:
                id: {$regex: "r-[0-9"}
          - key: {key: k, value: {ttl: {$lte: 900}}}
        """,
    )
    first, second = tree.issues("unit/x.yaml")
    assert str(first).startswith(
        f"{path}:10:22: expect[0].output.value.id.$regex: invalid regular expression 'r-[0-9': "
        "unterminated character set"
    )
    assert str(second).startswith(
        f"{path}:11:39: expect[1].key.value.ttl.$lte: unknown matcher '$lte'; did you mean '$le'?"
    )


def test_row_equals_and_event_values_are_checked_too(tree: Tree) -> None:
    tree.write(
        "unit/x.yaml",
        """
        name: x
        expect:
          - row: {table: t, equals: {qty: {$between: [3]}}}
          - event: {topic: t, value: {n: {$type: numbr}}}
        """,
    )
    assert tree.messages("unit/x.yaml") == [
        "expect[0].row.equals.qty.$between: expected [low, high], got [3]",
        "expect[1].event.value.n.$type: unknown type name 'numbr' (known: any, array, bool, "
        "boolean, date, datetime, decimal, dict, float, int, integer, list, mapping, none, null, "
        "number, object, str, string, uuid)",
    ]


def test_the_schema_offers_every_operator_wherever_a_value_is_expected() -> None:
    assert tuple(field.alias for field in ModelMatcher.model_fields.values()) == OPERATORS
    schema = scenario_json_schema()
    definitions = schema["$defs"]
    assert set(definitions["ModelMatcher"]["properties"]) == set(OPERATORS)
    assert definitions["ModelMatcher"]["additionalProperties"] is False
    reference = {"$ref": "#/$defs/ExpectedValue"}
    for model in ("ModelOutputExpectation", "ModelEventExpectation", "ModelKeyExpectation"):
        assert definitions[model]["properties"]["value"]["$ref"] == reference["$ref"]
    equals = definitions["ModelRowExpectation"]["properties"]["equals"]["anyOf"][0]
    assert equals["additionalProperties"] == reference


numbers = st.integers(-(10**6), 10**6) | st.floats(-1e6, 1e6, allow_nan=False)


@given(actual=numbers, bound=numbers)
def test_order_matchers_agree_with_python_comparisons(actual: float, bound: float) -> None:
    for operator, holds in (
        ("$lt", actual < bound),
        ("$le", actual <= bound),
        ("$gt", actual > bound),
        ("$ge", actual >= bound),
    ):
        assert (match_value({operator: bound}, actual, "exact") == []) is holds, operator
        text = str(actual)
        if "e" not in text:  # decimal text such as "9.5" compares as its number
            assert (match_value({operator: bound}, text, "exact") == []) is holds, operator


@given(actual=numbers, low=numbers, high=numbers)
def test_between_is_ge_and_le(actual: float, low: float, high: float) -> None:
    between = match_value({"$between": [low, high]}, actual, "partial") == []
    both = match_value({"$ge": low, "$le": high}, actual, "partial") == []
    assert between is both


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)


@given(expected=json_values, actual=json_values, mode=st.sampled_from(MODES))
def test_a_single_alternative_is_the_value_itself(
    expected: object, actual: object, mode: str
) -> None:
    plain = match_value(expected, actual, mode) == []
    assert (match_value({"$any_of": [expected]}, actual, mode) == []) is plain


@given(value=json_values)
def test_len_is_the_length(value: object) -> None:
    if isinstance(value, str | list | dict):
        assert match_value({"$len": len(value)}, value, "exact") == []
        assert match_value({"$len": {"$gt": len(value)}}, value, "exact") != []
