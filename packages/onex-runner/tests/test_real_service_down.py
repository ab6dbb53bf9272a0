"""A real scenario whose broker is not there fails (or is skipped by its own setting); it never
passes and never falls back to a mock."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from onex_runner import OutcomeEnum, PreConditionStatusEnum, RunOptions, ScenarioRunner
from onex_scenario.loader import ScenarioLoader

pytestmark = pytest.mark.integration


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dead_broker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    endpoint = f"127.0.0.1:{_dead_port()}"
    monkeypatch.setenv("ONEX_KAFKA_BOOTSTRAP_SERVERS", endpoint)
    # `auto` takes the endpoint it is pointed at; an explicit backend would start its own broker.
    monkeypatch.setenv("ONEX_SERVICES_BACKEND", "auto")
    monkeypatch.setenv("ONEX_STATE_DIR", str(tmp_path / "state"))
    return endpoint


@pytest.mark.parametrize(
    ("skip_setting", "expected"), [(False, OutcomeEnum.FAILED), (True, OutcomeEnum.SKIPPED)]
)
async def test_a_required_real_broker_that_is_down_never_passes(
    dead_broker: str, write_scenario: Any, skip_setting: bool, expected: OutcomeEnum
) -> None:
    path = write_scenario(
        f"down_{skip_setting}".lower(), tier="integration", dependency_mode="real",
        external_services={"kafka": {"kind": "kafka", "health_check_timeout": "2s"}},
        skip_if_services_unavailable=skip_setting, steps=[{"id": "b", "call": "bump"}],
    )  # fmt: skip
    runner = ScenarioRunner(RunOptions())
    try:
        result = await runner.run(ScenarioLoader().load(path))
    finally:
        await runner.close()
    assert result.outcome is expected
    assert "required real service unavailable" in result.message
    assert result.preconditions.status is PreConditionStatusEnum.UNHEALTHY
    assert result.steps == []
    assert result.tools == []
