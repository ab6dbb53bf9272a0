"""Real mode reaches the broker (offsets move, seen by an independent client); mock mode opens
no connection at all."""

from __future__ import annotations

import asyncio
import socket
import uuid
from typing import Any, NoReturn

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from onex_registry import RegistryResolver
from onex_scenario import ScenarioConfigModel
from onex_scenario.kafka_security import kafka_client_options
from onex_services import ServiceEndpoint


def _scenario(mode: str) -> ScenarioConfigModel:
    return ScenarioConfigModel.model_validate(
        {
            "name": "proof",
            "tier": "integration" if mode == "real" else "unit",
            "dependency_mode": mode,
            "external_services": {"kafka": {"kind": "kafka"}},
        }
    )


@pytest.mark.integration
@pytest.mark.requires_kafka
async def test_real_mode_moves_the_brokers_offsets(real_kafka: ServiceEndpoint) -> None:
    namespace = f"onex_proof_{uuid.uuid4().hex[:8]}"
    resolver = RegistryResolver(environ={})
    plan = resolver.resolve(
        _scenario("real"), namespace=namespace, endpoints={"kafka": real_kafka.bootstrap_servers}
    )
    registry = resolver.build(plan)
    bus = registry.event_bus
    await bus.connect()
    try:
        await bus.create_topic("proof")
        for n in range(3):
            await bus.publish("proof", {"n": n})
        # An independent client, not the tool, reads the broker's end offset.
        consumer = AIOKafkaConsumer(
            bootstrap_servers=real_kafka.bootstrap_servers, **kafka_client_options()
        )
        await consumer.start()
        try:
            partition = TopicPartition(f"{namespace}.proof", 0)
            ends = await consumer.end_offsets([partition])
        finally:
            await consumer.stop()
        assert ends[partition] == 3
        assert registry.audit[0].instantiated_class.endswith("KafkaEventBus")
    finally:
        await bus.delete_namespace_topics()
        await bus.close()
    admin = AIOKafkaAdminClient(
        bootstrap_servers=real_kafka.bootstrap_servers, **kafka_client_options()
    )
    await admin.start()
    try:
        assert not [t for t in await admin.list_topics() if t.startswith(namespace)]
    finally:
        await admin.close()


@pytest.mark.unit
async def test_mock_mode_opens_no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError(f"mock mode tried to open a connection: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(asyncio, "open_connection", refuse)
    loop = asyncio.get_running_loop()
    monkeypatch.setattr(loop, "create_connection", refuse)
    resolver = RegistryResolver(environ={})
    plan = resolver.resolve(_scenario("mock"), namespace="ns")
    registry = resolver.build(plan)
    bus = registry.event_bus
    await bus.connect()
    await bus.create_topic("t")
    await bus.publish("t", {"n": 1})
    assert len(await bus.consume("t", group="g", timeout_s=1)) == 1
    assert registry.audit[0].instantiated_class.endswith("InMemoryEventBus")
