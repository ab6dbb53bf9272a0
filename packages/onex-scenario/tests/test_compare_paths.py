"""Paths that --compare-modes ignores: their syntax and what each one covers."""

from __future__ import annotations

import pytest
from onex_scenario.compare_paths import is_ignored, parse_compare_path

pytestmark = pytest.mark.unit


def covers(text: str, path: str) -> bool:
    return is_ignored(tuple(path.split(".")), parse_compare_path(text))


def test_a_path_covers_itself_and_what_is_below_it() -> None:
    assert covers("steps.place.output.id", "steps.place.output.id")
    assert covers("steps.place", "steps.place.output.items.0.id")
    assert not covers("steps.place.output.id", "steps.place.output")
    assert not covers("steps.place.output.id", "steps.other.output.id")
    assert covers("outcome", "outcome")


def test_wildcards_brackets_and_the_dollar_shorthand() -> None:
    assert covers("steps.*.output.at", "steps.any.output.at")
    assert covers("steps.place.output.items[*].id", "steps.place.output.items.3.id")
    assert covers("expect[1].output", "expect.1.output.id")
    for path in ("steps.a.output.id", "steps.b.events.0.value.id", "expect.2.output.id"):
        assert covers("$.id", path)
    assert not covers("$.id", "steps.a.output.order.id")
    assert not covers("$.id", "steps.a.events.0.key")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected dot-separated keys"),
        ("steps..x", "expected dot-separated keys"),
        ("steps", "a path starts with \\$"),
        ("outcome.x", "a path starts with \\$"),
        ("steps.a.outputs", "after steps.a comes one of outcome, output, events"),
        ("expect.first", "expect.<n> takes the expectation's number"),
    ],
)
def test_malformed_paths_say_what_is_expected(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_compare_path(text)
