"""PostgreSQL's `limits:` on a scenario's own server: `ALTER SYSTEM SET max_connections` (kept
in the data dir's postgresql.auto.conf), then a restart on the same ports and data dir, since
the setting only takes effect at start (see `onex_services.server_limits`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onex_scenario.faults import ModelPostgresLimits

    from onex_services.kinds.spec import LimitsTarget

KIND = "postgres"


async def apply_postgres_limits(
    target: LimitsTarget, limits: ModelPostgresLimits
) -> dict[str, object] | None:
    """Set the limits and restart; the server's values after (None when none is set)."""
    if limits.max_connections is None:
        return None
    import asyncpg

    record, _ = target.faults.record(KIND)
    connection = await asyncpg.connect(record.url)
    try:
        await connection.execute(
            f"ALTER SYSTEM SET max_connections = {int(limits.max_connections)}"
        )
    finally:
        await connection.close()
    recovery = await target.faults.restart(KIND)
    connection = await asyncpg.connect(recovery.record.url)
    try:
        return {"max_connections": await connection.fetchval("SHOW max_connections")}
    finally:
        await connection.close()
