"""The replay log: what each scenario put in and got out, beside its snapshot.

One JSON line per scenario run in `<snapshots>.replay.jsonl` (next to `snapshots.jsonl`):
the scenario's file, the mode of each service, the state its namespace started from (with real
services: the "before" snapshot, bounded by the scenario's `snapshot:` limits, and the Kafka
records its seeded state produced), and per step its input as it ran (references resolved: a
publish's topic, key, value, headers and correlation id; a call's arguments) and its output;
per expectation its outcome and what it found. `onex replay` (onex_runner.replay) puts the
start state back, runs the inputs again and compares. Redacted like every report.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from onex_scenario.private_files import append_private
from onex_scenario.redaction import known_secrets, redact

from onex_runner.results import ModelScenarioResult, ModelStepResult

REPLAY_SUFFIX = ".replay.jsonl"


def replay_path(snapshots: Path) -> Path:
    """The replay log beside a snapshots file: snapshots.jsonl → snapshots.replay.jsonl."""
    return snapshots.with_name(snapshots.name.removesuffix(".jsonl") + REPLAY_SUFFIX)


def _step(result: ModelStepResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "action": result.action,
        "input": result.input,
        "output": result.output,
        "outcome": str(result.outcome),
        "correlation_id": result.correlation_id,
        "events": result.events,
    }


def replay_record(result: ModelScenarioResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "path": result.path,
        "outcome": str(result.outcome),
        "modes": {t["service"]: t["mode"] for t in result.tools},
        "namespace": result.namespace,
        "start_state": result.state.get("before"),
        "start_records": result.state.get("start_records", []),
        "steps": [_step(s) for s in result.steps],
        "expectations": [_step(s) for s in result.expectations],
    }


def append_replay(result: ModelScenarioResult, snapshots: Path) -> None:
    record = redact(replay_record(result), known_secrets(os.environ))
    append_private(replay_path(snapshots), json.dumps(record, default=str) + "\n")


def read_replay(path: Path, scenario: str) -> dict[str, Any]:
    """The last record of `scenario` in a replay log (or in the log beside a snapshots file, or
    in a reports folder); `LookupError` naming what is there when it has none."""
    if path.is_dir():
        path = path / f"snapshots{REPLAY_SUFFIX}"
    elif not path.name.endswith(REPLAY_SUFFIX):
        path = replay_path(path)
    if not path.is_file():
        raise LookupError(f"{path}: no replay log (run `onex run --snapshots FILE` first)")
    records: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except ValueError as exc:
            raise LookupError(f"{path}:{number}: not a JSON line ({exc})") from None
    found = [r for r in records if r.get("name") == scenario]
    if not found:
        names = ", ".join(sorted({str(r.get("name")) for r in records})) or "none"
        raise LookupError(f"{path}: no record of scenario {scenario!r} (recorded: {names})")
    return found[-1]
