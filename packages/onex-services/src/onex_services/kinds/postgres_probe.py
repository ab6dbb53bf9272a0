"""PostgreSQL's deep probe: a scratch schema made, a row written and read back, the schema
dropped, on one connection the probe keeps between rounds."""

from __future__ import annotations

import uuid
from typing import Any

from onex_services.probes import ProbeError, ReusingProbe, quietly

KIND = "postgres"


async def _connect(url: str, **options: Any) -> Any:
    import asyncpg  # imported here: reading the kind's vocabulary must stay cheap

    return await asyncpg.connect(url, **options)


def _errors() -> tuple[type[BaseException], ...]:
    import asyncpg

    return (asyncpg.PostgresError, asyncpg.InterfaceError)


class PostgresProbe(ReusingProbe):
    """Scratch schema create -> table write and read -> schema drop, on `url` (a DSN)."""

    kind = KIND

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Any = None

    async def _round(self, timeout_s: float) -> None:
        if self._conn is None or self._conn.is_closed():
            self._conn = await _connect(self.url, timeout=timeout_s)
        conn = self._conn
        schema = f"onex_health_{uuid.uuid4().hex[:12]}"
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            await conn.execute(f'CREATE TABLE "{schema}".probe (v integer)')
            value = await conn.fetchval(f'INSERT INTO "{schema}".probe VALUES (42) RETURNING v')
            if value != 42:
                raise ProbeError(f"a row written in schema {schema} read back as {value!r}")
        finally:
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await quietly(conn.close(timeout=1), _errors())
