"""`${VAR}` and `${VAR:-default}` from the environment, applied to string values at load time.

- `${VAR}`: the variable's value; an unset variable is an error (an empty one gives "").
- `${VAR:-default}`: the default when VAR is unset or empty (shell semantics).
- `$${...}`: the literal text `${...}`.
- `${steps.<id>.<field>}`: a step reference, left untouched for the runner.
Only values are interpolated, never keys; the result is always text (typed fields such as
`partitions: ${PARTS:-3}` are converted by validation).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from onex_scenario.errors import KeyPath, ScenarioValidationError, ValidationIssue, format_key_path
from onex_scenario.references import is_reference_body
from onex_scenario.yaml_source import SourceMap

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
        if is_reference_body(body):
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


def interpolate(data: object, source_map: SourceMap, environ: Mapping[str, str]) -> object:
    """A copy of `data` with every string value interpolated (unchanged parts are shared).

    Raises `ScenarioValidationError` listing every failing value with its position.
    """
    result, issues = interpolate_collecting(data, source_map, environ)
    if issues:
        raise ScenarioValidationError(issues)
    return result


def interpolate_collecting(
    data: object, source_map: SourceMap, environ: Mapping[str, str]
) -> tuple[object, list[ValidationIssue]]:
    """Like `interpolate`, but returns the issues; failing values are left as written."""
    issues: list[ValidationIssue] = []
    return _walk(data, (), source_map, environ, issues), issues


def _walk(
    value: object,
    path: KeyPath,
    source_map: SourceMap,
    environ: Mapping[str, str],
    issues: list[ValidationIssue],
) -> object:
    if isinstance(value, str):
        if "${" not in value:
            return value
        try:
            return interpolate_text(value, environ)
        except ValueError as exc:
            where = source_map.value_position(path)
            issues.append(
                ValidationIssue(
                    where.file, where.line, where.column, format_key_path(path), str(exc)
                )
            )
            return value
    if isinstance(value, dict):
        changed = False
        out: dict[str, object] = {}
        for key, item in value.items():
            new = _walk(item, (*path, key), source_map, environ, issues)
            changed = changed or new is not item
            out[key] = new
        return out if changed else value
    if isinstance(value, list):
        items = [
            _walk(item, (*path, index), source_map, environ, issues)
            for index, item in enumerate(value)
        ]
        if any(new is not old for new, old in zip(items, value, strict=True)):
            return items
        return value
    return value
