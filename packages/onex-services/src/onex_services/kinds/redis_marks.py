"""Redis namespace markers: the key `<ns>:__onex_meta` holds the JSON.

The key lies under the namespace's prefix, so dropping the namespace drops the marker.
"""

from __future__ import annotations

from typing import Any

from onex_services.kinds.redis_prefixes import key_prefix
from onex_services.namespaces import NAMESPACE_RE

MARK_KEY = "__onex_meta"


class RedisPrefixMarks:
    """Markers of the key prefixes on one server, over one client made on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: Any = None

    def _connection(self) -> Any:
        if self._client is None:
            import redis.asyncio as aioredis  # imported here: reading the spec must stay cheap

            self._client = aioredis.Redis.from_url(self.url)
        return self._client

    async def write(self, namespace: str, mark: str) -> None:
        await self._connection().set(key_prefix(namespace) + MARK_KEY, mark)

    async def read_all(self) -> dict[str, str]:
        client = self._connection()
        keys = [key async for key in client.scan_iter(match=f"*:{MARK_KEY}", count=1000)]
        found: dict[str, str] = {}
        for key, value in zip(keys, await client.mget(keys) if keys else [], strict=True):
            name = (key.decode() if isinstance(key, bytes) else str(key)).removesuffix(
                f":{MARK_KEY}"
            )
            if value is not None and NAMESPACE_RE.fullmatch(name):
                found[name] = value.decode("utf-8", errors="replace")
        return found

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
