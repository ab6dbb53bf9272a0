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


def status_table(rows: Sequence[ServiceStatus]) -> Table:
    table = Table(title="ONEX services", title_justify="left")
    for column in ("service", "backend", "endpoint", "status", "health", "pid", "uptime"):
        table.add_column(
            column,
            no_wrap=column != "health",
            overflow="fold" if column == "endpoint" else "ellipsis",
        )
    for row in rows:
        state = Text("running", "green") if row.state is RunState.RUNNING else Text("down", "red")
        if row.blocked_by is not None:
            state.append(f" ({plain_text(row.blocked_by)})")
        who = str(row.pid) if row.pid is not None else (row.container or "-")
        table.add_row(
            row.kind,
            row.backend,
            plain_text(row.endpoint),
            state,
            _health_cell(row.health),
            plain_text(who),
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
                str(member.pid) if member.pid is not None else (member.container or "-"),
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
