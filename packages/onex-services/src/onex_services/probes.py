"""Deep health probes: each proves the service is usable, not just that its port is open.

- Kafka: create a topic, produce a record, consume it through a consumer group, delete the topic.
- PostgreSQL: create a scratch schema, write and read a row in it, drop it.
- Redis: set, get and delete a key under the `onex-health:` prefix.

A probe keeps its connections between rounds (a health round on a warm probe is a few
milliseconds) and drops them on any failure, so the next attempt starts clean and a server that
went away is never hidden behind an old connection.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, Protocol

import asyncpg
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from redis.exceptions import RedisError

from onex_services.kafka_admin import GROUP_ID_NOT_FOUND, delete_groups
from onex_services.models import ServiceKind

HEALTH_PREFIX = "onex-health"
log = logging.getLogger(__name__)


class ProbeError(Exception):
    """The service answered but did not do what was asked; the message says which step."""


class Probe(Protocol):
    kind: ServiceKind
    url: str

    async def run(self, timeout_s: float) -> None:
        """One full round trip; raise on any failure."""

    async def close(self) -> None: ...


def make_probe(kind: ServiceKind, url: str) -> Probe:
    if kind is ServiceKind.KAFKA:
        return KafkaProbe(url)
    if kind is ServiceKind.POSTGRES:
        return PostgresProbe(url)
    return RedisProbe(url)


def _check_errors(response: Any, field: str, step: str) -> None:
    for entry in getattr(response, field, []):
        code = entry[1]
        if code:
            message = entry[2] if len(entry) > 2 and entry[2] else f"error code {code}"
            raise ProbeError(f"{step} {entry[0]}: {message}")


class _ReusingProbe:
    """A probe that keeps its clients between rounds (a health round stays cheap) and drops
    them after a failed one, so the next round starts from a fresh connection."""

    async def run(self, timeout_s: float) -> None:
        try:
            await asyncio.wait_for(self._round(timeout_s), timeout_s)
        except BaseException:
            await self.close()
            raise

    async def _round(self, timeout_s: float) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class KafkaProbe(_ReusingProbe):
    """Topic create -> produce -> consume in a group -> topic delete, on `url` (bootstrap)."""

    kind = ServiceKind.KAFKA

    def __init__(self, url: str) -> None:
        self.url = url
        self._admin: AIOKafkaAdminClient | None = None
        self._producer: AIOKafkaProducer | None = None

    async def _clients(self, timeout_ms: int) -> tuple[AIOKafkaAdminClient, AIOKafkaProducer]:
        if self._admin is None or self._producer is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self.url, request_timeout_ms=timeout_ms, retry_backoff_ms=10
            )
            producer = AIOKafkaProducer(
                bootstrap_servers=self.url,
                request_timeout_ms=timeout_ms,
                retry_backoff_ms=5,
                linger_ms=0,
                acks="all",
            )
            try:
                await admin.start()
                await producer.start()
            except BaseException:
                await _quietly(admin.close())
                await _quietly(producer.stop())
                raise
            self._admin, self._producer = admin, producer
        return self._admin, self._producer

    async def _round(self, timeout_s: float) -> None:
        timeout_ms = max(1000, int(timeout_s * 1000))
        admin, producer = await self._clients(timeout_ms)
        topic = f"{HEALTH_PREFIX}.{uuid.uuid4().hex[:12]}"
        payload = uuid.uuid4().bytes
        created = await admin.create_topics([NewTopic(topic, 1, 1)], timeout_ms=timeout_ms)
        _check_errors(created, "topic_errors", "create topic")
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=self.url,
            group_id=topic,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            retry_backoff_ms=5,
            fetch_max_wait_ms=5,
            request_timeout_ms=timeout_ms,
        )
        try:
            # The group join runs while the record is produced: the two are independent.
            await asyncio.gather(producer.send_and_wait(topic, payload), consumer.start())
            record = await consumer.getone()
            if record.value != payload:
                raise ProbeError(f"consumed a record that was not the one produced to {topic}")
        finally:
            await asyncio.gather(
                self._leave_group(admin, consumer, topic),
                self._delete(admin, topic, timeout_ms),
            )

    @staticmethod
    async def _leave_group(
        admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer, group: str
    ) -> None:
        """Leave the probe's group and delete it, so probes leave no trace in the broker."""
        await _quietly(consumer.stop())
        codes = await delete_groups(admin, [group])
        if codes.get(group, 0) not in (0, GROUP_ID_NOT_FOUND):
            raise ProbeError(f"delete group {group}: error code {codes[group]}")

    @staticmethod
    async def _delete(admin: AIOKafkaAdminClient, topic: str, timeout_ms: int) -> None:
        deleted = await admin.delete_topics([topic], timeout_ms=timeout_ms)
        _check_errors(deleted, "topic_error_codes", "delete topic")

    async def close(self) -> None:
        admin, producer = self._admin, self._producer
        self._admin = self._producer = None
        if producer is not None:
            await _quietly(producer.stop())
        if admin is not None:
            await _quietly(admin.close())


class PostgresProbe(_ReusingProbe):
    """Scratch schema create -> table write and read -> schema drop, on `url` (a DSN)."""

    kind = ServiceKind.POSTGRES

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Any = None

    async def _round(self, timeout_s: float) -> None:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(self.url, timeout=timeout_s)
        conn = self._conn
        schema = f"onex_health_{uuid.uuid4().hex[:12]}"
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            await conn.execute(f'CREATE TABLE "{schema}".probe (v integer)')
            value = await conn.fetchval(f'INSERT INTO "{schema}".probe VALUES (42) RETURNING v')
            if value != 42:
                raise ProbeError(f"a row written in schema {schema} read back as {value!r}")
        finally:
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await _quietly(conn.close(timeout=1))


class RedisProbe(_ReusingProbe):
    """SET -> GET -> DEL of a key under `onex-health:`, on `url`."""

    kind = ServiceKind.REDIS

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: aioredis.Redis | None = None

    async def _round(self, timeout_s: float) -> None:
        if self._client is None:
            self._client = aioredis.Redis.from_url(
                self.url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s
            )
        key = f"{HEALTH_PREFIX}:{uuid.uuid4().hex}"
        value = uuid.uuid4().hex.encode()
        await self._client.set(key, value, px=60_000)
        read = await self._client.get(key)
        removed = await self._client.delete(key)
        if read != value or removed != 1:
            raise ProbeError(f"key {key} did not round-trip (read {read!r}, deleted {removed})")

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await _quietly(client.aclose())


_CLOSE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    RuntimeError,
    KafkaError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    RedisError,
)


async def _quietly(awaitable: Any) -> None:
    """Close a client that may already be broken: the failure that broke it was reported."""
    try:
        await awaitable
    except _CLOSE_ERRORS as exc:
        log.debug("closing a probe client failed: %s", exc)
