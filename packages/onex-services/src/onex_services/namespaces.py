"""Namespaces: what keeps parallel runs apart on shared services, and what cleanup may touch.

A namespace is `onex_<run>_<worker>` (lower-case letters, digits, underscores, starting with a
letter, at most 40 characters), so the same string is a valid Kafka topic prefix, PostgreSQL
identifier and Redis key prefix. Per service:

- Kafka: topics `<ns>.<name>` and consumer groups `<ns>.<name>` (`ToolKafkaResourceManager`);
- PostgreSQL: a schema named `<ns>` (`PostgresSchemaManager`);
- Redis: keys `<ns>:<name>` (`RedisPrefixManager`).

Cleanup selects by exact prefix (`<ns>.` / `<ns>:`) or exact schema name, never by substring, so
it can only ever touch its own namespace. `verify_clean` lists what is left.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from onex_services.kafka_admin import GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, delete_groups

NAMESPACE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TOPIC_NAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")
MAX_TOPIC_LENGTH = 249


class NamespaceError(ValueError):
    """A namespace or resource name that cannot be used safely."""


def _clean(part: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", part.lower()).strip("_")


@functools.cache
def _process_run_id() -> str:
    """A run id for this process when neither ONEX_RUN_ID nor pytest-xdist gives one."""
    return uuid.uuid4().hex[:8]


def namespace_for(run_id: str | None = None, worker: str | None = None) -> str:
    """The namespace of this run and worker.

    `run_id` defaults to `ONEX_RUN_ID`, else pytest-xdist's shared `PYTEST_XDIST_TESTRUNUID`
    (first 8 characters), else an id fixed for this process; `worker` defaults to
    `PYTEST_XDIST_WORKER` (`gw0`, `gw1`...) or `main`.
    """
    run = (
        run_id
        or os.environ.get("ONEX_RUN_ID")
        or os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8]
        or _process_run_id()
    )
    who = worker or os.environ.get("PYTEST_XDIST_WORKER") or "main"
    run_part, worker_part = _clean(run)[:20], _clean(who)[:12]
    if not run_part or not worker_part:
        raise NamespaceError(f"cannot make a namespace from run {run!r} and worker {who!r}")
    namespace = f"onex_{run_part}_{worker_part}"
    return validate_namespace(namespace)


def validate_namespace(namespace: str) -> str:
    if not NAMESPACE_RE.fullmatch(namespace):
        raise NamespaceError(
            f"namespace {namespace!r} is not usable: expected lower-case letters, digits and "
            "underscores, starting with a letter, at most 40 characters"
        )
    return namespace


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int = 1
    replication_factor: int = 1
    config: dict[str, str] = field(default_factory=dict)


class ToolKafkaResourceManager:
    """Topics and consumer groups of one namespace on one Kafka cluster."""

    def __init__(self, bootstrap_servers: str, namespace: str, *, timeout_s: float = 15.0) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.namespace = validate_namespace(namespace)
        self.prefix = f"{namespace}."
        self._timeout_ms = int(timeout_s * 1000)
        self._admin: AIOKafkaAdminClient | None = None

    def topic(self, name: str) -> str:
        """The namespaced name of `name` (a name already in the namespace is kept as is)."""
        full = name if name.startswith(self.prefix) else self.prefix + name
        if not TOPIC_NAME_RE.fullmatch(name) or len(full) > MAX_TOPIC_LENGTH:
            raise NamespaceError(
                f"topic name {name!r} is not valid: use letters, digits, '.', '_' and '-' "
                f"(at most {MAX_TOPIC_LENGTH - len(self.prefix)} characters here)"
            )
        return full

    def group(self, name: str) -> str:
        """The namespaced consumer group id of `name`."""
        return self.topic(name)

    async def _client(self) -> AIOKafkaAdminClient:
        if self._admin is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self.bootstrap_servers, request_timeout_ms=self._timeout_ms
            )
            await admin.start()
            self._admin = admin
        return self._admin

    async def create_topics(self, topics: Sequence[TopicSpec | str]) -> list[str]:
        """Create topics in the namespace; return their full names."""
        specs = [TopicSpec(t) if isinstance(t, str) else t for t in topics]
        admin = await self._client()
        new = [
            NewTopic(
                self.topic(spec.name),
                spec.partitions,
                spec.replication_factor,
                topic_configs=dict(spec.config),
            )
            for spec in specs
        ]
        response = await admin.create_topics(new, timeout_ms=self._timeout_ms)
        for entry in response.topic_errors:
            if entry[1]:
                detail = entry[2] if len(entry) > 2 and entry[2] else f"error code {entry[1]}"
                raise NamespaceError(f"cannot create topic {entry[0]}: {detail}")
        return [topic.name for topic in new]

    async def list_topics(self) -> list[str]:
        admin = await self._client()
        return sorted(t for t in await admin.list_topics() if t.startswith(self.prefix))

    async def list_groups(self) -> list[str]:
        admin = await self._client()
        groups = await admin.list_consumer_groups()
        return sorted(g[0] for g in groups if str(g[0]).startswith(self.prefix))

    async def delete_topics(self, names: Sequence[str] | None = None) -> list[str]:
        """Delete the given topics (namespaced), or every topic of the namespace; wait until
        the broker no longer lists them."""
        admin = await self._client()
        targets = [self.topic(n) for n in names] if names is not None else await self.list_topics()
        if not targets:
            return []
        await admin.delete_topics(targets, timeout_ms=self._timeout_ms)
        deadline = time.monotonic() + self._timeout_ms / 1000
        while time.monotonic() < deadline:
            if not set(targets) & set(await admin.list_topics()):
                break
            await asyncio.sleep(0.05)
        return targets

    async def delete_groups(self) -> list[str]:
        """Delete the namespace's consumer groups. A group whose last member just left (or
        died) stays NON_EMPTY until the broker expires that member's session: retry until the
        timeout instead of failing on the first answer."""
        groups = await self.list_groups()
        if not groups:
            return []
        pending = list(groups)
        deadline = time.monotonic() + self._timeout_ms / 1000
        while True:
            codes = await delete_groups(await self._client(), pending)
            failed = {g: c for g, c in codes.items() if c not in (0, GROUP_ID_NOT_FOUND)}
            retryable = {g for g, c in failed.items() if c == NON_EMPTY_GROUP}
            if not failed:
                return groups
            if retryable != set(failed) or time.monotonic() >= deadline:
                raise NamespaceError(f"cannot delete consumer groups (error codes): {failed}")
            pending = sorted(retryable)
            await asyncio.sleep(0.5)

    async def cleanup(self) -> list[str]:
        """Delete every topic and consumer group of the namespace; return what went."""
        groups = await self.delete_groups()
        topics = await self.delete_topics()
        return [f"kafka group {g}" for g in groups] + [f"kafka topic {t}" for t in topics]

    async def verify_clean(self) -> list[str]:
        topics = await self.list_topics()
        groups = await self.list_groups()
        return [f"kafka topic {t}" for t in topics] + [f"kafka group {g}" for g in groups]

    async def close(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            await admin.close()


class PostgresSchemaManager:
    """The schema of one namespace on one PostgreSQL server."""

    def __init__(self, dsn: str, namespace: str) -> None:
        self.dsn = dsn
        self.namespace = validate_namespace(namespace)
        self.schema = namespace

    async def _fetch(self, query: str, *args: Any) -> list[Any]:
        conn = await asyncpg.connect(self.dsn)
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    async def create(self) -> str:
        await self._fetch(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
        return self.schema

    async def cleanup(self) -> list[str]:
        existed = await self.verify_clean()
        await self._fetch(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        return existed

    async def verify_clean(self) -> list[str]:
        rows = await self._fetch("SELECT nspname FROM pg_namespace WHERE nspname = $1", self.schema)
        return [f"postgres schema {row[0]}" for row in rows]


class RedisPrefixManager:
    """The keys of one namespace on one Redis server: `<ns>:<name>`."""

    def __init__(self, url: str, namespace: str) -> None:
        self.url = url
        self.namespace = validate_namespace(namespace)
        self.prefix = f"{namespace}:"

    def key(self, name: str) -> str:
        return name if name.startswith(self.prefix) else self.prefix + name

    async def _keys(self, client: aioredis.Redis) -> list[str]:
        # The namespace holds no glob characters (see NAMESPACE_RE): the pattern is an exact prefix.
        keys = [
            key.decode() if isinstance(key, bytes) else str(key)
            async for key in client.scan_iter(match=f"{self.prefix}*", count=500)
        ]
        return sorted(keys)

    async def cleanup(self) -> list[str]:
        client = aioredis.Redis.from_url(self.url)
        try:
            keys = await self._keys(client)
            if keys:
                await client.delete(*keys)
            return [f"redis key {k}" for k in keys]
        finally:
            await client.aclose()

    async def verify_clean(self) -> list[str]:
        client = aioredis.Redis.from_url(self.url)
        try:
            return [f"redis key {k}" for k in await self._keys(client)]
        finally:
            await client.aclose()


async def verify_clean(
    namespace: str,
    *,
    kafka: str | None = None,
    postgres: str | None = None,
    redis: str | None = None,
) -> list[str]:
    """What is left of `namespace` on the given services (empty when clean)."""
    leftovers: list[str] = []
    if kafka:
        manager = ToolKafkaResourceManager(kafka, namespace)
        try:
            leftovers.extend(await manager.verify_clean())
        finally:
            await manager.close()
    if postgres:
        leftovers.extend(await PostgresSchemaManager(postgres, namespace).verify_clean())
    if redis:
        leftovers.extend(await RedisPrefixManager(redis, namespace).verify_clean())
    return leftovers


async def cleanup_namespace(
    namespace: str,
    *,
    kafka: str | None = None,
    postgres: str | None = None,
    redis: str | None = None,
) -> list[str]:
    """Remove everything of `namespace` on the given services; return what was removed."""
    removed: list[str] = []
    if kafka:
        manager = ToolKafkaResourceManager(kafka, namespace)
        try:
            removed.extend(await manager.cleanup())
        finally:
            await manager.close()
    if postgres:
        removed.extend(await PostgresSchemaManager(postgres, namespace).cleanup())
    if redis:
        removed.extend(await RedisPrefixManager(redis, namespace).cleanup())
    return removed
