"""`${steps.<id>.<field>...}` references: later steps and expectations use earlier outputs.

References survive loading untouched (only `${VAR}` environment interpolation happens at load);
the loader checks that each one names an earlier step, and the runner resolves them with
`resolve_references` once the outputs exist. A string that is exactly one reference becomes the
referenced value with its type (a dict stays a dict); a reference inside longer text becomes text
(JSON for lists and mappings). `$${steps.a.b}` is the escape for the literal text `${steps.a.b}`.
This module is pure: no I/O, no globals to reset.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from onex_scenario.errors import ReferenceResolutionError

REFERENCE_ROOT = "steps"
_TOKEN = re.compile(r"\$(\$?)\{([^}]*)\}")
_REFERENCE = re.compile(r"steps\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z0-9_-]+)+)")


@dataclass(frozen=True, slots=True)
class StepReference:
    """A parsed reference: `${steps.place.output.id}` → step "place", fields ("output", "id")."""

    text: str
    step: str
    fields: tuple[str, ...]


def is_reference_body(body: str) -> bool:
    """True when `${body}` is meant as a step reference (and so is not an environment variable)."""
    return body == REFERENCE_ROOT or body.startswith(REFERENCE_ROOT + ".")


def parse_reference(body: str) -> StepReference:
    """Parse the inside of `${...}`; ValueError names the expected form."""
    match = _REFERENCE.fullmatch(body)
    if match is None:
        raise ValueError(
            f"malformed reference ${{{body}}}: expected ${{steps.<step id>.<field>[.<field>...]}}"
        )
    return StepReference("${" + body + "}", match.group(1), tuple(match.group(2)[1:].split(".")))


def iter_references(text: str) -> Iterator[StepReference]:
    """The step references in `text` (escaped `$${...}` ones excluded); ValueError if malformed."""
    if "${" not in text:
        return
    for token in _TOKEN.finditer(text):
        escaped, body = token.group(1), token.group(2)
        if not escaped and is_reference_body(body):
            yield parse_reference(body)


def resolve_references(value: object, step_outputs: Mapping[str, Mapping[str, object]]) -> object:
    """A copy of `value` with every step reference replaced by the output it names.

    `step_outputs` maps step id → that step's outputs (e.g. {"place": {"correlation_id": "c1"}}).
    Mapping keys are left alone. Raises `ReferenceResolutionError` for an unknown step or field.
    """
    if isinstance(value, str):
        return _resolve_text(value, step_outputs)
    if isinstance(value, Mapping):
        return {key: resolve_references(item, step_outputs) for key, item in value.items()}
    if isinstance(value, list | tuple):
        resolved = [resolve_references(item, step_outputs) for item in value]
        return resolved if isinstance(value, list) else tuple(resolved)
    return value


def _resolve_text(text: str, outputs: Mapping[str, Mapping[str, object]]) -> object:
    if "${" not in text:
        return text
    whole = _TOKEN.fullmatch(text)
    if whole is not None and not whole.group(1) and is_reference_body(whole.group(2)):
        return _lookup(_parse(whole.group(2)), outputs)

    def substitute(token: re.Match[str]) -> str:
        escaped, body = token.group(1), token.group(2)
        if not is_reference_body(body):
            return token.group(0)
        if escaped:
            return "${" + body + "}"
        return _as_text(_lookup(_parse(body), outputs))

    return _TOKEN.sub(substitute, text)


def _parse(body: str) -> StepReference:
    try:
        return parse_reference(body)
    except ValueError as exc:
        raise ReferenceResolutionError("${" + body + "}", str(exc)) from None


def _lookup(reference: StepReference, outputs: Mapping[str, Mapping[str, object]]) -> object:
    if reference.step not in outputs:
        known = ", ".join(sorted(outputs)) or "none yet"
        raise ReferenceResolutionError(
            reference.text, f"no outputs of step '{reference.step}' (steps with outputs: {known})"
        )
    current: object = outputs[reference.step]
    walked = f"steps.{reference.step}"
    for field in reference.fields:
        if isinstance(current, Mapping):
            if field not in current:
                known = ", ".join(sorted(str(key) for key in current)) or "none"
                raise ReferenceResolutionError(
                    reference.text, f"{walked} has no field '{field}' (fields: {known})"
                )
            current = current[field]
        elif isinstance(current, Sequence) and not isinstance(current, str | bytes):
            if not field.isdigit() or int(field) >= len(current):
                raise ReferenceResolutionError(
                    reference.text,
                    f"{walked} is a list of {len(current)} items; '{field}' is not an index of it",
                )
            current = current[int(field)]
        else:
            raise ReferenceResolutionError(
                reference.text,
                f"{walked} is {type(current).__name__} {_as_text(current)[:40]!r}, "
                f"it has no field '{field}'",
            )
        walked += f".{field}"
    return current


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, default=str, sort_keys=True)
