"""A clean PostgreSQL and Redis for every test: `onex_test_namespace` (from the harness's
plugin, no conftest) gives each test a schema of its own, reached by a DSN whose search_path is
that schema, and a key prefix of its own; both are dropped after the test.

Both tests below write the same order id: each passes only if it starts from an empty state.
"""

from __future__ import annotations

import asyncpg
import pytest
import redis.asyncio as aioredis
from orders_service.app import SCHEMA

pytestmark = [pytest.mark.requires_postgres, pytest.mark.requires_redis]


@pytest.mark.parametrize("run", ["first", "second"])
async def test_each_test_starts_from_an_empty_database_and_cache(onex_test_namespace, run):
    ns = onex_test_namespace
    conn = await asyncpg.connect(ns.dsn)
    try:
        await conn.execute(SCHEMA)  # the orders table, in this test's schema
        assert await conn.fetchval("SELECT count(*) FROM orders") == 0
        await conn.execute("INSERT INTO orders VALUES ('o-1', 'ABC', 2, 'accepted')")
    finally:
        await conn.close()
    cache = aioredis.Redis.from_url(ns.url("redis"))
    try:
        assert await cache.set(ns.key("order:o-1"), run, nx=True)  # nobody set it before
    finally:
        await cache.aclose()
