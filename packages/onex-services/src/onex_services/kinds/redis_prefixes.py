"""Redis namespaces: keys `<ns>:<name>`, dropped by one server-side script on one reused client.

The script walks the keyspace with SCAN (the exact prefix as the MATCH pattern: a namespace has
no glob characters, see `namespaces.NAMESPACE_RE`) and UNLINKs what it finds in batches, so a
drop is one round trip whatever the number of keys, and freeing large values does not block the
server. The kind's janitor (`RedisPrefixManager` in `redis`) and the test namespace pool both go
through `RedisPrefixAdmin`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from onex_services.namespaces import validate_namespace

UNLINK_BY_PREFIX = """
local removed = 0
for _, pattern in ipairs(ARGV) do
  local cursor = "0"
  repeat
    local reply = redis.call("SCAN", cursor, "MATCH", pattern, "COUNT", 1000)
    cursor = reply[1]
    local keys = reply[2]
    for first = 1, #keys, 500 do
      removed = removed + redis.call("UNLINK", unpack(keys, first, math.min(first + 499, #keys)))
    end
  until cursor == "0"
end
return removed
"""


def key_prefix(namespace: str) -> str:
    return f"{validate_namespace(namespace)}:"


class RedisPrefixAdmin:
    """Key prefixes of namespaces on one server, over one client made on first use."""

    batch_drops = False

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: Any = None
        self._script: Any = None

    def _connection(self) -> tuple[Any, Any]:
        if self._client is None:
            import redis.asyncio as aioredis  # imported here: reading the spec must stay cheap

            self._client = aioredis.Redis.from_url(self.url)
            self._script = self._client.register_script(UNLINK_BY_PREFIX)
        return self._client, self._script

    async def create(self, namespace: str) -> None:
        """Nothing to make: a key prefix exists by being used."""
        validate_namespace(namespace)

    async def drop(self, namespaces: Sequence[str]) -> None:
        if not namespaces:
            return
        _, script = self._connection()
        await script(args=[f"{key_prefix(ns)}*" for ns in namespaces])

    async def keys(self, namespace: str) -> list[str]:
        client, _ = self._connection()
        found = [
            key.decode() if isinstance(key, bytes) else str(key)
            async for key in client.scan_iter(match=f"{key_prefix(namespace)}*", count=500)
        ]
        return sorted(found)

    async def leftovers(self, namespace: str) -> list[str]:
        return [f"redis key {key}" for key in await self.keys(namespace)]

    def scoped_url(self, namespace: str) -> str:
        """The server's URL: Redis cannot confine a client to a prefix; use `prefix`."""
        return self.url

    def prefix(self, namespace: str) -> str:
        return key_prefix(namespace)

    async def close(self) -> None:
        client, self._client, self._script = self._client, None, None
        if client is not None:
            await client.aclose()
