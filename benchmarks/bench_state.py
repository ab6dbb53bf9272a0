"""Service state: what a seeded PostgreSQL state costs per scenario, and the state machinery.

- PostgreSQL clone of a seeded state (10 tables, 1,000 rows; and 200 tables): the schema copy
  the harness uses (`onex_services.kinds.postgres_clone`), a template database
  (`CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`), and re-running the seed SQL; with ratios;
- a snapshot before and after a scenario with small state, all three services;
- restoring a Kafka checkpoint of 3 consumer groups.

Prints figures next to the targets of issue 17; it asserts nothing. Uses the shared stack
(started if need be), like the other benchmarks.

    python benchmarks/bench_state.py [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from onex_runner.service_state import NamespaceState, StateReaders
from onex_services import ToolServiceManager
from onex_services.kinds.kafka.janitor import ToolKafkaResourceManager, TopicSpec
from onex_services.kinds.postgres_clone import clone_schema
from onex_services.namespaces import cleanup_namespace
from redis.asyncio import Redis

TARGET_CLONE_MS = 150.0
TARGET_SNAPSHOT_MS = 30.0
TARGET_KAFKA_RESTORE_MS = 200.0


def _seed_sql(tables: int, rows_per_table: int) -> str:
    """A seed file as people write them: the tables, then one INSERT per row."""
    parts = []
    for n in range(tables):
        parts.append(
            f"CREATE TABLE t{n} (id serial PRIMARY KEY, name text NOT NULL, qty integer,"
            " note varchar(40));"
        )
        parts.extend(
            f"INSERT INTO t{n} (name, qty, note) VALUES ('name-{i}', {i}, 'note {i}');"
            for i in range(rows_per_table)
        )
    return "\n".join(parts)


async def _median_ms(runs: int, action: Callable[[int], Awaitable[None]]) -> float:
    times = []
    for n in range(runs):
        started = time.perf_counter()
        await action(n)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _line(name: str, value: str, target: str = "") -> None:
    print(f"  {name:<52} {value:>12}" + (f"   (target {target})" if target else ""))


async def _pg_clone(url: str, tables: int, rows: int, runs: int) -> dict[str, float]:
    """Median ms of each way to give a scenario the seeded state."""
    seed = _seed_sql(tables, rows // tables)
    tag = uuid.uuid4().hex[:8]
    source = f"onex_bench_seed_{tag}"
    conn = await asyncpg.connect(url)
    figures: dict[str, float] = {}
    try:
        await conn.execute(f'CREATE SCHEMA "{source}"; SET search_path TO "{source}"')
        await conn.execute(seed)

        async def schema_copy(n: int) -> None:
            await clone_schema(conn, source, f"onex_bench_c{tag}_{n}")

        async def rerun_seed(n: int) -> None:
            target = f"onex_bench_r{tag}_{n}"
            await conn.execute(f'CREATE SCHEMA "{target}"; SET search_path TO "{target}"')
            await conn.execute(seed)

        figures["schema copy"] = await _median_ms(runs, schema_copy)
        figures["re-run seed SQL"] = await _median_ms(runs, rerun_seed)
        for n in range(runs):
            await conn.execute(
                f'DROP SCHEMA "onex_bench_c{tag}_{n}" CASCADE;'
                f'DROP SCHEMA "onex_bench_r{tag}_{n}" CASCADE'
            )
        figures["template database (FILE_COPY)"] = await _template(conn, url, seed, tag, runs)
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{source}" CASCADE')
        await conn.close()
    return figures


async def _template(conn: Any, url: str, seed: str, tag: str, runs: int) -> float:
    template = f"onex_bench_tpl_{tag}"
    await conn.execute(f'CREATE DATABASE "{template}"')
    try:
        seeder = await asyncpg.connect(url.rsplit("/", 1)[0] + f"/{template}")
        try:
            await seeder.execute(seed)
        finally:
            await seeder.close()

        async def copy(n: int) -> None:
            await conn.execute(
                f'CREATE DATABASE "{template}_{n}" TEMPLATE "{template}" STRATEGY FILE_COPY'
            )

        median = await _median_ms(runs, copy)
        for n in range(runs):
            await conn.execute(f'DROP DATABASE "{template}_{n}"')
        return median
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{template}"')


async def _small_state(endpoints: dict[str, str], namespace: str, groups: int) -> None:
    """What a small scenario leaves: 3 topics with a few records, `groups` groups that read
    them, a table with a few rows, a few keys."""
    kafka = ToolKafkaResourceManager(endpoints["kafka"], namespace)
    await kafka.create_topics([TopicSpec("orders", 3), "orders.accepted", "orders.rejected"])
    await kafka.close()
    producer = AIOKafkaProducer(bootstrap_servers=endpoints["kafka"])
    await producer.start()
    for n in range(6):
        await producer.send_and_wait(f"{namespace}.orders", b"{}", key=f"o-{n}".encode())
    await producer.stop()
    for g in range(groups):
        consumer = AIOKafkaConsumer(
            f"{namespace}.orders",
            bootstrap_servers=endpoints["kafka"],
            group_id=f"{namespace}.group{g}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        await consumer.getmany(timeout_ms=3000)
        await consumer.commit()
        await consumer.stop()
    conn = await asyncpg.connect(endpoints["postgres"])
    await conn.execute(
        f'CREATE SCHEMA "{namespace}"; CREATE TABLE "{namespace}".orders'
        " (id text PRIMARY KEY, qty integer);"
        f"INSERT INTO \"{namespace}\".orders VALUES ('o-1', 1), ('o-2', 2), ('o-3', 3)"
    )
    await conn.close()
    client = Redis.from_url(endpoints["redis"])
    for n in range(3):
        await client.set(f"{namespace}:order:o-{n}", '{"status": "accepted"}', ex=3600)
    await client.aclose()


async def _state_figures(endpoints: dict[str, str], runs: int) -> None:
    namespace = f"onex_bench_{uuid.uuid4().hex[:8]}"
    readers = StateReaders()
    try:
        await _small_state(endpoints, namespace, groups=3)
        state = NamespaceState(readers, namespace, endpoints)
        await state.snapshot()  # the run's connections open once, before the first scenario

        async def before_and_after(n: int) -> None:
            await state.snapshot()
            await state.snapshot()

        print("Snapshot of a small state (3 topics, 3 groups, 1 table, 3 keys), median of", runs)
        _line(
            "before + after, all three services",
            f"{await _median_ms(runs, before_and_after):.1f} ms",
            f"<= {TARGET_SNAPSHOT_MS:.0f} ms",
        )
        kafka_only = NamespaceState(readers, namespace, {"kafka": endpoints["kafka"]})
        await kafka_only.checkpoint("bench")

        async def restore(n: int) -> None:
            await kafka_only.restore("bench")

        _line(
            "Kafka checkpoint restore, 3 groups",
            f"{await _median_ms(runs, restore):.1f} ms",
            f"<= {TARGET_KAFKA_RESTORE_MS:.0f} ms",
        )
    finally:
        await readers.close()
        await cleanup_namespace(namespace, endpoints)


async def _run(runs: int) -> None:
    manager = ToolServiceManager()
    lease = await manager.acquire(["kafka", "postgres", "redis"], label="bench-state")
    try:
        endpoints = {str(kind): endpoint.url for kind, endpoint in lease.endpoints.items()}
        await _state_figures(endpoints, runs)
        url = endpoints["postgres"]
        print("PostgreSQL: a seeded state for each scenario (median of", runs, "runs)")
        for tables, rows in ((10, 1_000), (200, 2_000)):
            figures = await _pg_clone(url, tables, rows, runs)
            copy = figures["schema copy"]
            for way, ms in figures.items():
                target = f"<= {TARGET_CLONE_MS:.0f} ms" if way == "schema copy" else ""
                _line(f"{tables} tables, {rows:,} rows: {way}", f"{ms:.1f} ms", target)
            _line(
                f"{tables} tables: re-run seed / schema copy",
                f"{figures['re-run seed SQL'] / copy:.2f}x",
            )
            _line(
                f"{tables} tables: template database / schema copy",
                f"{figures['template database (FILE_COPY)'] / copy:.2f}x",
            )
    finally:
        await manager.release(lease)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench_state.py")
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    asyncio.run(_run(options.runs))


if __name__ == "__main__":
    main()
