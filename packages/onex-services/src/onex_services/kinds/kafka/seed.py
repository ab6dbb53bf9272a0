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

from aiokafka import AIOKafkaProducer
from aiokafka.admin import NewTopic

from onex_services.kinds.kafka.janitor import KafkaNamespaceAdmin
from onex_services.kinds.kafka.security import client_options
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
        self._admin = KafkaNamespaceAdmin(bootstrap_servers)
        self._producer: Any = None

    async def prepare(self, section: Any) -> list[SeedRecord] | None:
        return encode_records(section.records) or None

    async def put(self, prepared: Any, namespace: str) -> str:
        records: list[SeedRecord] = list(prepared)
        prefix = self._admin.prefix(namespace)
        topics = sorted({record.topic for record in records})
        admin = await self._admin.client()
        response = await admin.create_topics([NewTopic(prefix + topic, 1, 1) for topic in topics])
        for entry in response.topic_errors:
            if entry[1]:
                raise NamespaceError(f"cannot create seed topic {entry[0]}: error {entry[1]}")
        producer = await self._started_producer()
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

    async def _started_producer(self) -> Any:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap_servers,
                **client_options(self.bootstrap_servers),
                acks="all",
            )
            await producer.start()
            self._producer = producer
        return self._producer

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        try:
            if producer is not None:
                await producer.stop()
        finally:
            await self._admin.close()
