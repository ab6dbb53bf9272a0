"""`onex services` tables show what a service said as text: no markup, no terminal codes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from onex_services.commands import save_log
from onex_services.models import (
    HealthResult,
    HealthStatus,
    MemberStatus,
    RunState,
    ServiceStatus,
)
from onex_services.render import health_table, status_table, to_json
from rich.console import Console

pytestmark = pytest.mark.unit

SAID = "[/] [bold]x :x: \x1b[31m postgresql://onex:pw-123@127.0.0.1:5/db"


def test_a_services_error_is_printed_literally_with_its_password_hidden() -> None:
    result = HealthResult(
        kind="postgres", endpoint="postgresql://onex:pw-123@127.0.0.1:5/db",
        status=HealthStatus.UNHEALTHY, latency_ms=1.0, attempts=1, error=SAID,
    )  # fmt: skip
    console = Console(record=True, width=400)
    console.print(health_table([result]))
    shown = console.export_text()
    assert "[/] [bold]x :x: \\x1b[31m" in shown
    assert "\x1b" not in shown
    assert "pw-123" not in shown
    assert "pw-123" not in to_json([result])


def test_a_saved_log_has_its_secrets_redacted_and_is_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEX_REDIS_PASSWORD", "generated-redis-pw")
    source = tmp_path / "postgres.log"
    source.write_text(
        "FATAL: auth for postgresql://onex:pw-123@127.0.0.1:5/db\nAUTH generated-redis-pw refused\n"
    )
    target = tmp_path / "reports" / "postgres.log"
    save_log(source, target)
    text = target.read_text()
    assert "pw-123" not in text
    assert "generated-redis-pw" not in text
    assert text.splitlines() == [
        "FATAL: auth for postgresql://onex:***@127.0.0.1:5/db",
        "AUTH *** refused",
    ]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_compose_clusters_status_keeps_its_health_column_in_a_narrow_console() -> None:
    ids = [f"{n}" * 64 for n in "abc"]
    row = ServiceStatus(
        kind="kafka", backend="compose", endpoint="127.0.0.1:1,127.0.0.1:2,127.0.0.1:3",
        state=RunState.RUNNING, container=ids[0],
        health=HealthResult(
            kind="kafka", endpoint="127.0.0.1:1", status=HealthStatus.HEALTHY, latency_ms=3.0,
            attempts=1,
        ),
        members=tuple(
            MemberStatus(name=f"broker-{n}", port=n, container=ids[n - 1], state=RunState.RUNNING)
            for n in (1, 2, 3)
        ),
    )  # fmt: skip
    console = Console(record=True, width=100)
    console.print(status_table([row]))
    shown = console.export_text()
    assert "ok 3 ms" in shown
    assert all(f"{n}" * 12 in shown and f"{n}" * 13 not in shown for n in "abc")
    assert to_json([row]).count(ids[0]) == 2  # the record's and its first member's, whole
