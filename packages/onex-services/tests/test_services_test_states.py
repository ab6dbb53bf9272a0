"""A seeded state per test: `@pytest.mark.onex_state` on real services. The state is built once
(a seed schema), and each test's namespace gets its own copy of it, its Redis keys and its
Kafka records; a test that changes its copy changes nothing another test sees."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer
from onex_scenario.kafka_security import kafka_client_options
from onex_scenario.sql_files import read_statements, seed_name
from onex_services import ServiceEndpoint
from onex_services.namespace_pool import ScopedNamespace

pytestmark = pytest.mark.integration
STATES = "states/orders.yaml"
SQL = Path(__file__).parent / "states" / "sql"


async def _orders(namespace: ScopedNamespace) -> list[tuple[str, int]]:
    conn = await asyncpg.connect(namespace.dsn)
    try:
        rows = await conn.fetch("SELECT id, qty FROM orders ORDER BY id")
    finally:
        await conn.close()
    return [(row[0], row[1]) for row in rows]


@pytest.mark.onex_state("orders_seed", file=STATES)
@pytest.mark.parametrize("run", ["first", "second"])
async def test_each_test_starts_from_the_seeded_state_and_may_change_its_copy(
    onex_test_namespace: ScopedNamespace, run: str
) -> None:
    namespace = onex_test_namespace
    assert await _orders(namespace) == [("o-1", 2), ("o-2", 3), ("o-3", 1)]
    conn = await asyncpg.connect(namespace.dsn)
    try:
        # The serial column's sequence came with the copy and continues from the seed's value.
        assert (
            await conn.fetchval("INSERT INTO orders (id, qty) VALUES ('new', 1) RETURNING placed")
            == 4
        )
        await conn.execute("DELETE FROM orders WHERE id <> 'new'")  # the next test must not see it
    finally:
        await conn.close()
    cache = aioredis.Redis.from_url(namespace.url("redis"), decode_responses=True)
    try:
        assert await cache.get(namespace.key("order:o-1")) == "accepted"
        assert await cache.hgetall(namespace.key("order:o-2")) == {"status": "shipped", "qty": "3"}
        assert await cache.lrange(namespace.key("queue"), 0, -1) == ["o-1", "o-2"]
        await cache.delete(namespace.key("order:o-1"))
    finally:
        await cache.aclose()


@pytest.mark.onex_state("orders_seed", file=STATES)
async def test_the_seeded_records_are_in_the_namespaces_topic(
    onex_test_namespace: ScopedNamespace,
) -> None:
    consumer = AIOKafkaConsumer(
        onex_test_namespace.topic("orders"),
        bootstrap_servers=onex_test_namespace.url("kafka"),
        **kafka_client_options(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        records = []
        for _ in range(20):
            batches = await consumer.getmany(timeout_ms=500)
            records += [r for batch in batches.values() for r in batch]
            if len(records) >= 2:
                break
    finally:
        await consumer.stop()
    assert [(r.key, r.value) for r in records] == [
        (b"o-1", b'{"id": "o-1", "qty": 2}'),
        (b"o-2", b'{"id": "o-2", "qty": 3}'),
    ]
    assert dict(records[0].headers)["correlation_id"] == b"seed-1"
    assert dict(records[1].headers)["correlation_id"]  # made up when the state gives none


@pytest.mark.onex_state("sql_only", file=STATES)
@pytest.mark.requires_postgres
async def test_a_state_is_built_once_into_a_seed_schema_the_namespace_copies(
    onex_test_namespace: ScopedNamespace, real_postgres: ServiceEndpoint
) -> None:
    seed = seed_name(read_statements([str(SQL / "orders.sql")]))
    admin = await asyncpg.connect(real_postgres.dsn)
    try:
        seeds = await admin.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = $1", seed)
        in_seed = await admin.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", seed
        )
    finally:
        await admin.close()
    assert (seeds, in_seed) == (1, 1)
    assert await _orders(onex_test_namespace) == []  # the schema, without the other state's rows
    assert onex_test_namespace.schema != seed
