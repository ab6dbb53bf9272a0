"""Kafka Connect, the kind: a real worker the harness started on the stack's own Kafka, in
distributed mode, with internal topics named after the stack, that moves a file into a topic;
its janitor removes a namespace's connectors and nothing else."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from onex_scenario.kafka_security import kafka_client_options
from onex_services import ServiceEndpoint
from onex_services.kinds.connect import SPEC, worker_group
from onex_services.kinds.connect.rest import ConnectRest
from onex_services.pytest_fixtures import ServicesHolder

pytestmark = pytest.mark.integration


async def _records(bootstrap: str, topic: str, count: int) -> list[str]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        **kafka_client_options(),
        auto_offset_reset="earliest",
        group_id=None,
    )
    await consumer.start()
    try:
        got: list[str] = []
        while len(got) < count:
            record = await asyncio.wait_for(consumer.getone(), 30)
            got.append((record.value or b"").decode())
        return got
    finally:
        await consumer.stop()


async def test_the_worker_runs_on_the_stacks_kafka_with_its_own_internal_topics(
    real_connect: ServiceEndpoint, real_kafka: ServiceEndpoint, onex_services: ServicesHolder
) -> None:
    info = await ConnectRest(real_connect.connect_url).request("GET", "/")
    admin = AIOKafkaAdminClient(
        bootstrap_servers=real_kafka.bootstrap_servers, **kafka_client_options()
    )
    await admin.start()
    try:
        cluster = (await admin.describe_cluster())["cluster_id"]
        topics = await admin.list_topics()
    finally:
        await admin.close()
    assert info["kafka_cluster_id"] == cluster  # the worker runs on this very Kafka
    state = onex_services.manager.current()
    assert state is not None
    assert "connect" in state.services
    group = worker_group(Path(state.stack_dir).name)
    assert {f"{group}.configs", f"{group}.offsets", f"{group}.status"} <= set(topics)


async def test_a_file_source_connector_feeds_a_topic_and_the_janitor_removes_it(
    real_connect: ServiceEndpoint,
    real_kafka: ServiceEndpoint,
    onex_namespace: str,
    tmp_path: Path,
) -> None:
    rest = ConnectRest(real_connect.connect_url)
    name = f"{onex_namespace}.lines-{uuid.uuid4().hex[:6]}"
    topic = name
    lines = [f"line-{i}-{uuid.uuid4().hex[:6]}" for i in range(3)]
    source = tmp_path / "lines.txt"
    source.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    os.chmod(tmp_path, 0o755)  # the worker may run as another user
    janitor = SPEC.janitor(real_connect.connect_url, onex_namespace)
    try:
        await rest.put_config(
            name,
            {
                "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
                "file": str(source),
                "topic": topic,
                "topic.creation.default.replication.factor": "1",
                "topic.creation.default.partitions": "1",
            },
        )
        assert await _records(real_kafka.bootstrap_servers, topic, 3) == lines
        assert await janitor.verify_clean() == [f"connector {name}"]
        assert await janitor.cleanup() == [f"connector {name}"]
        assert name not in await rest.connectors()
        assert await janitor.verify_clean() == []
    finally:
        await janitor.cleanup()
        admin = AIOKafkaAdminClient(
            bootstrap_servers=real_kafka.bootstrap_servers, **kafka_client_options()
        )
        await admin.start()
        try:
            if topic in await admin.list_topics():
                await admin.delete_topics([topic])
        finally:
            await admin.close()
