"""Copy one PostgreSQL schema into another, in one round trip: the clone behind checkpoints and
seeded states.

Why a schema copy and not a template database (`CREATE DATABASE … TEMPLATE … STRATEGY
FILE_COPY`): a namespace on PostgreSQL is a schema of the stack's database (see `namespaces`),
and every tool connects with `search_path` set to it, so a clone must land in a schema. A
template database would also need the seed database to have no other connection while it is
copied, and it copies the whole catalogue (~7 MB) each time. Measured on this machine
(`benchmarks/bench_state.py`, docs/state.md): the schema copy is faster for 10 tables and about
as fast for 200.

What is copied: tables (columns, defaults, NOT NULL and CHECK constraints, primary and unique
keys, indexes, identity and generated columns, comments: `LIKE … INCLUDING ALL`), their rows,
sequences owned by a column (with their current value; the column's default then points at the
copy), foreign keys between the schema's tables, and views. Anything else in the schema
(functions, types, triggers, materialized views) is refused with its name: a copy that leaves
it out would pass a scenario the seed would fail.
"""

from __future__ import annotations

import re
from typing import Any

_UNSUPPORTED = """
SELECT 'function ' || p.proname FROM pg_proc p WHERE p.pronamespace = $1::regnamespace
UNION ALL
SELECT 'type ' || t.typname FROM pg_type t
 WHERE t.typnamespace = $1::regnamespace AND t.typtype IN ('c', 'd', 'e', 'r', 'm')
   AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)
UNION ALL
SELECT 'trigger ' || tg.tgname FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
 WHERE c.relnamespace = $1::regnamespace AND NOT tg.tgisinternal
UNION ALL
SELECT 'materialized view ' || c.relname FROM pg_class c
 WHERE c.relnamespace = $1::regnamespace AND c.relkind = 'm'
"""

# One DO block: tables and rows, owned sequences, then foreign keys and views, whose definitions
# are read with search_path on the source (so they come out unqualified) and run on the target.
_COPY = """
DO $clone$
DECLARE
  src text := %(source)s;
  dst text := %(target)s;
  r record;
  seq_value bigint;
  seq_called boolean;
BEGIN
  EXECUTE format('CREATE SCHEMA IF NOT EXISTS %%I', dst);
  FOR r IN SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = src::regnamespace AND c.relkind IN ('r', 'p')
            ORDER BY c.relname LOOP
    EXECUTE format('CREATE TABLE %%I.%%I (LIKE %%I.%%I INCLUDING ALL)',
                   dst, r.relname, src, r.relname);
  END LOOP;
  -- Sequences owned by a column: a serial's ('a') is made anew and the column's default
  -- pointed at it; an identity's ('i') came with LIKE. Both continue from the source's value.
  FOR r IN SELECT s.relname AS seq, t.relname AS tab, a.attname AS col, d.deptype AS how
             FROM pg_class s
             JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
             JOIN pg_class t ON t.oid = d.refobjid
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
            WHERE s.relkind = 'S' AND s.relnamespace = src::regnamespace LOOP
    IF r.how = 'a' THEN
      EXECUTE format('CREATE SEQUENCE %%I.%%I OWNED BY %%I.%%I.%%I',
                     dst, r.seq, dst, r.tab, r.col);
      EXECUTE format('ALTER TABLE %%I.%%I ALTER COLUMN %%I SET DEFAULT nextval(%%L::regclass)',
                     dst, r.tab, r.col, format('%%I.%%I', dst, r.seq));
    END IF;
    EXECUTE format('SELECT last_value, is_called FROM %%I.%%I', src, r.seq)
       INTO seq_value, seq_called;
    PERFORM setval(pg_get_serial_sequence(format('%%I.%%I', dst, r.tab), r.col),
                   seq_value, seq_called);
  END LOOP;
  FOR r IN SELECT c.relname,
                  (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                     FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                      AND a.attgenerated = '') AS cols
             FROM pg_class c
            WHERE c.relnamespace = src::regnamespace AND c.relkind IN ('r', 'p')
            ORDER BY c.relname LOOP
    EXECUTE format('INSERT INTO %%I.%%I (%%s) OVERRIDING SYSTEM VALUE SELECT %%s FROM %%I.%%I',
                   dst, r.relname, r.cols, r.cols, src, r.relname);
  END LOOP;
  PERFORM set_config('search_path', quote_ident(src), true);
  CREATE TEMP TABLE onex_clone_later (stmt text, n serial) ON COMMIT DROP;
  INSERT INTO onex_clone_later (stmt)
    SELECT format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s',
                  t.relname, con.conname, pg_get_constraintdef(con.oid))
      FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
     WHERE con.contype = 'f' AND t.relnamespace = src::regnamespace;
  INSERT INTO onex_clone_later (stmt)
    SELECT format('CREATE VIEW %%I AS %%s', c.relname, pg_get_viewdef(c.oid))
      FROM pg_class c WHERE c.relnamespace = src::regnamespace AND c.relkind = 'v'
     ORDER BY c.oid;
  PERFORM set_config('search_path', quote_ident(dst) || ', pg_temp', true);
  FOR r IN SELECT stmt FROM onex_clone_later ORDER BY n LOOP
    EXECUTE r.stmt;
  END LOOP;
END
$clone$;
"""


class CloneRefused(ValueError):
    """The source schema holds objects the copy does not carry (named in the message)."""


_SCHEMA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def schema_name(name: str) -> str:
    """`name` when it is a plain schema name (what namespaces and their copies are), else an
    error: the names go into SQL text."""
    if not _SCHEMA_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a schema name the clone takes ([a-z][a-z0-9_]*, <= 63)")
    return name


def _literal(name: str) -> str:
    return "'" + schema_name(name) + "'"


async def clone_schema(conn: Any, source: str, target: str) -> None:
    """Copy schema `source` into schema `target` (made if it does not exist; a table of the same
    name in it is an error) on an asyncpg connection, in one transaction."""
    problems = [row[0] for row in await conn.fetch(_UNSUPPORTED, schema_name(source))]
    if problems:
        raise CloneRefused(
            f"schema {source} cannot be cloned: it holds {', '.join(sorted(problems))} "
            "(the copy carries tables, rows, sequences, foreign keys and views only)"
        )
    async with conn.transaction():
        await conn.execute(_COPY % {"source": _literal(source), "target": _literal(target)})


async def replace_schema(conn: Any, source: str, target: str) -> None:
    """Make schema `target` a fresh copy of `source`: drop it, then clone (one transaction, so a
    failed copy leaves `target` as it was)."""
    schema_name(target)
    async with conn.transaction():
        await conn.execute(f'DROP SCHEMA IF EXISTS "{target}" CASCADE')
        await clone_schema(conn, source, target)
