"""The `checkpoint: NAME` and `restore: NAME` steps (entry points `onex.step_handlers`).

`checkpoint` saves the namespace's state on every real service of the scenario (Kafka group
and end offsets, a copy of the PostgreSQL schema, DUMPs of the Redis keys); `restore` brings it
back. Before a restore every real tool of the run is closed and opened again: a Kafka group can only
be reset while it has no member, and a PostgreSQL connection must not keep plans of the tables
that are replaced. Records cannot be deleted from a Kafka log: restoring a topic means its
consumers are reset to the checkpoint's offsets (docs/state.md).

The steps act on real services; a scenario whose services are all mocks is refused with the
reason, and the mock services of a mixed one are named in the step's output as not covered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from onex_registry import BaseOnexRegistry, OnexToolError
from onex_scenario.names import Identifier
from pydantic import RootModel

from onex_runner.service_state import NamespaceState, StateError
from onex_runner.step_api import StepContext, StepHandler, StepOutcome

T = TypeVar("T")


class ModelStateName(RootModel[Identifier]):
    """The name of a checkpoint (`checkpoint: before_retry`)."""


def _state(ctx: StepContext, action: str) -> NamespaceState:
    if ctx.state is None:
        raise OnexToolError(
            f"{action} works on real services, and this scenario runs none (every service is "
            "a mock here): run it with real services, or leave the step out of the mock tier"
        )
    return ctx.state


def _mocks(ctx: StepContext) -> list[str]:
    return sorted(record.service for record in ctx.registry.audit if record.mode != "real")


class CheckpointStep(StepHandler[ModelStateName]):
    action = "checkpoint"
    model = ModelStateName

    async def run(self, spec: ModelStateName, ctx: StepContext) -> StepOutcome:
        try:
            services = await _state(ctx, self.action).checkpoint(spec.root)
        except StateError as exc:
            raise OnexToolError(str(exc)) from None
        output: dict[str, Any] = {"checkpoint": spec.root, "services": services}
        if _mocks(ctx):
            output["not_covered"] = _mocks(ctx)
        return StepOutcome(output=output)


class RestoreStep(StepHandler[ModelStateName]):
    action = "restore"
    model = ModelStateName

    async def run(self, spec: ModelStateName, ctx: StepContext) -> StepOutcome:
        state = _state(ctx, self.action)
        if spec.root not in state.checkpoints:
            taken = ", ".join(sorted(state.checkpoints)) or "none"
            raise OnexToolError(f"restore {spec.root}: no checkpoint of that name (taken: {taken})")
        restored = await with_real_tools_closed(ctx.registry, lambda: state.restore(spec.root))
        return StepOutcome(output={"restored": spec.root, "done": restored})


async def with_real_tools_closed(
    registry: BaseOnexRegistry, action: Callable[[], Awaitable[T]]
) -> T:
    """`action` run while the registry's real tools are closed (a Kafka group can only be reset
    without members), then the tools opened again."""
    real = [registry.tools[r.service] for r in registry.audit if r.mode == "real"]
    for tool in real:
        await tool.close()  # type: ignore[attr-defined]
    try:
        return await action()
    finally:
        for tool in real:
            await tool.connect()  # type: ignore[attr-defined]
