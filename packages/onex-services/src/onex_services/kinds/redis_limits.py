"""Redis's `limits:` on a scenario's own server: `CONFIG SET maxmemory` and `maxmemory-policy`,
at once on the live server (see `onex_services.server_limits`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onex_scenario.faults import ModelRedisLimits

    from onex_services.kinds.spec import LimitsTarget

KIND = "redis"


async def apply_redis_limits(
    target: LimitsTarget, limits: ModelRedisLimits
) -> dict[str, object] | None:
    """Set the limits; the server's values after (None when none is set)."""
    if limits.maxmemory is None and limits.maxmemory_policy is None:
        return None
    import redis.asyncio as aioredis

    record, _ = target.faults.record(KIND)
    client = aioredis.from_url(record.url)
    try:
        if limits.maxmemory is not None:
            await client.config_set("maxmemory", limits.maxmemory)
        if limits.maxmemory_policy is not None:
            await client.config_set("maxmemory-policy", limits.maxmemory_policy)
        found = await client.config_get("maxmemory*")
        return {name: found.get(name) for name in ("maxmemory", "maxmemory-policy")}
    finally:
        await client.aclose()
