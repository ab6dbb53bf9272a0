"""PostgreSQL's semantics for what sqlite would evaluate otherwise, as functions registered on
the mock's sqlite connection (the expression rewriter in expressions.py calls them), and the
Python values asyncpg returns for computed result columns."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from onex_registry.errors import NotSupportedByMockError
from onex_registry.sql_errors import InvalidValue, SqlError, UndefinedFunction
from onex_registry.tools.pg_mock.ddl import TOOL

INT_NAMES = {16: "smallint", 32: "integer", 64: "bigint"}


def _out_of_range(bits: int) -> InvalidValue:
    return InvalidValue(f"{INT_NAMES[bits]} out of range", sqlstate="22003")


def _checked(value: int, bits: int) -> int:
    limit = 2 ** (bits - 1)
    if not -limit <= value < limit:
        raise _out_of_range(bits)
    return value


def pg_int_op(operator: str, left: Any, right: Any, bits: int) -> int | None:
    if left is None or right is None:
        return None
    a, b = int(left), int(right)
    if operator in ("/", "%"):
        if b == 0:
            raise InvalidValue("division by zero", sqlstate="22012")
        quotient = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
        return _checked(quotient, bits) if operator == "/" else a - b * quotient
    result = a + b if operator == "+" else a - b if operator == "-" else a * b
    return _checked(result, bits)


def pg_int_neg(value: Any, bits: int) -> int | None:
    return None if value is None else _checked(-int(value), bits)


def pg_int_abs(value: Any, bits: int) -> int | None:
    return None if value is None else _checked(abs(int(value)), bits)


def decimal_of(value: Any) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def pg_numeric_op(operator: str, left: Any, right: Any, scale: int) -> float | None:
    if left is None or right is None:
        return None
    a, b = decimal_of(left), decimal_of(right)
    result = a + b if operator == "+" else a - b if operator == "-" else a * b
    return float(result.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP))


def pg_round(value: Any, places: Any) -> float | None:
    if value is None or places is None:
        return None
    quantum = Decimal(1).scaleb(-int(places))
    return float(decimal_of(value).quantize(quantum, rounding=ROUND_HALF_UP))


_TRUE_WORDS = {"t", "true", "y", "yes", "on", "1"}
_FALSE_WORDS = {"f", "false", "n", "no", "off", "0"}
_INTEGER_TEXT = re.compile(r"\s*[+-]?\d+\s*")


def pg_cast(
    value: Any, source: str, target: str, bits: int, scale: int, length: int, source_scale: int
) -> Any:
    """CAST(value AS target) with PostgreSQL's rules; sqlite's value of the result."""
    if value is None:
        return None
    if target == "int":
        if source == "bool":
            raise UndefinedFunction("cannot cast type boolean to integer")
        if isinstance(value, str):
            if not _INTEGER_TEXT.fullmatch(value):
                raise InvalidValue(
                    f"invalid input syntax for type {INT_NAMES[bits]}: {value!r}",
                    sqlstate="22P02",
                )
            return _checked(int(value), bits)
        number = decimal_of(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return _checked(int(number), bits)
    if target == "numeric":
        return _to_numeric(value, source, scale, length)
    if target == "text":
        text = _as_text(value, source, source_scale)
        return text if length < 0 else text[:length]
    if target == "bool":
        if source in ("numeric",):
            raise UndefinedFunction("cannot cast type numeric to boolean")
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE_WORDS:
                return 1
            if word in _FALSE_WORDS:
                return 0
            raise InvalidValue(
                f"invalid input syntax for type boolean: {value!r}", sqlstate="22P02"
            )
        return 1 if value else 0
    raise NotSupportedByMockError(TOOL, f"a cast to {target}")


def _to_numeric(value: Any, source: str, scale: int, precision: int) -> float:
    if source == "bool":
        raise UndefinedFunction("cannot cast type boolean to numeric")
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else decimal_of(value)
    except InvalidOperation:
        raise InvalidValue(
            f"invalid input syntax for type numeric: {value!r}", sqlstate="22P02"
        ) from None
    if not number.is_finite():
        raise InvalidValue(f"invalid input syntax for type numeric: {value!r}", sqlstate="22P02")
    if scale >= 0:
        number = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        if precision >= 0 and number.adjusted() >= precision - scale:
            raise InvalidValue("numeric field overflow", sqlstate="22003")
    return float(number)


def _as_text(value: Any, source: str, scale: int) -> str:
    if source == "bool":
        return "true" if value else "false"
    if source == "numeric":
        number = decimal_of(value)
        if scale >= 0:
            number = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        return format(number, "f")
    if source == "int" and isinstance(value, float):
        return str(int(value))
    return str(value)


def _like_pattern(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    characters = iter(pattern)
    for char in characters:
        if char == "\\":
            escaped = next(characters, None)
            if escaped is None:
                raise InvalidValue(
                    "LIKE pattern must not end with escape character", sqlstate="22025"
                )
            parts.append(re.escape(escaped))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def pg_like(value: Any, pattern: Any, insensitive: int, negated: int) -> int | None:
    if value is None or pattern is None:
        return None
    text, shape = str(value), str(pattern)
    if insensitive:
        text, shape = text.lower(), shape.lower()
    matched = _like_pattern(shape).fullmatch(text) is not None
    return int(matched != bool(negated))


def pg_substr(value: Any, start: Any, count: Any) -> str | None:
    if value is None or start is None:
        return None
    text, first = str(value), int(start)
    if count is None:
        return text[max(first, 1) - 1 :]
    if int(count) < 0:
        raise InvalidValue("negative substring length not allowed", sqlstate="22011")
    end = first + int(count)  # positions first .. end-1, 1-based; those before 1 are empty
    return text[max(first, 1) - 1 : max(end - 1, 0)]


# The functions the rewritten SQL calls, with their arity: registered on sqlite, and called by
# the constant folding (folding.py) on constant arguments.
FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "pg_int_op": (4, pg_int_op), "pg_int_neg": (2, pg_int_neg),
    "pg_int_abs": (2, pg_int_abs), "pg_numeric_op": (4, pg_numeric_op),
    "pg_round": (2, pg_round), "pg_cast": (7, pg_cast), "pg_like": (4, pg_like),
    "pg_substr": (3, pg_substr),
}  # fmt: skip


class SqliteFunctions:
    """Registers the pg_* functions on a sqlite connection. An error a function raises cannot
    cross sqlite as itself; it is kept here and raised by the store in place of sqlite's."""

    def __init__(self) -> None:
        self.pending: SqlError | NotSupportedByMockError | None = None

    def install(self, db: sqlite3.Connection) -> None:
        # Not "deterministic": sqlite would evaluate a constant call once before the statement
        # runs, where PostgreSQL skips what a short-circuit (`true OR ...`) never reaches.
        for name, (arity, function) in FUNCTIONS.items():
            db.create_function(name, arity, self._kept(function))

    def _kept(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            try:
                return function(*args)
            except (SqlError, NotSupportedByMockError) as exc:
                self.pending = exc
                raise

        return call

    def take(self) -> SqlError | NotSupportedByMockError | None:
        pending, self.pending = self.pending, None
        return pending
