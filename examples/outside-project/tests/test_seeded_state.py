"""A seeded state per test: `@pytest.mark.onex_state("known_orders")` gives the test's
`onex_test_namespace` a copy of the state of tests/states.yaml (two orders in PostgreSQL, one
cached status in Redis). The SQL runs once per run; each test gets its own copy, so the test
below may change it as it likes: the second run starts from the seeded state again.
"""

from __future__ import annotations

import asyncpg
import pytest
import redis.asyncio as aioredis

pytestmark = [pytest.mark.requires_postgres, pytest.mark.requires_redis]


@pytest.mark.onex_state("known_orders")
@pytest.mark.parametrize("run", ["first", "second"])
async def test_each_test_starts_from_the_known_orders(onex_test_namespace, run):
    ns = onex_test_namespace
    conn = await asyncpg.connect(ns.dsn)
    try:
        rows = await conn.fetch("SELECT id, status FROM orders ORDER BY id")
        seeded = [("o-100", "accepted"), ("o-101", "shipped")]
        assert [(r["id"], r["status"]) for r in rows] == seeded
        await conn.execute("UPDATE orders SET status = 'cancelled'")  # this test's copy only
    finally:
        await conn.close()
    cache = aioredis.Redis.from_url(ns.url("redis"), decode_responses=True)
    try:
        assert await cache.getdel(ns.key("order:o-100")) == "accepted"
    finally:
        await cache.aclose()
