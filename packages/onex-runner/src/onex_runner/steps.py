"""Running the steps and expectations of one scenario through their handlers.

The runner knows no action: `plan()` looks up the handler of every step and expectation before
anything runs (a `fault` step's action too: onex_runner.fault_api), and each step then gets
its handler's typed model, with `${steps.<id>.<field>}` references resolved, plus a
`StepContext`. Every step has its own correlation id (a publish may fix one) and a deadline.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from onex_registry import BaseOnexRegistry, OnexToolError
from onex_scenario import (
    ModelExtensionStep,
    ModelFaultStep,
    ScenarioConfigModel,
    expectation_kind,
    resolve_references,
    step_action,
)
from onex_scenario.errors import ReferenceResolutionError
from onex_scenario.faults import HEAL
from onex_scenario.issues import error_message
from onex_services.polling import Clock, SystemClock
from pydantic import BaseModel, ValidationError

from onex_runner.context import current_correlation_id
from onex_runner.handler_registry import HandlerRegistry, HandlerRegistryError
from onex_runner.results import ModelStepResult, OutcomeEnum
from onex_runner.step_api import ExpectationHandler, StepContext, StepFailure, StepHandler

if TYPE_CHECKING:
    from onex_runner.app_process import AppUnderTest
    from onex_runner.fault_ledger import FaultLedger
    from onex_runner.held_services import RegistryExternalServiceManager
    from onex_runner.service_state import NamespaceState

__all__ = ["StepFailure", "StepRunner", "plan_handlers"]
_STEP_KEYS = {"id", "description", "timeout"}


def plan_handlers(scenario: ScenarioConfigModel, handlers: HandlerRegistry) -> str | None:
    """None when every step and expectation has a handler; else what is missing, naming it."""
    problems: list[str] = []
    for index, step in enumerate(scenario.steps):
        try:
            handlers.step(step_action(step))
        except HandlerRegistryError as exc:
            problems.append(f"steps[{index}] ({step.id}): {exc}")
        fault = step.fault.action if isinstance(step, ModelFaultStep) else HEAL
        if fault != HEAL and fault not in handlers.faults:
            known = ", ".join(sorted([*handlers.faults, HEAL]))
            problems.append(
                f"steps[{index}] ({step.id}): no fault handler is registered for action "
                f"{fault!r} (registered: {known})"
            )
    for index, item in enumerate(scenario.expect):
        try:
            handlers.expectation(expectation_kind(item))
        except HandlerRegistryError as exc:
            problems.append(f"expect[{index}]: {exc}")
    return "; ".join(problems) or None


class StepRunner:
    def __init__(
        self,
        scenario: ScenarioConfigModel,
        registry: BaseOnexRegistry,
        node: object | None,
        namespace: str,
        *,
        handlers: HandlerRegistry,
        services: Callable[[], RegistryExternalServiceManager],
        clock: Clock | None = None,
        app: AppUnderTest | None = None,
        faults: FaultLedger | None = None,
        namespace_state: NamespaceState | None = None,
    ) -> None:
        self.scenario = scenario
        self.registry = registry
        self.node = node
        self.namespace = namespace
        self.handlers = handlers
        self.clock = clock or SystemClock()
        self._services = services
        self.app = app
        self.faults = faults
        self.namespace_state = namespace_state
        self.outputs: dict[str, dict[str, Any]] = {}

    def _context(self, correlation_id: str, step_id: str = "") -> StepContext:
        return StepContext(
            scenario=self.scenario,
            registry=self.registry,
            node=self.node,
            namespace=self.namespace,
            outputs=self.outputs,
            clock=self.clock,
            correlation_id=correlation_id,
            _services=self._services,
            app=self.app,
            step_id=step_id,
            faults=self.faults,
            fault_handlers=self.handlers.faults,
            state=self.namespace_state,
        )

    async def run_step(self, step: Any) -> ModelStepResult:
        action = step_action(step)
        correlation = str(uuid.uuid4())
        started = time.perf_counter()
        token = current_correlation_id.set(correlation)
        result = ModelStepResult(
            id=step.id,
            action=action,
            outcome=OutcomeEnum.PASSED,
            correlation_id=correlation,
            duration_ms=0.0,
        )
        given = step.timeout
        timeout = float(given if given is not None else self.scenario.timeouts("default").step)
        source = "its `timeout`" if given is not None else "the `step` timeout of its profile"
        deadline = asyncio.timeout(timeout)
        try:
            handler: StepHandler[Any] = self.handlers.step(action)
            spec, result.input = _typed(step, action, handler.model, self.outputs)
            ctx = self._context(correlation, step.id)
            async with deadline:
                outcome = await handler.run(spec, ctx)
            result.correlation_id = outcome.correlation_id or correlation
            result.output = outcome.output
            result.events = list(outcome.events)
            self.outputs[step.id] = {
                **outcome.fields,
                "output": outcome.output,
                "events": result.events,
                "correlation_id": result.correlation_id,
            }
        except StepFailure as failure:
            result.outcome, result.message = OutcomeEnum.FAILED, f"step {step.id}: {failure}"
            result.output = failure.actual
        except ReferenceResolutionError as exc:
            result.outcome, result.message = OutcomeEnum.ERROR, f"step {step.id}: {exc}"
        except TimeoutError as exc:
            # A TimeoutError the node (or a client it called) raised is its own fault, not the
            # runner's deadline: only `deadline.expired()` tells the two apart.
            result.outcome = OutcomeEnum.FAILED
            waited = _waited_for(step, action)
            if deadline.expired():
                result.message = (
                    f"step {step.id}: the runner's step deadline of {timeout:g}s ({source})"
                    f" passed while it waited for {waited}"
                )
            else:
                spent = time.perf_counter() - started
                result.outcome = OutcomeEnum.ERROR
                result.message = (
                    f"step {step.id}: {waited} raised TimeoutError after {spent:.1f}s, before"
                    f" the runner's step deadline of {timeout:g}s: {exc or 'no message'}"
                )
        except Exception as exc:  # noqa: BLE001 - the node under test may raise anything
            # This is the boundary around user code: every exception becomes the step's error,
            # with its type, so the scenario fails visibly instead of crashing the run.
            result.outcome = OutcomeEnum.ERROR
            result.message = f"step {step.id}: {type(exc).__name__}: {exc}"
        finally:
            current_correlation_id.reset(token)
        result.duration_ms = (time.perf_counter() - started) * 1000
        return result

    async def run_expectations(self) -> list[ModelStepResult]:
        results: list[ModelStepResult] = []
        for index, item in enumerate(self.scenario.expect):
            kind = expectation_kind(item)
            started = time.perf_counter()
            result = ModelStepResult(
                id=f"expect[{index}]",
                action=kind,
                outcome=OutcomeEnum.PASSED,
                correlation_id=current_correlation_id.get() or "",
                duration_ms=0.0,
            )
            try:
                handler: ExpectationHandler[Any] = self.handlers.expectation(kind)
                spec, result.input = _typed(item, kind, handler.model, self.outputs)
                result.output = await handler.check(spec, self._context(result.correlation_id))
            except StepFailure as failure:
                result.outcome = OutcomeEnum.FAILED
                result.message = f"expect[{index}] {kind}: {failure}"
                result.output = failure.actual
            except (OnexToolError, ReferenceResolutionError, LookupError, ValueError) as exc:
                result.outcome, result.message = OutcomeEnum.ERROR, f"expect[{index}] {kind}: {exc}"
            result.duration_ms = (time.perf_counter() - started) * 1000
            results.append(result)
        return results


def _waited_for(step: Any, action: str) -> str:
    """What a step's deadline covers, as a timeout message names it."""
    method = getattr(step, "call", None)
    if action == "call" and isinstance(method, str):
        return f"the node's {method}() to return"
    return f"the {action} step to finish"


