"""Differential test of SqlStore: Hypothesis drives PostgreSQL and the mock with the same random
sequence (DDL from PostgreSQL's common types and constraints, typed inserts, updates, upserts,
selects, aggregates, transactions with errors inside) and compares every result and error class.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from differential import SETTINGS, connected_pair
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from onex_registry import SqlStore, SqlStoreToolFactory

pytestmark = [pytest.mark.fidelity, pytest.mark.requires_postgres]

TEXT = st.text(st.characters(exclude_categories=["Cs"], max_codepoint=0x2FF), max_size=10)
ID = st.integers(min_value=-3, max_value=12)
# Mostly the right type, sometimes not: asyncpg's refusal must be the mock's too.
INTS = st.one_of(ID, st.just("7"), st.just(2**40), st.none())
AMOUNTS = st.one_of(
    st.decimals(min_value=-5, max_value=99999, places=2, allow_nan=False), st.none(), st.just(1.5)
)
FLAGS = st.one_of(st.booleans(), st.none(), st.just(1))
MOMENTS = st.one_of(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.none(),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=5,
)
OPTIONAL_COLUMNS = {
    "flag": "flag boolean NOT NULL DEFAULT false",
    "amount": "amount numeric(8, 2) CHECK (amount >= 0)",
    "at": "at timestamptz",
    "doc": "doc jsonb",
    "code": "code char(3)",
}


class SqlMachine(RuleBasedStateMachine):
    dsn = ""

    real: SqlStore
    mock: SqlStore

    def __init__(self) -> None:
        super().__init__()
        self.pair, self.real, self.mock, self.schema = connected_pair(
            SqlStore, SqlStoreToolFactory(), self.dsn
        )
        self.loop = self.pair.loop
        self.columns: list[str] = []

    def both(self, operation: str, sql: str, *args: Any, fetch: bool = False) -> None:
        if fetch:
            self.pair.same(
                operation, lambda: self.real.fetch(sql, *args), lambda: self.mock.fetch(sql, *args)
            )
        else:
            self.pair.same(
                operation,
                lambda: self.real.execute(sql, *args),
                lambda: self.mock.execute(sql, *args),
            )

    @initialize(extra=st.lists(st.sampled_from(sorted(OPTIONAL_COLUMNS)), unique=True))
    def create(self, extra: list[str]) -> None:
        self.columns = ["id", "name", *extra]
        definitions = ", ".join(OPTIONAL_COLUMNS[c] for c in extra)
        ddl = (
            "CREATE TABLE items (id integer PRIMARY KEY, name varchar(6) NOT NULL UNIQUE"
            + (f", {definitions}" if definitions else "")
            + ")"
        )
        self.both("create table", ddl)
        self.both(
            "create table", "CREATE TABLE notes (id serial PRIMARY KEY,"
            " item integer NOT NULL REFERENCES items (id) ON DELETE CASCADE, body text)",
        )  # fmt: skip

    def _value(self, data: st.DataObject, column: str) -> Any:
        strategy = {
            "id": INTS, "name": st.one_of(TEXT, st.none(), st.just(3)), "flag": FLAGS,
            "amount": AMOUNTS, "at": MOMENTS, "doc": JSON, "code": st.one_of(TEXT, st.none()),
        }[column]  # fmt: skip
        return data.draw(strategy, label=column)

    @rule(data=st.data())
    def insert(self, data: st.DataObject) -> None:
        columns = data.draw(st.lists(st.sampled_from(self.columns), unique=True, min_size=1))
        values = [self._value(data, c) for c in columns]
        places = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
        sql = f"INSERT INTO items ({', '.join(columns)}) VALUES ({places})"
        self.both("insert", sql, *values)

    @rule(data=st.data())
    def upsert(self, data: st.DataObject) -> None:
        key, name = data.draw(ID, label="id"), data.draw(TEXT, label="name")
        sql = (
            "INSERT INTO items (id, name) VALUES ($1, $2)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name"
        )
        self.both("upsert", sql, key, name)

    @rule(data=st.data())
    def update(self, data: st.DataObject) -> None:
        column = data.draw(st.sampled_from(self.columns[1:] or ["name"]))
        sql = f"UPDATE items SET {column} = $1 WHERE id >= $2"
        self.both("update", sql, self._value(data, column), data.draw(ID, label="from"))

    @rule(key=ID)
    def delete(self, key: int) -> None:
        self.both("delete", "DELETE FROM items WHERE id = $1", key)

    @rule(item=ID, body=TEXT)
    def add_note(self, item: int, body: str) -> None:
        sql = "INSERT INTO notes (item, body) VALUES ($1, $2)"
        self.both("insert with foreign key", sql, item, body)

    @rule(key=INTS)
    def select_by_key(self, key: Any) -> None:
        self.both("select", "SELECT * FROM items WHERE id = $1", key, fetch=True)

    @rule()
    def select_ordered(self) -> None:
        self.both("select ordered", "SELECT * FROM items ORDER BY id", fetch=True)
        sql = "SELECT id, name FROM items ORDER BY name, id"
        self.both("select ordered by text", sql, fetch=True)

    @rule()
    def aggregates(self) -> None:
        extra = ", sum(amount), max(amount)" if "amount" in self.columns else ""
        sql = f"SELECT count(*), sum(id) AS total, min(name), max(id){extra} FROM items"
        self.both("aggregate", sql, fetch=True)
        self.both("aggregate avg", "SELECT avg(id) AS mean FROM items", fetch=True)

    @rule(data=st.data(), fail=st.booleans())
    def transaction(self, data: st.DataObject, fail: bool) -> None:
        """Inserts inside a transaction, maybe one that violates a constraint, then more work:
        PostgreSQL refuses everything after the error and rolls the block back."""
        rows = data.draw(st.lists(st.tuples(ID, TEXT), max_size=3), label="rows")

        async def run(store: SqlStore) -> list[dict[str, Any]]:
            async with store.transaction():
                for key, name in rows:
                    await store.execute("INSERT INTO items (id, name) VALUES ($1, $2)", key, name)
                if fail:
                    await store.execute("INSERT INTO items (id, name) VALUES (NULL, 'x')")
                await store.execute("UPDATE items SET name = name WHERE id = 0")
            return await store.fetch("SELECT id, name FROM items ORDER BY id")

        self.pair.same("transaction", lambda: run(self.real), lambda: run(self.mock))

    @rule()
    def reconnect(self) -> None:
        self.pair.run(self.real.close())
        self.pair.run(self.mock.close())
        self.pair.run(self.real.connect())
        self.pair.run(self.mock.connect())

    @invariant()
    def same_rows(self) -> None:
        if self.columns:
            self.both("table contents", "SELECT * FROM items ORDER BY id", fetch=True)

    def teardown(self) -> None:
        async def drop() -> None:
            await self.real.execute(f'DROP SCHEMA "{self.schema}" CASCADE')
            await self.real.close()
            await self.mock.close()

        self.pair.run(drop())
        self.loop.close()


def test_sql_store_mock_matches_postgresql(real_postgres: Any) -> None:
    SqlMachine.dsn = real_postgres.dsn
    run_state_machine_as_test(SqlMachine, settings=SETTINGS)
