"""What the engine knows of one scenario while it runs (onex_runner.engine).

Besides the plan, registry and results, it holds the scenario's faults (a `FaultLedger` whose
changes go to the event stream) and, for `isolation: private`, the scenario's own stack.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from onex_registry import BaseOnexRegistry, ModelRegistryResolutionContext, OnexToolError
from onex_scenario import ModePlan, ScenarioConfigModel

from onex_runner.app_process import AppUnderTest
from onex_runner.events import ScenarioEvents
from onex_runner.fault_ledger import FaultLedger
from onex_runner.private_stack import PrivateStack
from onex_runner.results import (
    ModelScenarioPreConditionResult,
    ModelStepResult,
    OutcomeEnum,
    PreConditionStatusEnum,
)
from onex_runner.state_watch import StateWatch


@dataclass
class ScenarioState:
    scenario: ScenarioConfigModel
    namespace: str
    modes: ModePlan
    preconditions: ModelScenarioPreConditionResult = field(
        default_factory=lambda: ModelScenarioPreConditionResult(
            status=PreConditionStatusEnum.NOT_CHECKED
        )
    )
    plan: ModelRegistryResolutionContext | None = None
    registry: BaseOnexRegistry | None = None
    observer: ScenarioEvents | None = None
    app: AppUnderTest | None = None
    watch: StateWatch | None = None
    private: PrivateStack | None = None
    """The scenario's own stack (`isolation: private`), else None: the run's shared one."""

    def __post_init__(self) -> None:
        self.steps: list[ModelStepResult] = []
        self.expectations: list[ModelStepResult] = []
        self.endpoints: dict[str, str] = {}
        self.started = time.perf_counter()
        self.faults = FaultLedger(self.elapsed_ms, self._tell_fault)
        self.log_tail = ""
        """The services' log tails, kept when a private stack (and its logs) is removed."""

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def tell(self, result: ModelStepResult, at_ms: float) -> None:
        """A step's result for the event stream, with its start from the scenario's."""
        if self.observer is not None:
            self.observer.step(result, at_ms)

    def _tell_fault(self, event: dict[str, Any]) -> None:
        if self.observer is not None:
            self.observer.fault(event)

    def settled(self, outcome: OutcomeEnum, message: str, cleanup: str) -> tuple[OutcomeEnum, str]:
        """The scenario's outcome: the first failure (the run's, a step's, a leak with
        `strict_resources`, the cleanup's) decides it; a cleanup problem is added to the
        message of an earlier failure."""
        checks = [*self.steps, *self.expectations]
        failed_step = next((s for s in checks if s.outcome is not OutcomeEnum.PASSED), None)
        if failed_step is not None and outcome is OutcomeEnum.PASSED:
            outcome, message = failed_step.outcome, failed_step.message
        if self.watch is not None and self.watch.failure and outcome is OutcomeEnum.PASSED:
            outcome, message = OutcomeEnum.FAILED, self.watch.failure
        if cleanup and outcome is OutcomeEnum.PASSED:
            outcome, message = OutcomeEnum.FAILED, cleanup
        elif cleanup:  # the first failure stays first; the cleanup's is added
            message = f"{message}; {cleanup}"
        return outcome, message

    def failed(self, outcome: OutcomeEnum) -> bool:
        checks = [*self.steps, *self.expectations]
        return outcome is not OutcomeEnum.PASSED or any(
            c.outcome is not OutcomeEnum.PASSED for c in checks
        )

    def require_registry(self) -> BaseOnexRegistry:
        if self.registry is None:
            raise OnexToolError("the registry was not built")
        return self.registry

    def audit(self) -> list[Any]:
        return list(self.registry.audit) if self.registry is not None else []
