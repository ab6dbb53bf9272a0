"""Turn a pydantic `ValidationError` into `ValidationIssue`s that point into the YAML files.

pydantic's `loc` contains segments that are not in the document (union tags such as `call`,
type labels such as `dict`, `[key]`); walking the loc along the actual data keeps only the
segments that exist, which gives the key path the user wrote. Valid keys for "did you mean" come
from the JSON Schema of the root model, walked along the same path.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel, ValidationError

from onex_scenario.checks import suggestion
from onex_scenario.display import show_key
from onex_scenario.errors import KeyPath, ValidationIssue, format_key_path
from onex_scenario.names import PATTERN_DESCRIPTIONS
from onex_scenario.source_map import SourceMap
from onex_scenario.steps import EXPECTATION_KINDS, STEP_ACTIONS, known_step_actions
from onex_scenario.yaml_files import type_name

_OWN_MESSAGES = {
    "duration",
    "redis_value",
    "backoff_order",
}
_HINTS: dict[KeyPath, str] = {
    ("tier",): "set tier: unit, integration, mixed or e2e, or put the file in a folder named "
    "after its tier",
    ("name",): "every scenario needs a unique name",
}


def validation_issues(
    exc: ValidationError,
    data: object,
    source_map: SourceMap,
    root: type[BaseModel],
    failed_values: frozenset[str] = frozenset(),
) -> list[ValidationIssue]:
    """One issue per distinct problem of `exc`, positioned by `source_map`.

    `failed_values` are key paths whose value could not be interpolated: that reason is already
    reported, so problems of those values are left out; an unknown key is a problem of the key,
    not of its value, and is kept.
    """
    issues: list[ValidationIssue] = []
    for error in exc.errors(include_url=False):
        kind = error["type"]
        if kind == "scenario_semantics":
            for path, message in error.get("ctx", {}).get("problems", ()):
                issues.append(_issue(source_map, tuple(path), message, on_key=False))
            continue
        loc = tuple(error["loc"])
        path = _data_path(loc, data, kind)
        on_key = kind == "extra_forbidden" or "[key]" in loc
        if not on_key and format_key_path(path) in failed_values:
            continue
        message = _message(error, path, data, root)
        issues.append(_issue(source_map, path, message, on_key=on_key))
    return list(dict.fromkeys(issues))


def _issue(source_map: SourceMap, path: KeyPath, message: str, *, on_key: bool) -> ValidationIssue:
    where = source_map.key_position(path) if on_key else source_map.value_position(path)
    return ValidationIssue(where.file, where.line, where.column, format_key_path(path), message)


_TAGGED_LISTS = {"steps": frozenset(STEP_ACTIONS), "expect": frozenset(EXPECTATION_KINDS)}


def _data_path(loc: tuple[Any, ...], data: object, kind: str) -> KeyPath:
    path: list[str | int] = []
    current = data
    for index, segment in enumerate(loc):
        if (
            len(path) == 2
            and index == 2
            and isinstance(path[0], str)
            and segment in _TAGGED_LISTS.get(path[0], ())
            and index < len(loc) - 1
        ):
            continue  # the union tag pydantic puts after a step's index: not a key of the file
        if _has(current, segment):
            path.append(segment)
            current = current[segment]  # type: ignore[index]
        elif index == len(loc) - 1 and kind == "missing" and isinstance(segment, str):
            path.append(segment)
    return tuple(path)


def _has(container: object, segment: object) -> bool:
    if isinstance(container, dict):
        return isinstance(segment, str) and segment in container
    if isinstance(container, list):
        return isinstance(segment, int) and 0 <= segment < len(container)
    return False


def _value_at(data: object, path: KeyPath) -> object:
    current = data
    for segment in path:
        if isinstance(current, dict) and isinstance(segment, str):
            current = current.get(segment)
        elif isinstance(current, list) and isinstance(segment, int) and segment < len(current):
            current = current[segment]
        else:
            return None
    return current


def _message(error: Any, path: KeyPath, data: object, root: type[BaseModel]) -> str:
    kind: str = error["type"]
    value = error.get("input")
    if kind == "missing":
        message = f"required key '{path[-1]}' is missing" if path else "a required key is missing"
        hint = _HINTS.get(path)
        return f"{message}; {hint}" if hint else message
    if kind == "extra_forbidden":
        name = str(path[-1]) if path else "?"
        valid = valid_keys(root, data, path[:-1])
        hint = suggestion(name, valid)
        # show_key: a look-alike of a valid key (a Cyrillic e, a zero-width space) is shown
        # with escapes, or the message would read "unknown key 'steps'; did you mean 'steps'?"
        if hint:
            return f"unknown key {show_key(name)}{hint}"
        return (
            f"unknown key {show_key(name)}; valid keys: {', '.join(valid)}"
            if valid
            else f"unknown key {show_key(name)}"
        )
    if kind == "step_action":
        return _one_of_message(value, known_step_actions(), "a step", "id and ")
    if kind == "expectation_kind":
        return _one_of_message(value, EXPECTATION_KINDS, "an expectation", "")
    return error_message(error)


def error_message(error: Any) -> str:
    """A pydantic error (one item of `ValidationError.errors()`) as "expected ..., got ..."."""
    kind: str = error["type"]
    value = error.get("input")
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        wanted = PATTERN_DESCRIPTIONS.get(pattern, f"text matching {pattern}")
        return f"expected {wanted}, got {_shown(value)}"
    if kind in _OWN_MESSAGES:
        return str(error["msg"])
    if kind in {"enum", "literal_error"}:
        expected = str(error.get("ctx", {}).get("expected", ""))
        hint = ""
        if isinstance(value, str):
            options = [part.strip(" '") for part in expected.replace(" or ", ",").split(",")]
            hint = suggestion(value, [o for o in options if o])
        return f"expected {expected}, got {_shown(value)}{hint}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping, got {_shown(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {_shown(value)}"
    message = str(error["msg"])
    if message.startswith("Input should be "):
        message = "expected " + message[len("Input should be ") :]
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    else:
        message = message[:1].lower() + message[1:]
    return f"{message}, got {_shown(value)}"


def _one_of_message(value: object, keys: tuple[str, ...], what: str, also: str) -> str:
    options = ", ".join(keys)
    if not isinstance(value, dict):
        return f"expected {what}: a mapping with {also}one of {options}; got {_shown(value)}"
    present = [key for key in keys if key in value]
    if len(present) > 1:
        return f"{what} takes exactly one of {options}; found {' and '.join(present)}"
    unknown = [
        key for key in value if key not in keys and key not in ("id", "description", "timeout")
    ]
    hints = [f"unknown key '{key}'{suggestion(key, list(keys))}" for key in unknown]
    detail = f" ({'; '.join(hints)})" if hints else ""
    return f"{what} needs {also}one of {options}; found none{detail}"


def _shown(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return type_name(value)


@functools.cache
def _schema(root: type[BaseModel]) -> dict[str, Any]:
    return root.model_json_schema(by_alias=True)


def valid_keys(root: type[BaseModel], data: object, path: KeyPath) -> list[str]:
    """The keys the model of `root` accepts in the mapping at `path` of `data` ([] if unknown)."""
    schema = _schema(root)
    definitions = schema.get("$defs", {})
    node: Any = schema
    current = data
    for segment in path:
        node = _pick(node, current, definitions)
        node = node.get("items", {}) if isinstance(segment, int) else _property(node, segment)
        current = _value_at(current, (segment,))
    node = _pick(node, current, definitions)
    return list(node.get("properties", {}))


def _property(node: Any, name: str) -> Any:
    properties = node.get("properties", {})
    if name in properties:
        return properties[name]
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        return extra
    patterns = node.get("patternProperties")
    if isinstance(patterns, dict) and patterns:
        return next(iter(patterns.values()))
    return {}


def _pick(node: Any, current: object, definitions: dict[str, Any]) -> Any:
    for _ in range(20):
        if "$ref" in node:
            node = definitions.get(node["$ref"].rsplit("/", 1)[-1], {})
            continue
        members = node.get("oneOf") or node.get("anyOf")
        if not members:
            return node
        node = max(members, key=lambda member: _fit(member, current, definitions))
    return node


def _fit(member: Any, current: object, definitions: dict[str, Any]) -> int:
    resolved = (
        definitions.get(member["$ref"].rsplit("/", 1)[-1], {}) if "$ref" in member else member
    )
    if not isinstance(current, dict):
        return 1 if resolved.get("type") == "array" and isinstance(current, list) else 0
    if resolved.get("type") != "object":
        return 0
    required = set(resolved.get("required", ()))
    return 1 + sum(
        2 if key in required else 1 for key in current if key in resolved.get("properties", {})
    )
