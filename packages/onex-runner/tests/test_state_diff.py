"""Differences between states: named by path, rows compared as a bag, the first one found."""

from __future__ import annotations

import pytest
from onex_runner.state_diff import MISSING, first_difference, join_path, state_diff
from onex_services.state_values import StateLimits, small

pytestmark = pytest.mark.unit


def test_a_changed_value_is_named_by_its_path_with_dotted_names_quoted() -> None:
    before = {"kafka": {"topics": {"orders.accepted": {"messages": 0}}}}
    after = {"kafka": {"topics": {"orders.accepted": {"messages": 2}}}}
    assert state_diff(before, after) == [
        {"path": 'kafka.topics["orders.accepted"].messages', "before": 0, "after": 2}
    ]


def test_keys_that_appear_or_go_are_marked_absent_on_the_other_side() -> None:
    found = state_diff({"redis": {"keys": {"a": 1}}}, {"redis": {"keys": {"b": 2}}})
    assert found == [
        {"path": "redis.keys.a", "before": 1, "after": MISSING},
        {"path": "redis.keys.b", "before": MISSING, "after": 2},
    ]


def test_rows_are_compared_as_a_bag_whatever_their_order() -> None:
    before = {"t": {"rows": [{"id": 1}, {"id": 2}, {"id": 2}]}}
    after = {"t": {"rows": [{"id": 2}, {"id": 3}, {"id": 1}]}}
    assert state_diff(before, after) == [
        {"path": "t.rows", "removed": [{"id": 2}]},
        {"path": "t.rows", "added": [{"id": 3}]},
    ]
    assert state_diff(before, {"t": {"rows": [{"id": 2}, {"id": 1}, {"id": 2}]}}) == []


def test_the_first_difference_is_in_document_order_with_its_path() -> None:
    expected = {"steps": [{"id": "a", "output": {"n": 1}}, {"id": "b", "output": {"n": 2}}]}
    actual = {"steps": [{"id": "a", "output": {"n": 1}}, {"id": "b", "output": {"n": 3}}]}
    assert first_difference(expected, actual) == ("$.steps[1].output.n", 2, 3)
    assert first_difference(expected, expected) is None
    assert first_difference([1], [1, 2]) == ("$[1]", MISSING, 2)
    assert join_path("$", "a.b") == '$["a.b"]'


def test_a_long_value_is_cut_with_a_note_saying_how_long_it_was() -> None:
    limits = StateLimits(value_chars=16)
    assert small("x" * 40, limits) == "x" * 16 + "… [truncated: 40 characters]"
    assert small(b"\xff\x00", limits) == "base64:/wA="
    assert small({"a": "b"}, limits) == {"a": "b"}
    assert str(small({"a": "y" * 40}, limits)).endswith("[truncated: 49 characters]")
