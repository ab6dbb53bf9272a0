"""IoWaitNode: the node of the I/O-bound shard workload (`sim_shards.py --workload io`).

Its scenarios spend their time waiting on the real services of their namespace, not on the CPU:
a record, a row or a key written by this node after a delay, which the harness's `expect_*`
steps wait for by polling Kafka, PostgreSQL and Redis; a consume that waits for records that
never come; and `pg_sleep` on the PostgreSQL server. Every write carries a correlation id of its
own, so the crossing count of sim_shards.py sees whatever another namespace could read.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable
from typing import Any

from onex_registry import BaseOnexRegistry, requires_registry


@requires_registry
class IoWaitNode:
    """Takes its three tools from the registry; writes later in background tasks that `settle`
    awaits (so a failed write fails the scenario)."""

    def __init__(self, registry: BaseOnexRegistry) -> None:
        self.bus = registry.event_bus
        self.sql = registry.sql_store
        self.cache = registry.kv_store
        self._pending: list[asyncio.Task[None]] = []

    def _later(self, delay_s: float, write: Awaitable[Any], cid: str) -> dict[str, Any]:
        async def run() -> None:
            await asyncio.sleep(delay_s)
            await write

        self._pending.append(asyncio.create_task(run()))
        return {"correlation_id": cid, "delay_s": delay_s}

    async def publish_later(self, topic: str, key: str, delay_s: float) -> dict[str, Any]:
        """Publish one record on `topic` after `delay_s`; returns its correlation id."""
        cid = uuid.uuid4().hex
        write = self.bus.publish(topic, {"key": key}, key=key, correlation_id=cid)
        return self._later(delay_s, write, cid)

    async def insert_later(self, row_id: str, delay_s: float) -> dict[str, Any]:
        """Insert a row into `waits` after `delay_s`; returns its correlation id."""
        cid = uuid.uuid4().hex
        return self._later(delay_s, self._insert(row_id, cid), cid)

    async def _insert(self, row_id: str, cid: str) -> None:
        """On a connection of the node's own, in the run's schema: the store's one connection is
        busy with the harness's `expect_row` polls meanwhile (asyncpg runs one query at a time
        per connection), as a separate writer's would be."""
        insert = "INSERT INTO waits (id, correlation_id) VALUES ($1, $2)"
        dsn, schema = getattr(self.sql, "dsn", None), getattr(self.sql, "schema", "")
        if dsn is None:  # a mock store: no server to connect to
            await self.sql.execute(insert, row_id, cid)
            return
        import asyncpg

        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            await conn.execute("SET search_path TO " + '"' + schema.replace('"', '""') + '"')
            await conn.execute(insert, row_id, cid)
        finally:
            await conn.close(timeout=10)

    async def set_later(self, key: str, delay_s: float) -> dict[str, Any]:
        """Set the cache key to `{"correlation_id": ...}` after `delay_s`; returns the id."""
        cid = uuid.uuid4().hex
        write = self.cache.set(key, json.dumps({"correlation_id": cid}), ttl_s=600)
        return self._later(delay_s, write, cid)

    async def settle(self) -> dict[str, Any]:
        """Await every write scheduled so far (raising the first that failed)."""
        done, self._pending = self._pending, []
        await asyncio.gather(*done)
        return {"settled": len(done)}

    async def consume_nothing(self, topic: str, timeout_s: float) -> dict[str, Any]:
        """Wait `timeout_s` on `topic` for records that nobody sends; returns how many came."""
        taken = await self.bus.consume(topic, group="io-wait", max_messages=10, timeout_s=timeout_s)
        return {"received": len(taken)}

    async def server_sleep(self, seconds: float) -> dict[str, Any]:
        """`pg_sleep` on the server; returns the seconds the server measured."""
        rows = await self.sql.fetch(
            "SELECT EXTRACT(EPOCH FROM clock_timestamp() - t)::float AS slept"
            " FROM (SELECT clock_timestamp() AS t, pg_sleep($1::float)) AS s",
            seconds,
        )
        return {"slept_s": round(float(rows[0]["slept"]), 3)}
