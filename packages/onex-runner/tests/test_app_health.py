"""The app under test in the run's health rounds: healthy while its readiness probe answers and
all under it is healthy; unusable with the chain named when a service under it is not; not
running once stopped. The app is a real process (the echo app)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from onex_runner.app_health import LiveApp, app_health, app_round
from onex_runner.app_process import AppUnderTest
from onex_runner.held_services import RegistryExternalServiceManager
from onex_scenario import ModelAppSpec
from onex_services.manager import ToolServiceManager
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


def _echo_app(tmp_path: Path, ready: dict[str, object], **node: Any) -> AppUnderTest:
    """The echo app, not started, with its place in the graph (`depends_on`, `edges`)."""
    spec = ModelAppSpec.model_validate(
        {"command": [sys.executable, str(ECHO_APP), "${app.port}"], "ready": ready}
    )
    paths = Paths(state_dir=tmp_path / "s", cache_dir=tmp_path / "c", run_dir=tmp_path / "r")
    return AppUnderTest(
        spec, project_root=tmp_path, namespace="onex_t", services={}, paths=paths, **node
    )


async def test_the_apps_health_is_its_probe_and_the_chain_under_it(tmp_path: Path) -> None:
    app = _echo_app(tmp_path, {"http": "/healthz"}, depends_on=("connect", "kafka"))
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


async def test_the_scenarios_own_edges_hold_in_the_apps_chain(tmp_path: Path) -> None:
    """The app needs PostgreSQL alone; the scenario says PostgreSQL depends on Kafka: a dead
    Kafka makes PostgreSQL unusable in the round, and the app with it."""
    app = _echo_app(
        tmp_path, {"tcp": True}, depends_on=("postgres",), edges={"postgres": ("kafka",)}
    )
    await app.start()
    try:
        fine = {"kafka": _result("kafka", None), "postgres": _result("postgres", None)}
        assert (await app_health("app", app, fine)).healthy
        dead = {**fine, "kafka": _result("kafka", "not running")}
        result = await app_health("app", app, dead)
        assert result.error == "unusable: depends on postgres -> kafka (unhealthy: not running)"
        # The run's round (what the event stream carries): PostgreSQL is unusable there too.
        shared = RegistryExternalServiceManager(ToolServiceManager(paths=app.paths))
        found, needs = await app_round([LiveApp(app, shared)], shared, list(dead.values()))
        by_kind = {str(one.kind): one for one in found}
        assert by_kind["postgres"].error == "unusable: depends on kafka (unhealthy: not running)"
        assert by_kind["app"].error == result.error
        assert needs == {"postgres": ("kafka",), "app": ("postgres",)}
    finally:
        await app.stop()
