"""The record encoding both event buses share: the bytes of json.dumps, clear refusals."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from onex_registry.errors import ValueNotSerializableError
from onex_registry.kafka_rules import encode_value, new_correlation_id

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "value",
    [
        {"n": 1},
        {"order": {"id": "o-1", "lines": [1, 2.5, None, True]}, "note": "é ü 日本"},
        [],
        "text",
        0.1,
        {1: "int key", None: "none key"},
    ],
)
def test_the_bytes_are_those_of_json_dumps_compact(value: Any) -> None:
    assert encode_value(value) == json.dumps(value, separators=(",", ":")).encode()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"when": object()}, "not JSON serializable"),
        ({"ratio": float("nan")}, "Out of range float"),
        ({"ratio": float("inf")}, "Out of range float"),
    ],
)
def test_values_json_cannot_hold_are_refused_with_the_reason(value: Any, reason: str) -> None:
    with pytest.raises(ValueNotSerializableError, match=reason):
        encode_value(value)


def test_a_value_that_contains_itself_is_refused_as_a_cycle() -> None:
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(ValueNotSerializableError, match="contains itself"):
        encode_value(looped)


def test_the_encoder_is_usable_again_after_a_refusal() -> None:
    looped: dict[str, Any] = {}
    looped["self"] = looped
    with pytest.raises(ValueNotSerializableError):
        encode_value(looped)
    assert encode_value({"ok": 1}) == b'{"ok":1}'


def test_correlation_ids_are_distinct_version_4_uuids() -> None:
    ids = [new_correlation_id() for _ in range(2_000)]
    assert len(set(ids)) == len(ids)
    for text in ids[:200]:
        parsed = uuid.UUID(text)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text
