"""Differences between two states (or two recordings): a list of paths with both values.

Mappings are compared key by key, so a difference names its path
(`postgres.tables.orders.row_count`). A list of rows is compared as a bag: rows only before
are `removed`, rows only after `added`, whatever their order. Other lists are compared whole.
"""

from __future__ import annotations

import json
import re
from typing import Any

MISSING = "<absent>"


_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$|^[0-9]+$")


def join_path(path: str, key: Any) -> str:
    """`path.key`, or `path["key"]` when the key holds dots or other marks (topic names do)."""
    text = str(key)
    part = f".{text}" if _PLAIN.fullmatch(text) else f"[{json.dumps(text)}]"
    return (path + part).lstrip(".") if path != "$" else "$" + part


def _key(row: Any) -> str:
    return json.dumps(row, sort_keys=True, default=str)


def state_diff(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """Every difference from `before` to `after`: {path, before, after} (or {path, added} and
    {path, removed} for rows)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[dict[str, Any]] = []
        for key in sorted(set(before) | set(after), key=str):
            where = join_path(path, key)
            if key not in after:
                found.append({"path": where, "before": before[key], "after": MISSING})
            elif key not in before:
                found.append({"path": where, "before": MISSING, "after": after[key]})
            else:
                found.extend(state_diff(before[key], after[key], where))
        return found
    if path.endswith(".rows") and isinstance(before, list) and isinstance(after, list):
        return _rows_diff(before, after, path)
    if before != after:
        return [{"path": path or "$", "before": before, "after": after}]
    return []


def _rows_diff(before: list[Any], after: list[Any], path: str) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for row in before:
        counts[_key(row)] = counts.get(_key(row), 0) + 1
    added = []
    for row in after:
        key = _key(row)
        if counts.get(key, 0) > 0:
            counts[key] -= 1
        else:
            added.append(row)
    removed = []
    for row in before:
        key = _key(row)
        if counts.get(key, 0) > 0:
            counts[key] -= 1
            removed.append(row)
    found: list[dict[str, Any]] = []
    if removed:
        found.append({"path": path, "removed": removed})
    if added:
        found.append({"path": path, "added": added})
    return found


def first_difference(expected: Any, actual: Any, path: str = "$") -> tuple[str, Any, Any] | None:
    """The first place where `actual` differs from `expected`, in document order: (path,
    expected value, actual value); None when they are equal."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in list(expected) + [k for k in actual if k not in expected]:
            where = join_path(path, key)
            if key not in actual:
                return where, expected[key], MISSING
            if key not in expected:
                return where, MISSING, actual[key]
            found = first_difference(expected[key], actual[key], where)
            if found is not None:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(left, right, f"{path}[{index}]")
            if found is not None:
                return found
        if len(expected) != len(actual):
            index = min(len(expected), len(actual))
            return (
                f"{path}[{index}]",
                expected[index] if index < len(expected) else MISSING,
                actual[index] if index < len(actual) else MISSING,
            )
        return None
    return None if expected == actual else (path, expected, actual)
