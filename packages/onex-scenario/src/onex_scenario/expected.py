"""The `ExpectedValue` field type: an expected value, literal or made of matchers.

Validation stays as cheap as for any YAML value (the loader only produces plain data); the rules
are checked once per scenario by `matchers.matcher_problems`, with key paths for file:line
messages. What this module adds is the JSON Schema: editors complete `$le`, `$regex`, ... and
flag an unknown `$` key, at any depth of an expected value.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    NonNegativeInt,
    RootModel,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from onex_scenario.values import TYPE_NAMES

_COMPARABLE = "A number, or an ISO 8601 datetime such as 2026-12-01T23:07:25Z."
_TYPE_PATTERN = "^\\s*({0})\\s*(\\|\\s*({0})\\s*)*$".format("|".join(sorted(TYPE_NAMES)))
_PLAIN_KEY = "^([^$].*|\\$\\$.*)?$"
"""A plain key: anything not starting with `$`, or an escaped `$$key`."""


class ModelMatcher(BaseModel):
    """A matcher: every operator given must hold (see `onex_scenario.matchers`)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, title="Matcher", json_schema_extra={"minProperties": 1}
    )

    lt: float | str | None = Field(default=None, alias="$lt", description=f"Below. {_COMPARABLE}")
    le: float | str | None = Field(default=None, alias="$le", description=f"At most. {_COMPARABLE}")
    gt: float | str | None = Field(default=None, alias="$gt", description=f"Above. {_COMPARABLE}")
    ge: float | str | None = Field(
        default=None, alias="$ge", description=f"At least. {_COMPARABLE}"
    )
    between: tuple[float | str, float | str] | None = Field(
        default=None, alias="$between", description=f"[low, high], both included. {_COMPARABLE}"
    )
    regex: str | None = Field(
        default=None,
        alias="$regex",
        description="A Python regular expression searched in the text (anchor with ^ and $).",
        json_schema_extra={"format": "regex"},
    )
    len: NonNegativeInt | ModelMatcher | None = Field(
        default=None, alias="$len", description="The length of a string, list or mapping."
    )
    any_of: list[ExpectedValue] | None = Field(
        default=None,
        alias="$any_of",
        min_length=1,
        description="Alternatives: at least one must match, in the expectation's match mode.",
    )
    type: str | None = Field(
        default=None,
        alias="$type",
        pattern=_TYPE_PATTERN,
        description="A type name such as int, decimal, datetime or uuid; alternatives: str|null.",
    )


def _plain_mapping_schema(schema: dict[str, Any]) -> None:
    for member in schema.get("anyOf", ()):
        if member.get("type") == "object":
            member["propertyNames"] = {"pattern": _PLAIN_KEY}


class ExpectedValue(RootModel[Any]):
    """An expected value: a matcher, a mapping or list of expected values, or a scalar."""

    root: (
        ModelMatcher
        | dict[str, ExpectedValue]
        | list[ExpectedValue]
        | str
        | int
        | float
        | bool
        | None
    )
    model_config = ConfigDict(json_schema_extra=_plain_mapping_schema)


class _ExpectedValueSchema:
    """Annotated metadata: plain data at validation, `ExpectedValue` in the JSON Schema."""

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(ExpectedValue.__pydantic_core_schema__)


Expected = Annotated[Any, _ExpectedValueSchema()]
"""A field type for expected values (output and key `value`, event `value`, row `equals`)."""
