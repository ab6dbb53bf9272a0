"""OrderNode: the service's order rule behind the harness's tools, for `onex run`.

The same scenario runs on mocks (`scenarios/unit`) and on real Kafka, PostgreSQL and Redis
(`scenarios/integration`); the service itself is tested on real servers in tests/.
"""

from __future__ import annotations

from typing import Any

from onex_registry import BaseOnexRegistry, requires_registry
from orders_service.app import SCHEMA
from orders_service.rules import order_problem


@requires_registry
class OrderNode:
    def __init__(self, registry: BaseOnexRegistry) -> None:
        self.bus = registry.event_bus
        self.sql = registry.sql_store
        self.cache = registry.kv_store

    async def setup(self) -> dict[str, Any]:
        await self.sql.execute(SCHEMA)
        return {"ready": True}

    async def process_next(self, timeout_s: float = 5.0) -> dict[str, Any]:
        """Accept or reject each order waiting on `orders`, as POST /orders does."""
        messages = await self.bus.consume(
            "orders", group="orders-service", max_messages=10, timeout_s=timeout_s
        )
        accepted = 0
        for message in messages:
            order = message.value
            if order_problem(order) is not None:
                continue
            await self.sql.execute(
                "INSERT INTO orders (id, sku, qty, status) VALUES ($1, $2, $3, 'accepted')",
                order["id"], order["sku"], order["qty"],
            )  # fmt: skip
            await self.cache.set(f"order:{order['id']}", "accepted", ttl_s=3600)
            event = {"id": order["id"], "sku": order["sku"], "qty": order["qty"]}
            await self.bus.publish(
                "orders.placed", event, key=order["id"], correlation_id=message.correlation_id
            )
            accepted += 1
        if messages:
            await self.bus.commit("orders", group="orders-service", messages=messages)
        return {"processed": len(messages), "accepted": accepted}
