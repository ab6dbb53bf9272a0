"""PostgreSQL namespaces: a schema named after the namespace, made and dropped on one reused
admin connection. The kind's janitor (`PostgresSchemaManager` in `postgres`) and the test
namespace pool both go through `PostgresSchemaAdmin`, so there is one way of doing it.

A test's client reaches its schema by a DSN that sets `search_path` (the libpq `options`
parameter, which asyncpg and psycopg both read), so unqualified table names land in the
namespace's schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from onex_services.namespaces import validate_namespace

LOCK_TIMEOUT = "10s"
"""How long a drop waits for a lock a test's still-open connection holds, before it fails
naming the schema (instead of hanging the session)."""


def _connect_errors() -> tuple[type[BaseException], ...]:
    import asyncpg

    return (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)


def scoped_dsn(dsn: str, schema: str) -> str:
    """`dsn` with `search_path` set to `schema` (any `options` it had are kept)."""
    parts = urlsplit(dsn)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "options"]
    options = dict(parse_qsl(parts.query)).get("options", "")
    setting = f"-csearch_path={validate_namespace(schema)}"
    query.append(("options", f"{options} {setting}".strip()))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


class PostgresSchemaAdmin:
    """Schemas of namespaces on one server, over one connection opened on first use."""

    batch_drops = False

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._conn: Any = None

    async def _connection(self) -> Any:
        if self._conn is None or self._conn.is_closed():
            import asyncpg  # imported here: reading the kind's spec must stay cheap

            self._conn = await asyncpg.connect(
                self.dsn, server_settings={"lock_timeout": LOCK_TIMEOUT}
            )
        return self._conn

    async def create(self, namespace: str) -> None:
        # No IF NOT EXISTS: a schema of that name that is already there is not a clean state.
        conn = await self._connection()
        await conn.execute(f'CREATE SCHEMA "{validate_namespace(namespace)}"')

    async def drop(self, namespaces: Sequence[str]) -> None:
        if not namespaces:
            return
        names = ", ".join(f'"{validate_namespace(ns)}"' for ns in namespaces)
        conn = await self._connection()
        await conn.execute(f"DROP SCHEMA IF EXISTS {names} CASCADE")

    async def leftovers(self, namespace: str) -> list[str]:
        conn = await self._connection()
        rows = await conn.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname = $1", validate_namespace(namespace)
        )
        return [f"postgres schema {row[0]}" for row in rows]

    async def copies(self, namespace: str) -> list[str]:
        """The namespace's schema copies `<ns>__…` (checkpoints, see `postgres_state`)."""
        conn = await self._connection()
        rows = await conn.fetch(
            "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1) ORDER BY 1",
            validate_namespace(namespace) + "__",
        )
        return [f"postgres schema {row[0]}" for row in rows]

    async def drop_copies(self, namespace: str) -> None:
        conn = await self._connection()
        for line in await self.copies(namespace):
            schema = line.removeprefix("postgres schema ").replace('"', '""')
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def scoped_url(self, namespace: str) -> str:
        return scoped_dsn(self.dsn, namespace)

    def prefix(self, namespace: str) -> str:
        """The schema's name: tables are `"<ns>".<table>`."""
        return validate_namespace(namespace)

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                await conn.close(timeout=2)
            except _connect_errors():
                conn.terminate()
