"""KafkaEventBus: the real event bus on aiokafka.

Idempotent producer with acks=all; the correlation id travels in a header; values are JSON; every
topic and group lives under `<namespace>.`, and every client sends the namespace as its client id
(the entity a scenario's Kafka client quotas are set on). An unreachable broker raises
ToolConnectionError: there is no fallback to memory, ever.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaError,
    MessageSizeTooLargeError,
    NodeNotReadyError,
    UnknownTopicOrPartitionError,
)
from aiokafka.errors import TopicAlreadyExistsError as KafkaTopicExistsError
from aiokafka.structs import TopicPartition
from onex_scenario.kafka_metadata import MetadataDisagreement, wait_until_brokers_agree
from onex_scenario.kafka_security import kafka_client_options

from onex_registry.errors import (
    BusError,
    MessageTooLargeError,
    NotConnectedError,
    ToolConnectionError,
    TopicAlreadyExistsError,
    UnknownTopicError,
)
from onex_registry.guard import check_built_by_registry
from onex_registry.kafka_rules import (
    CORRELATION_HEADER,
    MAX_MESSAGE_BYTES,
    check_namespaced_topic,
    decode_value,
    encode_headers,
    encode_value,
    new_correlation_id,
    record_size,
)
from onex_registry.models import ConsumedMessage, PublishResult, ToolHealth
from onex_registry.tools.health import timed_health

# The producer's own limit is set above the broker's so that the broker decides, as in production.
_PRODUCER_MAX_REQUEST = 4 * MAX_MESSAGE_BYTES

T = TypeVar("T")


class KafkaEventBus:
    """Real event bus. `bootstrap_servers` is host:port[,host:port]."""

    def __init__(
        self, bootstrap_servers: str, namespace: str, *, request_timeout_s: float = 10.0
    ) -> None:
        check_built_by_registry(type(self).__name__)
        self.bootstrap_servers = bootstrap_servers
        self.namespace = namespace
        self.client_id = namespace
        self._timeout_ms = int(request_timeout_s * 1000)
        self._producer: AIOKafkaProducer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._consumers: dict[tuple[str, str], AIOKafkaConsumer] = {}

    def _full(self, name: str) -> str:
        return f"{self.namespace}.{name}"

    def _short(self, full: str) -> str:
        return full.removeprefix(f"{self.namespace}.")

    def _unreachable(self, exc: BaseException) -> ToolConnectionError:
        return ToolConnectionError("KafkaEventBus", self.bootstrap_servers, str(exc) or repr(exc))

    def _require(self) -> tuple[AIOKafkaProducer, AIOKafkaAdminClient]:
        if self._producer is None or self._admin is None:
            raise NotConnectedError("KafkaEventBus: call connect() first")
        return self._producer, self._admin

    async def connect(self) -> None:
        if self._producer is not None:
            return
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap_servers,
            client_id=self.client_id,
            **kafka_client_options(),
            acks="all",
            enable_idempotence=True,
            max_request_size=_PRODUCER_MAX_REQUEST,
            request_timeout_ms=self._timeout_ms,
            linger_ms=5,
        )
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.bootstrap_servers,
            client_id=self.client_id,
            **kafka_client_options(),
            request_timeout_ms=self._timeout_ms,
        )
        try:
            await producer.start()
            await admin.start()
        except (KafkaError, OSError) as exc:
            await producer.stop()
            await admin.close()
            raise self._unreachable(exc) from exc
        self._producer, self._admin = producer, admin

    async def close(self) -> None:
        for consumer in self._consumers.values():
            await consumer.stop()
        self._consumers.clear()
        if self._producer is not None:
            await self._producer.stop()
        if self._admin is not None:
            await self._admin.close()
        self._producer = self._admin = None

    async def _ensure_topic_known(self, producer: AIOKafkaProducer, full: str, topic: str) -> None:
        """Fail fast on an unknown topic instead of waiting for metadata until the timeout."""
        client = producer.client
        if full in client.cluster.topics():
            return
        await client.force_metadata_update()
        if full not in client.cluster.topics():
            raise UnknownTopicError(topic)

    async def publish(
        self,
        topic: str,
        value: Any,
        *,
        key: str | None = None,
        headers: Mapping[str, str | bytes] | None = None,
        correlation_id: str | None = None,
    ) -> PublishResult:
        producer, _ = self._require()
        correlation = correlation_id or new_correlation_id()
        raw_value = encode_value(value)
        raw_key = key.encode() if key is not None else None
        raw_headers = encode_headers(headers, correlation)
        full = check_namespaced_topic(self.namespace, topic)
        try:
            await self._ensure_topic_known(producer, full, topic)
            # aiokafka's C record builder accepts a list only.
            metadata = await producer.send_and_wait(
                full, value=raw_value, key=raw_key, headers=list(raw_headers)
            )
        except MessageSizeTooLargeError as exc:
            raise MessageTooLargeError(
                record_size(raw_key, raw_value, raw_headers), MAX_MESSAGE_BYTES
            ) from exc
        except UnknownTopicOrPartitionError as exc:
            raise UnknownTopicError(topic) from exc
        except KafkaConnectionError as exc:
            raise self._unreachable(exc) from exc
        return PublishResult(
            topic=topic,
            partition=metadata.partition,
            offset=metadata.offset,
            correlation_id=correlation,
        )

    async def _consumer(self, topic: str, group: str) -> AIOKafkaConsumer:
        slot = (topic, group)
        consumer = self._consumers.get(slot)
        if consumer is None:
            consumer = AIOKafkaConsumer(
                self._full(topic),
                bootstrap_servers=self.bootstrap_servers,
                client_id=self.client_id,
                **kafka_client_options(),
                group_id=self._full(group),
                auto_offset_reset="earliest",
                enable_auto_commit=False,
                request_timeout_ms=max(self._timeout_ms, 15000),
                session_timeout_ms=10000,
                heartbeat_interval_ms=1000,
            )
            try:
                await consumer.start()
            except (KafkaError, OSError) as exc:
                await consumer.stop()
                raise self._unreachable(exc) from exc
            self._consumers[slot] = consumer
        return consumer

    async def consume(
        self, topic: str, *, group: str, max_messages: int = 1, timeout_s: float = 5.0
    ) -> list[ConsumedMessage]:
        _, admin = self._require()
        full = check_namespaced_topic(self.namespace, topic)
        if full not in await listed_topics(admin):
            raise UnknownTopicError(topic)
        consumer = await self._consumer(topic, group)
        deadline = time.monotonic() + timeout_s
        taken: list[ConsumedMessage] = []
        # Like the mock: once something arrived, every record the partitions hold (up to the
        # limit). One fetch is not enough: on a cluster each partition's leader is answered in
        # its own fetch, so keep fetching until every assigned partition is at its end offset.
        while len(taken) < max_messages:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            batches = await consumer.getmany(
                timeout_ms=int(remaining * 1000), max_records=max_messages - len(taken)
            )
            for partition, records in batches.items():
                taken.extend(self._message(topic, partition.partition, r) for r in records)
            if taken and await _at_end(consumer):
                break
        return taken

    @staticmethod
    def _message(topic: str, partition: int, record: Any) -> ConsumedMessage:
        headers = {name: bytes(data) for name, data in record.headers}
        correlation = headers.get(CORRELATION_HEADER)
        return ConsumedMessage(
            topic=topic,
            partition=partition,
            offset=record.offset,
            key=record.key.decode() if record.key is not None else None,
            value=decode_value(record.value),
            headers=headers,
            correlation_id=correlation.decode() if correlation else None,
        )

    async def commit(self, topic: str, *, group: str, messages: list[ConsumedMessage]) -> None:
        consumer = await self._consumer(topic, group)
        offsets: dict[TopicPartition, int] = {}
        for message in messages:
            slot = TopicPartition(self._full(message.topic), message.partition)
            offsets[slot] = max(offsets.get(slot, 0), message.offset + 1)
        if offsets:
            try:
                await consumer.commit(offsets)
            except KafkaConnectionError as exc:
                raise self._unreachable(exc) from exc
            except KafkaError as exc:
                raise BusError(f"commit of {topic!r} for group {group!r} failed: {exc}") from exc

    async def create_topic(
        self, topic: str, *, partitions: int = 1, configs: Mapping[str, str] | None = None
    ) -> None:
        _, admin = self._require()
        full = check_namespaced_topic(self.namespace, topic)
        factor = await cluster_replication(admin)
        new = NewTopic(full, partitions, factor, topic_configs=dict(configs or {}))
        try:
            response = await admin.create_topics([new])
        except KafkaTopicExistsError as exc:
            raise TopicAlreadyExistsError(f"topic {topic!r} already exists") from exc
        for name, code, *_ in getattr(response, "topic_errors", []):
            if code == KafkaTopicExistsError.errno:
                raise TopicAlreadyExistsError(f"topic {topic!r} already exists")
            if code:
                raise BusError(f"creating {name} failed with error code {code}")
        await self._wait_listed(admin, {full}, present=True)

    async def _wait_listed(
        self, admin: AIOKafkaAdminClient, names: set[str], *, present: bool
    ) -> None:
        """Return once every broker's metadata shows the change: the controller answers before
        the brokers' metadata catches up, and a caller must see the effect of what it just did
        whichever broker its next call asks."""
        try:
            await wait_until_brokers_agree(
                admin, names, present=present, within_s=self._timeout_ms / 1000
            )
        except MetadataDisagreement as exc:
            raise BusError(str(exc)) from exc

    async def delete_topic(self, topic: str) -> None:
        _, admin = self._require()
        full = self._full(topic)
        if full not in await listed_topics(admin):
            raise UnknownTopicError(topic)
        await admin.delete_topics([full])
        await self._wait_listed(admin, {full}, present=False)

    async def list_topics(self) -> list[str]:
        _, admin = self._require()
        prefix = f"{self.namespace}."
        return sorted(self._short(t) for t in await listed_topics(admin) if t.startswith(prefix))

    async def list_groups(self) -> list[str]:
        _, admin = self._require()
        prefix = f"{self.namespace}."
        groups = [entry[0] for entry in await admin.list_consumer_groups()]
        return sorted(self._short(g) for g in groups if g.startswith(prefix))

    async def group_offsets(self, group: str) -> dict[str, dict[int, int]]:
        _, admin = self._require()
        offsets: dict[str, dict[int, int]] = {}
        committed = await admin.list_consumer_group_offsets(self._full(group))
        for partition, meta in committed.items():
            if meta.offset >= 0:
                offsets.setdefault(self._short(partition.topic), {})[partition.partition] = (
                    meta.offset
                )
        return offsets

    async def delete_namespace_topics(self) -> list[str]:
        _, admin = self._require()
        for consumer in self._consumers.values():
            await consumer.stop()
        self._consumers.clear()
        topics = await self.list_topics()
        if topics:
            full = {self._full(t) for t in topics}
            await admin.delete_topics(sorted(full))
            await self._wait_listed(admin, full, present=False)
        return topics

    async def health(self) -> ToolHealth:
        async def round_trip() -> None:
            await self._require()[1].list_topics()

        return await timed_health(round_trip, (KafkaError, OSError))


async def _at_end(consumer: AIOKafkaConsumer) -> bool:
    """Whether the consumer's position is at the end offset of every partition it has."""
    assigned = list(consumer.assignment())
    ends = await consumer.end_offsets(assigned)
    for partition in assigned:
        if await consumer.position(partition) < ends[partition]:
            return False
    return True


async def cluster_replication(admin: AIOKafkaAdminClient) -> int:
    """The replication factor of a topic the harness makes: 3 on a cluster of 3 brokers or more
    (what a production cluster uses; its `min.insync.replicas` is 2), else one per broker."""
    brokers = (await _asking_another(admin.describe_cluster))["brokers"]
    return max(1, min(3, len(brokers)))


async def listed_topics(admin: AIOKafkaAdminClient) -> list[str]:
    return list(await _asking_another(admin.list_topics))


async def _asking_another(call: Callable[[], Awaitable[T]], attempts: int = 20) -> T:
    """The admin client asks one broker it knows of, at random: on a cluster that lost one (a
    killed leader) its choice may be the dead one until its metadata ages out; ask again, so
    that another is chosen."""
    for attempt in range(attempts):
        try:
            return await call()
        except (NodeNotReadyError, KafkaConnectionError):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.1)
    raise AssertionError("unreachable")
