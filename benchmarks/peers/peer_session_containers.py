"""Way 2: one PostgreSQL and one Redis container for the session (testcontainers), cleaned by
hand after each test, as such a suite's fixtures usually do it: a connection of their own that
drops and recreates the public schema, and FLUSHDB."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import peer_containers
import pytest
import redis.asyncio as aioredis
from peer_work import tests, work


@pytest.fixture(scope="session")
def containers() -> Iterator[tuple[str, str]]:
    with peer_containers.postgres() as pg, peer_containers.redis() as cache:
        yield peer_containers.postgres_dsn(pg), peer_containers.redis_url(cache)


async def _clean(dsn: str, redis_url: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()
    client = aioredis.Redis.from_url(redis_url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


@pytest.fixture
def services(containers: tuple[str, str]) -> Iterator[tuple[str, str]]:
    yield containers
    asyncio.run(_clean(*containers))


@pytest.mark.parametrize("index", tests())
def test_work(services: tuple[str, str], index: int) -> None:
    work(*services)
