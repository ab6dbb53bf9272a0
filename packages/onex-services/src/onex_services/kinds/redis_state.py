"""Redis's state reader: the keys of a namespace's prefix (`<ns>:`), with type, TTL and value.

One client for the run (named onex-state). A read keeps up to `limits.keys` keys (sorted), each
value cut at `limits.value_chars`; a checkpoint is DUMP and PTTL of every key of the prefix,
kept in memory, and a restore deletes the prefix's keys and RESTOREs the saved ones with their
remaining time to live. `load` writes a recorded read back (`redis_load`, for `onex replay`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from onex_scenario.client_names import client_name

from onex_services.kinds.redis_load import load_keys
from onex_services.namespaces import validate_namespace
from onex_services.state_values import StateLimits, small

STATE_CLIENT = "onex-state"


@dataclass(frozen=True)
class RedisCheckpoint:
    keys: dict[bytes, tuple[bytes, int]]
    """key → (DUMP payload, PTTL in ms; 0 for no expiry)."""


class RedisStateReader:
    def __init__(self, url: str, *, timeout_s: float = 10.0) -> None:
        self.url = url
        self._timeout_s = timeout_s
        self._client: Any = None
        self._lock = asyncio.Lock()

    def _redis(self) -> Any:
        if self._client is None:
            import redis.asyncio as aioredis  # imported here: the vocabulary must stay cheap

            self._client = aioredis.Redis.from_url(
                self.url,
                client_name=STATE_CLIENT,
                socket_timeout=self._timeout_s,
                socket_connect_timeout=self._timeout_s,
            )
        return self._client

    async def _keys(self, namespace: str) -> list[bytes]:
        prefix = validate_namespace(namespace) + ":"
        # The namespace holds no glob characters (see NAMESPACE_RE): the pattern is a prefix.
        found = [key async for key in self._redis().scan_iter(match=f"{prefix}*", count=1000)]
        return sorted(found)

    async def read(self, namespace: str, limits: StateLimits) -> dict[str, Any]:
        async with self._lock:
            keys = await self._keys(namespace)
            kept = keys[: limits.keys]
            client = self._redis()
            async with client.pipeline(transaction=False) as pipe:
                for key in kept:
                    pipe.type(key)
                    pipe.pttl(key)
                answers = await pipe.execute()
            types = [t.decode() if isinstance(t, bytes) else str(t) for t in answers[0::2]]
            async with client.pipeline(transaction=False) as pipe:
                for key, kind in zip(kept, types, strict=True):
                    _queue_value(pipe, key, kind)
                values = await pipe.execute()
        short = len(namespace) + 1  # keys are shown without the namespace's prefix
        entries = {
            key.decode(errors="replace")[short:]: {
                "type": kind,
                "ttl_s": None if pttl < 0 else round(pttl / 1000),
                "value": small(_plain(value), limits),
            }
            for key, kind, pttl, value in zip(kept, types, answers[1::2], values, strict=True)
        }
        state: dict[str, Any] = {"keys": entries, "key_count": len(keys)}
        if len(keys) > len(kept):
            state["truncated"] = f"{len(kept)} of {len(keys)} keys kept"
        return state

    async def checkpoint(self, namespace: str, name: str) -> RedisCheckpoint:
        async with self._lock:
            keys = await self._keys(namespace)
            async with self._redis().pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.dump(key)
                    pipe.pttl(key)
                answers = await pipe.execute()
        saved = {
            key: (payload, max(0, pttl))
            for key, payload, pttl in zip(keys, answers[0::2], answers[1::2], strict=True)
            if payload is not None  # expired between SCAN and DUMP
        }
        return RedisCheckpoint(keys=saved)

    async def restore(self, namespace: str, saved: Any) -> list[str]:
        if not isinstance(saved, RedisCheckpoint):
            raise TypeError(f"not a Redis checkpoint: {type(saved).__name__}")
        async with self._lock:
            current = await self._keys(namespace)
            async with self._redis().pipeline(transaction=True) as pipe:
                if current:
                    pipe.delete(*current)
                for key, (payload, pttl) in saved.keys.items():
                    pipe.restore(key, pttl, payload, replace=True)
                await pipe.execute()
        return [f"redis prefix: {len(saved.keys)} key(s) restored"]

    async def load(self, namespace: str, recorded: Mapping[str, Any]) -> list[str]:
        async with self._lock:
            current = await self._keys(namespace)
            return await load_keys(self._redis(), namespace + ":", current, recorded)

    async def discard(self, namespace: str, saved: Any) -> None:
        """A Redis checkpoint lives in memory: nothing to remove on the server."""

    async def held_connections(self, namespace: str) -> dict[str, Any]:
        async with self._lock:
            clients = await self._redis().client_list()
        name = client_name(validate_namespace(namespace))
        return {"clients": sum(1 for c in clients if c.get("name") == name)}

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


def _queue_value(pipe: Any, key: bytes, kind: str) -> None:
    if kind == "string":
        pipe.get(key)
    elif kind == "list":
        pipe.lrange(key, 0, -1)
    elif kind == "hash":
        pipe.hgetall(key)
    elif kind == "set":
        pipe.smembers(key)
    elif kind == "zset":
        pipe.zrange(key, 0, -1, withscores=True)
    else:  # streams and modules' types: their type is shown, not their value
        pipe.type(key)


def _plain(value: Any) -> Any:
    """Redis answers as JSON-ready values (bytes decoded, sets sorted)."""
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
