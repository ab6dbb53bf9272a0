"""Durations as people write them in YAML ("5s", "500ms", "2m") and as code uses them (seconds)."""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$")
DURATION_PATTERN = r"^\s*(\d+(\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$"


def parse_duration(value: object) -> float:
    """Seconds from a number (seconds) or a string "<number><unit>" with unit ms, s, m or h.

    Raises ValueError naming the accepted forms; negative, infinite and NaN values are refused.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if match is None:
            raise ValueError(
                "expected a duration such as 5s, 500ms, 2m, 1h or a number of seconds, "
                f"got {value!r}"
            )
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    else:
        shown = repr(value) if isinstance(value, bool) else f"a {type(value).__name__}"
        raise ValueError(f"expected a duration such as 5s, 500ms or 2m, got {shown}")  # noqa: TRY004
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"expected a duration of zero or more seconds, got {value!r}")
    return seconds


_PARSED: dict[str, float] = {}
"""Duration texts seen so far (scenarios repeat a handful of values such as "5s")."""


def _validate(value: object) -> float:
    if isinstance(value, str):
        cached = _PARSED.get(value)
        if cached is not None:
            return cached
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise PydanticCustomError("duration", str(exc)) from None
    if isinstance(value, str) and len(_PARSED) < 10_000:
        _PARSED[value] = seconds
    return seconds


Duration = Annotated[
    float,
    BeforeValidator(_validate),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": DURATION_PATTERN},
            ],
            "description": 'A duration: seconds as a number, or "500ms", "5s", "2m", "1h".',
        }
    ),
]
"""A duration in float seconds; YAML may give a number of seconds or a string with a unit."""