def _typed(
    item: BaseModel, key: str, model: type[BaseModel], outputs: dict[str, dict[str, Any]]
) -> tuple[Any, Any]:
    """The instance of `model` a handler takes, its references resolved, and the spec as reports
    show it (JSON, without id and description). The instance is the item's action value when it
    is one (a publish step's `ModelPublishSpec`), the item itself (a call step), or, for a
    package's action, its spec resolved and then validated into `model`."""
    value = getattr(item, key, None)
    if isinstance(value, model):
        return _resolved(value, outputs)
    if isinstance(item, model):
        return _resolved(item, outputs)
    if isinstance(item, ModelExtensionStep):
        try:
            spec = model.model_validate(resolve_references(item.spec, outputs))
        except ValidationError as exc:
            details = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or key}: {error_message(e)}"
                for e in exc.errors()
            )
            raise OnexToolError(f"invalid {key} spec: {details}") from None
        return spec, spec.model_dump(mode="json", by_alias=True)
    raise OnexToolError(f"the handler of {key!r} takes {model.__name__}, not {type(item).__name__}")


def _resolved(spec: BaseModel, outputs: dict[str, dict[str, Any]]) -> tuple[Any, Any]:
    """`spec` with its `${steps...}` references replaced and validated again (a reference may
    stand for a number, a mapping, ...), the same object when it has none; and its JSON form.
    One dump serves both: the report's input and the search for references."""
    shown = spec.model_dump(mode="json", by_alias=True, exclude=_STEP_KEYS)
    resolved = resolve_references(shown, outputs)
    if resolved == shown or not isinstance(resolved, dict):
        return spec, shown
    kept = spec.model_dump(mode="python", by_alias=True, include=_STEP_KEYS, exclude_unset=True)
    return type(spec).model_validate({**kept, **resolved}), resolved
