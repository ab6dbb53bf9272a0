"""InMemorySqlStore: the mock SqlStore. Every statement is read by PostgreSQL's own grammar
(pglast), tables are built from PostgreSQL DDL with its rules enforced, parameters are checked
by type as asyncpg checks them, values come back as asyncpg returns them, and rows of a query
without ORDER BY come back in a seeded shuffled order. Execution itself is sqlite's (STRICT
tables): measured, it keeps a statement near 20 µs, where interpreting SQL in Python would not.

PostgreSQL's transaction rules are kept on top: after an error inside a transaction every
statement fails with TransactionAborted until ROLLBACK; a nested `transaction()` is a savepoint.
The data lives as long as the store, across close() and connect(), like a database server's.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from onex_registry.errors import NotConnectedError, NotSupportedByMockError
from onex_registry.guard import check_built_by_registry
from onex_registry.mock_faults import MockFaults
from onex_registry.models import ToolHealth
from onex_registry.sql_errors import (
    ArgumentCountError,
    ConnectionLost,
    InvalidValue,
    SqlError,
    TransactionAborted,
)
from onex_registry.tools.pg_mock.ddl import TOOL, Table, create_table
from onex_registry.tools.pg_mock.expressions import Rewritten, rewrite
from onex_registry.tools.pg_mock.numeric import Average
from onex_registry.tools.pg_mock.pg_functions import SqliteFunctions
from onex_registry.tools.pg_mock.pg_types import load_result
from onex_registry.tools.pg_mock.sqlite_errors import translate_sqlite_error
from onex_registry.tools.pg_mock.statements import (
    NUMERIC_RESULT,
    SAME_TYPE_RESULT,
    Statement,
    analyse,
    insert_params_for,
)
from onex_registry.tools.pg_mock.types import Column, bind, load

SEED_ENV = "ONEX_SQL_SHUFFLE_SEED"
_PLACEHOLDER = re.compile(r"\?(\d+)")
_PASS_THROUGH = (int, float, str, bytes, type(None))
_NUMERIC = Column("avg", "numeric", "numeric")
_TYPED_KINDS = frozenset({"SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt"})
_AS_IS = Rewritten(None, (), {})
# Expression results the analyser types; other families keep the column's own loader.
_COMPUTED = frozenset({"int", "numeric", "bool", "text"})


class InMemorySqlStore:
    """Mock SQL store that reads PostgreSQL (see the module's docstring)."""

    def __init__(self, schema: str, *, shuffle_seed: int | None = None) -> None:
        check_built_by_registry(type(self).__name__)
        self.schema = schema
        env_seed = os.environ.get(SEED_ENV)
        if shuffle_seed is None:
            shuffle_seed = int(env_seed) if env_seed else random.randrange(2**32)
        self.shuffle_seed = shuffle_seed
        self._random = random.Random(shuffle_seed)
        self._db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA foreign_keys = ON")
        # typeshed wants an int from finalize; sqlite takes any SQL value (here NUMERIC as text).
        self._db.create_aggregate("avg", 1, Average)  # type: ignore[arg-type]
        self._db.execute("PRAGMA case_sensitive_like = ON")  # PostgreSQL's LIKE sees case
        self._functions = SqliteFunctions()
        self._functions.install(self._db)
        # Statements typed against the catalog, by text; emptied when the catalog changes.
        self._rewritten: dict[str, Rewritten] = {}
        self._tables: dict[str, Table] = {}
        self._connected = False
        self._depth = 0  # 0: autocommit; 1: a transaction; >1: savepoints inside it
        self._aborted = False
        self._faults = MockFaults(type(self).__name__, ConnectionLost)

    def _require(self) -> sqlite3.Connection:
        if not self._connected:
            raise NotConnectedError("InMemorySqlStore: call connect() first")
        return self._db

    def inject_fault(self, action: str, params: Mapping[str, Any]) -> Callable[[], None]:
        """A network fault on this mock's calls until the callable is called (see
        onex_registry.mock_faults: what it models, and what it refuses by name)."""
        return self._faults.inject(action, params)

    async def connect(self) -> None:
        self._connected = True

    async def close(self) -> None:
        # A closed connection loses its open transaction, not the database's data.
        if self._depth:
            self._db.execute("ROLLBACK")
            self._depth, self._aborted = 0, False
            self._sync_catalog()
        self._connected = False

    async def execute(self, sql: str, *args: Any) -> int:
        await self._faults.before_call()
        count = 0
        for statement in analyse(sql):
            count, _ = self._run(statement, args)
        return count

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        await self._faults.before_call()
        rows: list[dict[str, Any]] = []
        for statement in analyse(sql):
            _, rows = self._run(statement, args)
        return rows

    def _run(self, statement: Statement, args: tuple[Any, ...]) -> tuple[int, list[dict[str, Any]]]:
        db = self._require()
        if statement.kind == "TransactionStmt":
            self._transaction_statement(statement.node)
            return 0, []
        if self._aborted:
            raise TransactionAborted(
                "current transaction is aborted, commands ignored until end of transaction block"
            )
        try:
            return self._run_checked(db, statement, args)
        except SqlError:
            self._aborted = self._depth > 0
            raise

    def _run_checked(
        self, db: sqlite3.Connection, statement: Statement, args: tuple[Any, ...]
    ) -> tuple[int, list[dict[str, Any]]]:
        if statement.kind == "CreateStmt":
            table, ddl = create_table(statement.node)
            self._sqlite(db, ddl, (), statement.sqlite_sql)
            self._tables.setdefault(table.name, table)
            self._rewritten.clear()
            return 0, []
        prepared = self._prepared(statement)
        bound = self._bind(statement, args, prepared)
        sql = prepared.sqlite_sql or statement.sqlite_sql
        cursor = self._sqlite(db, sql, bound, statement.sqlite_sql)
        if statement.kind == "DropStmt":
            self._sync_catalog()
        raw = cursor.fetchall() if cursor.description else []
        rows = self._typed(statement, cursor, raw, prepared)
        if statement.kind == "SelectStmt" and not statement.ordered and len(rows) > 1:
            self._random.shuffle(rows)  # code relying on an order it never asked for fails
        return (len(rows) if statement.kind == "SelectStmt" else max(cursor.rowcount, 0)), rows

    def _sqlite(self, db: sqlite3.Connection, sql: str, args: Any, shown: str) -> sqlite3.Cursor:
        try:
            return db.execute(sql, args)
        except sqlite3.Error as exc:
            raised = self._functions.take()  # a pg_* function's own error, as PostgreSQL's
            if raised is not None:
                raise raised from None
            raise translate_sqlite_error(exc, shown) from exc

    def _prepared(self, statement: Statement) -> Rewritten:
        """The statement typed as PostgreSQL types it, rewritten where sqlite would differ."""
        known = self._rewritten.get(statement.sqlite_sql)
        if known is not None:
            return known
        if statement.kind not in _TYPED_KINDS:
            return _AS_IS
        params = self._params(statement)
        columns = {n: c for n, name in params.items() if (c := self._column(statement, name))}
        prepared = rewrite(statement.node, lambda name: self._column(statement, name), columns)
        self._rewritten[statement.sqlite_sql] = prepared
        return prepared

    def _column(self, statement: Statement, name: str | None) -> Column | None:
        if name is None:
            return None
        for table in statement.tables:
            known = self._tables.get(table)
            if known is not None and name in known.columns:
                return known.columns[name]
        return None

    def _params(self, statement: Statement) -> dict[int, str]:
        if statement.kind == "InsertStmt" and statement.tables:
            table = self._tables.get(statement.tables[0])
            if table is not None:
                return insert_params_for(statement, list(table.columns))
        return statement.params

    def _bind(
        self, statement: Statement, args: tuple[Any, ...], prepared: Rewritten
    ) -> tuple[Any, ...]:
        params = self._params(statement)
        expected = max(params, default=0)
        highest = max((int(n) for n in _placeholders(statement.sqlite_sql)), default=0)
        if max(expected, highest) != len(args):
            raise ArgumentCountError(
                f"the server expects {max(expected, highest)} arguments for this query, "
                f"{len(args)} were passed"
            )
        bound = []
        # asyncpg encodes every argument before the server coerces any: a wrong Python type
        # anywhere wins over a value PostgreSQL would refuse (too long for its VARCHAR).
        refused: InvalidValue | None = None
        for position, value in enumerate(args, start=1):
            column = self._column(statement, params.get(position))
            column = column or prepared.cast_params.get(position)
            if column is not None:
                try:
                    bound.append(bind(value, column, position))
                except InvalidValue as exc:
                    refused = refused or exc
                    bound.append(None)
            elif isinstance(value, bool):
                bound.append(int(value))
            elif isinstance(value, _PASS_THROUGH):
                bound.append(value)
            else:
                raise NotSupportedByMockError(
                    TOOL,
                    f"parameter ${position} of type {type(value).__name__} where the mock "
                    "cannot tell the column it is compared with or stored in",
                )
        if refused is not None:
            raise refused
        return tuple(bound)

    def _typed(
        self, statement: Statement, cursor: sqlite3.Cursor, raw: list[Any], prepared: Rewritten
    ) -> list[dict[str, Any]]:
        if not raw:
            return []
        names = [d[0] for d in cursor.description]
        if not statement.star and len(statement.names) == len(names):
            names = [str(name) for name in statement.names]
        columns: list[Column | None] = []
        computed: list[Any] = []
        for position, name in enumerate(names):
            source = statement.results.get(name)
            kind = prepared.results[position] if position < len(prepared.results) else None
            plain = source is not None and (
                source.function is None or source.function in NUMERIC_RESULT
            )
            if not statement.star and not plain and kind is not None and kind.family in _COMPUTED:
                computed.append(kind)  # an expression: typed by the analyser
                columns.append(None)
                continue
            computed.append(None)
            if source is None:
                columns.append(self._column(statement, name) if statement.star else None)
            elif source.function in NUMERIC_RESULT:
                columns.append(_NUMERIC)
            elif source.function is None or source.function in SAME_TYPE_RESULT:
                columns.append(self._column(statement, source.column))
            else:
                columns.append(None)
        return [
            {
                name: (
                    load(value, column)
                    if column is not None
                    else load_result(value, kind)
                    if kind is not None
                    else value
                )
                for name, column, kind, value in zip(names, columns, computed, row, strict=True)
            }
            for row in raw
        ]

    def _transaction_statement(self, node: Any) -> None:
        """BEGIN/COMMIT/ROLLBACK as SQL text, with PostgreSQL's answers: BEGIN inside a
        transaction and COMMIT outside one are warnings, COMMIT of an aborted one rolls back."""
        kind = node.kind.name.removeprefix("TRANS_STMT_")
        if kind in {"BEGIN", "START"}:
            if self._depth == 0:
                self._db.execute("BEGIN")
                self._depth = 1
        elif kind in {"COMMIT", "ROLLBACK"}:
            if self._depth:
                self._db.execute("ROLLBACK" if self._aborted or kind == "ROLLBACK" else "COMMIT")
                self._depth, self._aborted = 0, False
                self._sync_catalog()
        else:
            raise NotSupportedByMockError(TOOL, f"transaction statement {kind} as SQL text")

    def _sync_catalog(self) -> None:
        """Forget tables a rollback or DROP removed."""
        live = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master")}
        self._tables = {name: t for name, t in self._tables.items() if name in live}
        self._rewritten.clear()

    def transaction(self) -> AbstractAsyncContextManager[None]:
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        db = self._require()
        savepoint = f"onex_sp_{self._depth}"
        db.execute("BEGIN" if self._depth == 0 else f"SAVEPOINT {savepoint}")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                db.execute("ROLLBACK")
                self._sync_catalog()
            else:
                db.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                db.execute(f"RELEASE SAVEPOINT {savepoint}")
            self._aborted = False
            raise
        self._depth -= 1
        if self._depth == 0:
            db.execute("ROLLBACK" if self._aborted else "COMMIT")
            self._aborted = False
            self._sync_catalog()
        elif not self._aborted:
            db.execute(f"RELEASE SAVEPOINT {savepoint}")

    async def health(self) -> ToolHealth:
        return ToolHealth(
            healthy=self._connected,
            latency_ms=0.0,
            detail=f"in-memory, PostgreSQL grammar; rows shuffled with seed {self.shuffle_seed}",
        )


def _placeholders(sql: str) -> list[str]:
    return _PLACEHOLDER.findall(sql)
