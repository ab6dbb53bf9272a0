"""What the matchers share: a mismatch, short text of a value, type names, comparable values.

Pure functions of plain data (what YAML, JSON, a database driver or a cache gives), so the
matching rules do not depend on the runner that calls them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

TYPE_NAMES: Mapping[str, str] = {
    "str": "str",
    "string": "str",
    "int": "int",
    "integer": "int",
    "float": "float",
    "number": "float",
    "decimal": "decimal",
    "bool": "bool",
    "boolean": "bool",
    "null": "null",
    "none": "null",
    "list": "list",
    "array": "list",
    "dict": "dict",
    "object": "dict",
    "mapping": "dict",
    "datetime": "datetime",
    "date": "date",
    "uuid": "uuid",
    "any": "any",
}
"""Type names accepted by `match: type` and the `$type` matcher, each to its canonical name."""

_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One difference: where (`$.a.b[0]`), what was expected and what was there, as short text."""

    path: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected}, got {self.actual}"


def describe(value: object, limit: int = 80) -> str:
    """A value as short JSON-like text for messages (longer text is cut with "...")."""
    try:
        text = json.dumps(value, default=_plain, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _plain(value: object) -> object:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return repr(value)


def is_number(value: object) -> bool:
    """An int, float or Decimal; booleans are not numbers here."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def parse_datetime(value: object) -> dt.datetime | None:
    """A datetime, or ISO 8601 text with a date and a time ("2026-12-01T23:07:25Z"); else None."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or len(value) < 16 or value[10:11] not in ("T", "t", " "):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _is_date(value: object) -> bool:
    if isinstance(value, dt.date):
        return not isinstance(value, dt.datetime)
    if not isinstance(value, str) or not _DATE_TEXT.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_decimal(value: object) -> bool:
    if is_number(value):
        return not isinstance(value, float) or math.isfinite(value)
    return isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value) is not None


def _is_uuid(value: object) -> bool:
    return isinstance(value, uuid.UUID) or (
        isinstance(value, str) and _UUID_TEXT.fullmatch(value) is not None
    )


_TYPE_TESTS: Mapping[str, Callable[[object], bool]] = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": is_number,
    "decimal": _is_decimal,
    "bool": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "list": lambda v: isinstance(v, list | tuple),
    "dict": lambda v: isinstance(v, Mapping),
    "datetime": lambda v: parse_datetime(v) is not None,
    "date": _is_date,
    "uuid": _is_uuid,
    "any": lambda v: True,
}


def type_name_problem(description: str) -> str | None:
    """Why `description` ("str", "int|null") names no known type, or None when it does."""
    for name in description.split("|"):
        if name.strip() not in TYPE_NAMES:
            known = ", ".join(sorted(TYPE_NAMES))
            return f"unknown type name {name.strip()!r} (known: {known})"
    return None


def has_type(description: str, value: object) -> bool:
    """True when `value` is of one of the types that `description` names (unknown names: no)."""
    return any(
        _TYPE_TESTS[TYPE_NAMES[name.strip()]](value)
        for name in description.split("|")
        if name.strip() in TYPE_NAMES
    )


Comparable = Decimal | dt.datetime


def comparable(value: object) -> Comparable | None:
    """A number (or decimal text) as a Decimal, a datetime (or ISO text) as one; else None.

    Text counts because caches and environment interpolation give numbers as text ("9.50").
    """
    if is_number(value):
        assert isinstance(value, int | float | Decimal)
        try:
            number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:  # pragma: no cover - str() of a float always parses
            return None
        return number if number.is_finite() else None
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        return Decimal(value)
    return parse_datetime(value)


def compare(left: Comparable, right: Comparable) -> int | None:
    """-1, 0 or 1 as `left` is below, equal to or above `right`; None if they do not compare
    (a number against a datetime, or a datetime with a time zone against one without)."""
    if isinstance(left, Decimal) != isinstance(right, Decimal):
        return None
    try:
        return (left > right) - (left < right)  # type: ignore[operator]
    except TypeError:
        return None
