"""Kafka's part of a seeded state in test namespaces: its records, encoded once (JSON values and
a `correlation_id` header, as the harness's event bus writes them), are produced into each test's
topics `<ns>.<topic>`, created first with one partition. Records cannot be copied inside a broker;
the producer and the admin client are kept open for the session instead."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any

from aiokafka.admin import NewTopic

from onex_services.kinds.kafka.janitor import KafkaNamespaceWriter
from onex_services.namespaces import NamespaceError

CORRELATION_HEADER = "correlation_id"
"""The header the harness's event bus carries correlation ids in (onex_registry.kafka_rules)."""


@dataclass(frozen=True)
class SeedRecord:
    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    correlation_id: str | None


def encode_records(records: Any) -> list[SeedRecord]:
    return [
        SeedRecord(
            topic=record.topic,
            key=record.key.encode() if record.key is not None else None,
            value=json.dumps(record.value).encode(),
            headers=tuple((name, value.encode()) for name, value in record.headers.items()),
            correlation_id=record.correlation_id,
        )
        for record in records
    ]


class KafkaSeeder:
    """Seed records produced into namespaces, over one admin client and one producer."""

    def __init__(self, bootstrap_servers: str) -> None:
        self.bootstrap_servers = bootstrap_servers
        self._writer = KafkaNamespaceWriter(bootstrap_servers)

    async def prepare(self, section: Any) -> list[SeedRecord] | None:
        return encode_records(section.records) or None

    async def put(self, prepared: Any, namespace: str) -> str:
        records: list[SeedRecord] = list(prepared)
        prefix = self._writer.cluster.prefix(namespace)
        topics = sorted({record.topic for record in records})
        admin = await self._writer.cluster.client()
        response = await admin.create_topics([NewTopic(prefix + topic, 1, 1) for topic in topics])
        for entry in response.topic_errors:
            if entry[1]:
                raise NamespaceError(f"cannot create seed topic {entry[0]}: error {entry[1]}")
        producer = await self._writer.producer()
        sent = []
        for record in records:
            correlation = record.correlation_id or str(uuid.uuid4())
            headers = [*record.headers, (CORRELATION_HEADER, correlation.encode())]
            sent.append(
                await producer.send(
                    prefix + record.topic, value=record.value, key=record.key, headers=headers
                )
            )
        await asyncio.gather(*sent)  # every record acknowledged (acks=all), or the error
        return f"{len(records)} record(s) produced into {len(topics)} topic(s)"

    async def close(self) -> None:
        await self._writer.close()
