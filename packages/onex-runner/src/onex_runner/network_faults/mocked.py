"""Faults on a mock target: the mock takes the fault itself when it models it.

A mock that models faults has `inject_fault(action, params)`, returning what undoes it, and
raises `NotSupportedByMockError` naming the fault it cannot model (see
`onex_registry.mock_faults`). A mock without it, or a fault it refuses, fails the step by name:
a fault that did not happen never passes for one that did.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from onex_scenario.steps import ModelFaultSpec

from onex_runner.fault_api import FaultRefused
from onex_runner.fault_ledger import Heal

if TYPE_CHECKING:
    from onex_runner.step_api import StepContext


def target_is_mock(spec: ModelFaultSpec, ctx: StepContext) -> bool:
    for record in ctx.registry.audit:
        if record.service == spec.target:
            return record.mode != "real"
    return False


async def mock_fault(spec: ModelFaultSpec, ctx: StepContext) -> Heal:
    """The heal of the fault the target's mock took (a mock target's)."""
    tool = ctx.registry.tools.get(spec.target)
    inject: Callable[[str, Mapping[str, Any]], Callable[[], None]] | None = getattr(
        tool, "inject_fault", None
    )
    if inject is None:
        raise FaultRefused(
            f"fault {spec.action} on {spec.target}: its mock {type(tool).__name__} models no "
            "faults; run the service real"
        )
    undo = inject(spec.action, dict(spec.params))

    async def heal() -> None:
        undo()

    return heal
