"""The app under test in the run's health rounds: healthy while its readiness probe answers and
all under it is healthy; unusable with the chain named when a service under it is not; not
running once stopped. The app is a real process (the echo app)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from onex_runner.app_health import app_health
from onex_runner.app_process import AppUnderTest
from onex_scenario import ModelAppSpec
from onex_services.models import HealthResult, HealthStatus
from onex_services.settings import Paths

pytestmark = pytest.mark.unit

ECHO_APP = Path(__file__).parent / "apps" / "echo_app.py"


def _result(kind: str, error: str | None) -> HealthResult:
    return HealthResult(
        kind=kind,
        endpoint="x",
        status=HealthStatus.UNHEALTHY if error else HealthStatus.HEALTHY,
        latency_ms=1.0,
        attempts=1,
        error=error,
    )


async def test_the_apps_health_is_its_probe_and_the_chain_under_it(tmp_path: Path) -> None:
    spec = ModelAppSpec.model_validate(
        {"command": [sys.executable, str(ECHO_APP), "${app.port}"], "ready": {"http": "/healthz"}}
    )
    paths = Paths(state_dir=tmp_path / "s", cache_dir=tmp_path / "c", run_dir=tmp_path / "r")
    app = AppUnderTest(
        spec,
        project_root=tmp_path,
        namespace="onex_t",
        services={},
        paths=paths,
        depends_on=("connect", "kafka"),
    )
    await app.start()
    try:
        fine = {"kafka": _result("kafka", None), "connect": _result("connect", None)}
        assert (await app_health("app", app, fine)).healthy
        broken = {
            "kafka": _result("kafka", "not running"),
            "connect": _result("connect", "unusable: depends on kafka (down)"),
        }
        result = await app_health("app", app, broken)
        assert not result.healthy
        assert result.error == "unusable: depends on connect -> kafka (down)"
    finally:
        await app.stop()
    assert (await app_health("app", app, fine)).error == "not running"
