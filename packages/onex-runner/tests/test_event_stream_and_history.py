"""The event stream of `onex run`, the history drawn from it, and `onex history`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from onex_runner.cli import run
from onex_runner.events import read_events
from onex_runner.history import HISTORY_EVENTS, append, trends
from onex_runner.view_cli import history, sparkline

pytestmark = pytest.mark.unit


def _run(*args: str) -> Any:
    return CliRunner().invoke(run, [*args, "--snapshots", "-"])


def test_events_of_some_types_are_read_alone(write_scenario: Any, tmp_path: Path) -> None:
    ok = write_scenario("one_step", steps=[{"id": "a", "call": "bump"}])
    out = tmp_path / "out"
    assert _run(str(ok), "--json", str(out / "r.json")).exit_code == 0
    events = out / "events.jsonl"
    with events.open("a", encoding="utf-8") as file:  # a line of another writer's shape
        file.write('{"t": 1, "type": "scenario_finished", "result": {"name": "other"}}\n')
    kept = read_events(events, HISTORY_EVENTS)
    assert [e["type"] for e in kept] == ["run_started", "scenario_finished", "run_finished",
                                         "scenario_finished"]  # fmt: skip
    assert kept == [e for e in read_events(events) if e["type"] in HISTORY_EVENTS]


def test_a_run_writes_its_events_in_order_beside_the_report(
    write_scenario: Any, tmp_path: Path
) -> None:
    ok = write_scenario(
        "two_steps", steps=[{"id": "a", "call": "bump"}, {"id": "b", "call": "bump"}]
    )
    out = tmp_path / "out"
    result = _run(str(ok), "--html", str(out / "r.html"))
    assert result.exit_code == 0, result.output
    events = read_events(out / "events.jsonl")
    types = [e["type"] for e in events if e["type"] not in {"resource", "health"}]
    assert types == ["run_started", "scenario_queued", "scenario_started", "scenario_prepared",
                     "step", "step", "scenario_finished", "run_finished"]  # fmt: skip
    steps: list[Any] = [e for e in events if e["type"] == "step"]
    assert [s["step"]["id"] for s in steps] == ["a", "b"]
    assert steps[1]["at_ms"] >= steps[0]["at_ms"] + steps[0]["step"]["duration_ms"]
    prepared = next(e for e in events if e["type"] == "scenario_prepared")
    assert prepared["tools"] == []  # the counter node asks for no service
    assert events[-1]["summary"]["passed"] == 1


def test_secrets_never_reach_the_event_stream(write_scenario: Any, tmp_path: Path) -> None:
    leak = write_scenario(
        "leaky", steps=[{"id": "x", "call": "fail_with",
                         "kwargs": {"message": "connect postgresql://app:hunter22@db/x"}}],
    )  # fmt: skip
    out = tmp_path / "out"
    assert _run(str(leak), "--json", str(out / "r.json")).exit_code == 1
    text = (out / "events.jsonl").read_text()
    assert "hunter22" not in text
    assert "postgresql://app:***@db/x" in text


def test_no_report_asked_for_records_nothing(write_scenario: Any, tmp_path: Path) -> None:
    ok = write_scenario("quiet", steps=[{"id": "a", "call": "bump"}])
    events = tmp_path / "elsewhere" / "e.jsonl"
    assert _run(str(ok), "--events", str(events), "--history", "-").exit_code == 0
    assert events.is_file()
    assert not (events.parent / "history.sqlite").exists()


def _events(run_id: str, durations: dict[str, float], outcome: str = "passed") -> list[Any]:
    finished = [
        {"type": "scenario_finished", "t": 1.0, "id": i,
         "result": {"name": name, "path": f"{name}.yaml", "tier": "unit", "outcome": outcome,
                    "duration_ms": ms}}
        for i, (name, ms) in enumerate(durations.items())
    ]  # fmt: skip
    summary = {"total": len(durations), "passed": len(durations) if outcome == "passed" else 0,
               "failed": 0 if outcome == "passed" else len(durations), "skipped": 0,
               "errors": 0, "duration_ms": sum(durations.values())}  # fmt: skip
    return [
        {"type": "run_started", "t": float(len(run_id)), "run_id": run_id},
        *finished,
        {"type": "run_finished", "t": 2.0, "summary": summary},
    ]


def test_a_scenario_over_one_and_a_half_times_its_median_is_flagged(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    for k, (steady, jumpy) in enumerate([(10, 10), (11, 10), (10, 10), (10.5, 16)]):
        append(db, _events("r" * (k + 1), {"steady": steady, "jumpy": jumpy}))
    data = trends(db, last=10)
    assert [r["run_id"] for r in data["runs"]] == ["r", "rr", "rrr", "rrrr"]
    assert data["scenarios"]["jumpy"]["durations_ms"] == [10, 10, 10, 16]
    assert data["scenarios"]["jumpy"]["slow"] is True
    assert data["scenarios"]["steady"]["slow"] is False
    assert trends(db, last=2)["scenarios"]["jumpy"]["durations_ms"] == [10, 16]


def test_onex_history_prints_the_trend_and_the_flag(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    for k, ms in enumerate([10, 10, 10, 30]):
        append(db, _events("x" * (k + 1), {"[bold]tricky[/]": ms}))
    append(db, _events("y" * 9, {"[bold]tricky[/]": 10}, outcome="failed"))
    result = CliRunner().invoke(history, ["--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "[bold]tricky[/]" in result.output  # printed as text, not read as markup
    assert "80%" in result.output  # four passed runs of five
    assert "5 run(s)" in result.output


def test_onex_history_without_a_file_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(history, ["--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 2
    assert "no history yet" in result.output


def test_sparkline_spans_the_blocks() -> None:
    assert sparkline([1, 2, 3]) == "▁▅█"
    assert sparkline([]) == ""
