"""Scenario YAML files: their text (UTF-8, optionally with a BOM), their parsed document, and the
checks and words messages use about it; every failure is a `ScenarioValidationError` naming the
file, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from onex_scenario.errors import DOCUMENT, ScenarioValidationError, ValidationIssue
from onex_scenario.source_map import SourceMap
from onex_scenario.yaml_source import parse_yaml_text


def read_yaml_text(path: Path, file: str) -> str:
    """The text of a UTF-8 (optionally BOM-prefixed) file; failures become
    `ScenarioValidationError` naming `file`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ScenarioValidationError(
            [ValidationIssue(file, 1, 1, DOCUMENT, f"cannot read the file: {reason}")]
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScenarioValidationError(
            [
                ValidationIssue(
                    file,
                    line,
                    column,
                    DOCUMENT,
                    f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded; "
                    "save the file as UTF-8",
                )
            ]
        ) from None


def read_yaml_file(path: Path, display: str | None = None) -> tuple[object, SourceMap]:
    """Read and parse a UTF-8 YAML file with positions; every failure becomes a
    `ScenarioValidationError`. `display` is the file name used in messages (default str(path))."""
    file = display if display is not None else str(path)
    return parse_yaml_text(read_yaml_text(path, file), file)


def as_mapping(data: object, source_map: SourceMap, what: str) -> dict[str, Any]:
    """Check that a parsed document is a mapping (`what` says what it should hold)."""
    if isinstance(data, dict):
        return data
    where = source_map.value_position(())
    if data is None:
        message = f"the file is empty; expected a mapping of {what}"
    else:
        message = f"expected a mapping of {what}, got {type_name(data)}"
    raise ScenarioValidationError(
        [ValidationIssue(source_map.file, where.line, where.column, DOCUMENT, message)]
    )


def type_name(value: object) -> str:
    """The YAML/JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
