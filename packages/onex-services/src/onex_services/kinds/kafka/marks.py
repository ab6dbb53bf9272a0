"""Kafka namespace markers: a one-partition topic `<ns>.__onex_meta` whose last record is the JSON.

A broker rejects topic configs it does not know, so the marker cannot be a config; a topic
under the namespace's prefix goes with the namespace when it is dropped (the prefix deletion of
`janitor`), and a renewal is one more record (the last one counts).
"""

from __future__ import annotations

import asyncio
from typing import Any

from onex_services.kinds.kafka import clients
from onex_services.kinds.kafka.janitor import KafkaNamespaceWriter
from onex_services.namespaces import NAMESPACE_RE, validate_namespace

MARK_TOPIC = "__onex_meta"
READ_TIMEOUT_S = 10.0


class KafkaTopicMarks:
    """Marker topics of the namespaces on one cluster."""

    def __init__(self, bootstrap_servers: str, *, timeout_s: float = 15.0) -> None:
        self.bootstrap_servers = bootstrap_servers
        # A new marker topic has no leader for a moment: the producer retries its metadata soon.
        self._writer = KafkaNamespaceWriter(
            bootstrap_servers, timeout_s=timeout_s, retry_backoff_ms=10
        )

    async def _clients(self) -> tuple[Any, Any]:
        """The admin client (the janitor's) and the producer, started on first use and kept
        until `close` (a pool marks many namespaces on them)."""
        return await self._writer.cluster.client(), await self._writer.producer()

    async def write(self, namespace: str, mark: str) -> None:
        from aiokafka.admin import NewTopic
        from aiokafka.errors import TopicAlreadyExistsError

        topic = f"{validate_namespace(namespace)}.{MARK_TOPIC}"
        admin, producer = await self._clients()
        result: Any = await admin.create_topics([NewTopic(topic, 1, 1)])
        codes = [err[1] for err in getattr(result, "topic_errors", ())]
        if any(code not in (0, TopicAlreadyExistsError.errno) for code in codes):
            raise RuntimeError(f"cannot create the marker topic {topic}: error {codes}")
        await producer.send_and_wait(topic, mark.encode())

    async def read_all(self) -> dict[str, str]:
        from aiokafka import TopicPartition

        reader = clients.consumer(self.bootstrap_servers, enable_auto_commit=False)
        async with clients.running(reader) as consumer:
            names = {
                topic.removesuffix(f".{MARK_TOPIC}"): topic
                for topic in await consumer.topics()
                if topic.endswith(f".{MARK_TOPIC}")
            }
            names = {ns: t for ns, t in names.items() if NAMESPACE_RE.fullmatch(ns)}
            parts = {TopicPartition(topic, 0): ns for ns, topic in names.items()}
            if not parts:
                return {}
            consumer.assign(list(parts))
            ends = await consumer.end_offsets(list(parts))
            waiting = {tp for tp, end in ends.items() if end > 0}
            for tp in waiting:
                consumer.seek(tp, ends[tp] - 1)
            found: dict[str, str] = {}
            async with asyncio.timeout(READ_TIMEOUT_S):
                while waiting:
                    batches = await consumer.getmany(*waiting, timeout_ms=1000)
                    for tp, records in batches.items():
                        last = [r for r in records if r.offset == ends[tp] - 1]
                        if last and last[0].value is not None:
                            found[parts[tp]] = last[0].value.decode("utf-8", errors="replace")
                            waiting.discard(tp)
            return found

    async def close(self) -> None:
        await self._writer.close()
