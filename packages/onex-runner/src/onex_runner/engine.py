"""One path for every scenario.

load → resolve modes → pre-conditions → resources in the namespace → registry and node → steps →
expectations → snapshot → cleanup of the namespace and a check that nothing of it is left.
A required real service that is down fails the scenario (or skips it, by its own setting); it
never passes. Nothing here falls back to a mock on its own: the resolver records every mode.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onex_registry import BaseOnexRegistry, OnexToolError, RegistryResolver
from onex_scenario import (
    DependencyModeEnum,
    IsolationEnum,
    LoadedScenario,
    ModePlan,
)
from onex_services import ServiceKind, namespace_for
from onex_services.errors import ServiceError

from onex_runner.app_health import LiveApp
from onex_runner.app_process import app_for_run
from onex_runner.cleanup import CleanupReport, ScenarioCleanup, cleanup_deadline
from onex_runner.context import current_correlation_id, current_namespace
from onex_runner.events import ScenarioEvents
from onex_runner.fault_ledger import HEAL_DEADLINE_S
from onex_runner.handler_registry import HandlerRegistry
from onex_runner.held_services import RegistryExternalServiceManager
from onex_runner.interrupts import Interrupted, RunInterrupt
from onex_runner.network_faults.routing import route_faulted
from onex_runner.nodes import instantiate_node
from onex_runner.precondition_cache import ServiceProbes
from onex_runner.preconditions import PreconditionStop, ScenarioStop, check_preconditions
from onex_runner.private_stack import PrivateStack
from onex_runner.recorded_start import RecordedStart
from onex_runner.resources import create_resources
from onex_runner.results import (
    ModelScenarioResult,
    OutcomeEnum,
)
from onex_runner.scenario_state import ScenarioState
from onex_runner.seeded_states import SeededStates, real_sql_endpoint, start_records
from onex_runner.service_state import StateReaders
from onex_runner.state_watch import StateWatch, server_memory
from onex_runner.steps import StepFailure, StepRunner, plan_handlers


@dataclass(frozen=True)
class RunOptions:
    """How scenarios are run; the CLI and the pytest plugin fill it from their flags."""

    force_mode: DependencyModeEnum | None = None
    skip_preconditions: bool = False
    backend: str | None = None
    run_id: str | None = None
    cleanup_timeout_s: float | None = None
    """Deadline of each cleanup step; None: the scenario's own, else 10 s (onex_runner.cleanup)."""
    start: RecordedStart | None = None
    """The recorded state to start from instead of the scenario's seeds (`onex replay`)."""


