"""Put a recorded Redis state (what `RedisStateReader.read` gave) back under a prefix.

The prefix's keys are deleted and the recorded ones written, in one MULTI: strings, lists,
hashes, sets and sorted sets with the values the reader kept (as text), each with its recorded
time to live (whole seconds, as read). A key of another type (a stream, a module's) has no
recorded value, and is an error naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class RedisLoadRefused(ValueError):
    """A recorded key that cannot be written back (the message names it)."""


def _queue_key(pipe: Any, key: str, entry: Mapping[str, Any]) -> None:
    kind, value = entry.get("type"), entry.get("value")
    if kind == "string" and isinstance(value, str):
        pipe.set(key, value)
    elif kind == "list" and isinstance(value, list):
        pipe.rpush(key, *value)
    elif kind == "hash" and isinstance(value, dict):
        pipe.hset(key, mapping=value)
    elif kind == "set" and isinstance(value, list):
        pipe.sadd(key, *value)
    elif kind == "zset" and isinstance(value, list):
        pipe.zadd(key, {str(member): float(score) for member, score in value})
    else:
        raise RedisLoadRefused(
            f"redis key {key}: a recorded {kind} whose value is {type(value).__name__} cannot "
            "be written back (streams and modules' types keep no value in a snapshot)"
        )
    ttl = entry.get("ttl_s")
    if isinstance(ttl, int) and ttl > 0:
        pipe.expire(key, ttl)


async def load_keys(
    client: Any, prefix: str, current: list[bytes], recorded: Mapping[str, Any]
) -> list[str]:
    """Replace the keys `current` of `prefix` by the recorded ones (a redis.asyncio client)."""
    keys: Mapping[str, Any] = recorded.get("keys", {})
    async with client.pipeline(transaction=True) as pipe:
        if current:
            pipe.delete(*current)
        for short, entry in sorted(keys.items()):
            _queue_key(pipe, prefix + short, entry)
        await pipe.execute()
    return [f"redis prefix: {len(keys)} key(s) loaded"]
