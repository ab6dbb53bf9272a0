"""PostgreSQL namespace markers: the schema's comment (`COMMENT ON SCHEMA`) holds the JSON.

A comment goes with its schema, so dropping the namespace drops the marker; a schema whose
comment is not the harness's marker (another team's, or none) is never listed.
"""

from __future__ import annotations

from typing import Any

from onex_services.namespaces import validate_namespace
from onex_services.server_marks import MARK_TAG


def _literal(text: str) -> str:
    """`text` as an SQL string literal (standard_conforming_strings is on since 9.1)."""
    return "'" + text.replace("'", "''") + "'"


class PostgresSchemaMarks:
    """Markers on the schemas of one server, over one connection opened on first use."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._conn: Any = None

    async def _connection(self) -> Any:
        if self._conn is None or self._conn.is_closed():
            import asyncpg  # imported here: reading the kind's spec must stay cheap

            self._conn = await asyncpg.connect(self.dsn)
        return self._conn

    async def write(self, namespace: str, mark: str) -> None:
        conn = await self._connection()
        schema = validate_namespace(namespace)
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        await conn.execute(f'COMMENT ON SCHEMA "{schema}" IS {_literal(mark)}')

    async def read_all(self) -> dict[str, str]:
        conn = await self._connection()
        rows = await conn.fetch(
            "SELECT nspname, obj_description(oid, 'pg_namespace') FROM pg_namespace"
            " WHERE strpos(coalesce(obj_description(oid, 'pg_namespace'), ''), $1) > 0",
            MARK_TAG,
        )
        return {str(row[0]): str(row[1]) for row in rows}

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            await conn.close(timeout=2)
