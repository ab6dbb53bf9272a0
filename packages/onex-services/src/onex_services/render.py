"""Tables and JSON for `onex services ...` and `invoke services.*` (one rendering for both)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from onex_scenario.display import plain_text
from onex_scenario.redaction import redact
from rich.table import Table
from rich.text import Text

from onex_services.models import HealthResult, RunState, ServiceStatus


def _uptime(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{seconds:.1f}s"


# Cells that hold what a service said (endpoints, errors) go in as `plain_text`: never markup.
def _health_cell(health: HealthResult | None) -> Text:
    if health is None:
        return Text("-")
    if health.healthy:
        return Text.assemble(("ok", "green"), f" {health.latency_ms:.0f} ms")
    return Text.assemble(("failing", "red"), ": ", plain_text(health.error or "no reason given"))


HEALTH_MIN_WIDTH = len("ok 999 ms")
SHORT_CONTAINER_ID = 12
"""How much of a container id the table shows, as `docker ps` does (JSON keeps the whole id):
64 characters in a column that never wraps squeezed the health column out of a narrow console."""


def _who(pid: int | None, container: str | None) -> str:
    if pid is not None:
        return str(pid)
    return container[:SHORT_CONTAINER_ID] if container else "-"


def status_table(rows: Sequence[ServiceStatus]) -> Table:
    table = Table(title="ONEX services", title_justify="left")
    for column in ("service", "backend", "endpoint", "status", "health", "pid", "uptime"):
        table.add_column(
            column,
            # A cluster's endpoint (three addresses) folds before the health cell is squeezed
            # out: "ok 12 ms" is what the table is read for.
            no_wrap=column not in ("health", "endpoint"),
            overflow="fold" if column == "endpoint" else "ellipsis",
            min_width=HEALTH_MIN_WIDTH if column == "health" else None,
        )
    for row in rows:
        state = Text("running", "green") if row.state is RunState.RUNNING else Text("down", "red")
        if row.blocked_by is not None:
            state.append(f" ({plain_text(row.blocked_by)})")
        table.add_row(
            row.kind,
            row.backend,
            plain_text(row.endpoint),
            state,
            _health_cell(row.health),
            plain_text(_who(row.pid, row.container)),
            _uptime(row.uptime_s),
        )
        for member in row.members:  # a cluster's brokers, one line each under it
            running = member.state is RunState.RUNNING
            table.add_row(
                f"  {plain_text(member.name)}",
                "",
                f"127.0.0.1:{member.port}",
                Text("running", "green") if running else Text("down", "red"),
                "",
                plain_text(_who(member.pid, member.container)),
                "",
            )
    return table


def health_table(results: Sequence[HealthResult]) -> Table:
    table = Table(title="ONEX service health", title_justify="left")
    for column in ("service", "endpoint", "status", "latency", "attempts", "error"):
        table.add_column(column, overflow="fold")
    for result in results:
        table.add_row(
            result.kind,
            plain_text(result.endpoint),
            Text("healthy", "green") if result.healthy else Text("unhealthy", "red"),
            f"{result.latency_ms:.1f} ms",
            str(result.attempts),
            plain_text(result.error or ""),
        )
    return table


def to_json(items: Sequence[ServiceStatus] | Sequence[HealthResult] | dict[str, Any]) -> str:
    if isinstance(items, dict):
        return json.dumps(redact(items), indent=2)
    return json.dumps(redact([item.model_dump(mode="json") for item in items]), indent=2)
