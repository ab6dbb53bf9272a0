"""Constrained strings used in scenario files, with messages people can act on.

A bare regex in a pydantic error ("String should match pattern '^[A-Za-z]...'") tells a user little,
so each type checks its pattern itself and says in words what is allowed; the JSON Schema still
carries the pattern for editors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

PATTERN_DESCRIPTIONS: dict[str, str] = {}
"""Anchored regex → what it means in words; the loader words pattern errors with it."""


@dataclass(frozen=True)
class TextPattern:
    """Annotated metadata: the string must fully match `pattern` (checked by pydantic-core);
    `description` says in words what that means, for error messages and the JSON Schema."""

    kind: str
    pattern: str
    description: str

    @property
    def anchored(self) -> str:
        return f"^{self.pattern}$"

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        PATTERN_DESCRIPTIONS[self.anchored] = self.description
        schema = handler(source)
        if schema["type"] != "str":  # pragma: no cover - only used on str
            raise TypeError("TextPattern applies to str only")
        return core_schema.str_schema(pattern=self.anchored)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(description=self.description)
        return json_schema


IDENTIFIER_PATTERN = r"[A-Za-z_][A-Za-z0-9_]*"

ScenarioName = Annotated[
    str,
    TextPattern(
        "name",
        r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}",
        "a name of letters, digits, '_', '-' and '.', starting with a letter or digit",
    ),
]
StepId = Annotated[
    str,
    TextPattern(
        "step_id",
        r"[A-Za-z_][A-Za-z0-9_-]{0,63}",
        "a step id of letters, digits, '_' and '-', starting with a letter or '_'",
    ),
]
ServiceName = Annotated[
    str,
    TextPattern(
        "service_name",
        r"[A-Za-z][A-Za-z0-9_-]{0,63}",
        "a service name of letters, digits, '_' and '-', starting with a letter",
    ),
]
Identifier = Annotated[
    str,
    TextPattern(
        "identifier",
        IDENTIFIER_PATTERN,
        "an identifier of letters, digits and '_', not starting with a digit",
    ),
]
TableName = Annotated[
    str,
    TextPattern(
        "table",
        rf"{IDENTIFIER_PATTERN}(\.{IDENTIFIER_PATTERN})?",
        "a table name such as orders (the harness sets the schema)",
    ),
]
TopicName = Annotated[
    str,
    TextPattern(
        "topic",
        r"[A-Za-z0-9._-]{1,200}",
        "a topic name of 1 to 200 characters from [a-zA-Z0-9._-], without the namespace "
        "prefix (Kafka allows 249 characters, and the harness adds '<namespace>.')",
    ),
]
NodeImportPath = Annotated[
    str,
    TextPattern(
        "node",
        rf"{IDENTIFIER_PATTERN}(\.{IDENTIFIER_PATTERN})*:{IDENTIFIER_PATTERN}(\.{IDENTIFIER_PATTERN})*",
        "an import path 'package.module:ClassName'",
    ),
]
Tag = Annotated[
    str,
    TextPattern(
        "tag",
        r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}",
        "a tag of letters, digits, '_', '-', '.' and ':'",
    ),
]
BootstrapServers = Annotated[
    str,
    TextPattern(
        "bootstrap_servers",
        r"[^,\s]+:\d+(,[^,\s]+:\d+)*",
        "host:port[,host:port...], e.g. 127.0.0.1:9092",
    ),
]


def _int_as_text(value: object) -> object:
    # YAML reads `key: 42` as an integer; a message key or cache key is text either way.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


KeyText = Annotated[str, BeforeValidator(_int_as_text)]
"""A message or cache key: a string; YAML integers are taken as their text."""


YamlValue = Any
"""A value as YAML gives it: text, number, boolean, null, or lists and mappings of them.

Deliberately `Any` rather than pydantic's `JsonValue`: the loader only ever produces these types,
and validating them again costs more than the rest of a value's validation.
"""


LEGAL_TOPIC = re.compile(r"^[a-zA-Z0-9._-]+$")
MAX_TOPIC_LENGTH = 249


def topic_name_problem(name: str) -> str | None:
    """Why Kafka's `Topic.validate` would refuse `name`, or None. The one home of the rule: the
    mock bus, the scenario checks and the namespace janitor all ask here."""
    if not name:
        return "topic name is empty"
    if name in {".", ".."}:
        return f"topic name {name!r} is not allowed"
    if len(name) > MAX_TOPIC_LENGTH:
        return f"topic name is {len(name)} characters; Kafka's maximum is {MAX_TOPIC_LENGTH}"
    if not LEGAL_TOPIC.match(name):
        return f"topic name {name!r} has characters outside Kafka's legal set [a-zA-Z0-9._-]"
    return None
