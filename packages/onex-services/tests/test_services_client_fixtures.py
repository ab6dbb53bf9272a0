"""kafka_topic, postgres_dsn and redis_prefix: a project's own clients on real servers, in the
run's namespace, and nothing of it left after the session."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from onex_scenario.kafka_security import kafka_client_options
from onex_services import ServiceEndpoint, namespace_for, verify_clean
from onex_services.kinds.kafka.fixture import KafkaTopics
from onex_services.kinds.redis_fixture import RedisPrefix

pytestmark = pytest.mark.integration


async def test_kafka_topic_is_created_in_the_namespace_and_carries_plain_aiokafka_records(
    real_kafka: ServiceEndpoint, kafka_topic: KafkaTopics, onex_namespace: str
) -> None:
    topic = kafka_topic("orders", partitions=3)
    assert topic == f"{onex_namespace}.orders"
    assert kafka_topic("orders", partitions=3) == topic  # made once per run
    producer = AIOKafkaProducer(
        bootstrap_servers=real_kafka.bootstrap_servers, **kafka_topic.client_options
    )
    await producer.start()
    try:
        # No auto-creation on the broker: the topic exists because the fixture made it.
        assert await producer.partitions_for(topic) == {0, 1, 2}
        await producer.send_and_wait(topic, b"placed", key=b"o-1", partition=2)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=real_kafka.bootstrap_servers,
        **kafka_client_options(),
        group_id=kafka_topic.group("billing"),
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), 30)
    finally:
        await consumer.stop()
    assert (record.key, record.value, record.partition) == (b"o-1", b"placed", 2)


def test_kafka_topic_refuses_the_same_name_with_other_partitions(kafka_topic: KafkaTopics) -> None:
    kafka_topic("payments", partitions=2)
    with pytest.raises(ValueError, match="created with 2 partitions"):
        kafka_topic("payments", partitions=4)


async def test_postgres_dsn_connects_into_the_run_schema(
    postgres_dsn: str, real_postgres: ServiceEndpoint, onex_namespace: str
) -> None:
    conn = await asyncpg.connect(postgres_dsn)
    try:
        assert await conn.fetchval("SELECT current_schema()") == onex_namespace
        await conn.execute("CREATE TABLE fixture_orders (id text PRIMARY KEY)")
        await conn.execute("INSERT INTO fixture_orders VALUES ('o-1')")
    finally:
        await conn.close()
    plain = await asyncpg.connect(real_postgres.dsn)  # without the search_path option
    try:
        found = await plain.fetchval(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = $1",
            "fixture_orders",
        )
    finally:
        await plain.close()
    assert found == onex_namespace


async def test_redis_prefix_names_keys_of_the_namespace(
    redis_prefix: RedisPrefix, onex_namespace: str
) -> None:
    key = redis_prefix.key("cart:1")
    assert key == f"{onex_namespace}:cart:1"
    assert str(redis_prefix) == redis_prefix.prefix == f"{onex_namespace}:"
    client = aioredis.Redis.from_url(redis_prefix.url)
    try:
        await client.hset(key, mapping={"sku": "ABC"})
        assert await client.hgetall(key) == {b"sku": b"ABC"}
    finally:
        await client.aclose()


_INNER = """
import asyncpg, redis.asyncio as aioredis
from aiokafka import AIOKafkaProducer

async def test_leaves_things_behind(real_kafka, kafka_topic, postgres_dsn, redis_prefix):
    producer = AIOKafkaProducer(
        bootstrap_servers=real_kafka.bootstrap_servers, **kafka_topic.client_options
    )
    await producer.start()
    await producer.send_and_wait(kafka_topic("left", partitions=2), b"x")
    await producer.stop()
    conn = await asyncpg.connect(postgres_dsn)
    await conn.execute("CREATE TABLE left_behind (id int)")
    await conn.close()
    client = aioredis.Redis.from_url(redis_prefix.url)
    await client.set(redis_prefix.key("left"), "x")
    await client.aclose()
"""


async def test_the_session_removes_the_namespace_from_every_server(
    tmp_path: Path,
    real_kafka: ServiceEndpoint,
    real_postgres: ServiceEndpoint,
    real_redis: ServiceEndpoint,
) -> None:
    run_id = f"cf{uuid.uuid4().hex[:8]}"
    (tmp_path / "test_inner.py").write_text(_INNER)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    env = {**os.environ, "ONEX_RUN_ID": run_id}
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_TESTRUNUID"):
        env.pop(name, None)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    namespace = namespace_for(run_id, "main")
    targets = {e.kind: e.url for e in (real_kafka, real_postgres, real_redis)}
    assert await verify_clean(namespace, targets) == []
    claims = Path(os.environ["ONEX_STATE_DIR"]) / "namespaces" / f"{namespace}.json"
    assert not claims.exists()
