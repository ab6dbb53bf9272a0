"""Matchers: expected values that are rules instead of literals (`{$le: 900}`, `{$regex: ...}`).

A matcher is a mapping whose keys all start with one `$`; its operators must all hold:

- `$lt`, `$le`, `$gt`, `$ge`: below / at most / above / at least a number or an ISO 8601
  datetime; the actual value may be a number, decimal text ("9.50") or a datetime (or its text).
- `$between: [low, high]`: both ends included, same operands as above.
- `$regex: pattern`: Python `re.search` on a string (a number is matched as its JSON text).
- `$len: n` or `$len: {matcher}`: the length of a string, list or mapping.
- `$any_of: [expected, ...]`: at least one alternative matches, in the current match mode.
- `$type: name`: a type name of `match: type` ("int", "datetime", "uuid|null", ...).

A plain mapping key that starts with `$` is written `$$` (`{$$ref: x}` means the key `$ref`).
Checks at load time (`matcher_problems`) give each problem a key path; checks at run time
(`check_matcher`) append `Mismatch`es and never raise for data.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Mapping

from onex_scenario.errors import KeyPath
from onex_scenario.values import (
    Mismatch,
    comparable,
    compare,
    describe,
    has_type,
    type_name_problem,
)

PREFIX = "$"
ESCAPE = "$$"

_ORDER_WORDS: Mapping[str, tuple[str, Callable[[int], bool]]] = {
    "$lt": ("below", lambda sign: sign < 0),
    "$le": ("at most", lambda sign: sign <= 0),
    "$gt": ("above", lambda sign: sign > 0),
    "$ge": ("at least", lambda sign: sign >= 0),
}
OPERATORS: tuple[str, ...] = (*_ORDER_WORDS, "$between", "$regex", "$len", "$any_of", "$type")
"""Every matcher operator, in documentation order."""

_KNOWN_ELSEWHERE: Mapping[str, str] = {
    "$gte": "$ge",
    "$lte": "$le",
    "$in": "$any_of",
    "$anyof": "$any_of",
    "$length": "$len",
    "$match": "$regex",
}
"""Operator names of other query languages (MongoDB, JSON matchers) and what we call them."""

Recurse = Callable[[object, object, str, list[Mismatch]], None]
"""Matches an expected value against an actual one at a path, in the caller's match mode."""


def is_matcher(value: object) -> bool:
    """True for a non-empty mapping whose keys all start with a single `$`."""
    return (
        isinstance(value, Mapping) and bool(value) and all(_is_operator_key(key) for key in value)
    )


def literal_key(key: object) -> object:
    """The key a plain mapping means: `$$ref` is the key `$ref`, other keys are themselves."""
    if isinstance(key, str) and key.startswith(ESCAPE):
        return key[1:]
    return key


def _is_operator_key(key: object) -> bool:
    return isinstance(key, str) and key.startswith(PREFIX) and not key.startswith(ESCAPE)


def check_matcher(
    matcher: Mapping[str, object], actual: object, path: str, out: list[Mismatch], recurse: Recurse
) -> None:
    """Append a Mismatch for every operator of `matcher` that `actual` fails."""
    for operator, operand in matcher.items():
        if operator in _ORDER_WORDS:
            _check_order(operator, operand, actual, path, out)
        elif operator == "$between":
            _check_between(operand, actual, path, out)
        elif operator == "$regex":
            _check_regex(operand, actual, path, out)
        elif operator == "$len":
            _check_len(operand, actual, path, out, recurse)
        elif operator == "$any_of":
            _check_any_of(operand, actual, path, out, recurse)
        elif operator == "$type" and isinstance(operand, str) and not type_name_problem(operand):
            if not has_type(operand, actual):
                out.append(Mismatch(path, f"a value of type {operand}", describe(actual)))
        else:
            out.append(
                Mismatch(
                    path, f"a valid matcher, not {describe({operator: operand})}", describe(actual)
                )
            )


def _check_order(
    operator: str, operand: object, actual: object, path: str, out: list[Mismatch]
) -> None:
    word, holds = _ORDER_WORDS[operator]
    sign = _sign(actual, operand)
    if sign is None or not holds(sign):
        out.append(Mismatch(path, f"a value {word} {describe(operand)}", describe(actual)))


def _check_between(operand: object, actual: object, path: str, out: list[Mismatch]) -> None:
    low, high = _bounds(operand)
    above, below = _sign(actual, low), _sign(actual, high)
    if above is None or below is None or above < 0 or below > 0:
        wanted = f"a value between {describe(low)} and {describe(high)} (inclusive)"
        out.append(Mismatch(path, wanted, describe(actual)))


def _bounds(operand: object) -> tuple[object, object]:
    if isinstance(operand, list | tuple) and len(operand) == 2:
        return operand[0], operand[1]
    return None, None


def _sign(actual: object, operand: object) -> int | None:
    have, want = comparable(actual), comparable(operand)
    if have is None or want is None:
        return None
    return compare(have, want)


