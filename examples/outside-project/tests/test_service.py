"""The service on real Kafka, PostgreSQL and Redis, checked with the same plain clients it uses.

The harness's pytest plugin (installed with the harness, no conftest) gives the real servers and
names in this run's namespace: `kafka_topic`, `postgres_dsn`, `redis_prefix`.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer
from orders_service.app import Settings, create_app


@asynccontextmanager
async def service(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan run (connections opened), and an HTTP client on it."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
            yield client


def settings_for(real_kafka, kafka_topic, postgres_dsn, redis_prefix) -> Settings:
    return Settings(
        kafka_bootstrap_servers=real_kafka.bootstrap_servers,
        database_url=postgres_dsn,
        redis_url=redis_prefix.url,
        orders_topic=kafka_topic("orders.placed", partitions=3),
        key_prefix=redis_prefix.prefix,
    )


async def test_an_order_becomes_a_row_a_cache_entry_and_an_event(
    real_kafka, kafka_topic, postgres_dsn, redis_prefix
):
    settings = settings_for(real_kafka, kafka_topic, postgres_dsn, redis_prefix)
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    async with service(settings) as client:
        placed = await client.post("/orders", json={"id": order_id, "sku": "ABC", "qty": 2})
        shown = await client.get(f"/orders/{order_id}")
    assert placed.status_code == 201, placed.text
    assert shown.json() == {"id": order_id, "status": "accepted", "cached": True}

    conn = await asyncpg.connect(postgres_dsn)
    try:
        row = await conn.fetchrow("SELECT sku, qty, status FROM orders WHERE id = $1", order_id)
    finally:
        await conn.close()
    assert dict(row) == {"sku": "ABC", "qty": 2, "status": "accepted"}

    cache = aioredis.Redis.from_url(redis_prefix.url)
    try:
        assert await cache.get(redis_prefix.key(f"order:{order_id}")) == b"accepted"
    finally:
        await cache.aclose()

    consumer = AIOKafkaConsumer(
        settings.orders_topic,
        bootstrap_servers=real_kafka.bootstrap_servers,
        group_id=kafka_topic.group(f"check-{order_id}"),
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        events = []
        while not any(e["id"] == order_id for e in events):
            record = await asyncio.wait_for(consumer.getone(), 30)
            events.append(json.loads(record.value))
    finally:
        await consumer.stop()
    assert {"id": order_id, "sku": "ABC", "qty": 2} in events


async def test_a_bad_order_is_refused_and_leaves_nothing(
    real_kafka, kafka_topic, postgres_dsn, redis_prefix
):
    settings = settings_for(real_kafka, kafka_topic, postgres_dsn, redis_prefix)
    async with service(settings) as client:
        refused = await client.post("/orders", json={"id": "bad-1", "sku": "ABC", "qty": 0})
        missing = await client.get("/orders/bad-1")
    assert refused.status_code == 422
    assert refused.json() == {"error": "qty must be a positive integer"}
    assert missing.status_code == 404


async def test_the_same_order_twice_is_a_conflict(
    real_kafka, kafka_topic, postgres_dsn, redis_prefix
):
    settings = settings_for(real_kafka, kafka_topic, postgres_dsn, redis_prefix)
    order = {"id": f"o-{uuid.uuid4().hex[:8]}", "sku": "XYZ", "qty": 1}
    async with service(settings) as client:
        first = await client.post("/orders", json=order)
        second = await client.post("/orders", json=order)
    assert (first.status_code, second.status_code) == (201, 409)
