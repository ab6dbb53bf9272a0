"""What a run takes of a PostgreSQL server's connection limit (`KindSpec.capacity`).

The limit is `max_connections` less `superuser_reserved_connections` (the harness's user may
not be a superuser); in use is every client backend but the check's own. A scenario on the real
server holds the SQL tool's connection and at times one more (a seed copy, a state read); the run
holds a state reader, a seeder and a probe's connection for a moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from onex_services.kinds.hooks import ServerCapacity

CONNECTIONS_PER_SCENARIO = 2
CONNECTIONS_PER_RUN = 3

_READ = """
SELECT current_setting('max_connections')::int,
       current_setting('superuser_reserved_connections')::int,
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int
"""


def connections_needed(workers: int, scenarios: Sequence[Any]) -> int:
    if not scenarios:
        return 0
    return CONNECTIONS_PER_RUN + CONNECTIONS_PER_SCENARIO * min(workers, len(scenarios))


class PostgresCapacity:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    async def read(self) -> ServerCapacity:
        import asyncpg  # imported here: reading the kind's spec must stay cheap

        conn = await asyncpg.connect(self.dsn, timeout=10)
        try:
            limit, reserved, clients = await conn.fetchrow(_READ)
        finally:
            await conn.close()
        return ServerCapacity(
            what="connections",
            limit=int(limit) - int(reserved),
            in_use=max(0, int(clients) - 1),
            source=f"max_connections {limit} less {reserved} reserved",
        )

    async def close(self) -> None:
        """Each read opens and closes its own connection."""
