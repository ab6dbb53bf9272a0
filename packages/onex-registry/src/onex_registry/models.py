"""Results the tools return and the records the resolver writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onex_scenario import ModePlan
from pydantic import BaseModel, ConfigDict, Field

_MODEL = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, slots=True)
class PublishResult:
    """Where a published record landed. `topic` is the name without the namespace prefix.

    A slotted dataclass, not a pydantic model: it is built once per publish on the hot path.
    """

    topic: str
    partition: int
    offset: int
    correlation_id: str

    def as_dict(self) -> dict[str, object]:
        return {
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "correlation_id": self.correlation_id,
        }


class ConsumedMessage(BaseModel):
    """One record read from a topic; `value` is the decoded JSON, `headers` keep their bytes."""

    model_config = _MODEL

    topic: str
    partition: int
    offset: int
    key: str | None
    value: Any
    headers: dict[str, bytes] = Field(default_factory=dict)
    correlation_id: str | None = None


class ToolHealth(BaseModel):
    """Whether a tool can do its job right now, measured by doing it."""

    model_config = _MODEL

    healthy: bool
    latency_ms: float
    detail: str = ""


class ModelToolResolution(BaseModel):
    """How one declared dependency was resolved: which mode, why, and with which factory.

    `mode_source` is the mode plan's reason (cli, env, service, scenario, default, unavailable);
    `declared_mode` is what the file said, so a forced mode is visible beside the original.
    """

    model_config = _MODEL

    service: str
    kind: str
    mode: str
    mode_source: str
    mode_detail: str = ""
    declared_mode: str
    factory: str
    tool_class: str
    endpoint: str | None = None
    namespace: str


class ModelRegistryResolutionContext(BaseModel):
    """The resolver's answer for one scenario run: one entry per declared tool-backed service."""

    # The plan is carried as it was decided (a dataclass, never re-derived from these strings).
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    scenario: str
    namespace: str
    forced_mode: str | None = None
    registry_mode: str
    modes: ModePlan
    tools: dict[str, ModelToolResolution] = Field(default_factory=dict)


class ModelToolAuditRecord(BaseModel):
    """What was actually instantiated, read from the object itself, not from the plan."""

    model_config = _MODEL

    service: str
    mode: str
    mode_source: str
    mode_detail: str = ""
    declared_mode: str
    factory: str
    planned_class: str
    instantiated_class: str
    endpoint: str | None = None
    namespace: str
