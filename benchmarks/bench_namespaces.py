"""Per-test namespaces: create + drop on Kafka, PostgreSQL and Redis, pooled and unpooled.

Starts a process-backend stack in its own state and run directories (the shared stack is not
touched) and prints, per test, the cost of making and dropping a namespace on all three services:
through the `NamespacePool` (admin connections kept open; what `onex_test_namespace` does) and
through the janitors (new connections per call; what a per-test namespace cost before). Each test
does the same work between the two: a table of 100 rows and 100 keys in its namespace. It asserts
nothing.

    python benchmarks/bench_namespaces.py [--tests 100]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import time
import uuid
from collections.abc import Callable, Sequence

import asyncpg
import redis.asyncio as aioredis
from onex_services.claims import NamespaceClaims
from onex_services.kinds.postgres import PostgresSchemaManager
from onex_services.kinds.postgres_schemas import scoped_dsn
from onex_services.manager import ToolServiceManager
from onex_services.models import ServiceEndpoint
from onex_services.namespace_pool import NamespacePool
from onex_services.namespaces import cleanup_namespace
from private_stack import private_manager

KINDS = ("kafka", "postgres", "redis")
TARGET_MS = 10.0


def _ms(values: Sequence[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:5.1f} ms, p95 {p95 * 1000:5.1f} ms"


async def _work(dsn: str, redis_url: str, key_prefix: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE items (id integer PRIMARY KEY, label text)")
        await conn.executemany("INSERT INTO items VALUES ($1, $2)", [(i, "x") for i in range(100)])
    finally:
        await conn.close()
    client = aioredis.Redis.from_url(redis_url)
    try:
        await client.mset({f"{key_prefix}k{i}": "v" for i in range(100)})
    finally:
        await client.aclose()


def _timed(runs: int, one: Callable[[], float]) -> list[float]:
    return [one() for _ in range(runs)]


def pooled(
    endpoints: dict[str, ServiceEndpoint], claims: NamespaceClaims, runs: int
) -> list[float]:
    pool = NamespacePool(endpoints, claims=claims)

    def one() -> float:
        started = time.perf_counter()
        namespace = pool.open()
        made = time.perf_counter() - started
        asyncio.run(_work(namespace.dsn, namespace.url("redis"), namespace.key("")))
        started = time.perf_counter()
        pool.drop(namespace)
        return made + time.perf_counter() - started

    try:
        one()  # the pool's connections are opened once per session: not a per-test cost
        return _timed(runs, one)
    finally:
        pool.close()


def unpooled(endpoints: dict[str, ServiceEndpoint], runs: int) -> list[float]:
    urls = {kind: endpoint.url for kind, endpoint in endpoints.items()}

    def one() -> float:
        name = f"onex_b{uuid.uuid4().hex[:10]}"
        started = time.perf_counter()
        asyncio.run(PostgresSchemaManager(urls["postgres"], name).create())
        made = time.perf_counter() - started
        asyncio.run(_work(scoped_dsn(urls["postgres"], name), urls["redis"], f"{name}:"))
        started = time.perf_counter()
        asyncio.run(cleanup_namespace(name, urls))
        return made + time.perf_counter() - started

    return _timed(runs, one)


async def _stack(manager: ToolServiceManager) -> dict[str, ServiceEndpoint]:
    await manager.up(list(KINDS))
    lease = await manager.acquire(list(KINDS), label="bench")
    return dict(lease.endpoints)


def main(tests: int) -> None:
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    print(f"per-test namespaces, kafka+postgres+redis ({tests} tests, {os.cpu_count()} cores)")
    with private_manager() as manager:
        try:
            _figures(manager, tests)
        finally:
            asyncio.run(manager.down(force=True))


def _figures(manager: ToolServiceManager, tests: int) -> None:
    endpoints = asyncio.run(_stack(manager))
    fast = pooled(endpoints, manager.claims, tests)
    slow = unpooled(endpoints, max(10, tests // 4))
    print(f"  {'pooled create+drop (onex_test_namespace)':<44} {_ms(fast)}"
          f"   (target <= {TARGET_MS:.0f} ms median)")  # fmt: skip
    print(f"  {'janitors, new connections per call':<44} {_ms(slow)}")
    ratio = statistics.median(slow) / statistics.median(fast)
    print(f"  {'pooled is faster by':<44} {ratio:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tests", type=int, default=100)
    main(parser.parse_args().tests)
