"""Limits of a state snapshot, and values made small enough to keep in one.

A snapshot runs for every real scenario, so what it keeps is bounded: rows per table, keys per
prefix, and characters per value. What is cut is said so in the snapshot (a `truncated` note),
never dropped silently.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

DEFAULT_ROWS = 1_000
DEFAULT_KEYS = 1_000
DEFAULT_VALUE_CHARS = 1_024


@dataclass(frozen=True)
class StateLimits:
    rows: int = DEFAULT_ROWS
    """Rows kept per table (the count is always exact)."""
    keys: int = DEFAULT_KEYS
    """Keys kept per prefix (the count is always exact)."""
    value_chars: int = DEFAULT_VALUE_CHARS
    """Characters kept of one value; a longer one is cut and marked."""


def small(value: Any, limits: StateLimits) -> Any:
    """`value` as JSON-ready data, each string, bytes or nested value cut at `value_chars`
    with a note saying how long it was."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            value = "base64:" + base64.b64encode(value).decode("ascii")
    if isinstance(value, str):
        if len(value) <= limits.value_chars:
            return value
        return f"{value[: limits.value_chars]}… [truncated: {len(value)} characters]"
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict | list | tuple):
        text = json.dumps(value, default=str)
        if len(text) <= limits.value_chars:
            return json.loads(text)
        return f"{text[: limits.value_chars]}… [truncated: {len(text)} characters]"
    return small(str(value), limits)