def _check_regex(operand: object, actual: object, path: str, out: list[Mismatch]) -> None:
    text = actual if isinstance(actual, str) else None
    if isinstance(actual, int | float) and not isinstance(actual, bool):
        text = describe(actual)
    pattern = _compiled(operand) if isinstance(operand, str) else None
    if pattern is None or text is None or pattern.search(text) is None:
        out.append(Mismatch(path, f"a string matching regex {operand!r}", describe(actual)))


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _check_len(
    operand: object, actual: object, path: str, out: list[Mismatch], recurse: Recurse
) -> None:
    if not isinstance(actual, str | list | tuple | Mapping):
        out.append(Mismatch(path, "a string, list or mapping (for $len)", describe(actual)))
        return
    if is_matcher(operand):
        recurse(operand, len(actual), f"len({path})", out)
    elif operand != len(actual) or isinstance(operand, bool):
        found = f"length {len(actual)}: {describe(actual)}"
        out.append(Mismatch(path, f"a length of {describe(operand)}", found))


def _check_any_of(
    operand: object, actual: object, path: str, out: list[Mismatch], recurse: Recurse
) -> None:
    options = list(operand) if isinstance(operand, list | tuple) else [operand]
    for option in options:
        found: list[Mismatch] = []
        recurse(option, actual, path, found)
        if not found:
            return
    out.append(Mismatch(path, f"any of {describe(options)}", describe(actual)))


def matcher_problems(expected: object, path: KeyPath = ()) -> list[tuple[KeyPath, str]]:
    """Problems of every matcher inside an expected value, each with its key path; [] if none."""
    problems: list[tuple[KeyPath, str]] = []
    if isinstance(expected, Mapping):
        operators = [key for key in expected if _is_operator_key(key)]
        if operators and len(operators) < len(expected):
            plain = ", ".join(str(key) for key in expected if not _is_operator_key(key))
            problems.append(
                (
                    path,
                    f"a mapping mixes matchers ({', '.join(operators)}) with plain keys ({plain}); "
                    "split them, or write a plain key that starts with '$' as '$$key'",
                )
            )
        elif operators:
            for operator in operators:
                problems += _operator_problems(operator, expected[operator], (*path, operator))
        else:
            for key, item in expected.items():
                problems += matcher_problems(item, (*path, key))
    elif isinstance(expected, list | tuple):
        for index, item in enumerate(expected):
            problems += matcher_problems(item, (*path, index))
    return problems


def _operator_problems(operator: str, operand: object, path: KeyPath) -> list[tuple[KeyPath, str]]:
    if _is_reference(operand):
        return []  # known only when the runner resolves it
    message: str | None = None
    if operator in _ORDER_WORDS:
        message = _operand_problem(operand)
    elif operator == "$between":
        message = _between_problem(operand)
    elif operator == "$regex":
        message = _regex_problem(operand)
    elif operator == "$len":
        if is_matcher(operand):
            return matcher_problems(operand, path)
        if not (isinstance(operand, int) and not isinstance(operand, bool) and operand >= 0):
            message = f"expected a length (an integer >= 0) or a matcher, got {describe(operand)}"
    elif operator == "$any_of":
        if not isinstance(operand, list | tuple) or not operand:
            return [(path, f"expected a non-empty list of alternatives, got {describe(operand)}")]
        return matcher_problems(operand, path)
    elif operator == "$type":
        message = (
            type_name_problem(operand)
            if isinstance(operand, str)
            else f"expected a type name such as 'int' or 'str|null', got {describe(operand)}"
        )
    else:
        close = _KNOWN_ELSEWHERE.get(operator) or next(
            iter(difflib.get_close_matches(operator, OPERATORS, n=1, cutoff=0.5)), None
        )
        hint = f"; did you mean '{close}'?" if close else ""
        message = (
            f"unknown matcher '{operator}'{hint} (known: {', '.join(OPERATORS)}; "
            "write a plain key that starts with '$' as '$$key')"
        )
    return [(path, message)] if message else []


def _operand_problem(operand: object) -> str | None:
    if comparable(operand) is None:
        return f"expected a number or an ISO 8601 datetime, got {describe(operand)}"
    return None


def _between_problem(operand: object) -> str | None:
    if not isinstance(operand, list | tuple) or len(operand) != 2:
        return f"expected [low, high], got {describe(operand)}"
    low, high = operand
    if _is_reference(low) or _is_reference(high):
        return None
    problem = _operand_problem(low) or _operand_problem(high)
    if problem:
        return problem
    sign = _sign(low, high)
    if sign is None:
        return f"expected two numbers or two datetimes, got {describe(list(operand))}"
    if sign > 0:
        return f"the low end {describe(low)} is above the high end {describe(high)}"
    return None


def _regex_problem(operand: object) -> str | None:
    if not isinstance(operand, str):
        return f"expected a regular expression (text), got {describe(operand)}"
    try:
        re.compile(operand)
    except re.error as exc:
        return f"invalid regular expression {operand!r}: {exc}"
    return None


def _is_reference(value: object) -> bool:
    return isinstance(value, str) and "${steps." in value
