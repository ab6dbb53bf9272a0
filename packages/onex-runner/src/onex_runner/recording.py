"""What `onex run` keeps of a run besides its results: the event stream, the history row and,
with `--dashboard`, the live page. The HTML report is drawn from the same stream."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import click
from onex_scenario.display import plain_text
from rich.console import Console

from onex_runner.dashboard import DashboardServer
from onex_runner.events import EVENTS_FILE, EventStream, read_events
from onex_runner.history import HISTORY_ENV, HISTORY_EVENTS, HISTORY_FILE, append
from onex_runner.report_page import write_report
from onex_runner.results import ModelRunSummary

NONE = Path("-")


class Recording:
    """The event stream of one run (None: not recorded), its history file and its dashboard."""

    def __init__(
        self, events: Path | None, history: Path | None, dashboard: bool, console: Console
    ) -> None:
        self.events = events
        self.history = history
        self.console = console
        self.run_id = uuid.uuid4().hex[:12]
        self.stream = EventStream(events) if events is not None else None
        self._server = DashboardServer(events) if dashboard and events is not None else None

    @classmethod
    def choose(
        cls,
        events: Path | None,
        history: Path | None,
        reports: list[Path | None],
        dashboard: bool,
        console: Console,
    ) -> Recording:
        """Events go where asked, else beside the first report, else (for the dashboard) to
        reports/; a run that asked for no report and no dashboard records nothing by default.
        The history goes where asked, else $ONEX_HISTORY, else beside the events."""
        if events == NONE:
            chosen: Path | None = None
        elif events is not None:
            chosen = events
        else:
            first = next((p for p in reports if p is not None), None)
            folder = first.parent if first is not None else Path("reports") if dashboard else None
            chosen = folder / EVENTS_FILE if folder is not None else None
        if chosen is None and dashboard:
            raise click.UsageError("--dashboard needs an event stream (drop --events -)")
        kept: Path | None
        if history == NONE or chosen is None:
            kept = None
        elif history is not None:
            kept = history
        elif os.environ.get(HISTORY_ENV):
            kept = Path(os.environ[HISTORY_ENV])
        else:
            kept = chosen.parent / HISTORY_FILE
        return cls(chosen, kept, dashboard, console)

    def begin(self, total: int, workers: int, force_mode: str | None) -> None:
        if self.stream is None:
            return
        self.stream.emit(
            "run_started", run_id=self.run_id, total=total, workers=workers, force_mode=force_mode
        )
        if self._server is not None:
            url = self._server.start()
            self.console.print("dashboard:", plain_text(url), soft_wrap=True)

    def finish(
        self,
        summary: ModelRunSummary,
        differences: list[dict[str, Any]] | None,
        html: Path | None,
        *,
        interrupted: bool = False,
    ) -> list[dict[str, Any]] | None:
        """Ends the stream, appends the history, writes the HTML report; returns the events
        (without an HTML report: those the history reads)."""
        if self.stream is None or self.events is None:
            return None
        if differences is not None:
            self.stream.emit("mode_differences", differences=differences)
        self.stream.emit(
            "run_finished", summary=summary.model_dump(mode="json"), interrupted=interrupted
        )
        self.stream.close()
        events = read_events(self.events, None if html is not None else HISTORY_EVENTS)
        if self.history is not None:
            append(self.history, events)
        if html is not None:
            write_report(events, html, self.history)
        return events

    def linger(self) -> None:
        """At a terminal, keep the dashboard up with the final state until Ctrl-C."""
        if self._server is None or not sys.stdin.isatty():
            return
        self.console.print(
            "dashboard: the run is over; its final state stays at",
            plain_text(self._server.url),
            "until Ctrl-C",
            soft_wrap=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
        if self._server is not None:
            self._server.stop()
