"""sqlite's errors as the SqlStore taxonomy. A syntax error from sqlite on SQL that PostgreSQL's
grammar accepted means a construct the mock does not model: NotSupportedByMockError, naming it."""

from __future__ import annotations

import re
import sqlite3

from onex_registry.errors import NotSupportedByMockError, OnexToolError
from onex_registry.sql_errors import (
    ArgumentCountError,
    CheckViolation,
    DataTypeMismatch,
    DuplicateObject,
    ForeignKeyViolation,
    InvalidTransactionState,
    InvalidValue,
    NotNullViolation,
    SqlError,
    UndefinedColumn,
    UndefinedFunction,
    UndefinedTable,
    UniqueViolation,
)
from onex_registry.tools.pg_mock.ddl import BOOL_CHECK_PREFIX, LENGTH_CHECK_PREFIX, TOOL

_NEAR = re.compile(r'near "([^"]*)"')
_BY_MESSAGE: tuple[tuple[str, type[SqlError]], ...] = (
    ("UNIQUE constraint failed", UniqueViolation),
    ("NOT NULL constraint failed", NotNullViolation),
    ("FOREIGN KEY constraint failed", ForeignKeyViolation),
    (f"CHECK constraint failed: {LENGTH_CHECK_PREFIX}", InvalidValue),
    (f"CHECK constraint failed: {BOOL_CHECK_PREFIX}", DataTypeMismatch),
    ("CHECK constraint failed", CheckViolation),
    ("cannot store", InvalidValue),
    ("datatype mismatch", DataTypeMismatch),
    ("no such table", UndefinedTable),
    ("no such column", UndefinedColumn),
    ("no such function", UndefinedFunction),
    ("already exists", DuplicateObject),
    ("within a transaction", InvalidTransactionState),
    ("no transaction is active", InvalidTransactionState),
    ("Incorrect number of bindings", ArgumentCountError),
)
_STATES = {"cannot store": "22P02", f"CHECK constraint failed: {LENGTH_CHECK_PREFIX}": "22001"}


def translate_sqlite_error(exc: sqlite3.Error, sql: str) -> OnexToolError:
    message = str(exc)
    if any(w in message for w in ("syntax error", "incomplete input", "unrecognized token")):
        near = _NEAR.search(message)
        what = f"the construct near {near.group(1)!r}" if near else "a construct"
        return NotSupportedByMockError(TOOL, f"{what} in {sql!r}")
    for needle, cls in _BY_MESSAGE:
        if needle in message:
            return cls(f"{message} (in {sql!r})", sqlstate=_STATES.get(needle))
    return SqlError(f"{message} (in {sql!r})")
