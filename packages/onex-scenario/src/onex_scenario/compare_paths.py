"""Paths that `onex run --compare-modes` ignores (`compare_ignore:` and `--compare-ignore`).

A mock run and a real run of one scenario are compared value by value, each at a path:

- `outcome`: the scenario's outcome;
- `steps.<step id>.outcome`, `steps.<step id>.output.<key>...`, `steps.<step id>.events.<n>...`;
- `expect.<n>.outcome`, `expect.<n>.output...` for the n-th item of `expect:` (from 0).

A path to ignore names one of those or a folder of them (`steps.place` ignores the whole step);
`*` stands for any one key or index, `[n]` is the same as `.n`, and `$.<key>...` is short for the
same keys in every step's output, every event's value and every expectation's output
(`$.id` ignores a generated `id` wherever it is). Keys with a `.` in them cannot be named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

Pattern = tuple[str, ...]
WILDCARD = "*"
_INDEX = re.compile(r"\[(\d+|\*)\]")
_STEP_FIELDS = ("outcome", "output", "events")


def parse_compare_path(text: str) -> tuple[Pattern, ...]:
    """The patterns a path stands for (`$.x` stands for three); ValueError says what is wrong."""
    spelled = _INDEX.sub(r".\1", text.strip())
    segments = tuple(spelled.split("."))
    if not text.strip() or "" in segments:
        raise ValueError(f"{text!r}: expected dot-separated keys such as steps.place.output.id")
    head, rest = segments[0], segments[1:]
    if head == "$":
        return (
            ("steps", WILDCARD, "output", *rest),
            ("steps", WILDCARD, "events", WILDCARD, "value", *rest),
            ("expect", WILDCARD, "output", *rest),
        )
    if head == "outcome" and not rest:
        return (segments,)
    if head in ("steps", "expect") and rest:
        if len(rest) > 1 and rest[1] not in (*_STEP_FIELDS, WILDCARD):
            raise ValueError(
                f"{text!r}: after {head}.{rest[0]} comes one of {', '.join(_STEP_FIELDS)}"
            )
        if head == "expect" and rest[0] != WILDCARD and not rest[0].isdigit():
            raise ValueError(f"{text!r}: expect.<n> takes the expectation's number, from 0")
        return (segments,)
    raise ValueError(
        f"{text!r}: a path starts with $, steps.<step id>, expect.<n> or is outcome "
        "(e.g. $.id, steps.place.output.id, expect.0.output)"
    )


def compare_path_problems(paths: Sequence[str], step_ids: Iterable[str]) -> list[tuple[int, str]]:
    """(index, message) for every path that does not parse or names a step that does not exist."""
    known = set(step_ids)
    problems: list[tuple[int, str]] = []
    for index, text in enumerate(paths):
        try:
            patterns = parse_compare_path(text)
        except ValueError as exc:
            problems.append((index, str(exc)))
            continue
        step = patterns[0][1] if patterns[0][0] == "steps" and len(patterns) == 1 else WILDCARD
        if step != WILDCARD and step not in known:
            shown = ", ".join(sorted(known)) or "none"
            problems.append((index, f"{text!r}: no step {step!r} (steps: {shown})"))
    return problems


def is_ignored(path: Sequence[str], patterns: Iterable[Pattern]) -> bool:
    """True when a pattern names `path` or a folder above it."""
    return any(
        len(pattern) <= len(path)
        and all(want in (WILDCARD, have) for want, have in zip(pattern, path, strict=False))
        for pattern in patterns
    )
