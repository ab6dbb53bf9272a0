"""What a run takes of a Redis server's client limit (`KindSpec.capacity`): `maxclients` and
`connected_clients` of INFO (which a managed server answers where it refuses CONFIG GET), less
the check's own client. A scenario's key-value tool may hold two connections at once (its pool);
the run holds a state reader and a probe's client for a moment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from onex_services.kinds.hooks import ServerCapacity

CLIENTS_PER_SCENARIO = 2
CLIENTS_PER_RUN = 2


def clients_needed(workers: int, scenarios: Sequence[Any]) -> int:
    if not scenarios:
        return 0
    return CLIENTS_PER_RUN + CLIENTS_PER_SCENARIO * min(workers, len(scenarios))


class RedisCapacity:
    def __init__(self, url: str) -> None:
        self.url = url

    async def read(self) -> ServerCapacity:
        import redis.asyncio as aioredis  # imported here: reading the spec must stay cheap

        client = aioredis.Redis.from_url(self.url, socket_timeout=10)
        try:
            info = await client.info("clients")
        finally:
            await client.aclose()
        limit = info.get("maxclients")
        return ServerCapacity(
            what="clients",
            limit=int(limit) if limit is not None else None,
            in_use=max(0, int(info.get("connected_clients", 1)) - 1),
            source=f"maxclients {limit}",
        )

    async def close(self) -> None:
        """Each read opens and closes its own client."""
