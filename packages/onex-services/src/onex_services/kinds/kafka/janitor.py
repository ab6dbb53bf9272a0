"""Kafka's namespace janitor: topics `<ns>.<name>` and consumer groups `<ns>.<name>`.

Cleanup selects by the exact prefix `<ns>.`, never by substring, so it only ever touches its own
namespace.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from onex_scenario.kafka_metadata import MetadataDisagreement, wait_until_brokers_agree
from onex_scenario.names import MAX_TOPIC_LENGTH, topic_name_problem

from onex_services.kinds.kafka import clients
from onex_services.kinds.kafka.admin import (
    GROUP_ID_NOT_FOUND,
    NON_EMPTY_GROUP,
    close_admin,
    delete_groups,
    started_admin,
)
from onex_services.namespaces import NamespaceError, validate_namespace


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int = 1
    replication_factor: int | None = None
    """None: the cluster's (3 on 3 brokers or more, else one per broker)."""
    config: dict[str, str] = field(default_factory=dict)


def _in(name: str, prefixes: Sequence[str]) -> bool:
    return any(name.startswith(prefix) for prefix in prefixes)


async def delete_groups_by_prefix(
    admin: AIOKafkaAdminClient, prefixes: Sequence[str], timeout_ms: int
) -> list[str]:
    """Delete the consumer groups whose ids start with one of `prefixes`. A group whose last
    member just left (or died) stays NON_EMPTY until the broker expires that member's session:
    retry until the timeout instead of failing on the first answer."""
    groups = sorted(g[0] for g in await admin.list_consumer_groups() if _in(str(g[0]), prefixes))
    if not groups:
        return []
    pending = list(groups)
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        codes = await delete_groups(admin, pending)
        failed = {g: c for g, c in codes.items() if c not in (0, GROUP_ID_NOT_FOUND)}
        retryable = {g for g, c in failed.items() if c == NON_EMPTY_GROUP}
        if not failed:
            return groups
        if retryable != set(failed) or time.monotonic() >= deadline:
            raise NamespaceError(f"cannot delete consumer groups (error codes): {failed}")
        pending = sorted(retryable)
        await asyncio.sleep(0.5)


async def delete_topics_by_prefix(
    admin: AIOKafkaAdminClient, prefixes: Sequence[str], timeout_ms: int
) -> list[str]:
    """Delete, in one request, the topics whose names start with one of `prefixes`."""
    topics = sorted(t for t in await admin.list_topics() if _in(t, prefixes))
    if topics:
        await admin.delete_topics(topics, timeout_ms=timeout_ms)
    return topics


async def wait_until_agreed(
    admin: AIOKafkaAdminClient, topics: Sequence[str], *, present: bool, timeout_ms: int
) -> None:
    """Wait until every broker of the cluster shows the topics created (with leaders) or gone:
    each broker learns of a change a moment after the controller committed it, and the next
    call (a producer's, a listing) asks a broker of its own choice."""
    try:
        await wait_until_brokers_agree(admin, topics, present=present, within_s=timeout_ms / 1000)
    except MetadataDisagreement as exc:
        raise NamespaceError(str(exc)) from exc


