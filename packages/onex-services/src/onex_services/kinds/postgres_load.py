"""Put a recorded PostgreSQL state (what `PostgresStateReader.read` gave) back into a schema.

The tables come from the scenario's own setup (its schema files): the recording holds rows, not
DDL. Every recorded table is emptied and given the recorded rows, in one transaction, parents
before the tables whose foreign keys point at them. The rows go through
`json_populate_recordset`, so each value is parsed by its column's own type, as the text the
reader kept (numbers, dates, JSON, arrays); generated columns are left to compute themselves,
identity columns take the recorded values, and each sequence owned by a column continues after
the largest value loaded. A recorded table the schema does not have is an error: the scenario's
schema changed since the recording. A table the recording did not have is left as it is (the
replay's comparison of the start states then names it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from onex_services.kinds.postgres_clone import schema_name

_COLUMNS = """
SELECT c.relname,
       array_agg(quote_ident(a.attname) ORDER BY a.attnum)
         FILTER (WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') AS cols
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p')
 GROUP BY c.relname
"""
_PARENTS = """
SELECT t.relname, p.relname FROM pg_constraint con
  JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class p ON p.oid = con.confrelid
 WHERE con.contype = 'f' AND t.relnamespace = $1::regnamespace AND con.conrelid <> con.confrelid
"""
_OWNED_SEQUENCES = """
SELECT t.relname, a.attname FROM pg_class s
  JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
  JOIN pg_class t ON t.oid = d.refobjid
  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
 WHERE s.relkind = 'S' AND t.relnamespace = $1::regnamespace
"""


class StateLoadRefused(ValueError):
    """The recorded state cannot be put into this namespace (the message says what differs)."""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _parents_first(tables: list[str], parents: list[tuple[str, str]]) -> list[str]:
    """`tables` ordered so that a table comes after those its foreign keys reference (a cycle
    keeps the rest in name order; its rows then need no particular order to be valid)."""
    waiting = {t: {p for c, p in parents if c == t and p in tables} for t in tables}
    ordered: list[str] = []
    while waiting:
        ready = sorted(t for t, needs in waiting.items() if not needs - set(ordered))
        ready = ready or sorted(waiting)[:1]
        for table in ready:
            ordered.append(table)
            del waiting[table]
    return ordered


async def load_tables(conn: Any, schema: str, recorded: Mapping[str, Any]) -> list[str]:
    """Replace the rows of `schema`'s tables by the recorded ones (asyncpg connection)."""
    schema_name(schema)
    tables: Mapping[str, Any] = recorded.get("tables", {})
    columns = {str(r[0]): list(r[1] or []) for r in await conn.fetch(_COLUMNS, schema)}
    missing = sorted(set(tables) - set(columns))
    if missing:
        raise StateLoadRefused(
            f"postgres: the recorded table(s) {', '.join(missing)} are not in the fresh "
            f"namespace's schema (it has: {', '.join(sorted(columns)) or 'none'}); the "
            "scenario's schema files changed since the recording"
        )
    if not tables:
        return ["postgres: no table recorded"]
    parents = [(str(c), str(p)) for c, p in await conn.fetch(_PARENTS, schema)]
    where = {t: f"{_quoted(schema)}.{_quoted(t)}" for t in tables}
    rows = 0
    async with conn.transaction():
        await conn.execute("TRUNCATE " + ", ".join(where.values()) + " CASCADE")
        for table in _parents_first(sorted(tables), parents):
            kept = tables[table].get("rows", [])
            if not kept:
                continue
            cols = ", ".join(columns[table])
            await conn.execute(
                f"INSERT INTO {where[table]} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols}"
                f" FROM json_populate_recordset(NULL::{where[table]}, $1::json)",
                json.dumps(kept),
            )
            rows += len(kept)
        for table, column in await conn.fetch(_OWNED_SEQUENCES, schema):
            if table in tables:
                name, col = where[str(table)], _quoted(str(column))
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max({col}), 1),"
                    f" max({col}) IS NOT NULL) FROM {name}",
                    name,
                    str(column),
                )
    return [f"postgres schema: {rows} row(s) loaded into {len(tables)} table(s)"]
