"""Key-value stores: RedisKeyValueStore (real, redis.asyncio) and InMemoryKeyValueStore (mock).

Every key lives under `<namespace>:`; `scan` lists keys of this namespace only. Keys hold a
string, a list or a hash; a command on a key of another type raises WrongTypeError in both.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from onex_scenario.client_names import client_name
from onex_scenario.redaction import redact_url
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from onex_registry.errors import (
    KvConnectionLost,
    KvError,
    KvValueTypeError,
    NotConnectedError,
    ToolConnectionError,
    WrongTypeError,
)
from onex_registry.guard import check_built_by_registry
from onex_registry.mock_faults import MockFaults
from onex_registry.models import ToolHealth
from onex_registry.tools.health import timed_health

_T = TypeVar("_T")
Value = str | list[str] | dict[str, str]
"""What a key holds: a string, a list or a hash."""
_TYPES: dict[type, str] = {str: "string", list: "list", dict: "hash"}


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


def _texts(command: str, values: tuple[object, ...]) -> None:
    """Both stores refuse the same arguments before anything is sent."""
    if not values:
        raise ValueError(f"{command} needs at least one value")
    for value in values:
        if not isinstance(value, str):
            # redis-py would stringify an int and refuse a dict; both stores refuse alike.
            raise KvValueTypeError(value)


def _slice(items: list[str], start: int, stop: int) -> list[str]:
    """LRANGE's indexes: both ends included, negative ones count from the end."""
    size = len(items)
    first = max(0, start + size if start < 0 else start)
    last = stop + size if stop < 0 else min(stop, size - 1)
    return items[first : last + 1] if first <= last else []


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
            client_name=client_name(self.namespace),
            socket_timeout=self._timeout_s,
            socket_connect_timeout=self._timeout_s,
        )
        try:
            await client.ping()
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            await client.aclose()
            # The URL holds the password (an ACL user's too): the error shows it redacted.
            endpoint = redact_url(self.url)
            raise ToolConnectionError("RedisKeyValueStore", endpoint, str(exc)) from exc
        self._client = client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._client = None

    async def _typed(self, key: str, wanted: str, call: Awaitable[_T]) -> _T:
        """redis-py's errors as the KV taxonomy, redis-py's error kept as `__cause__`."""
        try:
            return await call
        except ResponseError as exc:
            if str(exc).startswith("WRONGTYPE"):
                raise WrongTypeError(key, wanted) from exc
            raise KvError(str(exc)) from exc
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise KvConnectionLost(str(exc) or type(exc).__name__) from exc
        except RedisError as exc:
            raise KvError(str(exc)) from exc

    async def get(self, key: str) -> str | None:
        value = await self._typed(key, "string", self._require().get(self._key(key)))
        return None if value is None else str(value)

    async def key_type(self, key: str) -> str:
        return str(await self._require().type(self._key(key)))

    async def rpush(self, key: str, *values: str) -> int:
        _texts("rpush", values)
        call = self._require().rpush(self._key(key), *values)
        return int(await self._typed(key, "list", call))

    async def lrange(self, key: str, start: int = 0, stop: int = -1) -> list[str]:
        call = self._require().lrange(self._key(key), start, stop)
        return [str(item) for item in await self._typed(key, "list", call)]

    async def hset(self, key: str, fields: Mapping[str, str]) -> int:
        _texts("hset", tuple(fields.values()))
        mapping: dict[str | bytes, str | bytes] = {name: value for name, value in fields.items()}
        call = self._require().hset(self._key(key), mapping=mapping)  # type: ignore[arg-type]
        return int(await self._typed(key, "hash", call))

    async def hgetall(self, key: str) -> dict[str, str]:
        call = self._require().hgetall(self._key(key))
        found = await self._typed(key, "hash", call)
        return {str(name): str(value) for name, value in found.items()}

    async def set(self, key: str, value: str, *, ttl_s: float | None = None) -> None:
        _texts("set", (value,))
        px = None if ttl_s is None else max(1, int(ttl_s * 1000))
        await self._typed(key, "string", self._require().set(self._key(key), value, px=px))

    async def delete(self, key: str) -> bool:
        return bool(await self._typed(key, "key", self._require().delete(self._key(key))))

    async def expire(self, key: str, ttl_s: float) -> bool:
        call = self._require().pexpire(self._key(key), max(1, int(ttl_s * 1000)))
        return bool(await self._typed(key, "key", call))

    async def ttl(self, key: str) -> float | None:
        millis = int(await self._typed(key, "key", self._require().pttl(self._key(key))))
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
        self._values: dict[str, tuple[Value, float | None]] = {}
        self._faults = MockFaults(type(self).__name__, KvConnectionLost)
        self._connected = False

    def _live(self, key: str) -> tuple[Value, float | None] | None:
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

    def inject_fault(self, action: str, params: Mapping[str, Any]) -> Callable[[], None]:
        """A network fault on this mock's calls until the callable is called (see
        onex_registry.mock_faults: what it models, and what it refuses by name)."""
        return self._faults.inject(action, params)

    def _held(self, key: str, kind: type[_T]) -> _T | None:
        """The key's value if it holds `kind`; None if absent; WrongTypeError otherwise."""
        entry = self._live(key)
        if entry is None:
            return None
        if not isinstance(entry[0], kind):
            raise WrongTypeError(key, _TYPES[kind])
        return entry[0]

    async def get(self, key: str) -> str | None:
        await self._faults.before_call()
        return self._held(key, str)

    async def set(self, key: str, value: str, *, ttl_s: float | None = None) -> None:
        await self._faults.before_call()
        self._live(key)
        _texts("set", (value,))
        expiry = None if ttl_s is None else time.monotonic() + max(0.001, ttl_s)
        self._values[key] = (value, expiry)

    async def key_type(self, key: str) -> str:
        await self._faults.before_call()
        entry = self._live(key)
        return "none" if entry is None else _TYPES[type(entry[0])]

    async def rpush(self, key: str, *values: str) -> int:
        await self._faults.before_call()
        _texts("rpush", values)
        items = self._held(key, list)
        if items is None:
            items = []
            self._values[key] = (items, None)
        items.extend(values)
        return len(items)

    async def lrange(self, key: str, start: int = 0, stop: int = -1) -> list[str]:
        await self._faults.before_call()
        return _slice(self._held(key, list) or [], start, stop)

    async def hset(self, key: str, fields: Mapping[str, str]) -> int:
        await self._faults.before_call()
        _texts("hset", tuple(fields.values()))
        held = self._held(key, dict)
        if held is None:
            held = {}
            self._values[key] = (held, None)
        new = sum(1 for name in fields if name not in held)
        held.update(fields)
        return new

    async def hgetall(self, key: str) -> dict[str, str]:
        await self._faults.before_call()
        return dict(self._held(key, dict) or {})

    async def delete(self, key: str) -> bool:
        await self._faults.before_call()
        return self._live(key) is not None and self._values.pop(key, None) is not None

    async def expire(self, key: str, ttl_s: float) -> bool:
        await self._faults.before_call()
        entry = self._live(key)
        if entry is None:
            return False
        self._values[key] = (entry[0], time.monotonic() + max(0.001, ttl_s))
        return True

    async def ttl(self, key: str) -> float | None:
        await self._faults.before_call()
        entry = self._live(key)
        if entry is None or entry[1] is None:
            return None
        return round(max(0.0, entry[1] - time.monotonic()), 3)

    async def scan(self, prefix: str = "") -> list[str]:
        await self._faults.before_call()
        return sorted(k for k in list(self._values) if k.startswith(prefix) and self._live(k))

    async def health(self) -> ToolHealth:
        return ToolHealth(healthy=self._connected, latency_ms=0.0, detail="in-memory")
