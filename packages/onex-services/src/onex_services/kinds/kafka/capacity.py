"""What a run takes of a Kafka cluster's partitions (`KindSpec.capacity`).

A broker has no hard partition limit, but every cluster has a practical or a contractual one
(managed offerings cap partitions per cluster; Kafka's own guidance is a few thousand per
broker). The limit is `ONEX_KAFKA_PARTITION_LIMIT` when set, else `PARTITIONS_PER_BROKER` times
the brokers the cluster reports. In use: the partitions of every topic now. A run needs, at
most, the partitions of the `workers` scenarios with the most partitions at once (their
`resources.kafka.topics`, each scenario in its own namespace), and one marker topic of one
partition per namespace where markers are written (`server_marks`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from onex_services.errors import SettingError
from onex_services.kinds.hooks import ServerCapacity

LIMIT_ENV = "ONEX_KAFKA_PARTITION_LIMIT"
PARTITIONS_PER_BROKER = 4000


def _scenario_partitions(scenario: Any) -> int:
    topics = scenario.resources.kafka.topics if scenario.resources.kafka is not None else ()
    return sum(int(topic.partitions) for topic in topics)


def partitions_needed(workers: int, scenarios: Sequence[Any]) -> int:
    from onex_services.server_marks import marks_wanted

    heaviest = sorted((_scenario_partitions(s) for s in scenarios), reverse=True)[:workers]
    markers = len(heaviest) if marks_wanted() else 0
    return sum(heaviest) + markers


def partition_limit() -> int | None:
    raw = os.environ.get(LIMIT_ENV, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise SettingError(f"{LIMIT_ENV}={raw!r}: expected a whole number of partitions, 1 or more")
    return int(raw)


class KafkaCapacity:
    def __init__(self, bootstrap_servers: str) -> None:
        self.bootstrap_servers = bootstrap_servers

    async def read(self) -> ServerCapacity:
        from onex_services.kinds.kafka.admin import admin_client

        async with admin_client(self.bootstrap_servers, request_timeout_ms=10000) as admin:
            topics = await admin.list_topics()
            described = await admin.describe_topics(list(topics)) if topics else []
            cluster = await admin.describe_cluster()
        in_use = sum(len(topic.get("partitions", ())) for topic in described)
        given = partition_limit()
        brokers = len(cluster.get("brokers", ())) or 1
        if given is not None:
            return ServerCapacity("partitions", given, in_use, LIMIT_ENV)
        return ServerCapacity(
            "partitions",
            PARTITIONS_PER_BROKER * brokers,
            in_use,
            f"{PARTITIONS_PER_BROKER} per broker x {brokers} broker(s); set {LIMIT_ENV}",
        )

    async def close(self) -> None:
        """Each read opens and closes its own admin client."""
