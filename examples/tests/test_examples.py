"""The examples' own logic, without any service (unit tier)."""

from __future__ import annotations

import pytest

from examples.defects import (
    CAUGHT_ONLY_BY_THE_RESOURCE_CHECK,
    DEFECTS,
    FAULT_ONLY,
    MISSED_BY_THE_SQLITE_MOCK,
    active_defect,
)
from examples.kafka_event_bus_node.node import answer

pytestmark = pytest.mark.unit


def test_the_catalogue_has_the_original_ten_the_sqlite_mock_two_and_the_fault_four() -> None:
    assert len(set(DEFECTS) - CAUGHT_ONLY_BY_THE_RESOURCE_CHECK - FAULT_ONLY) == 12
    assert (
        set(DEFECTS) >= MISSED_BY_THE_SQLITE_MOCK | CAUGHT_ONLY_BY_THE_RESOURCE_CHECK | FAULT_ONLY
    )
    assert len(FAULT_ONLY) == 4


def test_an_unknown_defect_name_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEX_EXAMPLE_DEFECT", "typo")
    with pytest.raises(ValueError, match="not a known defect"):
        active_defect()


def test_no_defect_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONEX_EXAMPLE_DEFECT", raising=False)
    assert active_defect() is None


@pytest.mark.parametrize(
    ("command", "args", "reply"),
    [
        ("ping", {}, {"ok": True, "pong": True}),
        ("add", {"values": [1, 2]}, {"ok": True, "sum": 3}),
        ("nope", {}, {"ok": False, "error": "unknown command 'nope'"}),
    ],
)
def test_the_daemons_command_table(command: str, args: dict[str, object], reply: object) -> None:
    assert answer(command, args) == reply
