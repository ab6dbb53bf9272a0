"""Statements per second through the SQL mock, against the old sqlite mock's way of running them.

The old mock (before the PostgreSQL-reading one) rewrote `$n` to `?n` with a regex and handed
the text to sqlite3; that path is reproduced here as the baseline. The new mock parses each
statement text once with pglast (cached), checks and converts the parameters by column type and
loads typed values. Prints figures and the ratio; it asserts nothing.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from datetime import UTC, datetime
from decimal import Decimal

from onex_registry import InMemorySqlStore, building_tools

ROWS = 3_000
DDL = (
    "CREATE TABLE accounts (id integer PRIMARY KEY, name varchar(20) NOT NULL,"
    " active boolean NOT NULL, balance numeric(10, 2), opened timestamptz)"
)
INSERT = "INSERT INTO accounts (id, name, active, balance, opened) VALUES ($1, $2, $3, $4, $5)"
SELECT = "SELECT * FROM accounts WHERE id = $1"
UPDATE = "UPDATE accounts SET balance = $1 WHERE id = $2"
_PLACEHOLDER = re.compile(r"\$(\d+)")


def _old_mock() -> float:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute(DDL)
    opened = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    started = time.perf_counter()
    for n in range(ROWS):
        db.execute(_PLACEHOLDER.sub(r"?\1", INSERT), (n, f"n{n}", True, 1.5, opened))
        [dict(r) for r in db.execute(_PLACEHOLDER.sub(r"?\1", SELECT), (n,)).fetchall()]
        db.execute(_PLACEHOLDER.sub(r"?\1", UPDATE), (2.5, n))
    return 3 * ROWS / (time.perf_counter() - started)


async def _new_mock() -> float:
    with building_tools():
        store = InMemorySqlStore("bench", shuffle_seed=0)
    await store.connect()
    await store.execute(DDL)
    opened = datetime(2026, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    for n in range(ROWS):
        await store.execute(INSERT, n, f"n{n}", True, Decimal("1.50"), opened)
        await store.fetch(SELECT, n)
        await store.execute(UPDATE, Decimal("2.50"), n)
    return 3 * ROWS / (time.perf_counter() - started)


def main() -> None:
    old = _old_mock()
    new = asyncio.run(_new_mock())
    print(f"SQL mock, {3 * ROWS} statements (insert, select by key, update; typed parameters)")
    print(f"  old sqlite mock (regex + sqlite3):      {old:>10,.0f} statements/s")
    print(f"  PostgreSQL-reading mock (pglast, typed): {new:>10,.0f} statements/s")
    per_new, per_old = 1e6 / new, 1e6 / old
    print(f"  ratio new/old: {new / old:.2f} (per statement {per_new:.1f} µs vs {per_old:.1f} µs)")


if __name__ == "__main__":
    main()
