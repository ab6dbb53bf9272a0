"""Snapshots: a JSONL record per scenario run, and golden files compared on what is stable.

The golden form keeps what must not change between runs (modes and classes of the tools, each
step's outcome, output and events) and drops what always changes (ids, offsets, timings).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from onex_scenario.private_files import append_private

from onex_runner.replay_log import append_replay
from onex_runner.results import ModelScenarioResult, redacted

VOLATILE = {"correlation_id", "offset", "duration_ms", "partition", "namespace", "endpoint"}


def append_jsonl(result: ModelScenarioResult, path: Path) -> None:
    """One line per scenario run, redacted, in a file only its owner can read; and its record
    in the replay log beside it (onex_runner.replay_log)."""
    line = json.dumps(redacted(result).model_dump(mode="json"), default=str)
    append_private(path, line + "\n")
    append_replay(result, path)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def golden_form(result: ModelScenarioResult) -> dict[str, Any]:
    """What a golden file keeps, redacted (both sides of a comparison go through here)."""
    result = redacted(result)
    return {
        "scenario": result.name,
        "outcome": str(result.outcome),
        "tools": [
            {"service": t["service"], "mode": t["mode"], "class": t["instantiated_class"]}
            for t in result.tools
        ],
        "steps": [
            {
                "id": s.id,
                "action": s.action,
                "outcome": str(s.outcome),
                "output": _strip(s.output),
                "events": _strip(s.events),
            }
            for s in [*result.steps, *result.expectations]
        ],
    }


def golden_path(result: ModelScenarioResult) -> Path:
    modes = "-".join(sorted({t["mode"] for t in result.tools})) or "none"
    path = Path(result.path)
    return path.parent / "__snapshots__" / f"{result.name}.{modes}.json"


def compare_golden(result: ModelScenarioResult, *, update: bool) -> str | None:
    """None when the golden file matches (or was written); else a message naming the difference."""
    path = golden_path(result)
    current = golden_form(result)
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(current, indent=2, sort_keys=True, default=str) + "\n")
        return None
    if not path.exists():
        return None
    golden = json.loads(path.read_text())
    if golden == json.loads(json.dumps(current, default=str)):
        return None
    return f"snapshot {path} differs; rerun with --update-snapshots if the change is intended"
