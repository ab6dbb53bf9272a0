"""The crossing count of bench_runner and sim_shards finds a correlation id two runs observed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_runner import crossings

pytestmark = pytest.mark.unit


def _run(action: str, seen: str, own: str = "") -> dict[str, Any]:
    events = [{"correlation_id": own}] if own else []
    step = {"action": action, "input": {"correlation_id": "*"},
            "output": {"correlation_id": seen}, "events": events}  # fmt: skip
    return {"steps": [step], "expectations": []}


def _report(path: Path, *runs: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"scenarios": list(runs)}))
    return path


def test_ids_seen_by_two_runs_count_once_by_their_carrier(tmp_path: Path) -> None:
    one = _report(tmp_path / "a.json", _run("expect_event", "m1"), _run("expect_row", "r1"))
    two = _report(tmp_path / "b.json", _run("expect_event", "m1"), _run("expect_key", "r1"),
                  _run("expect_key", "k9", own="k9"))  # fmt: skip
    assert crossings([one, two]) == {"messages": 1, "rows": 1, "keys": 0}


def test_separate_runs_cross_nothing(tmp_path: Path) -> None:
    report = _report(tmp_path / "r.json", _run("publish", "a", own="a"), _run("publish", "b"))
    assert crossings([report]) == {"messages": 0, "rows": 0, "keys": 0}
