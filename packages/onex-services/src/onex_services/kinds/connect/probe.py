"""Kafka Connect's deep probe: a FileStream source connector in the probe's namespace reads a
file of fresh lines into a fresh topic; the lines are read back from Kafka; the connector and
the topic are deleted, so a probe leaves nothing behind but its source offset in the worker's
offsets topic (keyed by a file name no later probe uses).

A worker whose REST API answers but cannot reach Kafka fails here ("no records arrived"), which
is the point: usable means it moves records, not that its port is open.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

from onex_services.kinds.connect.rest import ConnectRest, ConnectRestError
from onex_services.kinds.kafka import clients
from onex_services.kinds.kafka.admin import close_admin, started_admin
from onex_services.probes import HEALTH_PREFIX, ProbeError, ReusingProbe, quietly

KIND = "connect"
LINES = 3
READ_SHARE = 0.7
FILE_SOURCE = "org.apache.kafka.connect.file.FileStreamSourceConnector"
_ERRORS: tuple[type[BaseException], ...] = (KafkaError, ConnectRestError)


def _write_lines(lines: list[str]) -> tuple[Path, Path]:
    """A fresh folder with a file of `lines` that the worker (maybe another user) can read."""
    folder = Path(tempfile.mkdtemp(prefix="onex-health-connect-"))
    source = folder / "lines.txt"
    source.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    source.chmod(0o644)
    folder.chmod(0o755)
    return folder, source


class ConnectProbe(ReusingProbe):
    """File source connector -> records in Kafka -> delete, on the worker at `url`."""

    kind = KIND

    def __init__(self, url: str, dependencies: Mapping[str, str]) -> None:
        self.url = url
        self.bootstrap = dependencies.get("kafka")

    async def _round(self, timeout_s: float) -> None:
        if self.bootstrap is None:
            raise ProbeError("the connect probe needs the kafka the worker runs on (none given)")
        rest = ConnectRest(self.url, timeout_s=timeout_s)
        name = f"{HEALTH_PREFIX}.{uuid.uuid4().hex[:12]}"
        lines = [uuid.uuid4().hex for _ in range(LINES)]
        folder, source = _write_lines(lines)
        try:
            await rest.put_config(
                name,
                {
                    "connector.class": FILE_SOURCE,
                    "tasks.max": "1",
                    "file": str(source),
                    "topic": name,
                    # The broker creates no topic on first use: the worker creates it.
                    "topic.creation.default.replication.factor": "1",
                    "topic.creation.default.partitions": "1",
                },
            )
            got = await self._read(name, len(lines), timeout_s)
            if got != lines:
                raise ProbeError(f"topic {name} holds {got}, not the lines the file source read")
        finally:
            await asyncio.gather(self._delete_connector(rest, name), self._delete_topic(name))
            shutil.rmtree(folder, ignore_errors=True)

    async def _read(self, topic: str, count: int, timeout_s: float) -> list[str]:
        """The first `count` records of `topic`, waiting for the worker to create and fill it."""
        assert self.bootstrap is not None
        consumer = clients.consumer(
            self.bootstrap,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=50,
            retry_backoff_ms=20,
            request_timeout_ms=max(1000, int(timeout_s * 1000)),
        )
        # Leave part of the attempt for deleting the connector and the topic.
        within_s = max(0.5, timeout_s * READ_SHARE)
        deadline = time.monotonic() + within_s
        await clients.started(consumer)
        got: list[str] = []
        try:
            while topic not in await consumer.topics():
                if time.monotonic() > deadline:
                    raise ProbeError(f"the file source did not create {topic} in {within_s:.1f} s")
                await asyncio.sleep(0.05)  # the worker creates the topic with its first record
            consumer.assign([TopicPartition(topic, 0)])
            while len(got) < count:
                if time.monotonic() > deadline:
                    raise ProbeError(
                        f"{len(got)} of {count} records arrived in {topic} from the file source "
                        f"in {within_s:.1f} s"
                    )
                batch = await consumer.getmany(timeout_ms=100)
                got.extend(
                    (record.value or b"").decode("utf-8", errors="replace")
                    for records in batch.values()
                    for record in records
                )
        finally:
            await quietly(clients.stop(consumer), _ERRORS)
        return got[:count]

    async def _delete_connector(self, rest: ConnectRest, name: str) -> None:
        try:
            await rest.delete(name)
        except ConnectRestError as exc:
            if exc.status != 404:  # 404: the create itself failed
                raise

    async def _delete_topic(self, topic: str) -> None:
        assert self.bootstrap is not None
        admin = await started_admin(self.bootstrap, request_timeout_ms=5000)
        try:
            if topic in await admin.list_topics():
                await admin.delete_topics([topic])
        finally:
            await quietly(close_admin(admin), _ERRORS)

    async def close(self) -> None:
        """Each round opens and closes its own clients."""
