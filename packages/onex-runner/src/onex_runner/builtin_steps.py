"""The built-in step actions: `call`, `publish`, `wait`, and the three `expect_*` steps.

Registered as entry points (`onex.step_handlers`) in onex-runner's pyproject, like any package's
handlers. The waiting checks themselves live in `onex_runner.checks`, shared with the top-level
expectations of the same kind.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from onex_registry import OnexToolError
from onex_scenario import (
    ModelCallStep,
    ModelEventExpectation,
    ModelKeyExpectation,
    ModelPublishSpec,
    ModelRowExpectation,
    ModelWaitStep,
)

from onex_runner.checks import await_event, await_key, await_rows
from onex_runner.step_api import StepContext, StepHandler, StepOutcome


class CallStep(StepHandler[ModelCallStep]):
    """Call a method of the node; async methods are awaited, sync ones run in a worker thread
    so the event loop is never blocked."""

    action = "call"
    model = ModelCallStep

    async def run(self, spec: ModelCallStep, ctx: StepContext) -> StepOutcome:
        return StepOutcome(output=await _call(spec, ctx), correlation_id=ctx.correlation_id)


async def _call(spec: ModelCallStep, ctx: StepContext) -> Any:
    if ctx.node is None:
        raise OnexToolError("a call step needs `node:` in the scenario")
    method = getattr(ctx.node, spec.call, None)
    if method is None or not callable(method):
        raise OnexToolError(f"node {type(ctx.node).__name__} has no method {spec.call!r}")
    args, kwargs = list(spec.args), dict(spec.keyword_args)
    if inspect.iscoroutinefunction(method):
        return await method(*args, **kwargs)
    # A sync method may block (I/O, sleep): keep it off the event loop.
    result = await asyncio.to_thread(method, *args, **kwargs)
    if inspect.isawaitable(result):
        raise OnexToolError(
            f"{spec.call} is declared sync but returned an awaitable: an async/sync mismatch"
        )
    return result


class PublishStep(StepHandler[ModelPublishSpec]):
    """Produce one message on the run's event bus, with the step's correlation id unless the
    file fixes one."""

    action = "publish"
    model = ModelPublishSpec

    async def run(self, spec: ModelPublishSpec, ctx: StepContext) -> StepOutcome:
        sent = await ctx.registry.event_bus.publish(
            spec.topic,
            spec.value,
            key=spec.key,
            headers=spec.headers or None,
            correlation_id=spec.correlation_id or ctx.correlation_id,
        )
        return StepOutcome(
            output=sent.as_dict(),
            correlation_id=sent.correlation_id,
            fields={"partition": sent.partition, "offset": sent.offset},
        )


class WaitStep(StepHandler[ModelWaitStep]):
    action = "wait"
    model = ModelWaitStep

    async def run(self, spec: ModelWaitStep, ctx: StepContext) -> StepOutcome:
        await ctx.clock.sleep(float(spec.wait))
        return StepOutcome()


class ExpectEventStep(StepHandler[ModelEventExpectation]):
    """Wait for a matching event; its fields (key, offset, correlation_id, ...) can be
    referenced by later steps."""

    action = "expect_event"
    model = ModelEventExpectation

    async def run(self, spec: ModelEventExpectation, ctx: StepContext) -> StepOutcome:
        event = await await_event(spec, ctx)
        return StepOutcome(
            output=event,
            correlation_id=event["correlation_id"] or ctx.correlation_id,
            events=(event,),
            fields=event,
        )


class ExpectRowStep(StepHandler[ModelRowExpectation]):
    action = "expect_row"
    model = ModelRowExpectation

    async def run(self, spec: ModelRowExpectation, ctx: StepContext) -> StepOutcome:
        return StepOutcome(output=await await_rows(spec, ctx))


class ExpectKeyStep(StepHandler[ModelKeyExpectation]):
    action = "expect_key"
    model = ModelKeyExpectation

    async def run(self, spec: ModelKeyExpectation, ctx: StepContext) -> StepOutcome:
        return StepOutcome(output=await await_key(spec, ctx))
