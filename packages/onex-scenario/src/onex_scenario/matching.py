"""Compare an expected value from a scenario with what the system produced.

Modes (`MatchModeEnum`):
- exact: equal values; mappings have the same keys, lists the same length. Booleans never equal
  numbers (`true` is not `1`); 1 and 1.0 are equal.
- partial: every expected key must be present and match partially; extra actual keys are fine;
  lists must have the same length and match element by element (partially).
- contains: like partial, plus wildcards: `"*"` matches any value, a string with glob characters
  (`*`, `?`, `[...]`) matches by glob ("order-*"), and an expected list matches when each of its
  items matches a different item of the actual list, in any order.
- type: the expected value is a type description: a type name (`values.TYPE_NAMES`: "str",
  "int", "float"/"number", "decimal", "bool", "null", "list", "dict", "datetime", "date", "uuid",
  "any"; alternatives with "|" as in "str|null"), a mapping of
  key → description (keys must exist), or a list: one item describes every element, several items
  describe a list of that length element by element.

In every mode, a mapping whose keys all start with `$` is a matcher (`{$le: 900}`, see
`onex_scenario.matchers`), and a plain key written `$$key` means the key `$key`.

`match_value` returns every mismatch with its path (`$`, `$.items[0].id`), never raises for data.
"""

from __future__ import annotations

import datetime
import fnmatch
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal

from onex_scenario.matchers import check_matcher, is_matcher, literal_key
from onex_scenario.steps import MatchModeEnum
from onex_scenario.values import TYPE_NAMES, Mismatch, has_type, type_name_problem
from onex_scenario.values import describe as _text

__all__ = ["ANY", "TYPE_NAMES", "Mismatch", "match_value", "type_description_problems"]

ANY = "*"
_GLOB_CHARS = frozenset("*?[")


def match_value(expected: object, actual: object, mode: MatchModeEnum | str) -> list[Mismatch]:
    """Every way `actual` fails to match `expected` under `mode` (empty list: it matches).

    Raises ValueError only for an unknown mode name.
    """
    mode = MatchModeEnum(mode)
    out: list[Mismatch] = []
    if mode is MatchModeEnum.TYPE:
        _match_type(expected, actual, "$", out)
    else:
        _match(expected, actual, mode, "$", out)
    return out


def type_description_problems(description: object, path: str = "$") -> list[str]:
    """Problems of a `type`-mode description (unknown type names, wrong shapes); empty if valid."""
    problems: list[str] = []
    if isinstance(description, str):
        problem = type_name_problem(description)
        if problem:
            problems.append(f"{path}: {problem}")
    elif is_matcher(description):
        pass  # matchers are checked on their own (`matchers.matcher_problems`) in every mode
    elif isinstance(description, Mapping):
        for key, item in description.items():
            problems.extend(type_description_problems(item, _key(path, literal_key(key))))
    elif isinstance(description, list | tuple):
        for index, item in enumerate(description):
            problems.extend(type_description_problems(item, f"{path}[{index}]"))
    else:
        problems.append(
            f"{path}: expected a type name such as 'str' or a mapping/list of them, "
            f"got {_text(description)}"
        )
    return problems


def _match(
    expected: object, actual: object, mode: MatchModeEnum, path: str, out: list[Mismatch]
) -> None:
    if is_matcher(expected):
        assert isinstance(expected, Mapping)

        def recurse(want: object, have: object, where: str, found: list[Mismatch]) -> None:
            _match(want, have, mode, where, found)

        check_matcher(expected, actual, path, out, recurse)
        return
    if mode is MatchModeEnum.CONTAINS and isinstance(expected, str):
        if expected == ANY:
            return
        if _GLOB_CHARS.intersection(expected):
            if not isinstance(actual, str) or not fnmatch.fnmatchcase(actual, expected):
                out.append(Mismatch(path, f"a string matching {expected!r}", _text(actual)))
            return
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            out.append(Mismatch(path, "a mapping", _text(actual)))
            return
        wanted = {literal_key(key): item for key, item in expected.items()}
        for key, item in wanted.items():
            if key not in actual:
                out.append(Mismatch(_key(path, key), _text(item), "no such key"))
            else:
                _match(item, actual[key], mode, _key(path, key), out)
        if mode is MatchModeEnum.EXACT:
            for key in actual:
                if key not in wanted:
                    out.append(Mismatch(_key(path, key), "no such key", _text(actual[key])))
        return
    if _is_list(expected):
        assert isinstance(expected, Sequence)
        if not _is_list(actual):
            out.append(Mismatch(path, "a list", _text(actual)))
            return
        assert isinstance(actual, Sequence)
        if mode is MatchModeEnum.CONTAINS:
            _match_contained(expected, actual, path, out)
            return
        if len(expected) != len(actual):
            out.append(
                Mismatch(
                    path,
                    f"a list of {len(expected)} items",
                    f"{len(actual)} items: {_text(actual)}",
                )
            )
            return
        for index, (want, have) in enumerate(zip(expected, actual, strict=True)):
            _match(want, have, mode, f"{path}[{index}]", out)
        return
    if not _scalar_equal(expected, actual):
        out.append(Mismatch(path, _text(expected), _text(actual)))