class ScenarioRunner:
    """Runs scenarios one after another, sharing one lease on the services."""

    def __init__(
        self,
        options: RunOptions | None = None,
        *,
        services: RegistryExternalServiceManager | None = None,
        interrupt: RunInterrupt | None = None,
        handlers: HandlerRegistry | None = None,
    ) -> None:
        self.options = options or RunOptions()
        self._services = services
        self.live_apps: dict[str, LiveApp] = {}
        """The apps under test that run now, by namespace (the health rounds sample them)."""
        self._handlers = handlers
        self.interrupt = interrupt or RunInterrupt()
        self._base_namespace = namespace_for(self.options.run_id)
        # One resolver for the runner's life: it reads the forces (flag, env) once.
        self.resolver = RegistryResolver(force_mode=self.options.force_mode)
        # Scenarios run concurrently (-n) share one service manager; its file lock guards other
        # processes, not coroutines of this one, so starting the stack is serialised here.
        self._services_lock = asyncio.Lock()
        self.probes = ServiceProbes(lambda: self.services, self._services_lock)
        self.state_readers = StateReaders()
        self.seeds = SeededStates(self.state_readers, lambda: self.services.manager.store)

    @property
    def handlers(self) -> HandlerRegistry:
        """Step and expectation handlers (entry points `onex.step_handlers`), loaded on first
        use: a broken plugin then fails the scenarios with its name, not the program."""
        if self._handlers is None:
            self._handlers = HandlerRegistry.from_entry_points()
        return self._handlers

    @property
    def services(self) -> RegistryExternalServiceManager:
        if self._services is None:
            from onex_services import ToolServiceManager

            self._services = RegistryExternalServiceManager(
                ToolServiceManager(backend=self.options.backend)
            )
        return self._services

    async def close(self) -> None:
        await self.state_readers.close()
        if self._services is not None:
            await self._services.close()

    @property
    def held_services(self) -> RegistryExternalServiceManager | None:
        """The service manager if a scenario asked for real services so far, else None."""
        return self._services

    async def run(
        self,
        loaded: LoadedScenario,
        observer: ScenarioEvents | None = None,
        *,
        modes: ModePlan | None = None,
    ) -> ModelScenarioResult:
        """Run one scenario. `modes` is its plan when the caller made it already (the pytest
        plugin does, at collection, for the markers); else the runner's resolver makes it.
        `observer` hears of its progress (the run's event stream)."""
        scenario = loaded.scenario
        started = time.perf_counter()
        if observer is not None:
            observer.started()
        correlation = str(uuid.uuid4())
        namespace = f"{self._base_namespace}_{uuid.uuid4().hex[:6]}"
        modes = modes if modes is not None else self.resolver.plan(scenario)
        state = ScenarioState(
            scenario=scenario, namespace=namespace, modes=modes, observer=observer
        )
        if scenario.isolation is IsolationEnum.PRIVATE:
            state.private = PrivateStack(namespace, self.options.backend, settings=scenario.servers)
        outcome, message = OutcomeEnum.PASSED, ""
        token = current_correlation_id.set(correlation)
        ns_token = current_namespace.set(namespace)
        interrupted = False
        try:
            await self.interrupt.guard(self._body(state, loaded.path))
        except Interrupted as stop:
            interrupted = True
            outcome, message = OutcomeEnum.ERROR, str(stop)
        except ScenarioStop as stop:
            outcome, message = stop.outcome, str(stop)
            if isinstance(stop, PreconditionStop):
                state.preconditions = stop.result
        except StepFailure as failure:
            outcome, message = OutcomeEnum.FAILED, str(failure)
        except (OnexToolError, OSError, TimeoutError) as exc:
            outcome, message = OutcomeEnum.ERROR, f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # noqa: BLE001 - one scenario's surprise must not end the run
            outcome, message = OutcomeEnum.ERROR, f"unexpected {type(exc).__name__}: {exc}"
        finally:
            cleanup = await self._wind_up(state, outcome)
            current_correlation_id.reset(token)
            current_namespace.reset(ns_token)
        outcome, message = state.settled(outcome, message, cleanup.summary)
        if state.app is not None and outcome is OutcomeEnum.PASSED:
            state.app.discard_log()  # kept, and its tail shown, only when the scenario failed
        watch = state.watch
        return ModelScenarioResult(
            name=scenario.name,
            path=str(loaded.path),
            tier=state.modes.tier.value,
            declared_tier=state.modes.declared_tier.value,
            modes=state.modes.as_dict(),
            outcome=outcome,
            message=message,
            correlation_id=correlation,
            namespace=namespace,
            duration_ms=(time.perf_counter() - started) * 1000,
            preconditions=state.preconditions,
            tools=[record.model_dump(mode="json") for record in state.audit()],
            steps=state.steps,
            expectations=state.expectations,
            leftovers=[*cleanup.problems, *cleanup.leftovers],
            faults=[record.model_dump(mode="json") for record in state.faults.records],
            interrupted=interrupted,
            log_tail=(state.log_tail or self._log_tail(state))
            if outcome is not OutcomeEnum.PASSED
            else "",
            metadata=dict(scenario.metadata),
            state=watch.record() if watch is not None else {},
            warnings=watch.warnings if watch is not None else [],
        )

    async def _wind_up(self, state: ScenarioState, outcome: OutcomeEnum) -> CleanupReport:
        """Heal the faults still on, clean the namespace up, stop a private stack. Faults
        first: a tool closing through a cut proxy would wait out its deadline, and a killed
        broker must be back before cleanup can talk to it (a restart may take longer than a
        cleanup step, hence the longer of the two deadlines)."""
        scenario, namespace = state.scenario, state.namespace
        janitor = ScenarioCleanup(
            namespace, cleanup_deadline(scenario, self.options.cleanup_timeout_s)
        )
        janitor.report.problems += await state.faults.heal_all(
            max(janitor.deadline, HEAL_DEADLINE_S)
        )
        if state.watch is not None:
            await state.watch.finish(state.failed(outcome), state.registry)
        cleanup = await janitor.run(state.registry, state.endpoints, remove=scenario.cleanup_after)
        if state.watch is not None:
            await state.watch.check_resources()
        if state.endpoints and not (scenario.cleanup_after and cleanup.summary):
            # Cleaned, or kept on purpose (cleanup_after: false): nothing to reclaim. A
            # cleanup that failed or timed out keeps the claim, for the reaper.
            self._held(state).release_namespace(namespace)
        if state.private is not None:
            state.log_tail = self._log_tail(state)  # the stack and its logs go now
            await state.private.close()
        return cleanup

    def _held(self, state: ScenarioState) -> RegistryExternalServiceManager:
        """The services of this scenario: its private stack's, else the run's shared ones."""
        return state.private.services if state.private is not None else self.services

    async def _body(self, state: ScenarioState, path: Path) -> None:
        # Before any service starts: a step no handler can run ends the scenario here.
        missing = plan_handlers(state.scenario, self.handlers)
        if missing:
            raise ScenarioStop(OutcomeEnum.ERROR, missing)
        await self._prepare(state)
        if state.observer is not None:
            state.observer.prepared(
                [r.model_dump(mode="json") for r in state.audit()],
                state.preconditions.model_dump(mode="json"),
            )
        await self._execute(state, path)

    async def _prepare(self, state: ScenarioState) -> None:
        scenario = state.scenario
        real = set(self.resolver.real_tool_services(state.modes))
        probes = self.probes
        if state.private is not None and real:
            await state.private.open()
            probes = state.private.probes
        state.preconditions, endpoints, fallbacks = await check_preconditions(
            probes, scenario, real, skip=self.options.skip_preconditions
        )
        if state.private is not None and endpoints:
            await state.private.apply_limits(scenario.limits, state.namespace)
        routed = await route_faulted(
            scenario, state.namespace, endpoints, self._held(state), self._services_lock
        )
        state.plan = self.resolver.resolve(
            scenario,
            plan=state.modes,
            namespace=state.namespace,
            endpoints=routed.endpoints,
            mock_fallbacks=fallbacks,
        )
        state.modes = state.plan.modes  # optional services that were down now say "unavailable"
        state.registry = self.resolver.build(state.plan)
        state.endpoints = {
            str(scenario.external_services[name].kind): endpoint
            for name, endpoint in endpoints.items()
            if name in state.plan.tools and state.plan.tools[name].mode == "real"
        }
        state.endpoints.update(routed.helpers)  # Toxiproxy: its janitor removes the proxies
        if state.endpoints:
            # Claimed before anything exists in it: a run killed from here on leaves a claim
            # the next start reclaims the namespace by.
            self._held(state).claim_namespace(state.namespace, state.endpoints)
            await self._held(state).mark_namespace(state.namespace, state.endpoints)
        await state.registry.connect_all()
        await create_resources(state.scenario.resources, state.require_registry())
        sql = real_sql_endpoint(scenario, state.require_registry(), state.endpoints)
        start = self.options.start
        records = start.records if start is not None else None
        seeded = await self.seeds.apply(
            scenario, state.require_registry(), state.namespace, sql, records
        )
        if state.endpoints:
            state.watch = StateWatch(
                self.state_readers,
                scenario,
                state.namespace,
                state.endpoints,
                deadline_s=cleanup_deadline(scenario, self.options.cleanup_timeout_s),
                server_memory=lambda: self._server_memory(state.endpoints),
            )
            state.watch.seeded = seeded
            state.watch.start_records = start_records(scenario) if records is None else records
            if start is not None:
                seeded["recorded_start"] = await state.watch.state.load(start.state)
            await state.watch.start()

    async def _execute(self, state: ScenarioState, path: Path) -> None:
        registry = state.require_registry()
        node = (
            instantiate_node(state.scenario.node, registry, path) if state.scenario.node else None
        )
        state.app = app_for_run(
            state.scenario,
            path,
            state.namespace,
            state.endpoints,
            stack=self._held(state).manager.paths if state.endpoints else None,
        )
        try:
            if state.app is not None:
                await state.app.start()
                self.live_apps[state.namespace] = LiveApp(state.app, self._held(state))
            await self._steps(state, registry, node)
        finally:
            self.live_apps.pop(state.namespace, None)
            if state.app is not None:
                await state.app.stop()

    async def _steps(self, state: ScenarioState, registry: BaseOnexRegistry, node: object) -> None:
        runner = StepRunner(
            state.scenario,
            registry,
            node,
            state.namespace,
            handlers=self.handlers,
            services=lambda: self._held(state),
            app=state.app,
            faults=state.faults,
            namespace_state=state.watch.state if state.watch is not None else None,
        )
        for step in state.scenario.steps:
            at_ms = state.elapsed_ms()
            result = await runner.run_step(step)
            state.faults.step_finished(step.id, result.outcome.value, at_ms, state.elapsed_ms())
            state.steps.append(result)
            state.tell(result, at_ms)
            if result.outcome is not OutcomeEnum.PASSED:
                return
        at_ms = state.elapsed_ms()
        for result in await runner.run_expectations():
            state.expectations.append(result)
            state.tell(result, at_ms)
            at_ms += result.duration_ms

    def _server_memory(self, kinds: dict[str, str]) -> dict[str, Any]:
        stack = self._services.manager.current() if self._services is not None else None
        records = stack.services if stack is not None else {}
        return server_memory({str(k): r for k, r in records.items() if str(k) in kinds})

    def _log_tail(self, state: ScenarioState, lines: int = 15) -> str:
        parts = [state.app.tail()] if state.app is not None else []
        held = state.private.services if state.private is not None else self._services
        if held is None or not state.endpoints:
            return "\n".join(parts)
        for kind in sorted(state.endpoints):
            try:
                log = Path(held.manager.log_path(ServiceKind(kind)))
                tail = log.read_text(errors="replace").splitlines()[-lines:]
            except (OSError, ValueError, KeyError, ServiceError):
                continue
            parts.append(f"--- {kind} log ({log}) ---\n" + "\n".join(tail))
        return "\n".join(parts)


async def run_all(
    scenarios: list[LoadedScenario], options: RunOptions
) -> list[ModelScenarioResult]:
    """Run scenarios in order with one runner (one lease on the services)."""
    runner = ScenarioRunner(options)
    try:
        return [await runner.run(loaded) for loaded in scenarios]
    finally:
        await runner.close()
