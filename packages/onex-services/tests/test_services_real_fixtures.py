"""The pytest fixtures hand out real, usable services from the shared stack."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from onex_scenario.kafka_security import kafka_client_options
from onex_services import ServiceEndpoint

pytestmark = pytest.mark.integration


async def test_real_kafka_round_trips_a_record(real_kafka: ServiceEndpoint) -> None:
    assert real_kafka.kind == "kafka"
    topic = f"fixture-test.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(
        bootstrap_servers=real_kafka.bootstrap_servers, **kafka_client_options()
    )
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1)])
        producer = AIOKafkaProducer(
            bootstrap_servers=real_kafka.bootstrap_servers, **kafka_client_options()
        )
        await producer.start()
        try:
            sent = await producer.send_and_wait(topic, b"hello")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=real_kafka.bootstrap_servers,
            **kafka_client_options(),
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            record = await consumer.getone()
        finally:
            await consumer.stop()
        assert (record.value, record.offset) == (b"hello", sent.offset)
    finally:
        await admin.delete_topics([topic])
        await admin.close()


async def test_real_postgres_runs_queries(real_postgres: ServiceEndpoint) -> None:
    conn = await asyncpg.connect(real_postgres.dsn)
    try:
        version = await conn.fetchval("SHOW server_version_num")
        total = await conn.fetchval("SELECT sum(x) FROM generate_series(1, 10) AS x")
    finally:
        await conn.close()
    assert int(version) >= 120000
    assert total == 55


async def test_real_redis_stores_keys(real_redis: ServiceEndpoint) -> None:
    client = aioredis.Redis.from_url(real_redis.redis_url)
    key = f"fixture-test:{uuid.uuid4().hex}"
    try:
        await client.set(key, b"v", px=10_000)
        assert await client.get(key) == b"v"
        assert await client.delete(key) == 1
    finally:
        await client.aclose()


def test_endpoint_client_strings_name_their_kind(
    real_kafka: ServiceEndpoint, real_postgres: ServiceEndpoint, real_redis: ServiceEndpoint
) -> None:
    assert real_postgres.dsn.startswith("postgresql://")
    assert real_redis.redis_url.startswith("redis://")
    assert ":" in real_kafka.bootstrap_servers
    with pytest.raises(AttributeError, match="a kafka endpoint has no dsn"):
        _ = real_kafka.dsn
