"""InMemoryEventBus: the mock of KafkaEventBus, faithful where scenarios rely on it.

Modelled: partitions chosen by key with Kafka's murmur2, per-partition offsets and order, consumer
groups with committed offsets and a fetch position per group, the broker's default message size
limit, Kafka's topic name rules, unknown topics (no auto-creation), header values as bytes.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from onex_registry.errors import (
    MessageTooLargeError,
    NotConnectedError,
    NotSupportedByMockError,
    ToolConnectionError,
    TopicAlreadyExistsError,
    UnknownTopicError,
)
from onex_registry.guard import check_built_by_registry
from onex_registry.kafka_rules import (
    CORRELATION_HEADER,
    MAX_MESSAGE_BYTES,
    Headers,
    check_namespaced_topic,
    decode_value,
    encode_headers,
    encode_value,
    new_correlation_id,
    partition_for_key,
    record_size,
)
from onex_registry.mock_faults import MockFaults
from onex_registry.models import ConsumedMessage, PublishResult, ToolHealth


class _Record(NamedTuple):
    """A tuple of bytes and str only, so the garbage collector can stop tracking it: a mock
    holding 10^5 records would otherwise make every full collection walk them all."""

    key: bytes | None
    value: bytes
    headers: Headers


@dataclass
class _Topic:
    partitions: list[list[_Record]]
    configs: dict[str, str]


@dataclass
class InMemoryBroker:
    """The state behind one or more InMemoryEventBus instances (share it to model two processes)."""

    topics: dict[str, _Topic] = field(default_factory=dict)
    committed: dict[str, dict[tuple[str, int], int]] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)
    round_robin: itertools.count[int] = field(default_factory=itertools.count)
    arrivals: asyncio.Event | None = None


class InMemoryEventBus:
    """Mock event bus. Same methods, same errors as KafkaEventBus; no network at all."""

    def __init__(self, namespace: str, *, broker: InMemoryBroker | None = None) -> None:
        check_built_by_registry(type(self).__name__)
        self.namespace = namespace
        self.broker = broker if broker is not None else InMemoryBroker()
        self._faults = MockFaults(
            type(self).__name__, lambda why: ToolConnectionError(type(self).__name__, "memory", why)
        )
        self._connected = False
        # Fetch positions belong to the consumer (this client), committed offsets to the broker:
        # a new instance resumes from the last commit, like a restarted Kafka consumer.
        self._positions: dict[str, dict[tuple[str, int], int]] = {}
        # The topics this bus consumes per group: KafkaEventBus runs one consumer per (topic,
        # group), so a second topic in a group joins it and rebalances it.
        self._members: dict[str, set[str]] = {}

    def _full(self, name: str) -> str:
        return f"{self.namespace}.{name}"

    def _short(self, full: str) -> str:
        return full.removeprefix(f"{self.namespace}.")

    def _require_connected(self) -> None:
        if not self._connected:
            raise NotConnectedError("InMemoryEventBus: call connect() first")

    def _topic(self, topic: str) -> _Topic:
        found = self.broker.topics.get(check_namespaced_topic(self.namespace, topic))
        if found is None:
            raise UnknownTopicError(topic)
        return found

    def inject_fault(self, action: str, params: Mapping[str, Any]) -> Callable[[], None]:
        """A network fault on this mock's calls until the callable is called (see
        onex_registry.mock_faults: what it models, and what it refuses by name)."""
        return self._faults.inject(action, params)

    async def connect(self) -> None:
        self._connected = True

    async def close(self) -> None:
        self._connected = False
        self._positions.clear()
        self._members.clear()

    async def publish(
        self,
        topic: str,
        value: Any,
        *,
        key: str | None = None,
        headers: Mapping[str, str | bytes] | None = None,
        correlation_id: str | None = None,
    ) -> PublishResult:
        await self._faults.before_call()
        # The hot path of every mock-tier test: helpers inlined, each step measured in
        # benchmarks/bench_event_bus.py.
        if not self._connected:
            raise NotConnectedError("InMemoryEventBus: call connect() first")
        correlation = correlation_id or new_correlation_id()
        raw_value = encode_value(value)
        raw_key = None if key is None else key.encode()
        raw_headers = encode_headers(headers, correlation)
        size = record_size(raw_key, raw_value, raw_headers)
        if size > MAX_MESSAGE_BYTES:
            raise MessageTooLargeError(size, MAX_MESSAGE_BYTES)
        state = self.broker.topics.get(check_namespaced_topic(self.namespace, topic))
        if state is None:
            raise UnknownTopicError(topic)
        partitions = state.partitions
        if raw_key is None:
            partition = next(self.broker.round_robin) % len(partitions)
        else:
            partition = partition_for_key(raw_key, len(partitions))
        log = partitions[partition]
        log.append(_Record(raw_key, raw_value, raw_headers))
        arrivals = self.broker.arrivals
        if arrivals is not None:
            arrivals.set()
        return PublishResult(topic, partition, len(log) - 1, correlation)

    async def consume(
        self, topic: str, *, group: str, max_messages: int = 1, timeout_s: float = 5.0
    ) -> list[ConsumedMessage]:
        await self._faults.before_call()
        self._require_connected()
        deadline = time.monotonic() + timeout_s
        while True:
            found = self._take(topic, group, max_messages)
            if found or time.monotonic() >= deadline:
                return found
            # Another task of this process may publish meanwhile; poll like a consumer would.
            await asyncio.sleep(min(0.01, max(0.0, deadline - time.monotonic())))

    def _take(self, topic: str, group: str, max_messages: int) -> list[ConsumedMessage]:
        state = self._topic(topic)
        full_group = self._full(group)
        committed = self.broker.committed.setdefault(full_group, {})
        members = self._members.setdefault(full_group, set())
        if topic not in members:
            members.add(topic)
            if len(members) > 1:
                # A rebalance (Kafka's eager protocol): every member of the group restarts from
                # the committed offsets, so what was read and not committed comes again.
                self._positions.pop(full_group, None)
        positions = self._positions.setdefault(full_group, {})
        self.broker.groups.add(full_group)
        taken: list[ConsumedMessage] = []
        for partition, log in enumerate(state.partitions):
            slot = (self._full(topic), partition)
            position = positions.get(slot, committed.get(slot, 0))
            while position < len(log) and len(taken) < max_messages:
                taken.append(self._message(topic, partition, position, log[position]))
                position += 1
            positions[slot] = position
        return taken

    @staticmethod
    def _message(topic: str, partition: int, offset: int, record: _Record) -> ConsumedMessage:
        headers = dict(record.headers)
        correlation = headers.get(CORRELATION_HEADER)
        return ConsumedMessage(
            topic=topic,
            partition=partition,
            offset=offset,
            key=record.key.decode() if record.key is not None else None,
            value=decode_value(record.value),
            headers=headers,
            correlation_id=correlation.decode() if correlation is not None else None,
        )

    async def commit(self, topic: str, *, group: str, messages: list[ConsumedMessage]) -> None:
        await self._faults.before_call()
        self._require_connected()
        self._topic(topic)
        committed = self.broker.committed.setdefault(self._full(group), {})
        for message in messages:
            slot = (self._full(message.topic), message.partition)
            committed[slot] = max(committed.get(slot, 0), message.offset + 1)

    async def create_topic(
        self, topic: str, *, partitions: int = 1, configs: Mapping[str, str] | None = None
    ) -> None:
        await self._faults.before_call()
        self._require_connected()
        full = check_namespaced_topic(self.namespace, topic)
        if partitions < 1:
            raise ValueError("partitions must be at least 1")
        if full in self.broker.topics:
            raise TopicAlreadyExistsError(f"topic {topic!r} already exists")
        unsupported = set(configs or {}) - {"retention.ms", "cleanup.policy", "segment.bytes"}
        if unsupported:
            raise NotSupportedByMockError(
                "InMemoryEventBus", f"topic configs {sorted(unsupported)}"
            )
        self.broker.topics[full] = _Topic([[] for _ in range(partitions)], dict(configs or {}))

    async def delete_topic(self, topic: str) -> None:
        await self._faults.before_call()
        self._require_connected()
        self._topic(topic)
        del self.broker.topics[self._full(topic)]

    async def list_topics(self) -> list[str]:
        await self._faults.before_call()
        self._require_connected()
        prefix = f"{self.namespace}."
        return sorted(self._short(name) for name in self.broker.topics if name.startswith(prefix))

    async def list_groups(self) -> list[str]:
        await self._faults.before_call()
        self._require_connected()
        prefix = f"{self.namespace}."
        groups = set(self.broker.committed) | self.broker.groups
        return sorted(self._short(name) for name in groups if name.startswith(prefix))

    async def group_offsets(self, group: str) -> dict[str, dict[int, int]]:
        await self._faults.before_call()
        self._require_connected()
        offsets: dict[str, dict[int, int]] = {}
        for (topic, partition), offset in self.broker.committed.get(self._full(group), {}).items():
            offsets.setdefault(self._short(topic), {})[partition] = offset
        return offsets

    async def delete_namespace_topics(self) -> list[str]:
        self._require_connected()
        deleted = await self.list_topics()
        for topic in deleted:
            del self.broker.topics[self._full(topic)]
        return deleted

    async def health(self) -> ToolHealth:
        return ToolHealth(healthy=self._connected, latency_ms=0.0, detail="in-memory")
