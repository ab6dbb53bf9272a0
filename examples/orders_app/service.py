"""The orders service: POST /orders stores an order and announces it; GET /orders/<id> reads it.

Configured by environment variables only, as a twelve-factor app is (the scenario fills them
from the harness's endpoints and namespace):

| variable | what |
|---|---|
| `PORT` | where to listen (127.0.0.1) |
| `KAFKA_BOOTSTRAP_SERVERS`, `TOPIC_PREFIX` | the broker; topics are `<prefix>orders.created` |
| `DATABASE_URL` | PostgreSQL; the `orders` table is found by the URL's search_path |
| `REDIS_URL`, `KEY_PREFIX` | Redis; each order's status is the key `<prefix>order:<id>` |

    python -m examples.orders_app
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import ssl
from typing import Any

import asyncpg
import redis.asyncio as redis
from aiokafka import AIOKafkaProducer

from examples.orders_app.http_server import serve


class OrdersService:
    def __init__(
        self,
        producer: AIOKafkaProducer,
        pool: asyncpg.Pool,
        cache: redis.Redis,
        env: dict[str, str],
    ) -> None:
        self.producer = producer
        self.pool = pool
        self.cache = cache
        self.topic = f"{env.get('TOPIC_PREFIX', '')}orders.created"
        self.key_prefix = env.get("KEY_PREFIX", "")

    async def health(self, path: str, body: Any) -> tuple[int, Any]:
        return 200, {"ok": True}

    async def create(self, path: str, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("qty"), int) or body["qty"] < 1:
            return 400, {"error": "expected {id, sku, qty >= 1}"}
        order = {"id": str(body["id"]), "sku": str(body["sku"]), "qty": body["qty"]}
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO orders (id, sku, qty, status) VALUES ($1, $2, $3, 'accepted')",
                order["id"], order["sku"], order["qty"],
            )  # fmt: skip
        await self.cache.set(f"{self.key_prefix}order:{order['id']}", "accepted")
        event = json.dumps({**order, "status": "accepted"}).encode()
        await self.producer.send_and_wait(self.topic, event, key=order["id"].encode())
        return 201, {"id": order["id"], "status": "accepted"}

    async def read(self, path: str, body: Any) -> tuple[int, Any]:
        order_id = path.rsplit("/", 1)[-1]
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT id, sku, qty, status FROM orders WHERE id = $1", order_id
            )
        if row is None:
            return 404, {"error": f"no order {order_id}"}
        return 200, dict(row)


def kafka_security(env: dict[str, str]) -> dict[str, Any]:
    """SASL and TLS as a managed cluster wants them (all optional: PLAINTEXT without them)."""
    protocol = env.get("KAFKA_SECURITY_PROTOCOL") or "PLAINTEXT"
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol.startswith("SASL_"):
        options["sasl_mechanism"] = env["KAFKA_SASL_MECHANISM"]
        options["sasl_plain_username"] = env["KAFKA_SASL_USERNAME"]
        options["sasl_plain_password"] = env["KAFKA_SASL_PASSWORD"]
    if protocol in ("SSL", "SASL_SSL"):
        context = ssl.create_default_context(cafile=env.get("KAFKA_SSL_CAFILE") or None)
        context.check_hostname = env.get("KAFKA_SSL_CHECK_HOSTNAME", "true") != "false"
        options["ssl_context"] = context
    return options


async def main() -> None:
    env = dict(os.environ)
    producer = AIOKafkaProducer(
        bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], acks="all", **kafka_security(env)
    )
    await producer.start()
    pool = await asyncpg.create_pool(env["DATABASE_URL"], min_size=1, max_size=4)
    cache = redis.Redis.from_url(env["REDIS_URL"])
    service = OrdersService(producer, pool, cache, env)
    routes = {
        "GET /healthz": service.health,
        "POST /orders": service.create,
        "GET /orders/": service.read,
    }
    server = await serve("127.0.0.1", int(env["PORT"]), routes)
    print(f"orders service listening on {env['PORT']}", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()
    await producer.stop()
    await pool.close()
    await cache.aclose()
    print("orders service stopped", flush=True)
