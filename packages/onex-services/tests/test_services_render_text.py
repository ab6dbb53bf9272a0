"""`onex services` tables show what a service said as text: no markup, no terminal codes."""

from __future__ import annotations

import pytest
from onex_services.models import HealthResult, HealthStatus, ServiceKind
from onex_services.render import health_table, to_json
from rich.console import Console

pytestmark = pytest.mark.unit

SAID = "[/] [bold]x :x: \x1b[31m postgresql://onex:pw-123@127.0.0.1:5/db"


def test_a_services_error_is_printed_literally_with_its_password_hidden() -> None:
    result = HealthResult(
        kind=ServiceKind.POSTGRES, endpoint="postgresql://onex:pw-123@127.0.0.1:5/db",
        status=HealthStatus.UNHEALTHY, latency_ms=1.0, attempts=1, error=SAID,
    )  # fmt: skip
    console = Console(record=True, width=400)
    console.print(health_table([result]))
    shown = console.export_text()
    assert "[/] [bold]x :x: \\x1b[31m" in shown
    assert "\x1b" not in shown
    assert "pw-123" not in shown
    assert "pw-123" not in to_json([result])
