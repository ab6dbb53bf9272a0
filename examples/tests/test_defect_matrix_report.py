"""The defect matrix joins a run's event stream, and the report is redrawn with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_runner.events import EventStream, read_events
from rich.console import Console

from examples.defect_matrix import TIERS, _record

pytestmark = pytest.mark.unit

ROWS: list[dict[str, object]] = [
    {"defect": "lost_correlation_id", "what": "the id is dropped",
     "caught": {"mock tier": True, "real tier": True}},
]  # fmt: skip


def test_the_matrix_is_added_to_the_runs_stream_and_report(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    stream = EventStream(events)
    stream.emit("run_started", run_id="r1", total=0)
    stream.emit("run_finished", summary={})
    stream.close()
    html = tmp_path / "demo.html"
    _record(events, html, ROWS, Console(quiet=True))
    kinds = [e["type"] for e in read_events(events)]
    assert kinds == ["run_started", "run_finished", "defect_matrix"]  # appended, nothing lost
    matrix = read_events(events)[-1]
    assert matrix["tiers"] == list(TIERS)
    assert matrix["rows"] == ROWS
    assert '"type":"defect_matrix"' in html.read_text()


def test_without_a_run_the_matrix_has_a_stream_of_its_own(tmp_path: Path) -> None:
    events = tmp_path / "defects" / "events.jsonl"
    _record(events, None, ROWS, Console(quiet=True))
    assert [e["type"] for e in read_events(events)] == ["defect_matrix"]
