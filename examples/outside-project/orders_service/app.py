"""The HTTP service: POST /orders stores a row, caches its status and publishes an event.

Plain clients all the way (aiokafka, asyncpg, redis-py); every address comes from the
environment, so tests point it at the harness's servers and names:

| variable | what |
|---|---|
| `KAFKA_BOOTSTRAP_SERVERS` | the broker |
| `ORDERS_TOPIC` | where accepted orders are published (default `orders.placed`) |
| `DATABASE_URL` | PostgreSQL DSN (its search_path decides the schema) |
| `REDIS_URL` | Redis URL |
| `KEY_PREFIX` | prefix of the cache's keys (default none) |
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import redis.asyncio as aioredis
from aiokafka import AIOKafkaProducer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from orders_service.rules import order_problem

SCHEMA = (Path(__file__).parent.parent / "sql" / "orders.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Settings:
    kafka_bootstrap_servers: str
    database_url: str
    redis_url: str
    orders_topic: str = "orders.placed"
    key_prefix: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            kafka_bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
            database_url=os.environ["DATABASE_URL"],
            redis_url=os.environ["REDIS_URL"],
            orders_topic=os.environ.get("ORDERS_TOPIC", "orders.placed"),
            key_prefix=os.environ.get("KEY_PREFIX", ""),
        )


class Clients:
    """The service's three connections, opened at start-up and closed at shutdown."""

    producer: AIOKafkaProducer
    cache: aioredis.Redis
    pool: Any

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def open(self) -> None:
        # Made here, inside the server's event loop: aiokafka binds its producer to the loop.
        self.producer = AIOKafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap_servers)
        await self.producer.start()
        self.cache = aioredis.Redis.from_url(self.settings.redis_url)
        self.pool = await asyncpg.create_pool(self.settings.database_url, min_size=1, max_size=4)
        async with self.pool.acquire() as conn:
            await conn.execute(SCHEMA)

    async def close(self) -> None:
        await self.producer.stop()
        await self.pool.close()
        await self.cache.aclose()

    def cache_key(self, order_id: str) -> str:
        return f"{self.settings.key_prefix}order:{order_id}"


def create_app(settings: Settings | None = None) -> Starlette:
    chosen = settings or Settings.from_env()
    clients = Clients(chosen)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await clients.open()
        try:
            yield
        finally:
            await clients.close()

    async def place(request: Request) -> JSONResponse:
        try:
            order = await request.json()
        except json.JSONDecodeError:
            return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        problem = order_problem(order)
        if problem is not None:
            return JSONResponse({"error": problem}, status_code=422)
        async with clients.pool.acquire() as conn:
            inserted = await conn.execute(
                "INSERT INTO orders (id, sku, qty, status) VALUES ($1, $2, $3, 'accepted') "
                "ON CONFLICT (id) DO NOTHING",
                order["id"], order["sku"], order["qty"],
            )  # fmt: skip
        if inserted.endswith(" 0"):
            return JSONResponse({"error": f"order {order['id']} exists"}, status_code=409)
        await clients.cache.set(clients.cache_key(order["id"]), "accepted", ex=3600)
        event = {"id": order["id"], "sku": order["sku"], "qty": order["qty"]}
        await clients.producer.send_and_wait(
            chosen.orders_topic, json.dumps(event).encode(), key=order["id"].encode()
        )
        return JSONResponse({"id": order["id"], "status": "accepted"}, status_code=201)

    async def show(request: Request) -> JSONResponse:
        order_id = request.path_params["order_id"]
        cached = await clients.cache.get(clients.cache_key(order_id))
        if cached is not None:
            return JSONResponse({"id": order_id, "status": cached.decode(), "cached": True})
        async with clients.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT status FROM orders WHERE id = $1", order_id)
        if row is None:
            return JSONResponse({"error": f"no order {order_id}"}, status_code=404)
        return JSONResponse({"id": order_id, "status": row["status"], "cached": False})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    routes = [
        Route("/orders", place, methods=["POST"]),
        Route("/orders/{order_id}", show, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
