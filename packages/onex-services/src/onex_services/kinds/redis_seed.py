"""Redis's part of a seeded state in test namespaces: the keys, encoded once (a text or number
is a string, a list a LIST, a mapping a HASH, as `resources.redis.seed` says), are written under
each test's prefix in one MULTI/EXEC round trip. A copy kept on the server (COPY from a seed
prefix) would cost the same round trip and leave seed keys on a shared server, so there is none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from onex_services.kinds.redis_prefixes import key_prefix

Command = tuple[str, str, tuple[str, ...]]
"""(command, key without the prefix, arguments)."""


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def encode_seed(seed: Mapping[str, object]) -> list[Command]:
    commands: list[Command] = []
    for key, value in seed.items():
        if isinstance(value, list):
            commands.append(("RPUSH", key, tuple(_text(item) for item in value)))
        elif isinstance(value, Mapping):
            pairs = [part for name, item in value.items() for part in (str(name), _text(item))]
            commands.append(("HSET", key, tuple(pairs)))
        else:
            commands.append(("SET", key, (_text(value),)))
    return commands


class RedisSeeder:
    """Seed keys written into namespaces, over one client kept open."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: Any = None

    async def prepare(self, section: Any) -> list[Command] | None:
        return encode_seed(section.seed) or None

    async def put(self, prepared: Any, namespace: str) -> str:
        if self._client is None:
            import redis.asyncio as aioredis  # imported here: reading the spec must stay cheap

            self._client = aioredis.Redis.from_url(self.url)
        prefix = key_prefix(namespace)
        async with self._client.pipeline(transaction=True) as pipe:
            for command, key, args in prepared:
                pipe.execute_command(command, prefix + key, *args)
            await pipe.execute()
        return f"{len(prepared)} key(s) written"

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
