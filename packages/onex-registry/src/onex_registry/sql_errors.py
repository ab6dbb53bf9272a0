"""One error taxonomy for `SqlStore`, raised alike by PostgreSQL (through asyncpg) and the mock.

The classes follow PostgreSQL's SQLSTATE classes, so a node catches `UniqueViolation` or
`IntegrityViolation` instead of `Exception`, and the same `except` works in both modes. The
driver's own error is kept as `__cause__`.
"""

from __future__ import annotations

from onex_registry.errors import OnexToolError


class SqlError(OnexToolError):
    """Base of every SQL error. `sqlstate` is PostgreSQL's five-character code."""

    sqlstate = "XX000"

    def __init__(self, message: str, *, sqlstate: str | None = None) -> None:
        super().__init__(message)
        if sqlstate is not None:
            self.sqlstate = sqlstate


class IntegrityViolation(SqlError):
    """Class 23: a constraint refused the row."""

    sqlstate = "23000"


class UniqueViolation(IntegrityViolation):
    sqlstate = "23505"


class NotNullViolation(IntegrityViolation):
    sqlstate = "23502"


class CheckViolation(IntegrityViolation):
    sqlstate = "23514"


class ForeignKeyViolation(IntegrityViolation):
    sqlstate = "23503"


class UndefinedObject(SqlError):
    """A table, column or function that does not exist."""

    sqlstate = "42704"


class UndefinedTable(UndefinedObject):
    sqlstate = "42P01"


class UndefinedColumn(UndefinedObject):
    sqlstate = "42703"


class UndefinedFunction(UndefinedObject):
    sqlstate = "42883"


class DuplicateObject(SqlError):
    """CREATE of a table, index or constraint whose name exists."""

    sqlstate = "42P07"


class DataTypeMismatch(SqlError):
    """A value of the wrong type: a `str` bound to an integer parameter, a text compared with
    an integer (42804, 42883 for operators, and asyncpg's client-side argument check)."""

    sqlstate = "42804"


class InvalidValue(SqlError):
    """Class 22, data exception: a string longer than VARCHAR(n), text that is no number, a
    number out of range, division by zero."""

    sqlstate = "22000"


class SqlSyntaxError(SqlError):
    """SQL that PostgreSQL's grammar rejects (42601)."""

    sqlstate = "42601"


class TransactionAborted(SqlError):
    """A statement inside a transaction after an earlier one failed (25P02)."""

    sqlstate = "25P02"


class InvalidTransactionState(SqlError):
    """A transaction command out of place, e.g. a nested transaction on one connection."""

    sqlstate = "25000"


class ConnectionLost(SqlError):
    """The connection to the database broke or was closed during a statement."""

    sqlstate = "08006"


# Exact SQLSTATE first, then its class (first two characters).
_BY_STATE: dict[str, type[SqlError]] = {
    cls.sqlstate: cls
    for cls in (
        UniqueViolation,
        NotNullViolation,
        CheckViolation,
        ForeignKeyViolation,
        UndefinedObject,
        UndefinedTable,
        UndefinedColumn,
        UndefinedFunction,
        DuplicateObject,
        DataTypeMismatch,
        SqlSyntaxError,
        TransactionAborted,
    )
}
_BY_STATE.update({"42710": DuplicateObject, "42P06": DuplicateObject, "42725": UndefinedFunction})
_BY_CLASS: dict[str, type[SqlError]] = {
    "23": IntegrityViolation,
    "22": InvalidValue,
    "25": InvalidTransactionState,
    "08": ConnectionLost,
    "42": SqlError,
}


def error_for_sqlstate(sqlstate: str, message: str) -> SqlError:
    """The taxonomy's error for a PostgreSQL SQLSTATE (a plain `SqlError` for an unlisted one)."""
    cls = _BY_STATE.get(sqlstate) or _BY_CLASS.get(sqlstate[:2], SqlError)
    return cls(message, sqlstate=sqlstate)


class ArgumentCountError(SqlError):
    """The number of arguments differs from the statement's `$n` placeholders."""

    sqlstate = "08P01"
