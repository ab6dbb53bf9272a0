"""Per-test namespaces: create + drop on Kafka, PostgreSQL and Redis, pooled and unpooled.

Starts a process-backend stack in its own state and run directories (the shared stack is not
touched) and prints, per test, the cost of making and dropping a namespace on all three services:
through the `NamespacePool` (admin connections kept open; what `onex_test_namespace` does) and
through the janitors (new connections per call; what a per-test namespace cost before), and the
floor: the same calls on raw clients held open, with the pool's ratio to it. Each test does the
same work between them: a table of 100 rows and 100 keys in its namespace. Then a test that
starts from a seeded state (`@pytest.mark.onex_state`): the seed copied, against the same SQL run
in each test. It asserts nothing.

    python benchmarks/bench_namespaces.py [--tests 100]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import asyncpg
import redis.asyncio as aioredis
from onex_scenario.models import ModelSeededState
from onex_scenario.sql_files import read_statements
from onex_services.claims import NamespaceClaims
from onex_services.kinds.postgres import PostgresSchemaManager
from onex_services.kinds.postgres_schemas import scoped_dsn
from onex_services.manager import ToolServiceManager
from onex_services.models import ServiceEndpoint
from onex_services.namespace_pool import NamespacePool, ScopedNamespace
from onex_services.namespace_seeds import NamespaceSeeds
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


def raw_clients(endpoints: dict[str, ServiceEndpoint], runs: int) -> list[float]:
    """The floor: what the same create and drop cost a careful user on raw clients held open
    (CREATE SCHEMA, DROP SCHEMA ... CASCADE, SCAN + UNLINK of the prefix), no harness at all."""

    async def all_runs() -> list[float]:
        conn = await asyncpg.connect(endpoints["postgres"].url)
        client = aioredis.Redis.from_url(endpoints["redis"].url)
        times: list[float] = []
        try:
            for _ in range(runs + 1):
                name = f"onex_r{uuid.uuid4().hex[:10]}"
                started = time.perf_counter()
                await conn.execute(f'CREATE SCHEMA "{name}"')
                made = time.perf_counter() - started
                await _work(scoped_dsn(endpoints["postgres"].url, name), endpoints["redis"].url,
                            f"{name}:")  # fmt: skip
                started = time.perf_counter()
                await conn.execute(f'DROP SCHEMA "{name}" CASCADE')
                keys = [key async for key in client.scan_iter(match=f"{name}:*", count=1000)]
                if keys:
                    await client.unlink(*keys)
                times.append(made + time.perf_counter() - started)
        finally:
            await conn.close()
            await client.aclose()
        return times[1:]  # the first pays for the server's catalogue caches

    return asyncio.run(all_runs())


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


SEED_TABLES = 5


def _seed_sql(folder: Path) -> Path:
    """A state's SQL: SEED_TABLES tables of 100 rows with an index each."""
    lines = []
    for table in range(SEED_TABLES):
        lines.append(f"CREATE TABLE t{table} (id integer PRIMARY KEY, label text NOT NULL);")
        lines.append(f"CREATE INDEX t{table}_label ON t{table} (label);")
        rows = ", ".join(f"({i}, 'x{i}')" for i in range(100))
        lines.append(f"INSERT INTO t{table} VALUES {rows};")
    path = folder / "seed.sql"
    path.write_text("\n".join(lines) + "\n")
    return path


def seeded_figures(
    endpoints: dict[str, ServiceEndpoint], manager: ToolServiceManager, tests: int
) -> None:
    """A test that starts from a seeded state (`onex_state`): the seed schema copied and the
    keys written, against running the same SQL and writing the keys in every test."""
    with tempfile.TemporaryDirectory() as folder:
        sql = _seed_sql(Path(folder))
        keys = {f"k{i}": "v" for i in range(100)}
        state = ModelSeededState.model_validate(
            {"postgres": {"schema": str(sql)}, "redis": {"seed": keys}}
        )
        statements = read_statements([str(sql)])
        kinds = {kind: endpoints[kind] for kind in ("postgres", "redis")}
        pool = NamespacePool(kinds, claims=manager.claims)
        seeds = NamespaceSeeds({k: e.url for k, e in kinds.items()}, lambda: manager.store)

        def copied() -> float:
            started = time.perf_counter()
            namespace = pool.open()
            pool.run(seeds.apply("bench", "bench", state, namespace.name))
            pool.drop(namespace)
            return time.perf_counter() - started

        async def by_hand(namespace: ScopedNamespace) -> None:
            conn = await asyncpg.connect(namespace.dsn)
            try:
                for statement in statements:
                    await conn.execute(statement)
            finally:
                await conn.close()
            client = aioredis.Redis.from_url(namespace.url("redis"))
            try:
                await client.mset({namespace.key(k): v for k, v in keys.items()})
            finally:
                await client.aclose()

        def rerun() -> float:
            started = time.perf_counter()
            namespace = pool.open()
            asyncio.run(by_hand(namespace))
            pool.drop(namespace)
            return time.perf_counter() - started

        try:
            copied(), rerun()  # the seed is built once, and the connections opened
            copy = _timed(tests, copied)
            again = _timed(tests, rerun)
        finally:
            pool.run(seeds.close())
            pool.close()
    title = f"seeded state ({SEED_TABLES} tables x 100 rows, 100 keys)"
    print(f"  {title}, create+seed+drop")
    print(f"  {'  copied from the seed (onex_state)':<44} {_ms(copy)}")
    print(f"  {'  SQL run and keys written in each test':<44} {_ms(again)}")
    ratio = statistics.median(again) / statistics.median(copy)
    print(f"  {'  the copy is faster by':<44} {ratio:.1f}x")


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
    print(f"  {'  mean, Kafka batch drops spread over tests':<44} "
          f"{statistics.fmean(fast) * 1000:5.1f} ms")  # fmt: skip
    raw = raw_clients(endpoints, tests)
    print(f"  {'raw clients held open (PG + Redis only)':<44} {_ms(raw)}")
    print(f"  {'janitors, new connections per call':<44} {_ms(slow)}")
    ratio = statistics.median(slow) / statistics.median(fast)
    print(f"  {'pooled is faster by':<44} {ratio:.1f}x")
    print(f"  {'pooled against raw clients (median)':<44} "
          f"{statistics.median(fast) / statistics.median(raw):.2f}x the floor")  # fmt: skip
    marked = with_markers(lambda: pooled(endpoints, manager.claims, max(10, tests // 4)))
    print(f"  {'pooled, with server-side markers (external)':<44} {_ms(marked)}")
    seeded_figures(endpoints, manager, tests)


def with_markers(run: Callable[[], list[float]]) -> list[float]:
    """`run` with ONEX_NAMESPACE_MARKS=1, what the external backend does by default."""
    before = os.environ.get("ONEX_NAMESPACE_MARKS")
    os.environ["ONEX_NAMESPACE_MARKS"] = "1"
    try:
        return run()
    finally:
        if before is None:
            del os.environ["ONEX_NAMESPACE_MARKS"]
        else:
            os.environ["ONEX_NAMESPACE_MARKS"] = before


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tests", type=int, default=100)
    main(parser.parse_args().tests)
