"""PostgreSQL's state reader: the tables of a namespace's schema, with row counts and rows.

One connection for the run (`application_name` onex-state, so it is never taken for a client
of a namespace). A read lists the schema's tables with their exact row counts and up to
`limits.rows` rows each, ordered by every column so that two reads of the same data compare
equal. A checkpoint is a copy of the schema (`postgres_clone`, named `<ns>__cp<n>`), and a
restore replaces the schema with a fresh copy of it; `discard` drops the copy. `load` puts a
recorded read back (`postgres_load`, for `onex replay`). The janitor removes copies left by a
run that died (schemas `<ns>__…`).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from typing import Any

from onex_scenario.client_names import client_name

from onex_services.kinds.postgres_clone import clone_schema, replace_schema, schema_name
from onex_services.kinds.postgres_load import load_tables
from onex_services.namespaces import validate_namespace
from onex_services.state_values import StateLimits, small

STATE_APPLICATION = "onex-state"
CHECKPOINT_SEPARATOR = "__"
"""Schemas `<ns>__<suffix>` belong to namespace `<ns>` (checkpoints, seeded-state copies)."""

_TABLES = """
SELECT c.relname,
       (SELECT count(*) FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
  FROM pg_class c
 WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)
   AND c.relkind IN ('r', 'p')
 ORDER BY c.relname
"""
_COUNTER = itertools.count(1)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PostgresStateReader:
    def __init__(self, dsn: str, *, timeout_s: float = 10.0) -> None:
        self.dsn = dsn
        self._timeout_s = timeout_s
        self._conn: Any = None
        self._lock = asyncio.Lock()

    async def _connection(self) -> Any:
        if self._conn is None or self._conn.is_closed():
            import asyncpg  # imported here: reading the kind's vocabulary must stay cheap

            self._conn = await asyncpg.connect(
                self.dsn,
                timeout=self._timeout_s,
                server_settings={"application_name": STATE_APPLICATION},
            )
        return self._conn

    async def read(self, namespace: str, limits: StateLimits) -> dict[str, Any]:
        schema = validate_namespace(namespace)
        async with self._lock:
            conn = await self._connection()
            tables: dict[str, Any] = {}
            for table, columns in await conn.fetch(_TABLES, schema):
                where = f"{_quoted(schema)}.{_quoted(table)}"
                # Ordered by every column: two reads of the same rows compare equal.
                order = ", ".join(str(i + 1) for i in range(columns)) or "true"
                rows = await conn.fetch(
                    f"SELECT * FROM {where} ORDER BY {order} LIMIT $1", limits.rows
                )
                count = len(rows)
                if count >= limits.rows:  # only then can there be more than were read
                    count = await conn.fetchval(f"SELECT count(*) FROM {where}")
                entry: dict[str, Any] = {
                    "row_count": count,
                    "rows": [{k: small(v, limits) for k, v in dict(r).items()} for r in rows],
                }
                if count > limits.rows:
                    entry["truncated"] = f"{limits.rows} of {count} rows kept"
                tables[table] = entry
        return {"tables": tables, "table_count": len(tables)}

    async def checkpoint(self, namespace: str, name: str) -> str:
        schema = validate_namespace(namespace)
        copy = f"{schema}{CHECKPOINT_SEPARATOR}cp{next(_COUNTER)}"
        async with self._lock:
            conn = await self._connection()
            exists = await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema)
            if exists:
                await replace_schema(conn, schema, copy)
            else:  # nothing to copy: restoring then means "no schema", as at the checkpoint
                await conn.execute(f"DROP SCHEMA IF EXISTS {_quoted(copy)} CASCADE")
                return ""
        return copy

    async def restore(self, namespace: str, saved: Any) -> list[str]:
        schema = validate_namespace(namespace)
        async with self._lock:
            conn = await self._connection()
            if not saved:
                await conn.execute(f"DROP SCHEMA IF EXISTS {_quoted(schema)} CASCADE")
                await conn.execute(f"CREATE SCHEMA {_quoted(schema)}")
                return ["postgres schema: emptied (it did not exist at the checkpoint)"]
            await replace_schema(conn, str(saved), schema)
            count = await conn.fetchval(
                "SELECT count(*) FROM pg_class WHERE relnamespace = $1::regnamespace"
                " AND relkind IN ('r', 'p')",
                schema,
            )
        return [f"postgres schema: {count} table(s) restored"]

    async def discard(self, namespace: str, saved: Any) -> None:
        if not saved:
            return
        if not str(saved).startswith(validate_namespace(namespace) + CHECKPOINT_SEPARATOR):
            raise ValueError(f"{saved!r} is not a checkpoint of namespace {namespace}")
        async with self._lock:
            conn = await self._connection()
            await conn.execute(f"DROP SCHEMA IF EXISTS {_quoted(str(saved))} CASCADE")

    async def load(self, namespace: str, recorded: Mapping[str, Any]) -> list[str]:
        async with self._lock:
            conn = await self._connection()
            return await load_tables(conn, validate_namespace(namespace), recorded)

    async def build_seed(self, seed: str, statements: list[str]) -> bool:
        schema = schema_name(seed)
        async with self._lock:
            conn = await self._connection()
            if await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema):
                return False  # built by another worker or run (the name is its content's hash)
            async with conn.transaction():
                await conn.execute(f"CREATE SCHEMA {_quoted(schema)}")
                await conn.execute(f"SET LOCAL search_path TO {_quoted(schema)}")
                for statement in statements:
                    await conn.execute(statement)
        return True

    async def clone_seed(self, seed: str, namespace: str) -> None:
        async with self._lock:
            await clone_schema(await self._connection(), schema_name(seed), namespace)

    async def held_connections(self, namespace: str) -> dict[str, Any]:
        async with self._lock:
            conn = await self._connection()
            rows = await conn.fetch(
                "SELECT state, count(*) FROM pg_stat_activity"
                " WHERE application_name = $1 GROUP BY state",
                client_name(validate_namespace(namespace)),
            )
        by_state = {str(r[0]): int(r[1]) for r in rows}
        return {"connections": sum(by_state.values()), "by_state": by_state}

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            await conn.close(timeout=2)
