"""The work every test of the side-by-side benchmark does, whichever way it gets its services:
a table of 100 rows in PostgreSQL and 100 keys in Redis, read back. A state that is not clean
fails it (CREATE TABLE without IF NOT EXISTS, a key count that must be 100)."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import redis.asyncio as aioredis

ROWS = KEYS = 100


def tests() -> range:
    """How many tests the benchmark's modules hold this run (PEER_N, set by the orchestrator)."""
    return range(int(os.environ.get("PEER_N", "20")))


async def _work(dsn: str, redis_url: str, key_prefix: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE items (id integer PRIMARY KEY, label text)")
        await conn.executemany("INSERT INTO items VALUES ($1, $2)", [(i, "x") for i in range(ROWS)])
        assert await conn.fetchval("SELECT count(*) FROM items") == ROWS
    finally:
        await conn.close()
    client = aioredis.Redis.from_url(redis_url)
    try:
        keys = [f"{key_prefix}k{i}" for i in range(KEYS)]
        await client.mset(dict.fromkeys(keys, "v"))
        assert await client.exists(*keys) == KEYS
    finally:
        await client.aclose()


def work(dsn: str, redis_url: str, key_prefix: str = "") -> None:
    asyncio.run(_work(dsn, redis_url, key_prefix))
