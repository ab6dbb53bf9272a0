"""Wait until every broker's metadata agrees on a topic change the caller just made.

On a cluster the controller answers a create or a delete once it committed it, and each broker
learns of it from the metadata log a moment later; a client's metadata request goes to one broker
of its choice, so right after a create the topic can still be "unknown" there, right after a
delete still listed. One helper for every caller that must see the effect of what it did: the
event bus tool of onex-registry, the janitors and markers of onex-services (this package is the
one all of them import; aiokafka is imported only when called, by callers that hold a client).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

UNKNOWN_TOPIC_OR_PARTITION = 3
PACE_S = 0.02
"""Between two rounds of questions: a broker catches up within milliseconds."""


class MetadataDisagreement(RuntimeError):
    """The brokers did not all show the change before the deadline."""


def _agrees(topics: list[dict[str, Any]], names: Collection[str], present: bool) -> bool:
    """Whether one broker's answer shows every name with a leader per partition (`present`), or
    none of them."""
    seen = {entry["topic"]: entry for entry in topics}
    for name in names:
        entry = seen.get(name)
        if not present:
            if entry is not None and entry["error_code"] != UNKNOWN_TOPIC_OR_PARTITION:
                return False
            continue
        if entry is None or entry["error_code"] != 0 or not entry["partitions"]:
            return False
        if any(part["leader"] < 0 for part in entry["partitions"]):
            return False
    return True


async def wait_until_brokers_agree(
    admin: Any, topics: Collection[str], *, present: bool, within_s: float
) -> None:
    """Return once every reachable broker known to `admin` (an aiokafka AIOKafkaAdminClient)
    shows each of `topics` with a leader for every partition (`present`), or none of them;
    MetadataDisagreement naming the brokers that do not after `within_s`. A broker that cannot
    be reached (a fault stopped it) is not waited for: it learns the change when it comes back,
    before it leads anything; at least one broker must answer."""
    from aiokafka.errors import KafkaConnectionError, NodeNotReadyError, RequestTimedOutError
    from aiokafka.protocol.metadata import MetadataRequest

    names = sorted(set(topics))
    if not names:
        return
    client = admin._client  # aiokafka's admin API cannot ask a chosen broker
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while True:
        behind: list[int] = []
        answered = 0
        for node in sorted(broker.nodeId for broker in client.cluster.brokers()):
            request = MetadataRequest(names, allow_auto_topic_creation=False)
            try:
                response = await client.send(node, request)
            except (KafkaConnectionError, NodeNotReadyError, RequestTimedOutError):
                continue
            answered += 1
            if not _agrees(response.to_object()["topics"], names, present):
                behind.append(node)
        if answered and not behind:
            return
        if loop.time() >= deadline:
            state = "listed with leaders" if present else "gone"
            who = f"brokers {behind}" if answered else "no broker answered"
            raise MetadataDisagreement(
                f"topics {names} are not {state} on every broker after {within_s:g} s ({who})"
            )
        await asyncio.sleep(PACE_S)
