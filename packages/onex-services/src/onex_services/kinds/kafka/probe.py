"""Kafka's deep probe: create a topic, produce a record, consume it through a consumer group,
delete the group and the topic, so a probe leaves no trace in the broker."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from onex_services.kinds.kafka import clients
from onex_services.kinds.kafka.admin import (
    GROUP_ID_NOT_FOUND,
    close_admin,
    delete_groups,
    started_admin,
)
from onex_services.probes import HEALTH_PREFIX, ProbeError, ReusingProbe, quietly

KIND = "kafka"
_ERRORS: tuple[type[BaseException], ...] = (KafkaError,)


def _check_errors(response: Any, field: str, step: str) -> None:
    for entry in getattr(response, field, []):
        code = entry[1]
        if code:
            message = entry[2] if len(entry) > 2 and entry[2] else f"error code {code}"
            raise ProbeError(f"{step} {entry[0]}: {message}")


class KafkaProbe(ReusingProbe):
    """Topic create -> produce -> consume in a group -> topic delete, on `url` (bootstrap)."""

    kind = KIND

    def __init__(self, url: str) -> None:
        self.url = url
        self._admin: AIOKafkaAdminClient | None = None
        self._producer: AIOKafkaProducer | None = None

    async def _clients(self, timeout_ms: int) -> tuple[AIOKafkaAdminClient, AIOKafkaProducer]:
        if self._admin is None or self._producer is None:
            admin = await started_admin(
                self.url, request_timeout_ms=timeout_ms, retry_backoff_ms=10
            )
            try:
                producer = await clients.started(
                    clients.producer(
                        self.url, request_timeout_ms=timeout_ms, retry_backoff_ms=5, linger_ms=0
                    )
                )
            except BaseException:
                await quietly(close_admin(admin), _ERRORS)
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
        consumer = clients.consumer(
            self.url,
            topic,
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
        await quietly(clients.stop(consumer), _ERRORS)
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
            await quietly(clients.stop(producer), _ERRORS)
        if admin is not None:
            await quietly(close_admin(admin), _ERRORS)
