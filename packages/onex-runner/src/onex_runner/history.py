"""History of runs: each run's summary and per-scenario results appended to a SQLite file, and
the trends read back from it (duration over the last runs, pass rate, slow-downs).

The rows come from the run's event stream (`run_started`, `scenario_finished`, `run_finished`),
so the history holds the same figures as the report. A scenario whose last duration is more than
`SLOW_FACTOR` times the median of its earlier runs is flagged: the proposal's "performance
regression detection".
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from onex_scenario.private_files import PRIVATE_MODE

from onex_runner.results import ModelRunSummary, ModelScenarioResult
from onex_runner.sharding import path_key

HISTORY_ENV = "ONEX_HISTORY"
HISTORY_FILE = "history.sqlite"
DEFAULT_HISTORY = Path("reports") / HISTORY_FILE
SLOW_FACTOR = 1.5
HISTORY_EVENTS = frozenset({"run_started", "scenario_finished", "run_finished"})
"""The events a history row is made of (a run's stream without its HTML report is read for
these only)."""
MIN_EARLIER_RUNS = 2  # a median of fewer runs says too little to call a run slow

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, started REAL NOT NULL, total INTEGER NOT NULL,
    passed INTEGER NOT NULL, failed INTEGER NOT NULL, skipped INTEGER NOT NULL,
    errors INTEGER NOT NULL, duration_ms REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    run_id TEXT NOT NULL REFERENCES runs(run_id), scenario TEXT NOT NULL, path TEXT NOT NULL,
    tier TEXT NOT NULL, outcome TEXT NOT NULL, duration_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS results_by_run ON results(run_id);
"""


def history_path(given: Path | None = None) -> Path:
    """The history file: the given path, else $ONEX_HISTORY, else reports/history.sqlite."""
    if given is not None:
        return given
    return Path(os.environ.get(HISTORY_ENV) or DEFAULT_HISTORY)


@contextmanager
def _connect(db: Path) -> Iterator[sqlite3.Connection]:
    db.parent.mkdir(parents=True, exist_ok=True)
    if not db.exists():
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT, PRIVATE_MODE))  # like every report
    with closing(sqlite3.connect(db, timeout=30)) as conn, conn:
        # No fsync: the history is a local file of trends, and its syncs cost a short run more
        # than its whole event stream. A crash of the program still leaves it whole (the
        # journal); only a crash of the machine may lose or damage the last run's rows.
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(_SCHEMA)
        yield conn


def append(db: Path, events: list[dict[str, Any]]) -> str:
    """Record one run (its event stream) in the history; returns the run id it was stored as."""
    started = next((e for e in events if e["type"] == "run_started"), {})
    finished = next((e for e in reversed(events) if e["type"] == "run_finished"), None)
    results = [e["result"] for e in events if e["type"] == "scenario_finished"]
    run_id = str(started.get("run_id") or uuid.uuid4().hex)
    summary = (finished or {}).get("summary") or _summary_of(results)
    with _connect(db) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                float(started.get("t") or (events[0]["t"] if events else 0.0)),
                *(int(summary[key]) for key in ("total", "passed", "failed", "skipped", "errors")),
                float(summary["duration_ms"]),
            ),
        )
        conn.execute("DELETE FROM results WHERE run_id = ?", (run_id,))
        conn.executemany(
            "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?)",
            [(run_id, r["name"], r["path"], r["tier"], r["outcome"], r["duration_ms"])
             for r in results],
        )  # fmt: skip
    return run_id


def _summary_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary of a run that ended before it wrote one (interrupted)."""
    models = [ModelScenarioResult.model_validate(r) for r in results]
    return ModelRunSummary.of(models, sum(r.duration_ms for r in models)).model_dump()


def trends(db: Path, last: int = 20) -> dict[str, Any]:
    """The last `last` runs (oldest first) and, per scenario, its durations and outcomes in them,
    its pass rate, the median of its earlier durations and whether its last run was slow."""
    if not db.exists():
        return {"runs": [], "scenarios": {}}
    with _connect(db) as conn:
        rows = conn.execute(
            "SELECT run_id, started, total, passed, failed, skipped, errors, duration_ms "
            "FROM runs ORDER BY started DESC LIMIT ?",
            (last,),
        ).fetchall()
        runs = [
            dict(zip(("run_id", "started", "total", "passed", "failed", "skipped", "errors",
                      "duration_ms"), row, strict=True))
            for row in reversed(rows)
        ]  # fmt: skip
        order = {run["run_id"]: i for i, run in enumerate(runs)}
        marks = ",".join("?" * len(order))
        query = "SELECT run_id, scenario, outcome, duration_ms FROM results WHERE run_id IN "
        found = conn.execute(f"{query}({marks})", list(order)).fetchall()  # only placeholders
    per: dict[str, list[tuple[int, str, float]]] = {}
    for run_id, name, outcome, duration in sorted(found, key=lambda r: order[r[0]]):
        per.setdefault(name, []).append((order[run_id], outcome, duration))
    return {"runs": runs, "scenarios": {name: _trend(points) for name, points in per.items()}}


def _trend(points: list[tuple[int, str, float]]) -> dict[str, Any]:
    durations = [duration for _, _, duration in points]
    outcomes = [outcome for _, outcome, _ in points]
    earlier = durations[:-1]
    median = statistics.median(earlier) if earlier else durations[-1]
    ratio = durations[-1] / median if median > 0 else 1.0
    return {
        "durations_ms": [round(d, 3) for d in durations],
        "outcomes": outcomes,
        "pass_rate": outcomes.count("passed") / len(outcomes),
        "median_ms": median,
        "last_ms": durations[-1],
        "ratio": ratio,
        "slow": len(earlier) >= MIN_EARLIER_RUNS and ratio > SLOW_FACTOR,
    }


def recorded_durations(db: Path, last: int = 20) -> dict[str, float]:
    """Per scenario file (`sharding.path_key` of its recorded path), the median of its durations
    in ms over the last `last` runs that ran it: the weights of a shard split. Empty without a
    history, so the split falls back to equal counts."""
    if not db.exists():
        return {}
    with _connect(db) as conn:
        rows = conn.execute(
            "SELECT r.path, r.duration_ms FROM results r JOIN runs USING (run_id) "
            "ORDER BY runs.started DESC"
        ).fetchall()
    per: dict[str, list[float]] = {}
    for path, duration in rows:
        seen = per.setdefault(path_key(path), [])
        if len(seen) < last:
            seen.append(float(duration))
    return {key: statistics.median(durations) for key, durations in per.items()}
