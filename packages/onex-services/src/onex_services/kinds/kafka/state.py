"""Kafka's state reader: the topics and consumer groups of a namespace (`<ns>.`).

A read gives, per topic, its partitions and non-default configs, the start and end offset of
each partition and the message count; per group, its committed offsets and lag. A checkpoint
keeps the groups' committed offsets and the topics' end offsets; a restore commits the saved
offsets back (OffsetCommit with no generation, as `kafka-consumer-groups --reset-offsets` does),
and resets groups created after the checkpoint to the topics' end offsets at the checkpoint.
Records cannot be deleted from a log: what was produced after the checkpoint stays there, and
consumers reset to the checkpoint's offsets read it again. A group must have no active member
while it is reset (the broker refuses otherwise); the runner closes the run's consumers first.
`load` checks a recorded read against a fresh namespace and commits its groups' offsets (for
`onex replay`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.protocol.commit import OffsetCommitRequest
from aiokafka.protocol.offset import OffsetRequest

from onex_services.kinds.kafka.admin import close_admin, send, started_admin
from onex_services.state_values import StateLimits

LATEST, EARLIEST = -1, -2
_NO_OFFSET = -1
_TOPIC_CONFIG = 1


@dataclass(frozen=True)
class KafkaCheckpoint:
    groups: dict[str, dict[tuple[str, int], int]]
    """Committed offsets of each group of the namespace at the checkpoint."""
    ends: dict[tuple[str, int], int]
    """End offset of each partition of the namespace's topics at the checkpoint."""


