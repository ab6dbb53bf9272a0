"""`${VAR}` and `${VAR:-default}` from the environment, applied to string values at load time.

- `${VAR}`: the variable's value; an unset variable is an error (an empty one gives "").
- `${VAR:-default}`: the default when VAR is unset or empty (shell semantics).
- `$${...}`: the literal text `${...}`.
- `${steps.<id>.<field>}`: a step reference, left untouched for the runner; so are the app's
  run-time placeholders `${services.<name>.<field>}`, `${namespace}`, `${app.<field>}`.
Only values are interpolated, never keys; the result is always text (typed fields such as
`partitions: ${PARTS:-3}` are converted by validation).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from onex_scenario.errors import KeyPath
from onex_scenario.placeholders import is_runtime_placeholder
from onex_scenario.references import is_reference_body

_CONTAINERS = (dict, list)
_TOKEN = re.compile(r"\$(\$?)\{([^}]*)(\}?)")
_ENV = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(:-(.*))?", re.DOTALL)


def interpolate_text(text: str, environ: Mapping[str, str]) -> str:
    """`text` with environment variables substituted; ValueError says what is wrong."""
    if "${" not in text:
        return text
    problems: list[str] = []

    def substitute(token: re.Match[str]) -> str:
        escaped, body, closed = token.group(1), token.group(2), token.group(3)
        if not closed:
            problems.append(f"unterminated '${{{body[:20]}' (missing '}}')")
            return token.group(0)
        if is_reference_body(body) or is_runtime_placeholder(body):
            return token.group(0)
        if escaped:
            return "${" + body + "}"
        match = _ENV.fullmatch(body)
        if match is None:
            problems.append(
                f"invalid interpolation '${{{body}}}': expected ${{VAR}}, ${{VAR:-default}} "
                "or a ${steps.<id>.<field>} reference"
            )
            return token.group(0)
        name, default = match.group(1), match.group(3)
        value = environ.get(name)
        if match.group(2) is not None:
            return value if value else (default or "")
        if value is None:
            problems.append(
                f"environment variable {name} is not set "
                f"(write ${{{name}:-default}} to give a default)"
            )
            return token.group(0)
        return value

    result = _TOKEN.sub(substitute, text)
    if problems:
        raise ValueError("; ".join(problems))
    return result


def interpolate_in_place(templates: list[tuple[Any, Any]], environ: Mapping[str, str]) -> bool:
    """Interpolate `container[key]` for each (container, key); False (and nothing promised about
    the containers) as soon as one fails, so the caller can redo it with `interpolate_data` to
    learn where."""
    for container, key in templates:
        try:
            container[key] = interpolate_text(container[key], environ)
        except ValueError:
            return False
    return True


def interpolate_data(
    data: object, environ: Mapping[str, str]
) -> tuple[object, list[tuple[KeyPath, str]]]:
    """`data` with every string value interpolated, and the (key path, message) of each value
    that could not be (left as written). Unchanged containers are returned as they are."""
    problems: list[tuple[KeyPath, str]] = []
    return _walk(data, [], environ, problems), problems


def _walk(
    value: object,
    path: list[str | int],
    environ: Mapping[str, str],
    problems: list[tuple[KeyPath, str]],
) -> object:
    if isinstance(value, str):
        if "${" not in value:
            return value
        try:
            return interpolate_text(value, environ)
        except ValueError as exc:
            problems.append((tuple(path), str(exc)))
            return value
    if isinstance(value, dict):
        copied: dict[str, object] | None = None
        for key, item in value.items():
            if item.__class__ not in _CONTAINERS and (
                item.__class__ is not str or "${" not in item
            ):
                continue  # the common case, decided without a call
            path.append(key)
            new = _walk(item, path, environ, problems)
            path.pop()
            if new is not item:
                if copied is None:
                    copied = dict(value)
                copied[key] = new
        return value if copied is None else copied
    if isinstance(value, list):
        items: list[object] | None = None
        for index, item in enumerate(value):
            if item.__class__ not in _CONTAINERS and (
                item.__class__ is not str or "${" not in item
            ):
                continue
            path.append(index)
            new = _walk(item, path, environ, problems)
            path.pop()
            if new is not item:
                if items is None:
                    items = list(value)
                items[index] = new
        return value if items is None else items
    return value
