"""The size of a Kafka namespace while it was in use, kept with a scenario's resources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def namespace_size(snapshot: Mapping[str, Any]) -> dict[str, Any] | None:
    """Topics and partitions of the namespace, from its snapshot (`KafkaStateReader.read`)."""
    if "topic_count" not in snapshot:
        return None
    return {"topics": snapshot["topic_count"], "partitions": snapshot["partition_count"]}
