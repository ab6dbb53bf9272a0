"""A clean namespace per test: `onex_test_namespace` and the pool behind it, on real services."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from onex_scenario.kafka_security import kafka_client_options
from onex_services import ServiceEndpoint
from onex_services.claims import NamespaceClaims
from onex_services.kinds.postgres_schemas import scoped_dsn
from onex_services.namespace_pool import NamespacePool, ScopedNamespace
from onex_services.polling import wait_until

pytestmark = pytest.mark.integration


async def _fill(namespace: ScopedNamespace) -> None:
    """The work of a typical test: a table of 100 rows, 100 keys and a topic, all in the
    namespace."""
    conn = await asyncpg.connect(namespace.dsn)
    try:
        await conn.execute("CREATE TABLE items (id integer PRIMARY KEY, label text)")
        await conn.executemany("INSERT INTO items VALUES ($1, $2)", [(i, "x") for i in range(100)])
    finally:
        await conn.close()
    client = aioredis.Redis.from_url(namespace.url("redis"))
    try:
        await client.mset({namespace.key(f"k{i}"): "v" for i in range(100)})
    finally:
        await client.aclose()
    admin = AIOKafkaAdminClient(bootstrap_servers=namespace.url("kafka"), **kafka_client_options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(namespace.topic("orders"), 1, 1)])

        async def listed() -> bool:  # the broker's metadata lags its answer to the creation
            return namespace.topic("orders") in await admin.list_topics()

        assert await wait_until(listed, 10), "the topic never showed in the broker's metadata"
    finally:
        await admin.close()


async def test_each_test_gets_an_empty_namespace_whose_dsn_lands_in_its_schema(
    onex_test_namespace: ScopedNamespace, real_postgres: ServiceEndpoint
) -> None:
    namespace = onex_test_namespace
    assert namespace.schema == namespace.name
    assert namespace.topic("orders") == f"{namespace.name}.orders"
    assert namespace.key("k") == f"{namespace.name}:k"
    await _fill(namespace)
    admin = await asyncpg.connect(real_postgres.dsn)  # the server's own DSN: no search_path
    try:
        schema = await admin.fetchval(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'items' "
            "AND table_schema = $1",
            namespace.schema,
        )
    finally:
        await admin.close()
    assert schema == namespace.schema


def test_a_dropped_namespace_leaves_nothing_and_the_next_one_starts_empty(
    real_kafka: ServiceEndpoint,
    real_postgres: ServiceEndpoint,
    real_redis: ServiceEndpoint,
    tmp_path: Path,
) -> None:
    claims = NamespaceClaims(tmp_path)
    endpoints = {ep.kind: ep for ep in (real_kafka, real_postgres, real_redis)}
    pool = NamespacePool(endpoints, claims=claims, batch=2)
    try:
        first = pool.open()
        assert [c.namespace for c in claims.all()[0]] == [first.name]
        asyncio.run(_fill(first))
        assert len(pool.leftovers(first.name)) == 1 + 100 + 1  # the schema, the keys, the topic
        pool.drop(first)
        # PostgreSQL and Redis are gone at once; Kafka's topic goes with the batch of two.
        assert pool.leftovers(first.name) == [f"kafka topic {first.topic('orders')}"]
        second = pool.open()
        assert second.name != first.name
        assert pool.leftovers(second.name) == [f"postgres schema {second.name}"]
        pool.drop(second)  # the batch is full: both namespaces' topics are deleted now
        assert pool.leftovers(first.name) == []
        assert pool.leftovers(second.name) == []
        assert claims.all()[0] == []
    finally:
        pool.close()


def test_the_scoped_dsn_keeps_the_options_it_had() -> None:
    dsn = scoped_dsn(
        "postgresql://u:p@h:5/db?options=-cstatement_timeout%3D5s&sslmode=off", "onex_a"
    )
    assert dsn == (
        "postgresql://u:p@h:5/db?sslmode=off&options=-cstatement_timeout%3D5s%20-csearch_path%3Donex_a"
    )