class KafkaStateReader:
    """One admin client for the run; calls on it are serialised (one request at a time)."""

    def __init__(self, bootstrap_servers: str, *, timeout_s: float = 10.0) -> None:
        self.bootstrap_servers = bootstrap_servers
        self._timeout_ms = int(timeout_s * 1000)
        self._admin: AIOKafkaAdminClient | None = None
        self._lock = asyncio.Lock()
        self._coordinators: dict[str, int] = {}

    async def _client(self) -> AIOKafkaAdminClient:
        if self._admin is None:
            self._admin = await started_admin(
                self.bootstrap_servers, request_timeout_ms=self._timeout_ms, client_id="onex-state"
            )
        return self._admin

    async def _partitions(self, namespace: str) -> dict[str, list[tuple[int, int]]]:
        """Topic → [(partition, leader)] of the namespace's topics."""
        admin = await self._client()
        prefix = f"{namespace}."
        metadata = await admin._get_cluster_metadata(topics=None)
        found: dict[str, list[tuple[int, int]]] = {}
        for topic in metadata.to_object()["topics"]:
            name = topic["topic"]
            if name.startswith(prefix):
                found[name] = sorted((p["partition"], p["leader"]) for p in topic["partitions"])
        return dict(sorted(found.items()))

    async def _offsets(
        self, partitions: dict[str, list[tuple[int, int]]], at: int
    ) -> dict[tuple[str, int], int]:
        """The offset `at` (LATEST or EARLIEST) of every partition, asked of each leader."""
        admin = await self._client()
        by_leader: dict[int, list[tuple[str, int]]] = {}
        for topic, parts in partitions.items():
            for partition, leader in parts:
                by_leader.setdefault(leader, []).append((topic, partition))
        offsets: dict[tuple[str, int], int] = {}
        for leader, members in by_leader.items():
            topics: dict[str, list[tuple[int, int]]] = {}
            for topic, partition in members:
                topics.setdefault(topic, []).append((partition, at))
            # aiokafka's admin client has no ListOffsets call; the request is Kafka's own.
            response = await send(admin, OffsetRequest(-1, 0, list(topics.items())), leader)
            for topic, answers in response.topics:
                for answer in answers:
                    offsets[(topic, answer[0])] = answer[-1]
        return offsets

    async def _groups(self, namespace: str) -> list[str]:
        admin = await self._client()
        prefix = f"{namespace}."
        return sorted(g[0] for g in await admin.list_consumer_groups() if g[0].startswith(prefix))

    async def _committed(self, group: str) -> dict[tuple[str, int], int]:
        admin = await self._client()
        if group not in self._coordinators:  # a group keeps its coordinator: asked once
            self._coordinators[group] = await admin.find_coordinator(group)
        answer = await admin.list_consumer_group_offsets(group, self._coordinators[group])
        return {
            (tp.topic, tp.partition): meta.offset
            for tp, meta in answer.items()
            if meta.offset != _NO_OFFSET
        }

    async def _configs(self, topics: list[str]) -> dict[str, dict[str, str]]:
        """The configs each topic sets itself (not the broker's defaults)."""
        if not topics:
            return {}
        admin = await self._client()
        resources = [ConfigResource(ConfigResourceType.TOPIC, t) for t in topics]
        found: dict[str, dict[str, str]] = {}
        for response in await admin.describe_configs(resources):
            for resource in response.resources:
                name, entries = resource[3], resource[4]
                found[name] = {e[0]: e[1] for e in entries if _set_on_topic(e)}
        return found

    async def read(self, namespace: str, limits: StateLimits) -> dict[str, Any]:
        async with self._lock:
            partitions = await self._partitions(namespace)
            # Independent requests, in flight together on the admin client's connection.
            ends, starts, configs, names = await asyncio.gather(
                self._offsets(partitions, LATEST),
                self._offsets(partitions, EARLIEST),
                self._configs(list(partitions)),
                self._groups(namespace),
            )
            offsets = await asyncio.gather(*(self._committed(g) for g in names))
            short = len(namespace) + 1  # names are shown without the namespace's prefix
            topics = {
                topic[short:]: {
                    "partitions": len(parts),
                    "configs": configs.get(topic, {}),
                    "end_offsets": {str(p): ends[(topic, p)] for p, _ in parts},
                    "messages": sum(ends[(topic, p)] - starts[(topic, p)] for p, _ in parts),
                }
                for topic, parts in partitions.items()
            }
            groups: dict[str, Any] = {}
            for group, committed in zip(names, offsets, strict=True):
                groups[group[short:]] = {
                    "offsets": {f"{t[short:]}:{p}": o for (t, p), o in sorted(committed.items())},
                    "lag": sum(max(0, ends.get(tp, o) - o) for tp, o in committed.items()),
                }
        return {
            "topics": topics,
            "groups": groups,
            "topic_count": len(topics),
            "partition_count": sum(t["partitions"] for t in topics.values()),
        }

    async def checkpoint(self, namespace: str, name: str) -> KafkaCheckpoint:
        async with self._lock:
            ends = await self._offsets(await self._partitions(namespace), LATEST)
            groups = {g: await self._committed(g) for g in await self._groups(namespace)}
        return KafkaCheckpoint(groups=groups, ends=ends)

    async def restore(self, namespace: str, saved: Any) -> list[str]:
        if not isinstance(saved, KafkaCheckpoint):
            raise TypeError(f"not a Kafka checkpoint: {type(saved).__name__}")
        async with self._lock:
            admin = await self._client()
            done: list[str] = []
            for group in await self._groups(namespace):
                wanted = saved.groups.get(group)
                if wanted is None:  # a group born after the checkpoint: it had read nothing new
                    current = await self._committed(group)
                    wanted = {tp: saved.ends.get(tp, 0) for tp in current}
                if wanted:
                    await _commit(admin, group, wanted)
                short = group[len(namespace) + 1 :]  # named without the namespace, as in reads
                done.append(f"kafka group {short}: {len(wanted)} offset(s) reset")
        return done

    async def load(self, namespace: str, recorded: Mapping[str, Any]) -> list[str]:
        """A recorded read put back (`onex replay`): the setup made the topics and produced the
        recorded start records, so each recorded topic must be there with its partitions and
        message count (records cannot be written here in the event bus's encoding); then each
        recorded group's offsets are committed."""
        topics: Mapping[str, Any] = recorded.get("topics", {})
        groups: Mapping[str, Any] = recorded.get("groups", {})
        async with self._lock:
            partitions = await self._partitions(namespace)
            ends, starts = await asyncio.gather(
                self._offsets(partitions, LATEST), self._offsets(partitions, EARLIEST)
            )
            problems = []
            for short, topic in sorted(topics.items()):
                parts = partitions.get(f"{namespace}.{short}")
                if parts is None:
                    problems.append(f"topic {short} is not in the fresh namespace")
                    continue
                name = f"{namespace}.{short}"
                held = sum(ends[(name, p)] - starts[(name, p)] for p, _ in parts)
                if (len(parts), held) != (topic.get("partitions"), topic.get("messages")):
                    problems.append(
                        f"topic {short} has {len(parts)} partition(s) and {held} record(s), "
                        f"the recording {topic.get('partitions')} and {topic.get('messages')}"
                    )
            if problems:
                raise ValueError("kafka: " + "; ".join(problems))
            admin = await self._client()
            for short, group in sorted(groups.items()):
                offsets = {}
                for where, offset in group.get("offsets", {}).items():
                    topic, _, partition = str(where).rpartition(":")
                    offsets[(f"{namespace}.{topic}", int(partition))] = int(offset)
                if offsets:
                    await _commit(admin, f"{namespace}.{short}", offsets)
        return [f"kafka: {len(topics)} topic(s) as recorded, {len(groups)} group(s) committed"]

    async def discard(self, namespace: str, saved: Any) -> None:
        """A Kafka checkpoint is offsets in memory: nothing to remove on the broker."""

    async def held_connections(self, namespace: str) -> dict[str, Any]:
        """Kafka's API lists no clients; the namespace's topic and partition counts are read
        from the snapshot instead (see onex_runner.state_watch)."""
        return {}

    async def close(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            await close_admin(admin)


def _set_on_topic(entry: tuple[Any, ...]) -> bool:
    """A config entry the topic sets itself: DescribeConfigs v1+ gives each entry its source
    (1 = the topic's own), v0 an `is_default` flag. Sensitive entries are left out whole."""
    _name, value, _read_only, source, *rest = entry
    sensitive = bool(rest[0]) if rest else False
    own = source is False if isinstance(source, bool) else source == _TOPIC_CONFIG
    return own and not sensitive and value is not None


async def _commit(
    admin: AIOKafkaAdminClient, group: str, offsets: dict[tuple[str, int], int]
) -> None:
    """Commit `offsets` for `group` as an admin (no generation, no member): the group must be
    empty. Raises on any partition the broker refuses."""
    coordinator = await admin.find_coordinator(group)
    topics: dict[str, list[tuple[int, int, str]]] = {}
    for (topic, partition), offset in sorted(offsets.items()):
        topics.setdefault(topic, []).append((partition, offset, ""))
    request = OffsetCommitRequest(
        group,
        OffsetCommitRequest.DEFAULT_GENERATION_ID,
        "",
        OffsetCommitRequest.DEFAULT_RETENTION_TIME,
        list(topics.items()),
    )
    response = await send(admin, request, coordinator)
    refused = [
        f"{topic}:{partition} (error {code})"
        for topic, answers in response.topics
        for partition, code in answers
        if code
    ]
    if refused:
        raise RuntimeError(
            f"Kafka refused to reset group {group}: {', '.join(refused)} "
            "(a group with active members cannot be reset)"
        )
