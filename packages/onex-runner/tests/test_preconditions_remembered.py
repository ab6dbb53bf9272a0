"""A required service that failed its pre-condition is remembered for the run, and a scenario's
`connection:` settings are probed, never ignored (unit tier: nothing listens at the addresses,
no service is started)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest
from onex_runner import OutcomeEnum, PreConditionStatusEnum, RunOptions, ScenarioRunner
from onex_scenario.loader import ScenarioLoader

pytestmark = pytest.mark.unit


def _dead_address() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def no_env_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ONEX_KAFKA_BOOTSTRAP_SERVERS", "ONEX_DB_URL", "ONEX_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)


def _scenario(write_scenario: Any, name: str, address: str, **extra: Any) -> Path:
    path: Path = write_scenario(
        name, tier="integration", dependency_mode="real",
        external_services={
            "kafka": {"kind": "kafka", "connection": {"bootstrap_servers": address}},
            "postgres": {"kind": "postgres"},
        },
        steps=[{"id": "b", "call": "bump"}], **extra,
    )  # fmt: skip
    return path


@pytest.mark.usefixtures("no_env_endpoints")
async def test_a_dead_address_fails_once_and_later_scenarios_share_its_cause(
    write_scenario: Any, run_scenarios: Any
) -> None:
    address = _dead_address()
    paths = [
        _scenario(write_scenario, "first", address),
        _scenario(write_scenario, "second", address),
        _scenario(write_scenario, "third", address, skip_if_services_unavailable=True),
    ]
    results, runner = await run_scenarios(*paths)
    assert [r.outcome for r in results] == [
        OutcomeEnum.FAILED, OutcomeEnum.FAILED, OutcomeEnum.SKIPPED,
    ]  # fmt: skip
    kafka = [next(s for s in r.preconditions.services if s.service == "kafka") for r in results]
    assert address in (kafka[0].error or "")
    assert "external_services.kafka.connection" in (kafka[0].error or "")
    assert {s.error for s in kafka} == {kafka[0].error}  # one cause, shared
    assert [s.remembered for s in kafka] == [False, True, True]
    assert runner.probes.probes[("kafka", address)] == 1
    # The harness's PostgreSQL was not started for scenarios that cannot pass anyway.
    postgres = [s for r in results for s in r.preconditions.services if s.service == "postgres"]
    assert {s.status for s in postgres} == {PreConditionStatusEnum.NOT_CHECKED}
    assert runner.probes.probes[("postgres", "harness")] == 0


@pytest.mark.usefixtures("no_env_endpoints")
async def test_scenarios_running_at_once_share_one_probe(write_scenario: Any) -> None:
    address = _dead_address()
    runs = [
        ScenarioLoader().load(_scenario(write_scenario, f"at_once_{n}", address)) for n in range(3)
    ]
    runner = ScenarioRunner(RunOptions())
    try:
        results = await asyncio.gather(*(runner.run(loaded) for loaded in runs))
    finally:
        await runner.close()
    assert {r.outcome for r in results} == {OutcomeEnum.FAILED}
    assert runner.probes.probes[("kafka", address)] == 1
    assert len({r.message for r in results}) == 1


@pytest.mark.usefixtures("no_env_endpoints")
async def test_a_connection_setting_the_tools_cannot_honour_is_refused(
    write_scenario: Any, run_scenarios: Any
) -> None:
    path = write_scenario(
        "sasl", tier="integration", dependency_mode="real",
        external_services={"kafka": {"kind": "kafka", "connection": {
            "bootstrap_servers": _dead_address(), "sasl_mechanism": "PLAIN"}}},
        steps=[{"id": "b", "call": "bump"}],
    )  # fmt: skip
    [result], _runner = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.FAILED
    assert "external_services.kafka.connection.sasl_mechanism: not supported" in result.message
    assert result.steps == []
