"""OrderPipelineNode: the system under test of the order scenarios."""

from __future__ import annotations

import asyncio
import datetime
import json
from typing import Any

from onex_registry import BaseOnexRegistry, ConsumedMessage, requires_registry

from examples.defects import defect

GROUP = "order-pipeline"
SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    sku TEXT NOT NULL,
    qty INTEGER NOT NULL,
    status TEXT NOT NULL
)
"""

_REPORT_CONNECTIONS: list[Any] = []
"""The connection_leak defect's cache (module-level, so it outlives the node, as such caches do)."""


@requires_registry
class OrderPipelineNode:
    """Takes its three tools from the registry; it never builds one itself."""

    def __init__(self, registry: BaseOnexRegistry) -> None:
        self.registry = registry
        self.bus = registry.event_bus
        self.sql = registry.sql_store
        self.cache = registry.kv_store
        self._report_open = False

    async def setup(self) -> dict[str, Any]:
        await self.sql.execute(SCHEMA)
        return {"ready": True}

    async def process_next(self, max_orders: int = 10, timeout_s: float = 5.0) -> dict[str, Any]:
        """Handle the orders waiting on `orders`; commit what was handled."""
        messages = await self.bus.consume(
            "orders", group=GROUP, max_messages=max_orders, timeout_s=timeout_s
        )
        accepted = rejected = 0
        for message in messages:
            if await self._handle(message):
                accepted += 1
            else:
                rejected += 1
        if messages and not defect("offsets_after_restart"):
            await self.bus.commit("orders", group=GROUP, messages=messages)
        if defect("connection_leak") and not self._report_open:
            await self._open_report_connection()
        return {"processed": len(messages), "accepted": accepted, "rejected": rejected}

    async def _handle(self, message: ConsumedMessage) -> bool:
        order = message.value if isinstance(message.value, dict) else {}
        order_id = str(order.get("id", ""))
        qty = order.get("qty")
        ok = bool(order_id) and isinstance(qty, int) and qty > 0 and bool(order.get("sku"))
        status = "accepted" if ok else "rejected"
        if ok:
            async with self.sql.transaction():
                await self.sql.execute(
                    "INSERT INTO orders (id, sku, qty, status) VALUES ($1, $2, $3, $4)",
                    order_id,
                    str(order["sku"]),
                    str(qty) if defect("qty_as_text") else qty,
                    status,
                )
        await self.cache.set(f"order:{order_id}", json.dumps({"status": status}), ttl_s=3600)
        outcome: dict[str, Any] = {"id": order_id, "status": status}
        if not ok:
            outcome["reason"] = "an order needs id, sku and a positive integer qty"
        if defect("oversized_message"):
            outcome["history"] = "x" * 1_200_000
        if defect("unserialisable_value"):
            outcome["processed_at"] = datetime.datetime.now(tz=datetime.UTC)
        topic = f"orders.{status}" + (".v2" if defect("unknown_topic") else "")
        correlation = None if defect("lost_correlation_id") else message.correlation_id
        await self.bus.publish(topic, outcome, key=order_id, correlation_id=correlation)
        return ok

    async def _open_report_connection(self) -> None:
        """The defect: a connection of the node's own (for a report), opened from the store's
        DSN and kept in a module-level cache that nothing ever closes. Every result is right;
        only the connection stays."""
        dsn = getattr(self.sql, "dsn", None)
        if dsn is None:  # a mock store has no server to leak a connection to
            return
        import asyncpg

        _REPORT_CONNECTIONS.append(await asyncpg.connect(dsn))
        self._report_open = True  # one per node: the leak is the point, not the count

    async def restart(self) -> dict[str, Any]:
        """Model a redeploy: the consumer goes away and comes back (committed offsets stay)."""
        await self.bus.close()
        await self.bus.connect()
        return {"restarted": True}

    async def order_count(self) -> int:
        rows = await self.sql.fetch("SELECT COUNT(*) AS n FROM orders")
        return int(rows[0]["n"])

    def summary(self) -> dict[str, Any]:
        """A sync method: the runner calls it in a worker thread."""
        if defect("async_sync_mismatch"):
            return asyncio.sleep(0, result={"ok": True})  # type: ignore[return-value]
        return {"node": type(self).__name__, "mode": str(self.registry.dependency_mode)}
