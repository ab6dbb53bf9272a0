"""Namespaces on real services: isolation between runs, cleanup of one namespace only."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from onex_scenario.kafka_security import kafka_client_options
from onex_services import ServiceEndpoint, cleanup_namespace, verify_clean
from onex_services.kinds.kafka.janitor import ToolKafkaResourceManager, TopicSpec
from onex_services.kinds.postgres import PostgresSchemaManager
from onex_services.kinds.redis import RedisPrefixManager

pytestmark = pytest.mark.integration


def _fresh_namespace(onex_namespace: str) -> str:
    return f"{onex_namespace}_{uuid.uuid4().hex[:6]}"


async def _drain(bootstrap: str, topic: str, group: str, expect: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        **kafka_client_options(),
        group_id=group,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        values: list[bytes] = []
        while len(values) < expect:
            batch = await consumer.getmany(timeout_ms=5000)
            if not batch:
                break
            values.extend(r.value for records in batch.values() for r in records)
        # One more poll: anything that crossed over from the other namespace would show here.
        extra = await consumer.getmany(timeout_ms=300)
        values.extend(r.value for records in extra.values() for r in records)
        await consumer.commit()
        return values
    finally:
        await consumer.stop()


async def test_two_namespaces_writing_the_same_topic_name_never_see_each_other(
    real_kafka: ServiceEndpoint, onex_namespace: str
) -> None:
    bootstrap = real_kafka.bootstrap_servers
    first = ToolKafkaResourceManager(bootstrap, _fresh_namespace(onex_namespace))
    second = ToolKafkaResourceManager(bootstrap, _fresh_namespace(onex_namespace))
    try:
        for manager in (first, second):
            await manager.create_topics([TopicSpec("orders", partitions=2)])
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **kafka_client_options())
        await producer.start()
        try:
            for index in range(5):
                await producer.send_and_wait(first.topic("orders"), f"first-{index}".encode())
                await producer.send_and_wait(second.topic("orders"), f"second-{index}".encode())
        finally:
            await producer.stop()
        seen_first = await _drain(bootstrap, first.topic("orders"), first.group("reader"), 5)
        seen_second = await _drain(bootstrap, second.topic("orders"), second.group("reader"), 5)
        assert sorted(seen_first) == [f"first-{i}".encode() for i in range(5)]
        assert sorted(seen_second) == [f"second-{i}".encode() for i in range(5)]
    finally:
        for manager in (first, second):
            await manager.cleanup()
            await manager.close()


async def test_kafka_cleanup_removes_topics_and_groups_of_its_namespace_only(
    real_kafka: ServiceEndpoint, onex_namespace: str
) -> None:
    bootstrap = real_kafka.bootstrap_servers
    base = _fresh_namespace(onex_namespace)
    mine = ToolKafkaResourceManager(bootstrap, base)
    # A namespace whose name starts with ours: a substring match would wrongly take it too.
    neighbour = ToolKafkaResourceManager(bootstrap, f"{base}_x")
    try:
        await mine.create_topics(["orders", "orders.accepted"])
        await neighbour.create_topics(["orders"])
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **kafka_client_options())
        await producer.start()
        try:
            await producer.send_and_wait(mine.topic("orders"), b"x")
        finally:
            await producer.stop()
        await _drain(bootstrap, mine.topic("orders"), mine.group("reader"), 1)
        assert await mine.list_groups() == [mine.group("reader")]

        removed = await mine.cleanup()

        assert f"kafka topic {mine.topic('orders')}" in removed
        assert f"kafka group {mine.group('reader')}" in removed
        assert await mine.verify_clean() == []
        assert await neighbour.list_topics() == [neighbour.topic("orders")]
    finally:
        await neighbour.cleanup()
        await mine.close()
        await neighbour.close()


async def test_postgres_schema_per_namespace_and_cleanup_of_one_only(
    real_postgres: ServiceEndpoint, onex_namespace: str
) -> None:
    first = PostgresSchemaManager(real_postgres.dsn, _fresh_namespace(onex_namespace))
    second = PostgresSchemaManager(real_postgres.dsn, f"{first.namespace}_x")
    try:
        for manager in (first, second):
            await manager.create()
        conn = await asyncpg.connect(real_postgres.dsn)
        try:
            for manager, value in ((first, 1), (second, 2)):
                await conn.execute(f'CREATE TABLE "{manager.schema}".orders (id int)')
                await conn.execute(f'INSERT INTO "{manager.schema}".orders VALUES ({value})')
            assert await conn.fetchval(f'SELECT id FROM "{first.schema}".orders') == 1
        finally:
            await conn.close()

        assert await first.cleanup() == [f"postgres schema {first.schema}"]

        assert await first.verify_clean() == []
        assert await second.verify_clean() == [f"postgres schema {second.schema}"]
    finally:
        await second.cleanup()


async def test_redis_prefix_per_namespace_and_cleanup_of_one_only(
    real_redis: ServiceEndpoint, onex_namespace: str
) -> None:
    first = RedisPrefixManager(real_redis.redis_url, _fresh_namespace(onex_namespace))
    second = RedisPrefixManager(real_redis.redis_url, f"{first.namespace}_x")
    client = aioredis.Redis.from_url(real_redis.redis_url)
    try:
        await client.set(first.key("cart:1"), b"a")
        await client.set(first.key("cart:2"), b"b")
        await client.set(second.key("cart:1"), b"c")

        removed = await first.cleanup()

        assert removed == [f"redis key {first.key('cart:1')}", f"redis key {first.key('cart:2')}"]
        assert await first.verify_clean() == []
        assert await client.get(second.key("cart:1")) == b"c"
    finally:
        await second.cleanup()
        await client.aclose()


async def test_verify_clean_lists_leftovers_on_every_service_until_cleanup(
    real_kafka: ServiceEndpoint,
    real_postgres: ServiceEndpoint,
    real_redis: ServiceEndpoint,
    onex_namespace: str,
) -> None:
    namespace = _fresh_namespace(onex_namespace)
    services = {
        "kafka": real_kafka.bootstrap_servers,
        "postgres": real_postgres.dsn,
        "redis": real_redis.redis_url,
    }
    kafka = ToolKafkaResourceManager(real_kafka.bootstrap_servers, namespace)
    try:
        await kafka.create_topics(["events"])
    finally:
        await kafka.close()
    await PostgresSchemaManager(real_postgres.dsn, namespace).create()
    client = aioredis.Redis.from_url(real_redis.redis_url)
    try:
        await client.set(f"{namespace}:k", b"v")
    finally:
        await client.aclose()

    leftovers = await verify_clean(namespace, services)
    assert leftovers == [
        f"kafka topic {namespace}.events",
        f"postgres schema {namespace}",
        f"redis key {namespace}:k",
    ]
    await cleanup_namespace(namespace, services)
    assert await verify_clean(namespace, services) == []
