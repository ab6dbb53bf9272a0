"""Resource limits of a private stack's servers (a scenario's `limits:`), applied once it runs.

- Redis: `CONFIG SET maxmemory` and `maxmemory-policy`, at once on the live server.
- PostgreSQL: `ALTER SYSTEM SET max_connections` (kept in the data dir's postgresql.auto.conf),
  then a restart on the same ports and data dir, since the setting only takes effect at start.
- Kafka client quotas are not applied yet: the scenario checks refuse them by name.

Only ever called on a scenario's own stack (`isolation: private`): a limit on a shared server
would change it for everyone.
"""

from __future__ import annotations

from onex_scenario.faults import ModelLimits

from onex_services.manager import ToolServiceManager
from onex_services.models import ServiceKind
from onex_services.service_faults import ServiceFaults


async def apply_limits(manager: ToolServiceManager, limits: ModelLimits) -> dict[str, object]:
    """Apply `limits` to the servers of `manager`'s stack; what was set, by kind."""
    faults = ServiceFaults(manager)
    applied: dict[str, object] = {}
    redis = limits.redis
    if redis.maxmemory is not None or redis.maxmemory_policy is not None:
        import redis.asyncio as aioredis

        record, _ = faults.record(ServiceKind("redis"))
        client = aioredis.from_url(record.url)
        try:
            if redis.maxmemory is not None:
                await client.config_set("maxmemory", redis.maxmemory)
            if redis.maxmemory_policy is not None:
                await client.config_set("maxmemory-policy", redis.maxmemory_policy)
            found = await client.config_get("maxmemory*")
            applied["redis"] = {name: found.get(name) for name in ("maxmemory", "maxmemory-policy")}
        finally:
            await client.aclose()
    if limits.postgres.max_connections is not None:
        import asyncpg

        record, _ = faults.record(ServiceKind("postgres"))
        connection = await asyncpg.connect(record.url)
        try:
            await connection.execute(
                f"ALTER SYSTEM SET max_connections = {int(limits.postgres.max_connections)}"
            )
        finally:
            await connection.close()
        recovery = await faults.restart(ServiceKind("postgres"))
        connection = await asyncpg.connect(recovery.record.url)
        try:
            applied["postgres"] = {
                "max_connections": await connection.fetchval("SHOW max_connections")
            }
        finally:
            await connection.close()
    return applied
