"""The self-contained HTML report: the run's event stream and its history, embedded in the page
that the dashboard also uses (assets inline, nothing fetched). The page's script draws the
summary, the scenario-by-mode matrix, the failures with their diffs, the step waterfalls, the
services' health, the defect matrix and the trends from these two inputs alone."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from onex_scenario.private_files import write_private
from onex_scenario.redaction import known_secrets, redact

from onex_runner.history import trends
from onex_runner.ui import page

TITLE = "ONEX scenario report"


def render_report(events: list[dict[str, Any]], history: dict[str, Any] | None = None) -> str:
    data: dict[str, Any] = {"onex-events": events}
    if history is not None:
        data["onex-history"] = redact(history, known_secrets(os.environ))
    return page(TITLE, live=False, data=data)


def write_report(
    events: list[dict[str, Any]], path: Path, history_db: Path | None = None, last: int = 20
) -> None:
    history = trends(history_db, last) if history_db is not None else None
    write_private(path, render_report(events, history))
