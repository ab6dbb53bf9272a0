"""The state a recorded scenario started from, as `onex replay` puts it back.

A replay log holds the namespace's state before the first step (the "before" snapshot: rows,
keys, topics and groups, bounded by the scenario's `snapshot:` limits, redacted) and the Kafka
records its seeded state produced. A replay runs the scenario's setup in a fresh namespace for
the structure (topics, tables), produces the recorded records instead of those the scenario's
file names now, and then has each kind's state loader (`KindSpec.state`, `StateLoader`) replace
the namespace's contents by the recorded ones. A recording that was cut (a table over the row
limit, a value over the character limit) or that could not read a service cannot be put back,
and is refused with what to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from onex_scenario.steps import ModelPublishSpec
from pydantic import ValidationError

CUT_MARK = "… [truncated: "
"""What `onex_services.state_values.small` puts into a value it cut."""


class RecordingCut(ValueError):
    """The recorded start state is not whole (the message says where and what to change)."""


@dataclass(frozen=True)
class RecordedStart:
    state: dict[str, Any]
    """Kind → what its state reader read before the first step."""
    records: tuple[ModelPublishSpec, ...]
    """The records the seeded state produced, produced again instead of the file's."""


def _cut(value: Any, path: str) -> str | None:
    """The path of the first place `value` was cut, if any."""
    if isinstance(value, Mapping):
        if "truncated" in value:
            return f"{path} ({value['truncated']})"
        for key, item in value.items():
            found = _cut(item, f"{path}.{key}")
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _cut(item, f"{path}[{index}]")
            if found is not None:
                return found
    elif isinstance(value, str) and CUT_MARK in value:
        return f"{path} (a value of {value.split(CUT_MARK, 1)[1].rstrip(']')})"
    return None


def recorded_start(record: Mapping[str, Any]) -> RecordedStart | None:
    """The start of a replay record; None when it recorded none (a mock run's). Raises
    `RecordingCut` when the recorded state cannot be put back whole."""
    state = record.get("start_state")
    if not isinstance(state, dict):
        return None
    for kind, value in sorted(state.items()):
        if isinstance(value, Mapping) and "error" in value:
            raise RecordingCut(
                f"the recording could not read the start state of {kind} ({value['error']}): "
                "it cannot be put back"
            )
    where = _cut(state, "$.start_state")
    if where is not None:
        raise RecordingCut(
            f"the recorded start state was cut at {where}: it cannot be put back whole; record "
            "again with larger limits (the scenario's `snapshot: {rows, keys, value_chars}`)"
        )
    try:
        records = tuple(ModelPublishSpec.model_validate(r) for r in record.get("start_records", []))
    except ValidationError as exc:
        raise RecordingCut(f"the recorded start records are not records: {exc}") from None
    return RecordedStart(state=state, records=records)
