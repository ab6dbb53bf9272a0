"""Replaying a recorded scenario run: the recorded start state, the recorded inputs again, the
outputs compared.

The scenario's file gives the node, the services and the structure (topics, tables); its steps
are rebuilt from the replay log: each step gets the input it had (references already resolved),
a publish its recorded correlation id. The run starts in a fresh namespace from the recorded
start state (onex_runner.recorded_start: the seeded state's recorded Kafka records, then each
kind's state loader puts the recorded rows, keys and group offsets in place), not from what the
scenario's seeds would make today; the start state it then reads is compared with the recorded
one first. Then each step's outcome, output and events are compared in order, and the
expectations' when the whole scenario is replayed. What changes from run to run anyway
(correlation ids, offsets, partitions, timestamps, TTLs, durations, namespaces) is left out.
The first difference is reported with its path (`$.steps[1] (process).output.accepted`).

Replaying a mock-mode recording in real mode (`mode=real`) is how a mock/real difference is
reproduced step by step; a mock recording holds no start state, so its replay starts from the
scenario's own setup.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onex_scenario import DependencyModeEnum, LoadedScenario, ScenarioConfigModel
from onex_scenario.loader import ScenarioLoader

from onex_runner.engine import RunOptions, ScenarioRunner
from onex_runner.recorded_start import RecordingCut, recorded_start
from onex_runner.replay_log import replay_record
from onex_runner.results import ModelScenarioResult
from onex_runner.snapshots import VOLATILE
from onex_runner.state_diff import first_difference

IGNORED = VOLATILE | {"timestamp", "ttl_s"}
"""Left out of every comparison: values that differ between any two runs."""
IGNORED_IN_STATE = IGNORED | {"groups"}
"""The start state's consumer groups too: `expect_event` makes one of a random name."""


class ReplayError(ValueError):
    """A replay that cannot start (no such step, a file that moved): the message says why."""


@dataclass(frozen=True)
class Difference:
    path: str
    recorded: Any
    replayed: Any

    def __str__(self) -> str:
        return f"first difference at {self.path}: recorded {_show(self.recorded)}, replayed " + (
            _show(self.replayed)
        )


@dataclass(frozen=True)
class ReplayOutcome:
    result: ModelScenarioResult
    compared: int
    """How many steps (and expectations) were compared."""
    difference: Difference | None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "…"


def _stable(value: Any, ignored: frozenset[str] | set[str] = IGNORED) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v, ignored) for k, v in value.items() if k not in ignored}
    if isinstance(value, list):
        return [_stable(v, ignored) for v in value]
    return value


def _rebuilt(step: dict[str, Any]) -> dict[str, Any]:
    """The step as it ran: its recorded input under its action (a call step's input holds its
    action key itself)."""
    action, given = step["action"], step["input"]
    if isinstance(given, dict) and action in given:
        return {"id": step["id"], **given}
    if action == "publish" and isinstance(given, dict):
        given = {**given, "correlation_id": step["correlation_id"]}
    return {"id": step["id"], action: given}


def replay_scenario(record: dict[str, Any], step: str | None) -> LoadedScenario:
    """The scenario of `record` with its steps rebuilt from the recording (up to `step`, and
    without expectations then)."""
    path = Path(str(record["path"]))
    if not path.is_file():
        raise ReplayError(f"{path}: the recorded scenario's file is not there any more")
    steps = list(record["steps"])
    if step is not None:
        ids = [s["id"] for s in steps]
        if step not in ids:
            raise ReplayError(f"no step {step!r} was recorded (recorded: {', '.join(ids)})")
        steps = steps[: ids.index(step) + 1]
    loaded = ScenarioLoader().load(path)
    data = loaded.scenario.model_dump(mode="json", by_alias=True, exclude_unset=True)
    data["steps"] = [_rebuilt(s) for s in steps]
    if step is not None:
        data["expect"] = []
    return LoadedScenario(loaded.path, ScenarioConfigModel.model_validate(data), loaded.origin)


def compare(
    record: dict[str, Any], replayed: dict[str, Any], step: str | None
) -> tuple[int, Difference | None]:
    """How many steps were compared, and the first difference between two replay records."""
    recorded_start, new_start = record.get("start_state"), replayed.get("start_state")
    if recorded_start is not None and new_start is not None:
        found = first_difference(
            _stable(recorded_start, IGNORED_IN_STATE),
            _stable(new_start, IGNORED_IN_STATE),
            "$.start_state",
        )
        if found is not None:
            return 0, Difference(*found)
    pairs = [("steps", s) for s in record["steps"]]
    if step is not None:
        ids = [s["id"] for s in record["steps"]]
        pairs = pairs[: ids.index(step) + 1]
    else:
        pairs += [("expectations", s) for s in record["expectations"]]
    counters = {"steps": 0, "expectations": 0}
    for compared, (where, expected) in enumerate(pairs):
        index = counters[where]
        counters[where] += 1
        label = f"$.{where}[{index}] ({expected['id']})"
        others = replayed[where]
        if index >= len(others):
            return compared, Difference(label, expected["outcome"], "not run")
        kept = ("outcome", "output", "events")
        found = first_difference(
            _stable({k: expected[k] for k in kept}), _stable({k: others[index][k] for k in kept})
        )
        if found is not None:
            path, left, right = found
            return compared, Difference(label + path.removeprefix("$"), left, right)
    return len(pairs), None


async def replay(
    record: dict[str, Any], *, step: str | None = None, mode: DependencyModeEnum | None = None
) -> ReplayOutcome:
    loaded = replay_scenario(record, step)
    try:
        start = recorded_start(record)
    except RecordingCut as exc:
        raise ReplayError(str(exc)) from None
    runner = ScenarioRunner(RunOptions(force_mode=mode, start=start))
    try:
        result = await runner.run(loaded)
    finally:
        await runner.close()
    compared, difference = compare(record, replay_record(result), step)
    return ReplayOutcome(result=result, compared=compared, difference=difference)
