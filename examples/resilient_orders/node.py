"""ResilientOrderNode: the order pipeline, hardened against failing dependencies.

- `submit` publishes an order with retries and backoff: a broker that is down for a few seconds
  (killed and restarted, partitioned) delays the order instead of losing it.
- every SQL statement has a deadline (`SQL_TIMEOUT_S`): a database that stops answering sends
  the order down the timeout path (`deferred`: kept and handled again on the next call, and not
  acknowledged until then) instead of holding the whole batch.
- the cache is an optimisation: when Redis fails (reset, killed), the node falls back to the
  database for what it would have read and skips the write.
- processing is idempotent: an order already in the table is not handled again, so a batch
  delivered twice (the broker died before the acknowledgement) is processed exactly once.

Each of these can be switched off by a defect (examples.defects) that only a fault scenario
catches.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable
from typing import Any, TypeVar

from onex_registry import BaseOnexRegistry, ConsumedMessage, OnexToolError, requires_registry

from examples.defects import defect
from examples.resilient_orders.retry import Backoff, with_retry

T = TypeVar("T")
GROUP = "resilient-orders"
SQL_TIMEOUT_S = 0.3
"""Deadline of one SQL statement; past it the order is deferred."""
PUBLISH_RETRY = Backoff()
CONSUME_RETRY = Backoff()


class SqlTimeout(Exception):
    """A statement ran past SQL_TIMEOUT_S."""


@requires_registry
class ResilientOrderNode:
    def __init__(self, registry: BaseOnexRegistry) -> None:
        self.registry = registry
        self.bus = registry.event_bus
        self.sql = registry.sql_store
        self.cache = registry.kv_store
        self._deferred: list[ConsumedMessage] = []
        """Orders that took the timeout path: handled again on the next `process_next`."""

    async def submit(
        self, order: dict[str, Any], deadline_s: float | None = None
    ) -> dict[str, Any]:
        """Place an order on `orders`; returns after the broker acknowledged it. `deadline_s`
        bounds each attempt, for a caller that cannot wait out the client's own timeout (a
        partitioned broker is otherwise waited for, silently, for as long as that is)."""
        attempts = 1
        order_id = str(order.get("id", ""))

        async def publish() -> object:
            sent = self.bus.publish("orders", order, key=order_id)
            return await (asyncio.wait_for(sent, deadline_s) if deadline_s else sent)

        if defect("no_retry_on_publish_error"):
            await publish()
        else:
            _, attempts = await with_retry(
                publish, (OnexToolError, OSError, TimeoutError), PUBLISH_RETRY
            )
        return {"published": True, "attempts": attempts}

    async def process_next(
        self, max_orders: int = 10, timeout_s: float = 5.0, ack: bool = True
    ) -> dict[str, Any]:
        """Handle the orders deferred before, then those waiting on `orders`. `ack: false` stops
        before the acknowledgement, as a worker that dies right after its work would."""
        fresh, _ = await with_retry(
            lambda: self.bus.consume(
                "orders", group=GROUP, max_messages=max_orders, timeout_s=timeout_s
            ),
            (OnexToolError, OSError),
            CONSUME_RETRY,
        )
        messages, self._deferred = [*self._deferred, *fresh], []
        counts: Counter[str] = Counter()
        for message in messages:
            outcome = await self._handle(message)
            counts[outcome] += 1
            if outcome == "deferred":
                self._deferred.append(message)
        if messages and ack and not self._deferred:
            # While an order is deferred nothing is acknowledged: a crash then brings the whole
            # batch back, and the orders done already are recognised (idempotency).
            await with_retry(
                lambda: self.bus.commit("orders", group=GROUP, messages=messages),
                (OnexToolError, OSError),
                PUBLISH_RETRY,
            )
        return {"processed": len(messages), **{k: counts[k] for k in _OUTCOMES}}

    async def _handle(self, message: ConsumedMessage) -> str:
        order = message.value if isinstance(message.value, dict) else {}
        order_id = str(order.get("id", ""))
        qty = order.get("qty")
        if not (order_id and isinstance(qty, int) and qty > 0 and order.get("sku")):
            return "rejected"
        try:
            if not defect("duplicate_after_restart") and await self._seen(order_id):
                return "duplicate"
            await self._deadline(
                self.sql.execute(
                    "INSERT INTO orders (id, sku, qty, status) VALUES ($1, $2, $3, $4)",
                    order_id,
                    str(order["sku"]),
                    qty,
                    "accepted",
                )
            )
        except SqlTimeout:
            return "deferred"
        await self._cache_status(order_id, "accepted")
        await with_retry(
            lambda: self.bus.publish(
                "orders.accepted",
                {"id": order_id, "status": "accepted"},
                key=order_id,
                correlation_id=message.correlation_id,
            ),
            (OnexToolError, OSError, TimeoutError),
            PUBLISH_RETRY,
        )
        return "accepted"

    async def _seen(self, order_id: str) -> bool:
        """Whether the order was handled before: the cache first, the table when the cache has
        no answer (a miss, or a cache that fails: the fallback)."""
        try:
            if await self.cache.get(f"order:{order_id}") is not None:
                return True
        except OnexToolError:
            if defect("cache_error_crashes"):
                raise
            self.cache_fallbacks += 1
        rows = await self._deadline(self.sql.fetch("SELECT id FROM orders WHERE id = $1", order_id))
        return bool(rows)

    async def _cache_status(self, order_id: str, status: str) -> None:
        try:
            await self.cache.set(f"order:{order_id}", json.dumps({"status": status}), ttl_s=3600)
        except OnexToolError:
            if defect("cache_error_crashes"):
                raise
            self.cache_fallbacks += 1

    async def _deadline(self, statement: Awaitable[T]) -> T:
        if defect("no_sql_timeout"):
            return await statement
        try:
            return await asyncio.wait_for(statement, SQL_TIMEOUT_S)
        except TimeoutError as exc:
            raise SqlTimeout(f"no answer within {SQL_TIMEOUT_S}s") from exc

    cache_fallbacks = 0
    """How often the cache failed and the node went on without it."""

    async def fallbacks(self) -> dict[str, int]:
        return {"cache_fallbacks": self.cache_fallbacks}

    async def restart(self) -> dict[str, Any]:
        """The worker goes away and comes back: its consumer too (committed offsets stay)."""
        await self.bus.close()
        await self.bus.connect()
        return {"restarted": True}

    async def accepted_counts(self, timeout_s: float = 3.0) -> dict[str, int]:
        """How often each order was announced on `orders.accepted`, read from the start by a
        group of its own: exactly-once means 1 for every order."""
        counts: Counter[str] = Counter()
        while True:
            batch = await self.bus.consume(
                "orders.accepted", group=f"{GROUP}-audit", max_messages=100, timeout_s=timeout_s
            )
            if not batch:
                return dict(sorted(counts.items()))
            counts.update(str(message.key) for message in batch)
            timeout_s = 1.0


_OUTCOMES = ("accepted", "rejected", "duplicate", "deferred")
