"""Durations of `onex services reap --older-than`."""

from __future__ import annotations

import pytest
from onex_services.server_marks import MARK_TAG, new_mark, parse_mark
from onex_services.shared_reap import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90.0), ("30m", 1800.0), ("2h", 7200.0), ("1d", 86400.0), ("1h30m", 5400.0)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "2", "h", "2 hours", "-1h", "2x"])
def test_bad_durations_say_what_was_expected(text: str) -> None:
    with pytest.raises(ValueError, match="expected a number and a unit"):
        parse_duration(text)


def test_a_marker_reads_back_and_a_foreign_comment_does_not() -> None:
    mark = new_mark("run1", now=1000.0, created_at=500.0)
    text = mark.text()
    assert MARK_TAG in text
    assert parse_mark(text) == mark
    assert parse_mark('{"run_id": "x"}') is None
    assert parse_mark("a comment someone wrote") is None
    assert mark.lease_held(1000.0 + mark.lease_s - 1)
    assert not mark.lease_held(1000.0 + mark.lease_s)
