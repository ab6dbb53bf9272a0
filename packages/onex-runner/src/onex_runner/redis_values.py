"""Scenario values in a key-value store: seeds written as the docs say, keys read for checks.

A seed's text or number becomes a string, a list a Redis LIST, a mapping a HASH; numbers and
booleans are stored as their JSON text ("2", "true"). Reading goes the other way: a string, each
list item and each hash field that is JSON text is compared as its JSON value, so a seeded `2`
matches an expected `2`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from onex_registry import KeyValueStore, OnexToolError


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


async def write_seed(kv: KeyValueStore, key: str, value: object) -> None:
    """Store one `resources.redis.seed` entry with the Redis type its YAML form names."""
    if isinstance(value, list):
        await kv.rpush(key, *(_text(item) for item in value))
    elif isinstance(value, Mapping):
        await kv.hset(key, {str(name): _text(item) for name, item in value.items()})
    else:
        await kv.set(key, _text(value))


async def read_key(kv: KeyValueStore, key: str) -> tuple[bool, Any]:
    """(whether the key exists, its value as expectations compare it)."""
    kind = await kv.key_type(key)
    if kind == "none":
        return False, None
    if kind == "string":
        return True, maybe_json(await kv.get(key))
    if kind == "list":
        return True, [maybe_json(item) for item in await kv.lrange(key)]
    if kind == "hash":
        return True, {name: maybe_json(item) for name, item in (await kv.hgetall(key)).items()}
    raise OnexToolError(
        f"key {key!r} holds a Redis {kind}; expectations read strings, lists, hashes"
    )


def maybe_json(raw: str | None) -> Any:
    """JSON text as its value; other text (and None) as it is."""
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw
