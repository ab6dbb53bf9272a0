"""Contract of SqlStore's PostgreSQL rules: the same error class and the same Python types from
the mock (unit tier) and from PostgreSQL (integration tier)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from onex_registry import (
    CheckViolation,
    DataTypeMismatch,
    ForeignKeyViolation,
    InvalidValue,
    NotNullViolation,
    SqlStore,
    SqlSyntaxError,
    TransactionAborted,
    UndefinedColumn,
    UndefinedTable,
    UniqueViolation,
)

DDL = (
    "CREATE TABLE accounts (id integer PRIMARY KEY, code varchar(4) NOT NULL UNIQUE,"
    " active boolean NOT NULL DEFAULT true, balance numeric(10, 2) CHECK (balance >= 0),"
    " opened timestamptz, doc jsonb)"
)


async def test_sql_values_come_back_typed_as_asyncpg_returns_them(sql: SqlStore) -> None:
    await sql.execute(DDL)
    opened = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    await sql.execute(
        "INSERT INTO accounts (id, code, balance, opened, doc) VALUES ($1, $2, $3, $4, $5)",
        1, "A1", Decimal("12.5"), opened, {"tags": ["x"], "n": 1},
    )  # fmt: skip
    [row] = await sql.fetch("SELECT * FROM accounts")
    assert row == {
        "id": 1,
        "code": "A1",
        "active": True,
        "balance": Decimal("12.50"),
        "opened": opened,
        "doc": {"tags": ["x"], "n": 1},
    }
    assert row["active"] is True
    assert row["opened"].tzinfo is not None
    assert str(row["balance"]) == "12.50"


@pytest.mark.parametrize(
    ("sql_text", "args", "error"),
    [
        ("INSERT INTO accounts (id, code) VALUES ($1, $2)", (1, "A1"), UniqueViolation),
        ("INSERT INTO accounts (id) VALUES ($1)", (2,), NotNullViolation),
        ("INSERT INTO accounts (code) VALUES ($1)", ("B2",), NotNullViolation),
        ("INSERT INTO accounts (id, code, balance) VALUES (3, 'C', -1)", (), CheckViolation),
        ("INSERT INTO accounts (id, code) VALUES ($1, $2)", (4, "TOOLONG"), InvalidValue),
        ("INSERT INTO accounts (id, code) VALUES ($1, $2)", ("5", "E5"), DataTypeMismatch),
        ("INSERT INTO accounts (id, code, active) VALUES ($1, $2, $3)", (6, "F", 1),
         DataTypeMismatch),
        ("SELECT * FROM accounts WHERE id = $1", ("1",), DataTypeMismatch),
        ("SELEC * FROM accounts", (), SqlSyntaxError),
        ("SELECT * FROM missing", (), UndefinedTable),
        ("SELECT missing FROM accounts", (), UndefinedColumn),
    ],
    ids=[
        "unique", "not-null", "key-not-null", "check", "varchar-length", "str-for-integer",
        "int-for-boolean", "str-compared-with-integer", "syntax", "undefined-table",
        "undefined-column",
    ],
)  # fmt: skip
async def test_sql_violation_raises_the_taxonomys_class(
    sql: SqlStore, sql_text: str, args: tuple[object, ...], error: type[Exception]
) -> None:
    await sql.execute(DDL)
    await sql.execute("INSERT INTO accounts (id, code) VALUES (1, 'A1')")
    with pytest.raises(error) as caught:
        await sql.execute(sql_text, *args)
    assert caught.value.__cause__ is not None, "the driver's own error is kept as the cause"


async def test_sql_foreign_key_is_enforced(sql: SqlStore) -> None:
    await sql.execute("CREATE TABLE parents (id integer PRIMARY KEY)")
    await sql.execute(
        "CREATE TABLE children (id integer PRIMARY KEY, parent integer REFERENCES parents (id))"
    )
    with pytest.raises(ForeignKeyViolation):
        await sql.execute("INSERT INTO children (id, parent) VALUES (1, 99)")


async def test_sql_a_failed_statement_aborts_the_transaction(sql: SqlStore) -> None:
    await sql.execute("CREATE TABLE t (n integer PRIMARY KEY)")

    async def fail_then_continue() -> None:
        async with sql.transaction():
            await sql.execute("INSERT INTO t (n) VALUES (1)")
            with pytest.raises(UniqueViolation):
                await sql.execute("INSERT INTO t (n) VALUES (1)")
            await sql.execute("INSERT INTO t (n) VALUES (2)")

    with pytest.raises(TransactionAborted):
        await fail_then_continue()
    assert await sql.fetch("SELECT n FROM t") == []


async def test_sql_nested_transaction_is_a_savepoint(sql: SqlStore) -> None:
    await sql.execute("CREATE TABLE t (n integer)")

    class Boom(Exception):
        pass

    async def inner_fails() -> None:
        async with sql.transaction():
            await sql.execute("INSERT INTO t (n) VALUES (2)")
            raise Boom

    async with sql.transaction():
        await sql.execute("INSERT INTO t (n) VALUES (1)")
        with pytest.raises(Boom):
            await inner_fails()
    assert await sql.fetch("SELECT n FROM t") == [{"n": 1}]


async def test_sql_data_survives_a_reconnect(sql: SqlStore) -> None:
    await sql.execute("CREATE TABLE t (n integer)")
    await sql.execute("INSERT INTO t (n) VALUES (1)")
    await sql.close()
    await sql.connect()
    assert await sql.fetch("SELECT n FROM t") == [{"n": 1}]


async def test_sql_aggregates_are_named_and_typed_as_postgresql_does(sql: SqlStore) -> None:
    await sql.execute("CREATE TABLE t (n integer, amount numeric(6, 2))")
    await sql.execute("INSERT INTO t (n, amount) VALUES (1, 1.25), (2, 2.75)")
    [row] = await sql.fetch("SELECT count(*), sum(n) AS total, avg(n) AS mean, max(amount) FROM t")
    assert row == {"count": 2, "total": 3, "mean": Decimal("1.5"), "max": Decimal("2.75")}
    assert isinstance(row["mean"], Decimal)
