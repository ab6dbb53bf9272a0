"""What a run produces: pre-condition results, step results and one result per scenario."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Any

from onex_scenario.modes import tier_label
from onex_scenario.redaction import known_secrets, redact
from pydantic import BaseModel, ConfigDict, Field

_MODEL = ConfigDict(extra="forbid")


class PreConditionStatusEnum(StrEnum):
    HEALTHY = "HEALTHY"
    UNHEALTHY = "UNHEALTHY"
    SKIPPED = "SKIPPED"
    NOT_CHECKED = "NOT_CHECKED"
    NOT_NEEDED = "NOT_NEEDED"


class OutcomeEnum(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERROR = "error"


class ModelServicePreConditionResult(BaseModel):
    model_config = _MODEL

    service: str
    kind: str
    required: bool
    status: PreConditionStatusEnum
    endpoint: str | None = None
    latency_ms: float | None = None
    attempts: int = 0
    error: str | None = None
    remembered: bool = False
    """The failure an earlier scenario of this run met; the service was not probed again."""


class ModelScenarioPreConditionResult(BaseModel):
    model_config = _MODEL

    status: PreConditionStatusEnum
    skipped_by_flag: bool = False
    duration_ms: float = 0.0
    services: list[ModelServicePreConditionResult] = Field(default_factory=list)


class ModelStepResult(BaseModel):
    model_config = _MODEL

    id: str
    action: str
    outcome: OutcomeEnum
    correlation_id: str
    duration_ms: float
    input: Any = None
    output: Any = None
    events: list[dict[str, Any]] = Field(default_factory=list)
    message: str = ""


class ModelScenarioResult(BaseModel):
    model_config = _MODEL

    name: str
    path: str
    tier: str
    """The tier the run had: the file's, unless a force changed the modes (see `declared_tier`)."""
    declared_tier: str = ""
    outcome: OutcomeEnum
    message: str = ""
    correlation_id: str
    namespace: str
    duration_ms: float
    preconditions: ModelScenarioPreConditionResult
    modes: dict[str, Any] = Field(default_factory=dict)
    """The mode plan of the run (`ModePlan.as_dict()`): per service the mode, its reason and the
    declared mode."""
    tools: list[dict[str, Any]] = Field(default_factory=list)
    steps: list[ModelStepResult] = Field(default_factory=list)
    expectations: list[ModelStepResult] = Field(default_factory=list)
    leftovers: list[str] = Field(default_factory=list)
    faults: list[dict[str, Any]] = Field(default_factory=list)
    """The scenario's faults with their timing (onex_runner.fault_ledger.ModelFaultRecord)."""
    log_tail: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)
    """The scenario's `metadata`, as written (docs/scenarios.md: copied into every report)."""
    interrupted: bool = False
    """Stopped by SIGINT before it ended on its own (its cleanup still ran)."""
    state: dict[str, Any] = Field(default_factory=dict)
    """The namespace's state on the real services: `before` and `after` the steps, their
    `diff`, the `resources` left after the cleanup, and what reading them cost (docs/state.md)."""
    warnings: list[str] = Field(default_factory=list)
    """What did not fail the scenario but should be looked at (a connection left open...)."""

    @property
    def tier_label(self) -> str:
        return tier_label(self.tier, self.declared_tier)


class ModelRunSummary(BaseModel):
    model_config = _MODEL

    total: int
    passed: int
    failed: int
    skipped: int
    errors: int
    duration_ms: float

    @classmethod
    def of(cls, results: list[ModelScenarioResult], duration_ms: float) -> ModelRunSummary:
        count = {o: sum(1 for r in results if r.outcome is o) for o in OutcomeEnum}
        return cls(
            total=len(results),
            passed=count[OutcomeEnum.PASSED],
            failed=count[OutcomeEnum.FAILED],
            skipped=count[OutcomeEnum.SKIPPED],
            errors=count[OutcomeEnum.ERROR],
            duration_ms=duration_ms,
        )


def redacted(result: ModelScenarioResult) -> ModelScenarioResult:
    """`result` as every writer (JSON, JUnit, HTML, snapshots) must see it: passwords, secrets
    and tokens replaced by `***`, including the values of the harness's own secret settings."""
    clean = redact(result.model_dump(mode="json"), known_secrets(os.environ))
    return ModelScenarioResult.model_validate(clean)
