"""Partition leaders of a Kafka cluster, asked of the brokers' metadata at the moment of use.

`leader_member` resolves a fault's `leader_of: {topic, partition}` to the member that leads
that partition now (`broker-<node id>`, see kinds/kafka/cluster.py). `check_replication` is the
cluster's deep check: a record written with `acks=all` to a topic of replication factor 3 is
still read after the partition's leader stops (docs/scale.md). It stops a broker, so it runs on
demand (`onex services replication`, the cluster's real test), not in every health probe.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from onex_services.kinds.kafka import clients
from onex_services.kinds.kafka.admin import admin_client
from onex_services.probes import HEALTH_PREFIX, ProbeError

LEADER_OF = "leader_of"
NO_LEADER = -1


def member_name(node: int) -> str:
    return f"broker-{node}"


async def partition_state(admin: AIOKafkaAdminClient, topic: str, partition: int) -> dict[str, Any]:
    """The partition's metadata (`leader`, `replicas`, `isr`), or LookupError saying why not."""
    topics = await admin.describe_topics([topic])
    entry = next((t for t in topics if t["topic"] == topic), None)
    if entry is None or entry["error_code"]:
        code = "not in the metadata" if entry is None else f"error code {entry['error_code']}"
        raise LookupError(f"topic {topic!r} is not on the cluster ({code})")
    found = next((p for p in entry["partitions"] if p["partition"] == partition), None)
    if found is None:
        count = len(entry["partitions"])
        raise LookupError(f"topic {topic!r} has no partition {partition} (it has {count})")
    return dict(found)


async def leader_node(url: str, topic: str, partition: int, timeout_s: float = 10.0) -> int:
    """The node id leading the partition now (waits out an election in progress)."""
    async with admin_client(url, request_timeout_ms=int(timeout_s * 1000)) as admin:
        deadline = time.monotonic() + timeout_s
        while True:
            state = await partition_state(admin, topic, partition)
            if state["leader"] != NO_LEADER:
                return int(state["leader"])
            if time.monotonic() > deadline:
                raise LookupError(f"{topic}[{partition}] has no leader (an election is stuck)")
            await asyncio.sleep(0.1)


async def leader_member(url: str, selector: Mapping[str, object]) -> str:
    """`{"leader_of": {"topic": t, "partition": p}}` → the member leading it (`broker-2`); the
    topic is the full name on the broker (the caller adds the namespace)."""
    # The scenario's model checked the shape (onex_scenario.leader_checks).
    target: Any = selector[LEADER_OF]
    return member_name(await leader_node(url, str(target["topic"]), int(target["partition"])))


Stop = Callable[[str], Awaitable[None]]


async def check_replication(url: str, stop: Stop, start: Stop, timeout_s: float = 60.0) -> str:
    """Write a record (acks=all) to a fresh topic of replication factor 3, stop the partition's
    leader (`stop(member)`), read the record back from the others, start the leader again
    (`start(member)`), delete the topic. Returns what it proved, one line; raises ProbeError."""
    topic = f"{HEALTH_PREFIX}.replication.{uuid.uuid4().hex[:10]}"
    payload = uuid.uuid4().bytes
    timeout_ms = int(timeout_s * 1000)
    async with admin_client(url, request_timeout_ms=timeout_ms) as admin:
        stopped: str | None = None
        try:
            brokers = (await admin.describe_cluster())["brokers"]
            if len(brokers) < 3:
                raise ProbeError(f"the cluster has {len(brokers)} broker(s) registered, not 3")
            await admin.create_topics(
                [NewTopic(topic, 1, 3, topic_configs={"min.insync.replicas": "2"})],
                timeout_ms=timeout_ms,
            )
            await _produce(url, topic, payload, timeout_ms)
            before = await partition_state(admin, topic, 0)
            if len(before["isr"]) < 3:
                isr, replicas = before["isr"], before["replicas"]
                raise ProbeError(f"{topic}: only {isr} in sync of {replicas}")
            stopped = member_name(int(before["leader"]))
            await stop(stopped)
            value = await _consume(url, topic, timeout_ms)
            if value != payload:
                raise ProbeError(f"{topic}: read another record than the one written")
            leader = await leader_node(url, topic, 0, timeout_s)
            await start(stopped)
            was_leader, stopped = stopped, None
            return (
                f"a record on {topic} (replication factor 3, acks=all) was read from "
                f"{member_name(leader)} after its leader {was_leader} stopped"
            )
        finally:
            if stopped is not None:
                await start(stopped)
            await admin.delete_topics([topic], timeout_ms=timeout_ms)


async def _produce(url: str, topic: str, payload: bytes, timeout_ms: int) -> None:
    async with clients.running(clients.producer(url, request_timeout_ms=timeout_ms)) as producer:
        await producer.send_and_wait(topic, payload)


async def _consume(url: str, topic: str, timeout_ms: int) -> bytes | None:
    """The first record of the topic, read without a group (no group coordinator needed)."""
    reader = clients.consumer(url, request_timeout_ms=timeout_ms, auto_offset_reset="earliest")
    async with clients.running(reader) as consumer:
        part = TopicPartition(topic, 0)
        consumer.assign([part])
        await consumer.seek_to_beginning(part)
        record = await asyncio.wait_for(consumer.getone(), timeout_ms / 1000)
        value: bytes | None = record.value
        return value
