"""Fault steps: `fault: {target, action, for, params}`, one handler per action.

A fault action is a `FaultHandler` registered in the entry-point group `onex.step_handlers`
under the name `fault.<action>` (`fault.kill`, `fault.latency`, ...): the service faults are
in onex_runner.service_fault_steps, the network ones in onex_runner.network_faults. The step
action `fault` itself is `FaultStep`: it finds the action's handler, refuses a service-level
one on a shared stack, lets it switch the fault on, and hands what switches it off to the
scenario's `FaultLedger`, which heals it when `for:` runs out, at a `heal` step, or at the end.

`heal` is no handler of its own: it heals what the ledger holds for the target (all of it, or
the fault of one step: `params: {fault: <step id>}`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from onex_registry import OnexToolError
from onex_scenario import IsolationEnum, ModelFaultSpec
from onex_scenario.faults import HEAL
from onex_scenario.steps import FAULT_ACTION_PREFIX

from onex_runner.fault_ledger import Heal
from onex_runner.step_api import StepContext, StepHandler, StepOutcome

FAULT_PREFIX = FAULT_ACTION_PREFIX
"""Entry-point names of fault handlers in `onex.step_handlers`: `fault.kill`, ..."""


class FaultRefused(OnexToolError):
    """A fault that cannot be applied here, said with the setting or service that is missing."""


@dataclass(frozen=True)
class FaultApplied:
    """What a handler did: how to undo it (None: nothing to undo, it is over) and details."""

    heal: Heal | None
    details: dict[str, Any] = field(default_factory=dict)


class FaultHandler(ABC):
    """One fault action. `service_level`: it changes a whole server, so only a private stack
    (`isolation: private`) may have it."""

    action: ClassVar[str]
    service_level: ClassVar[bool] = False

    @abstractmethod
    async def apply(self, spec: ModelFaultSpec, ctx: StepContext) -> FaultApplied: ...


class FaultStep(StepHandler[ModelFaultSpec]):
    action = "fault"
    model = ModelFaultSpec

    async def run(self, spec: ModelFaultSpec, ctx: StepContext) -> StepOutcome:
        ledger = ctx.faults
        if ledger is None:
            raise FaultRefused("fault steps need the scenario's fault ledger (run by the engine)")
        if spec.action == HEAL:
            healed = await ledger.heal(
                ctx.step_id, target=spec.target, step=_optional_text(spec.params.get("fault"))
            )
            return StepOutcome(output={"healed": [record.step for record in healed]})
        handler = ctx.fault_handlers.get(spec.action)
        if handler is None:
            known = ", ".join(sorted([*ctx.fault_handlers, HEAL]))
            raise FaultRefused(f"no fault handler for action {spec.action!r} (known: {known})")
        if handler.service_level and ctx.scenario.isolation is not IsolationEnum.PRIVATE:
            raise FaultRefused(
                f"'{spec.action}' acts on the whole {spec.target} server and this scenario runs "
                "on the shared stack; set `isolation: private` to give it a stack of its own"
            )
        began = ledger.now_ms()
        applied = await handler.apply(spec, ctx)
        record = ledger.begin(
            ctx.step_id, spec.target, spec.action, applied.heal,
            began_ms=began, lasts_s=spec.duration, details=applied.details,
        )  # fmt: skip
        return StepOutcome(output=record.model_dump(mode="json", exclude={"seen_by"}))


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)