class KafkaNamespaceAdmin:
    """Topics and groups of many namespaces on one cluster, over one admin client made on first
    use. Deleting topics is the broker's slowest admin call, so drops are meant to be batched:
    one listing and one deletion request for every namespace of the batch."""

    batch_drops = True

    def __init__(self, bootstrap_servers: str, *, timeout_s: float = 15.0) -> None:
        self.bootstrap_servers = bootstrap_servers
        self._timeout_ms = int(timeout_s * 1000)
        self._admin: AIOKafkaAdminClient | None = None

    async def client(self) -> AIOKafkaAdminClient:
        """The admin client, started on first use."""
        if self._admin is None:
            self._admin = await started_admin(
                self.bootstrap_servers, request_timeout_ms=self._timeout_ms
            )
        return self._admin

    async def create(self, namespace: str) -> None:
        """Nothing to make: the namespace's topics are created by the test that uses them."""
        validate_namespace(namespace)

    async def drop(self, namespaces: Sequence[str]) -> None:
        if not namespaces:
            return
        prefixes = [self.prefix(ns) for ns in namespaces]
        admin = await self.client()
        await delete_groups_by_prefix(admin, prefixes, self._timeout_ms)
        deleted = await delete_topics_by_prefix(admin, prefixes, self._timeout_ms)
        await wait_until_agreed(admin, deleted, present=False, timeout_ms=self._timeout_ms)

    async def leftovers(self, namespace: str) -> list[str]:
        admin = await self.client()
        prefix = [self.prefix(namespace)]
        topics = sorted(t for t in await admin.list_topics() if _in(t, prefix))
        groups = sorted(
            str(g[0]) for g in await admin.list_consumer_groups() if _in(str(g[0]), prefix)
        )
        return [f"kafka topic {t}" for t in topics] + [f"kafka group {g}" for g in groups]

    def scoped_url(self, namespace: str) -> str:
        """The cluster's bootstrap servers: a broker cannot confine a client; use `prefix`."""
        return self.bootstrap_servers

    def prefix(self, namespace: str) -> str:
        return f"{validate_namespace(namespace)}."

    async def close(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            await close_admin(admin)


class KafkaNamespaceWriter:
    """A namespace admin (`cluster`) and one producer (acks=all), each started on first use and
    kept until `close`: markers and seeds write into many namespaces on them."""

    def __init__(
        self, bootstrap_servers: str, *, timeout_s: float = 15.0, **producer_options: Any
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.cluster = KafkaNamespaceAdmin(bootstrap_servers, timeout_s=timeout_s)
        self._producer_options = producer_options
        self._producer: AIOKafkaProducer | None = None

    async def producer(self) -> AIOKafkaProducer:
        """The producer, started on first use; `producer_options` are aiokafka's."""
        if self._producer is None:
            self._producer = await clients.started(
                clients.producer(self.bootstrap_servers, **self._producer_options)
            )
        return self._producer

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        try:
            if producer is not None:
                await clients.stop(producer)
        finally:
            await self.cluster.close()


class ToolKafkaResourceManager:
    """Topics and consumer groups of one namespace on one Kafka cluster."""

    def __init__(self, bootstrap_servers: str, namespace: str, *, timeout_s: float = 15.0) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.namespace = validate_namespace(namespace)
        self.prefix = f"{namespace}."
        self._timeout_ms = int(timeout_s * 1000)
        self._cluster = KafkaNamespaceAdmin(bootstrap_servers, timeout_s=timeout_s)

    def topic(self, name: str) -> str:
        """The namespaced name of `name` (a name already in the namespace is kept as is)."""
        full = name if name.startswith(self.prefix) else self.prefix + name
        problem = topic_name_problem(name) or topic_name_problem(full)
        if problem is not None:
            raise NamespaceError(
                f"topic name {name!r} is not valid: {problem} "
                f"(at most {MAX_TOPIC_LENGTH - len(self.prefix)} characters here)"
            )
        return full

    def group(self, name: str) -> str:
        """The namespaced consumer group id of `name`."""
        return self.topic(name)

    async def _client(self) -> AIOKafkaAdminClient:
        return await self._cluster.client()

    async def create_topics(self, topics: Sequence[TopicSpec | str]) -> list[str]:
        """Create topics in the namespace; return their full names."""
        specs = [TopicSpec(t) if isinstance(t, str) else t for t in topics]
        admin = await self._client()
        default = None
        if any(spec.replication_factor is None for spec in specs):
            # As the event bus does (onex_registry's kafka_bus), which this package cannot import.
            brokers = (await admin.describe_cluster())["brokers"]
            default = max(1, min(3, len(brokers)))
        new = [
            NewTopic(
                self.topic(spec.name),
                spec.partitions,
                spec.replication_factor or default,
                topic_configs=dict(spec.config),
            )
            for spec in specs
        ]
        response = await admin.create_topics(new, timeout_ms=self._timeout_ms)
        for entry in response.topic_errors:
            if entry[1]:
                detail = entry[2] if len(entry) > 2 and entry[2] else f"error code {entry[1]}"
                raise NamespaceError(f"cannot create topic {entry[0]}: {detail}")
        names = [topic.name for topic in new]
        await wait_until_agreed(admin, names, present=True, timeout_ms=self._timeout_ms)
        return names

    async def list_topics(self) -> list[str]:
        admin = await self._client()
        return sorted(t for t in await admin.list_topics() if t.startswith(self.prefix))

    async def list_groups(self) -> list[str]:
        admin = await self._client()
        groups = await admin.list_consumer_groups()
        return sorted(g[0] for g in groups if str(g[0]).startswith(self.prefix))

    async def delete_topics(self, names: Sequence[str] | None = None) -> list[str]:
        """Delete the given topics (namespaced), or every topic of the namespace; wait until
        no broker lists them."""
        admin = await self._client()
        targets = [self.topic(n) for n in names] if names is not None else await self.list_topics()
        if not targets:
            return []
        await admin.delete_topics(targets, timeout_ms=self._timeout_ms)
        await wait_until_agreed(admin, targets, present=False, timeout_ms=self._timeout_ms)
        return targets

    async def delete_groups(self) -> list[str]:
        """Delete the namespace's consumer groups (see `delete_groups_by_prefix`)."""
        return await delete_groups_by_prefix(await self._client(), [self.prefix], self._timeout_ms)

    async def cleanup(self) -> list[str]:
        """Delete every topic and consumer group of the namespace; return what went."""
        groups = await self.delete_groups()
        topics = await self.delete_topics()  # waits until no broker lists them
        return [f"kafka group {g}" for g in groups] + [f"kafka topic {t}" for t in topics]

    async def verify_clean(self) -> list[str]:
        topics = await self.list_topics()
        groups = await self.list_groups()
        return [f"kafka topic {t}" for t in topics] + [f"kafka group {g}" for g in groups]

    async def close(self) -> None:
        await self._cluster.close()
