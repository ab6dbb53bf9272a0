"""SQL stores: PostgresSqlStore (real, asyncpg) and InMemorySqlStore (mock on sqlite3).

Both take positional parameters $1, $2, ... The mock runs the SQL on an in-memory SQLite
database, so it accepts the common subset; PostgreSQL-only SQL fails there with
NotSupportedByMockError naming the statement.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import asyncpg
from onex_scenario.redaction import redact_url

from onex_registry.errors import NotConnectedError, NotSupportedByMockError, ToolConnectionError
from onex_registry.guard import check_built_by_registry
from onex_registry.models import ToolHealth
from onex_registry.tools.health import timed_health

_STATUS_COUNT = re.compile(r"(\d+)$")
_PLACEHOLDER = re.compile(r"\$(\d+)")


def _affected(status: str) -> int:
    """asyncpg answers 'INSERT 0 3' / 'UPDATE 2'; the trailing number is the row count."""
    found = _STATUS_COUNT.search(status)
    return int(found.group(1)) if found else 0


class PostgresSqlStore:
    """Real SQL store. Every statement runs with `search_path` set to `schema`."""

    def __init__(self, dsn: str, schema: str, *, timeout_s: float = 10.0) -> None:
        check_built_by_registry(type(self).__name__)
        self.dsn = dsn
        self.schema = schema
        self._timeout_s = timeout_s
        self._conn: Any = None

    def _require(self) -> Any:
        if self._conn is None:
            raise NotConnectedError("PostgresSqlStore: call connect() first")
        return self._conn

    async def connect(self) -> None:
        if self._conn is not None:
            return
        try:
            conn = await asyncpg.connect(self.dsn, timeout=self._timeout_s)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            raise ToolConnectionError("PostgresSqlStore", redact_url(self.dsn), str(exc)) from exc
        quoted = '"' + self.schema.replace('"', '""') + '"'
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted}; SET search_path TO {quoted}")
        self._conn = conn

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
        self._conn = None

    async def execute(self, sql: str, *args: Any) -> int:
        return _affected(str(await self._require().execute(sql, *args)))

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        return [dict(row) for row in await self._require().fetch(sql, *args)]

    def transaction(self) -> AbstractAsyncContextManager[None]:
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        async with self._require().transaction():
            yield

    async def health(self) -> ToolHealth:
        async def round_trip() -> None:
            await self._require().fetchval("SELECT 1")

        return await timed_health(round_trip, (OSError, asyncpg.PostgresError))


class InMemorySqlStore:
    """Mock SQL store on an in-memory SQLite database."""

    def __init__(self, schema: str) -> None:
        check_built_by_registry(type(self).__name__)
        self.schema = schema
        self._db: sqlite3.Connection | None = None

    def _require(self) -> sqlite3.Connection:
        if self._db is None:
            raise NotConnectedError("InMemorySqlStore: call connect() first")
        return self._db

    def _run(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        translated = _PLACEHOLDER.sub(r"?\1", sql)
        try:
            return self._require().execute(translated, args)
        except sqlite3.OperationalError as exc:
            raise NotSupportedByMockError("InMemorySqlStore", f"SQL {sql!r} ({exc})") from exc

    async def connect(self) -> None:
        if self._db is None:
            # isolation_level=None: statements autocommit, like asyncpg outside a transaction.
            self._db = sqlite3.connect(":memory:", isolation_level=None)
            self._db.row_factory = sqlite3.Row

    async def close(self) -> None:
        if self._db is not None:
            self._db.close()
        self._db = None

    async def execute(self, sql: str, *args: Any) -> int:
        cursor = self._run(sql, args)
        return max(cursor.rowcount, 0)

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        return [dict(row) for row in self._run(sql, args).fetchall()]

    def transaction(self) -> AbstractAsyncContextManager[None]:
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        db = self._require()
        db.execute("BEGIN")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    async def health(self) -> ToolHealth:
        return ToolHealth(healthy=self._db is not None, latency_ms=0.0, detail="in-memory sqlite")
