"""PostgresSqlStore: the real SQL store on asyncpg (the mock is tools/pg_mock/).

Positional parameters $1, $2, ...; JSON and JSONB travel as Python values (encoded and parsed
here, as the mock does), every other type as asyncpg returns it. Errors are the taxonomy of
onex_registry.sql_errors, with asyncpg's error as `__cause__`.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

import asyncpg
from asyncpg.exceptions import _base as asyncpg_base
from onex_scenario.client_names import with_application_name
from onex_scenario.redaction import redact_url

from onex_registry.errors import NotConnectedError, ToolConnectionError
from onex_registry.guard import check_built_by_registry
from onex_registry.models import ToolHealth
from onex_registry.sql_errors import (
    ArgumentCountError,
    ConnectionLost,
    DataTypeMismatch,
    InvalidTransactionState,
    SqlError,
    error_for_sqlstate,
)
from onex_registry.tools.health import timed_health

_STATUS_COUNT = re.compile(r"(\d+)$")
_T = TypeVar("_T")


def translate_asyncpg_error(exc: Exception) -> SqlError:
    """asyncpg's error as the taxonomy's: by SQLSTATE for the server's errors, by kind for the
    client's own (an argument of the wrong Python type, a closed connection)."""
    if isinstance(exc, asyncpg.PostgresConnectionError | asyncpg.ConnectionDoesNotExistError):
        return ConnectionLost(str(exc))
    if str(exc).startswith("invalid input for query argument"):
        return DataTypeMismatch(str(exc))  # asyncpg's encoder refused a Python value
    if isinstance(exc, asyncpg.PostgresError):
        return error_for_sqlstate(str(exc.sqlstate), str(exc))
    if isinstance(exc, asyncpg_base.DataError):
        return DataTypeMismatch(str(exc))
    if isinstance(exc, OSError | ConnectionError):
        return ConnectionLost(str(exc) or type(exc).__name__)
    if "arguments" in str(exc) and "passed" in str(exc):
        return ArgumentCountError(str(exc))
    if "connection" in str(exc) and "closed" in str(exc):
        return ConnectionLost(str(exc))
    return InvalidTransactionState(str(exc))


async def _translated(call: Callable[[], Awaitable[_T]]) -> _T:
    try:
        return await call()
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
        raise translate_asyncpg_error(exc) from exc


def _affected(status: str) -> int:
    """asyncpg answers 'INSERT 0 3' / 'UPDATE 2'; the trailing number is the row count."""
    found = _STATUS_COUNT.search(status)
    return int(found.group(1)) if found else 0


class PostgresSqlStore:
    """Real SQL store. Every statement runs with `search_path` set to `schema`."""

    def __init__(self, dsn: str, schema: str, *, timeout_s: float = 10.0) -> None:
        check_built_by_registry(type(self).__name__)
        # Every connection made from the DSN (the node's own too) is traced to the namespace.
        self.dsn = with_application_name(dsn, schema)
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
        # InterfaceError: a DSN's TLS settings that cannot be used (`sslrootcert` missing).
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            raise ToolConnectionError("PostgresSqlStore", redact_url(self.dsn), str(exc)) from exc
        quoted = '"' + self.schema.replace('"', '""') + '"'
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted}; SET search_path TO {quoted}")
        for name in ("json", "jsonb"):
            await conn.set_type_codec(
                name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
            )
        self._conn = conn

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
        self._conn = None

    async def execute(self, sql: str, *args: Any) -> int:
        conn = self._require()
        return _affected(str(await _translated(lambda: conn.execute(sql, *args))))

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        conn = self._require()
        return [dict(row) for row in await _translated(lambda: conn.fetch(sql, *args))]

    def transaction(self) -> AbstractAsyncContextManager[None]:
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        transaction = self._require().transaction()
        await _translated(transaction.start)
        try:
            yield
        except BaseException:
            await _translated(transaction.rollback)
            raise
        await _translated(transaction.commit)

    async def health(self) -> ToolHealth:
        async def round_trip() -> None:
            await self._require().fetchval("SELECT 1")

        return await timed_health(round_trip, (OSError, asyncpg.PostgresError))


# The mock lives in tools/pg_mock/; it is imported from here by the factories and users.
from onex_registry.tools.pg_mock.store import InMemorySqlStore  # noqa: E402

__all__ = ["InMemorySqlStore", "PostgresSqlStore", "translate_asyncpg_error"]


# The mock lives in tools/pg_mock/; it is imported from here by the factories and users.

__all__ = ["InMemorySqlStore", "PostgresSqlStore", "translate_asyncpg_error"]


def _redact(dsn: str) -> str:
    """Never print a password: postgresql://user:secret@host → postgresql://user:***@host."""
    return re.sub(r"(//[^:/@]+:)[^@]*@", r"\1***@", dsn)
