"""Kafka client quotas (`limits: {kafka: ...}`) on a real broker: the broker throttles the
scenario's client id, and only it, and the quota is gone when the scenario ends, even a failed one.

The throttle is the broker's own word: every produce response carries `throttle_time_ms`, which
the producers here record (a wrapper around the client's `send` that passes every call on). No
time is measured. The broker is each test's own (state and run dirs in the test's temp dirs).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from onex_runner import OutcomeEnum, RunOptions, ScenarioRunner, private_stack
from onex_scenario import ModelLimits
from onex_scenario.kafka_security import kafka_client_options
from onex_scenario.loader import ScenarioLoader
from onex_services.kinds.kafka.quotas import client_quotas
from onex_services.manager import ToolServiceManager
from onex_services.server_limits import apply_limits, remove_limits
from onex_services.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.requires_kafka]

TOPIC = "quota-test"
RECORD = b"q" * 20_000
"""Twenty times the quota below: the first produce response already says "throttled"."""
QUOTA = {"kafka": {"producer_byte_rate": 1024}}


async def _throttle_ms(servers: str, client_id: str) -> int:
    """Send one record as `client_id`; the longest throttle the broker's responses asked for."""
    producer = AIOKafkaProducer(
        bootstrap_servers=servers, **kafka_client_options(), client_id=client_id, linger_ms=0
    )
    await producer.start()
    seen: list[int] = []
    passed_on = producer.client.send

    async def recording_send(*args: Any, **kwargs: Any) -> Any:
        response = await passed_on(*args, **kwargs)
        if type(response).__name__.startswith("ProduceResponse"):
            seen.append(response.throttle_time_ms)
        return response

    producer.client.send = recording_send
    try:
        await producer.send_and_wait(TOPIC, RECORD)
    finally:
        await producer.stop()
    assert seen, "no produce response was seen"
    return max(seen)


async def test_a_quota_throttles_its_client_id_and_no_other(own_paths: Paths) -> None:
    manager = ToolServiceManager(paths=own_paths, backend="process", reuse=False)
    lease = await manager.acquire(["kafka"], label="quotas")
    try:
        state = manager.current()
        assert state is not None
        servers = state.services["kafka"].url
        admin = AIOKafkaAdminClient(bootstrap_servers=servers, **kafka_client_options())
        await admin.start()
        try:
            await admin.create_topics([NewTopic(TOPIC, 1, 1)])
        finally:
            await admin.close()
        assert await _throttle_ms(servers, "scenario-a") == 0, "throttled before any quota"

        limits = ModelLimits.model_validate(QUOTA)
        applied = await apply_limits(manager, limits, "scenario-a")
        assert applied["kafka"] == {"client_id": "scenario-a", "producer_byte_rate": 1024.0}
        assert await _throttle_ms(servers, "scenario-a") > 0, "the quota did not throttle"
        assert await _throttle_ms(servers, "scenario-b") == 0, "another client was throttled"

        assert await remove_limits(manager, limits, "scenario-a") == {"kafka": {}}
        assert await client_quotas(servers, "scenario-a") == {}
    finally:
        await manager.release(lease)


async def test_a_failed_scenario_still_removes_its_quota(
    own_paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scenario's own client id is its namespace: the publish goes through the quota, the
    failed expectation ends the scenario, and its wind-up removes the quota before the stack
    stops (what the broker held is recorded by wrappers that call the real functions)."""
    calls: dict[str, list[tuple[str, dict[str, object]]]] = {"apply": [], "remove": []}

    def recording(name: str, real: Any) -> Any:
        async def call(manager: Any, limits: Any, client_id: str) -> dict[str, object]:
            found: dict[str, object] = await real(manager, limits, client_id)
            calls[name].append((client_id, found))
            return found

        return call

    monkeypatch.setattr(private_stack, "apply_limits", recording("apply", apply_limits))
    monkeypatch.setattr(private_stack, "remove_limits", recording("remove", remove_limits))
    path = tmp_path / "scenario_quota_then_fail.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            name: quota_then_fail
            tier: integration
            dependency_mode: real
            isolation: private
            limits: {kafka: {producer_byte_rate: 2048}}
            external_services: {kafka: {kind: kafka}}
            resources: {kafka: {topics: [{name: orders}]}}
            steps:
              - {id: place, publish: {topic: orders, key: o-1, value: {id: o-1}}}
              - id: never
                expect_event: {topic: orders, key: o-2, within: 200ms}
            """
        )
    )
    runner = ScenarioRunner(RunOptions(backend="process"))
    try:
        result = await runner.run(ScenarioLoader().load(path))
    finally:
        await runner.close()
    assert result.outcome is OutcomeEnum.FAILED, result.message
    [(client_id, applied)] = calls["apply"]
    assert client_id == result.namespace
    assert applied == {"kafka": {"client_id": client_id, "producer_byte_rate": 2048.0}}
    assert calls["remove"] == [(client_id, {"kafka": {}})]