def _match_contained(
    expected: Sequence[object], actual: Sequence[object], path: str, out: list[Mismatch]
) -> None:
    """Each expected item must match a distinct actual item (bipartite matching, any order)."""
    fits = [[j for j, have in enumerate(actual) if not _probe(want, have)] for want in expected]
    owner: dict[int, int] = {}

    def assign(i: int, seen: set[int]) -> bool:
        for j in fits[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or assign(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i, want in enumerate(expected):
        if not assign(i, set()):
            out.append(Mismatch(f"{path}[*]", f"an item matching {_text(want)}", _text(actual)))


def _probe(expected: object, actual: object) -> list[Mismatch]:
    found: list[Mismatch] = []
    _match(expected, actual, MatchModeEnum.CONTAINS, "$", found)
    return found


def _match_type(description: object, actual: object, path: str, out: list[Mismatch]) -> None:
    if isinstance(description, str):
        if type_name_problem(description):
            out.append(Mismatch(path, f"a known type name, not {description!r}", _text(actual)))
        elif not has_type(description, actual):
            out.append(Mismatch(path, f"a value of type {description}", _text(actual)))
        return
    if is_matcher(description):
        assert isinstance(description, Mapping)
        check_matcher(description, actual, path, out, _match_type)
        return
    if isinstance(description, Mapping):
        if not isinstance(actual, Mapping):
            out.append(Mismatch(path, "a mapping", _text(actual)))
            return
        for key, item in ((literal_key(k), v) for k, v in description.items()):
            if key not in actual:
                out.append(
                    Mismatch(_key(path, key), f"a value of type {_text(item)}", "no such key")
                )
            else:
                _match_type(item, actual[key], _key(path, key), out)
        return
    if _is_list(description):
        assert isinstance(description, Sequence)
        if not _is_list(actual):
            out.append(Mismatch(path, "a list", _text(actual)))
            return
        assert isinstance(actual, Sequence)
        if len(description) == 1:
            for index, item in enumerate(actual):
                _match_type(description[0], item, f"{path}[{index}]", out)
            return
        if len(description) != len(actual):
            out.append(
                Mismatch(path, f"a list of {len(description)} items", f"{len(actual)} items")
            )
            return
        for index, (want, have) in enumerate(zip(description, actual, strict=True)):
            _match_type(want, have, f"{path}[{index}]", out)
        return
    out.append(Mismatch(path, f"a type description, not {_text(description)}", _text(actual)))


def _scalar_equal(expected: object, actual: object) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    # A NUMERIC column comes back as Decimal; YAML writes 12.5. Compared by decimal value, so
    # 12.5 matches Decimal("12.50") and 0.1 matches Decimal("0.1") (not the float's binary).
    if isinstance(actual, Decimal) and isinstance(expected, int | float | Decimal):
        return Decimal(str(expected)) == actual
    # A TIMESTAMPTZ comes back as an aware datetime; YAML writes an ISO 8601 string.
    if isinstance(actual, datetime.datetime) and isinstance(expected, str):
        return _instant(expected) == actual
    return type(expected) is type(actual) and expected == actual


def _instant(text: str) -> datetime.datetime | None:
    """An ISO 8601 instant ('Z' or an offset); None for other text or one without a zone."""
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple)


def _key(path: str, key: object) -> str:
    text = str(key)
    if text.isidentifier():
        return f"{path}.{text}"
    return f"{path}[{json.dumps(text)}]"
