"""Run-time placeholders of the app under test: `${services.<name>.<field>}`, `${namespace}`,
`${app.<field>}`.

They are known only once the run has its services and namespace, so loading leaves them as
written (like `${steps...}` references) and the runner fills them in just before it starts the
app (`render`). Which fields a service offers is its kind's business (`KindVocabulary.app_fields`,
filled in by the kind spec's `app_values`); a name or field that does not exist is a validation
error at the value's file:line (see `app_checks`).
`$${...}` is the escape for the literal text `${...}`. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

_TOKEN = re.compile(r"\$(\$?)\{([^}]*)\}")

NAMESPACE = "namespace"
SERVICES = "services"
APP = "app"

APP_FIELDS: tuple[str, ...] = ("port", "host", "base_url")
"""`${app.port}`: the port the harness chose for the app (free, or `app.port`); `${app.host}`;
`${app.base_url}`: where `http` steps send their requests."""


def service_fields(kind: str) -> tuple[str, ...]:
    """The `${services.<name>.<field>}` fields a service of `kind` offers (its vocabulary's)."""
    from onex_scenario.vocabulary import vocabulary

    return vocabulary(kind).app_fields


def is_runtime_placeholder(body: str) -> bool:
    """True when `${body}` is filled in by the runner (so the loader must leave it alone)."""
    return body == NAMESPACE or body.startswith((f"{SERVICES}.", f"{APP}."))


@dataclass(frozen=True, slots=True)
class Placeholder:
    """One `${...}` of a value: its text and its dotted parts (`services`, `kafka`, `port`)."""

    text: str
    parts: tuple[str, ...]


def iter_placeholders(text: str) -> Iterator[Placeholder]:
    """The unescaped run-time placeholders in `text`."""
    if "${" not in text:
        return
    for token in _TOKEN.finditer(text):
        escaped, body = token.group(1), token.group(2)
        if not escaped and is_runtime_placeholder(body):
            yield Placeholder("${" + body + "}", tuple(body.split(".")))


def placeholder_problem(placeholder: Placeholder, services: Mapping[str, str]) -> str | None:
    """Why `placeholder` names nothing, given the scenario's services (name → kind); None if
    it is fine."""
    parts = placeholder.parts
    if parts == (NAMESPACE,):
        return None
    if parts[0] == APP:
        if len(parts) == 2 and parts[1] in APP_FIELDS:
            return None
        return (
            f"{placeholder.text}: expected ${{app.<field>}} with a field of {', '.join(APP_FIELDS)}"
        )
    if len(parts) != 3:
        return f"{placeholder.text}: expected ${{services.<service>.<field>}}"
    name, field = parts[1], parts[2]
    if name not in services:
        known = ", ".join(sorted(services)) or "none"
        return f"{placeholder.text}: no external service {name!r} (declared: {known})"
    fields = service_fields(services[name])
    if field not in fields:
        return (
            f"{placeholder.text}: a {services[name]} service has no field {field!r} "
            f"(fields: {', '.join(fields)})"
        )
    return None


def render(text: str, values: Mapping[str, str]) -> str:
    """`text` with each placeholder replaced by `values[<dotted body>]`, `$${x}` by `${x}`.

    A placeholder without a value raises KeyError naming it (validation makes that rare: a
    service that is a mock in this run has no endpoint to fill in)."""

    def substitute(token: re.Match[str]) -> str:
        escaped, body = token.group(1), token.group(2)
        if escaped:
            return "${" + body + "}"
        if not is_runtime_placeholder(body):
            return token.group(0)
        if body not in values:
            raise KeyError(body)
        return values[body]

    return _TOKEN.sub(substitute, text)
