"""Key-value stores: RedisKeyValueStore (real, redis.asyncio) and InMemoryKeyValueStore (mock).

Every key lives under `<namespace>:`; `scan` lists keys of this namespace only.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from onex_registry.errors import NotConnectedError, ToolConnectionError
from onex_registry.guard import check_built_by_registry
from onex_registry.models import ToolHealth
from onex_registry.tools.health import timed_health


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


class RedisKeyValueStore:
    """Real key-value store. `url` is redis://host:port[/db]."""

    def __init__(self, url: str, namespace: str, *, timeout_s: float = 5.0) -> None:
        check_built_by_registry(type(self).__name__)
        self.url = url
        self.namespace = namespace
        self._timeout_s = timeout_s
        self._client: Redis | None = None

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    def _require(self) -> Redis:
        if self._client is None:
            raise NotConnectedError("RedisKeyValueStore: call connect() first")
        return self._client

    async def connect(self) -> None:
        if self._client is not None:
            return
        client: Redis = Redis.from_url(
            self.url,
            decode_responses=True,
            socket_timeout=self._timeout_s,
            socket_connect_timeout=self._timeout_s,
        )
        try:
            await client.ping()
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            await client.aclose()
            raise ToolConnectionError("RedisKeyValueStore", self.url, str(exc)) from exc
        self._client = client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._client = None

    async def get(self, key: str) -> str | None:
        value = await self._require().get(self._key(key))
        return None if value is None else str(value)

    async def set(self, key: str, value: str, *, ttl_s: float | None = None) -> None:
        px = None if ttl_s is None else max(1, int(ttl_s * 1000))
        await self._require().set(self._key(key), value, px=px)

    async def delete(self, key: str) -> bool:
        return bool(await self._require().delete(self._key(key)))

    async def expire(self, key: str, ttl_s: float) -> bool:
        return bool(await self._require().pexpire(self._key(key), max(1, int(ttl_s * 1000))))

    async def ttl(self, key: str) -> float | None:
        millis = int(await self._require().pttl(self._key(key)))
        return None if millis < 0 else millis / 1000

    async def scan(self, prefix: str = "") -> list[str]:
        client = self._require()
        pattern = f"{_glob_escape(self._key(prefix))}*"
        start = len(self.namespace) + 1
        return sorted([str(key)[start:] async for key in client.scan_iter(match=pattern)])

    async def health(self) -> ToolHealth:
        async def round_trip() -> None:
            await self._require().ping()

        return await timed_health(round_trip, (RedisError, OSError))


class InMemoryKeyValueStore:
    """Mock key-value store with Redis' expiry semantics (a key past its TTL is gone)."""

    def __init__(self, namespace: str) -> None:
        check_built_by_registry(type(self).__name__)
        self.namespace = namespace
        self._values: dict[str, tuple[str, float | None]] = {}
        self._connected = False

    def _live(self, key: str) -> tuple[str, float | None] | None:
        if not self._connected:
            raise NotConnectedError("InMemoryKeyValueStore: call connect() first")
        entry = self._values.get(key)
        if entry is not None and entry[1] is not None and entry[1] <= time.monotonic():
            del self._values[key]
            return None
        return entry

    async def connect(self) -> None:
        self._connected = True

    async def close(self) -> None:
        self._connected = False

    async def get(self, key: str) -> str | None:
        entry = self._live(key)
        return None if entry is None else entry[0]

    async def set(self, key: str, value: str, *, ttl_s: float | None = None) -> None:
        self._live(key)
        if not isinstance(value, str):
            # redis-py refuses non-scalar values too; a silent str() would hide the bug.
            raise TypeError(f"value must be str, got {type(value).__name__}")
        expiry = None if ttl_s is None else time.monotonic() + max(0.001, ttl_s)
        self._values[key] = (value, expiry)

    async def delete(self, key: str) -> bool:
        return self._live(key) is not None and self._values.pop(key, None) is not None

    async def expire(self, key: str, ttl_s: float) -> bool:
        entry = self._live(key)
        if entry is None:
            return False
        self._values[key] = (entry[0], time.monotonic() + max(0.001, ttl_s))
        return True

    async def ttl(self, key: str) -> float | None:
        entry = self._live(key)
        if entry is None or entry[1] is None:
            return None
        return round(max(0.0, entry[1] - time.monotonic()), 3)

    async def scan(self, prefix: str = "") -> list[str]:
        return sorted(k for k in list(self._values) if k.startswith(prefix) and self._live(k))

    async def health(self) -> ToolHealth:
        return ToolHealth(healthy=self._connected, latency_ms=0.0, detail="in-memory")
