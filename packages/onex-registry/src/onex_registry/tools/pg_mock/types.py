"""PostgreSQL column types as the mock models them: what a parameter may be (asyncpg's rules),
how a value is stored in sqlite, and how it comes back (asyncpg's Python types)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from onex_registry.sql_errors import DataTypeMismatch, InvalidValue

# PostgreSQL's spellings (as pglast reports them) → the mock's type family.
_FAMILY = {
    **dict.fromkeys(("int2", "int4", "int8", "smallint", "integer", "bigint", "int"), "int"),
    **dict.fromkeys(("serial", "bigserial", "smallserial", "serial4", "serial8"), "serial"),
    **dict.fromkeys(("text", "varchar", "bpchar", "char", "character", "name"), "text"),
    **dict.fromkeys(("bool", "boolean"), "bool"),
    **dict.fromkeys(("numeric", "decimal"), "numeric"),
    **dict.fromkeys(("float4", "float8", "real", "double precision"), "float"),
    **dict.fromkeys(("timestamptz",), "timestamptz"),
    **dict.fromkeys(("timestamp",), "timestamp"),
    **dict.fromkeys(("date",), "date"),
    **dict.fromkeys(("json", "jsonb"), "json"),
    **dict.fromkeys(("uuid",), "uuid"),
    **dict.fromkeys(("bytea",), "bytes"),
}
# The STRICT sqlite type each family is stored as.
STORAGE = {
    # INT, not INTEGER: an "INTEGER PRIMARY KEY" would be sqlite's rowid and fill itself in,
    # where PostgreSQL refuses a missing key. Only serial gets that behaviour.
    "int": "INT",
    "serial": "INTEGER",
    "text": "TEXT",
    "bool": "INTEGER",
    "numeric": "REAL",
    "float": "REAL",
    "timestamptz": "TEXT",
    "timestamp": "TEXT",
    "date": "TEXT",
    "json": "TEXT",
    "uuid": "TEXT",
    "bytes": "BLOB",
}
_INT_RANGE = {"int2": 2**15, "smallint": 2**15, "int8": 2**63, "bigint": 2**63}


def family_of(pg_type: str) -> str | None:
    """The mock's family of a PostgreSQL type name, None for a type the mock does not model."""
    return _FAMILY.get(pg_type)


@dataclass(frozen=True)
class Column:
    """One column of a mock table, with what PostgreSQL enforces on its values."""

    name: str
    pg_type: str
    family: str
    length: int | None = None  # VARCHAR(n) / CHAR(n)
    scale: int | None = None  # NUMERIC(p, s)
    padded: bool = False  # CHAR(n) pads with blanks


def _mismatch(value: Any, column: Column, expected: str, position: int) -> DataTypeMismatch:
    error = DataTypeMismatch(
        f"invalid input for query argument ${position}: {value!r} "
        f"({expected} is required for column {column.name!r} of type {column.pg_type})"
    )
    # asyncpg's own refusal is a TypeError from its encoder; the mock keeps the same cause.
    error.__cause__ = TypeError(f"{expected} is required, got {type(value).__name__}")
    return error


def bind(value: Any, column: Column, position: int) -> Any:
    """The sqlite value of parameter `$position` bound to `column`, or asyncpg's refusal."""
    if value is None:
        return None
    family = column.family
    if family in {"int", "serial"}:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _mismatch(value, column, "an integer", position)
        limit = _INT_RANGE.get(column.pg_type, 2**31)
        if not -limit <= value < limit:
            raise _mismatch(value, column, "a value in the type's range", position)
        return value
    if family == "text":
        if not isinstance(value, str):
            raise _mismatch(value, column, "a str", position)
        return _fit_length(_no_nul(value), column)
    if family == "bool":
        if not isinstance(value, bool):
            raise _mismatch(value, column, "a bool", position)
        return int(value)
    if family in {"numeric", "float"}:
        if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
            raise _mismatch(value, column, "a number", position)
        return float(value)
    if family in {"timestamptz", "timestamp"}:
        if not isinstance(value, datetime):
            raise _mismatch(value, column, "a datetime", position)
        return store_timestamp(value, aware=family == "timestamptz")
    if family == "date":
        if not isinstance(value, date) or isinstance(value, datetime):
            raise _mismatch(value, column, "a date", position)
        return value.isoformat()
    if family == "json":
        try:
            return _no_nul(json.dumps(value))
        except (TypeError, ValueError) as exc:
            raise _mismatch(value, column, "a JSON-serialisable value", position) from exc
    if family == "uuid":
        try:
            return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError as exc:
            raise _mismatch(value, column, "a UUID", position) from exc
    if not isinstance(value, bytes | bytearray | memoryview):
        raise _mismatch(value, column, "bytes", position)
    return bytes(value)


def _no_nul(text: str) -> str:
    """PostgreSQL text cannot hold U+0000 (22021 for text, 22P05 for the \\u0000 in JSONB)."""
    if "\x00" in text or "\\u0000" in text:
        error = InvalidValue("invalid byte sequence for encoding UTF8: 0x00", sqlstate="22021")
        raise error from ValueError("U+0000 in a text value")
    return text


def _fit_length(text: str, column: Column) -> str:
    """VARCHAR(n)/CHAR(n) as PostgreSQL coerces a value, before any constraint is checked:
    excess blanks are cut, anything else longer is an error (22001), never a truncation."""
    limit = column.length
    if limit is None or len(text) <= limit:
        return text
    if not text[limit:].strip(" "):
        return text[:limit]
    kind = "character" if column.padded else "character varying"
    error = InvalidValue(f"value too long for type {kind}({limit})", sqlstate="22001")
    raise error from ValueError(f"{len(text)} characters for {column.name!r}")


def store_timestamp(value: datetime, *, aware: bool) -> str:
    """A sortable text form: TIMESTAMPTZ in UTC (a naive value is taken as UTC, as asyncpg
    does), TIMESTAMP as given."""
    if aware:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def load(stored: Any, column: Column) -> Any:
    """The Python value asyncpg would return for `stored` in `column`."""
    if stored is None:
        return None
    family = column.family
    if family == "bool":
        return bool(stored)
    if family == "numeric":
        number = Decimal(repr(stored)) if isinstance(stored, float) else Decimal(stored)
        if column.scale is not None:
            return number.quantize(Decimal(1).scaleb(-column.scale))
        return number
    if family == "float":
        return float(stored)
    if family in {"timestamptz", "timestamp"}:
        parsed = datetime.fromisoformat(str(stored))
        return parsed.replace(tzinfo=UTC) if family == "timestamptz" else parsed
    if family == "date":
        return date.fromisoformat(str(stored))
    if family == "json":
        return json.loads(stored)
    if family == "uuid":
        return uuid.UUID(str(stored))
    if family == "text" and column.padded and column.length is not None:
        return str(stored).ljust(column.length)
    return stored
