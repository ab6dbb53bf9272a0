"""The event stream of one run: JSON lines that the reports, the dashboard and the history read.

One line per event, each an object with `type` and `t` (seconds since the epoch):

- `run_started` {run_id, total, workers, force_mode}
- `scenario_queued` {id, name, path, tier, tags}
- `scenario_started` {id}
- `scenario_prepared` {id, tools (the registry's audit records), preconditions}
- `step` {id, step (a step or expectation result), at_ms (its start, from the scenario's)}
- `scenario_finished` {id, result (the scenario result; without its steps when they came as
  `step` events), tier_label}
- `health` {kind, status, latency_ms, error, depends_on}: a deep probe of a service the run
  holds, or of an app under test that runs (its `kind` the app's name; a dependant of an
  unhealthy service is unhealthy too, its error naming the chain)
- `resource` {cpu_percent, rss_mb, system_cpu_percent}: this process, once a second
- `fault` {id, service, fault, on, step, at_ms, error}: a fault switched on or off (by a fault
  step, its `for:` running out, a heal step or the scenario's end; onex_runner.fault_ledger)
- `mode_differences` {differences}, `defect_matrix` {tiers, rows}
- `run_finished` {summary, interrupted (stopped by SIGINT: only what finished is in the stream)}

Every line is written by `onex_scenario.redaction.redacted_json` (`redact`'s result, with the
harness's own secret settings as known secrets, as UTF-8 JSON), mode 0600, so no reader has to
redact again. Lines are flushed one by one: the dashboard tails the file while it grows. What a
run pays for its stream is measured by benchmarks/bench_dashboard.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any, TextIO

import psutil
from onex_scenario.private_files import PRIVATE_MODE
from onex_scenario.redaction import known_secrets, redact, redacted_json
from onex_services.catalog import kind_graph
from onex_services.errors import ServiceError

from onex_runner.results import ModelRunSummary, ModelScenarioResult, ModelStepResult

EVENTS_FILE = "events.jsonl"


class EventStream:
    """Appends events of one run to a JSON-lines file, created anew for each run (`append`: a
    later step of the same run, such as the defect matrix of `./dev demo`, adds to it)."""

    def __init__(self, path: Path, *, append: bool = False) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
        descriptor = os.open(path, flags, PRIVATE_MODE)
        os.fchmod(descriptor, PRIVATE_MODE)  # like every report: only its owner reads it
        self._file: TextIO | None = os.fdopen(descriptor, "w", encoding="utf-8")
        self._known = known_secrets(os.environ)

    def emit(self, event_type: str, /, **fields: Any) -> None:
        if self._file is None:
            return
        event = {"type": event_type, "t": round(time.time(), 4), **fields}
        self._file.write(redacted_json(event, self._known) + "\n")
        self._file.flush()

    def scenario(self, index: int) -> ScenarioEvents:
        return ScenarioEvents(self, index)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


_STREAM_LEAVES_OUT: dict[str, Any] = {
    "steps": True,
    "expectations": True,
    # The states themselves stay in the snapshot JSONL; the stream (and the HTML report drawn
    # from it) keeps their diff.
    "state": {"before": True, "after": True},
}


class ScenarioEvents:
    """What the engine tells about one scenario while it runs (`ScenarioRunner.run(observer=)`)."""

    def __init__(self, stream: EventStream, index: int) -> None:
        self._stream = stream
        self.index = index

    def started(self) -> None:
        self._stream.emit("scenario_started", id=self.index)

    def prepared(self, tools: list[dict[str, Any]], preconditions: dict[str, Any]) -> None:
        self._stream.emit(
            "scenario_prepared", id=self.index, tools=tools, preconditions=preconditions
        )

    def step(self, result: ModelStepResult, at_ms: float) -> None:
        self._stream.emit(
            "step", id=self.index, at_ms=round(at_ms, 3), step=result.model_dump(mode="json")
        )

    def fault(self, event: dict[str, Any]) -> None:
        self._stream.emit("fault", id=self.index, **event)

    def finished(self, result: ModelScenarioResult) -> None:
        # Without its steps: each was written as a `step` event already, and redacting the same
        # values twice was most of what the stream cost a run.
        self._stream.emit(
            "scenario_finished",
            id=self.index,
            result=result.model_dump(mode="json", exclude=_STREAM_LEAVES_OUT),
            tier_label=result.tier_label,
        )


def read_events(path: Path, types: frozenset[str] | None = None) -> list[dict[str, Any]]:
    """Every complete event of a stream (of `types` only, when given: the others are not even
    parsed); a last line cut short by a crash is left out."""
    return list(_parse(path.read_text(encoding="utf-8").splitlines(), types))


_TYPE_HEAD = '{"type":"'
"""How every line `EventStream` writes begins (compact JSON, `type` first)."""


def _parse(lines: list[str], types: frozenset[str] | None = None) -> Iterator[dict[str, Any]]:
    heads = None if types is None else tuple(f'{_TYPE_HEAD}{t}"' for t in types)
    for line in lines:
        if heads is not None and line.startswith(_TYPE_HEAD) and not line.startswith(heads):
            continue
        with suppress(ValueError):
            event = json.loads(line)
            if (
                isinstance(event, dict)
                and "type" in event
                and (types is None or event["type"] in types)
            ):
                yield event


def events_from_results(
    results: list[ModelScenarioResult],
    differences: list[dict[str, Any]] | None = None,
    *,
    interrupted: bool = False,
) -> list[dict[str, Any]]:
    """A stream for results that were not run through one (the pytest plugin, API callers)."""
    now = round(time.time(), 4)
    events: list[dict[str, Any]] = [{"type": "run_started", "t": now, "total": len(results)}]
    for index, result in enumerate(results):
        events.append({"type": "scenario_finished", "t": now, "id": index,
                       "result": result.model_dump(mode="json"),
                       "tier_label": result.tier_label})  # fmt: skip
    if differences is not None:
        events.append({"type": "mode_differences", "t": now, "differences": differences})
    summary = ModelRunSummary.of(results, sum(r.duration_ms for r in results))
    events.append({"type": "run_finished", "t": now, "summary": summary.model_dump(mode="json"),
                   "interrupted": interrupted})  # fmt: skip
    known = known_secrets(os.environ)
    return [redact(event, known) for event in events]


HealthRound = Callable[[], Awaitable[list[Any] | tuple[list[Any], Mapping[str, tuple[str, ...]]]]]
"""A deep probe of what the run holds: `HealthResult`s, or (results, the edges of nodes that are
no service kind, such as the app under test: `onex_runner.app_health`)."""


async def sample(
    stream: EventStream, health_round: Callable[[], HealthRound | None], period_s: float = 1.0
) -> None:
    """Once a period until cancelled: this process's resources, and a deep probe of each service
    the run holds (`health_round()` gives None while it holds none). A probe that takes longer
    than the period delays the next sample instead of piling up."""
    process = psutil.Process()
    process.cpu_percent(None)  # the first reading is meaningless; it starts the interval
    psutil.cpu_percent(None)
    while True:
        await asyncio.sleep(period_s)
        stream.emit(
            "resource",
            cpu_percent=process.cpu_percent(None),
            rss_mb=round(process.memory_info().rss / 2**20, 1),
            system_cpu_percent=psutil.cpu_percent(None),
        )
        probe = health_round()
        if probe is None:
            continue
        try:
            found = await probe()
        except (ServiceError, OSError, RuntimeError, ValueError) as exc:
            stream.emit("health", kind="?", status="error", latency_ms=None, error=str(exc))
            continue
        needs: dict[str, tuple[str, ...]] = dict(kind_graph().needs)
        results: list[Any] = found if isinstance(found, list) else found[0]
        if isinstance(found, tuple):
            needs.update(found[1])
        for health in results:
            stream.emit(
                "health",
                kind=str(health.kind),
                status=str(health.status),
                latency_ms=round(health.latency_ms, 2),
                error=health.error,
                depends_on=list(needs.get(str(health.kind), ())),
            )
