"""Running steps and expectations of one scenario against its registry and node.

Every step gets its own correlation id (a publish may fix one); async node methods are awaited,
sync ones run in a worker thread so the event loop is never blocked.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
import uuid
from typing import Any

from onex_registry import BaseOnexRegistry, OnexToolError
from onex_scenario import ScenarioConfigModel, match_value, resolve_references
from onex_scenario.errors import ReferenceResolutionError

from onex_runner.context import current_correlation_id
from onex_runner.redis_values import read_key
from onex_runner.results import ModelStepResult, OutcomeEnum

_POLL_S = 0.25


class StepFailure(Exception):
    """An expectation did not hold: the message says expected against actual.

    `actual` is what was found, when there is one, so a report can show it beside the expected
    value (as a diff)."""

    def __init__(self, message: str, actual: Any = None) -> None:
        super().__init__(message)
        self.actual = actual


class StepRunner:
    def __init__(
        self,
        scenario: ScenarioConfigModel,
        registry: BaseOnexRegistry,
        node: object | None,
        namespace: str,
    ) -> None:
        self.scenario = scenario
        self.registry = registry
        self.node = node
        self.namespace = namespace
        self.outputs: dict[str, dict[str, Any]] = {}

    def _timeout(self, service: str, field: str, given: float | None) -> float:
        if given is not None:
            return given
        return float(getattr(self.scenario.timeouts(service), field))

    async def run_step(self, step: Any) -> ModelStepResult:
        data = step.model_dump(mode="json", by_alias=True, exclude={"id", "description", "timeout"})
        action = next(iter(data))
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
        try:
            # A call's arguments sit beside its method name; other actions nest their spec.
            spec = resolve_references(data if action == "call" else data[action], self.outputs)
            result.input = spec
            timeout = self._timeout("default", "step", step.timeout)
            output = await asyncio.wait_for(self._dispatch(action, spec, correlation), timeout)
            result.correlation_id = str(output.get("correlation_id", correlation))
            result.output = output.get("output")
            result.events = output.get("events", [])
            self.outputs[step.id] = {**output, "correlation_id": result.correlation_id}
        except StepFailure as failure:
            result.outcome, result.message = OutcomeEnum.FAILED, f"step {step.id}: {failure}"
            result.output = failure.actual
        except ReferenceResolutionError as exc:
            result.outcome, result.message = OutcomeEnum.ERROR, f"step {step.id}: {exc}"
        except TimeoutError:
            result.outcome = OutcomeEnum.FAILED
            result.message = f"step {step.id}: no result within {timeout:g}s"
        except Exception as exc:  # noqa: BLE001 - the node under test may raise anything
            # This is the boundary around user code: every exception becomes the step's error,
            # with its type, so the scenario fails visibly instead of crashing the run.
            result.outcome = OutcomeEnum.ERROR
            result.message = f"step {step.id}: {type(exc).__name__}: {exc}"
        finally:
            current_correlation_id.reset(token)
        result.duration_ms = (time.perf_counter() - started) * 1000
        return result

    async def _dispatch(self, action: str, spec: Any, correlation: str) -> dict[str, Any]:
        if action == "call":
            return {"output": await self._call(spec), "correlation_id": correlation}
        if action == "publish":
            return await self._publish(spec, correlation)
        if action == "expect_event":
            return await self._expect_event(spec)
        if action == "expect_row":
            return {"output": await self._expect_row(spec)}
        if action == "expect_key":
            return {"output": await self._expect_key(spec)}
        if action == "wait":
            await asyncio.sleep(float(spec))
            return {}
        raise OnexToolError(f"{action} steps are not supported by this runner yet")

    async def _call(self, spec: dict[str, Any]) -> Any:
        if self.node is None:
            raise OnexToolError("a call step needs `node:` in the scenario")
        method = getattr(self.node, spec["call"], None)
        if method is None or not callable(method):
            raise OnexToolError(f"node {type(self.node).__name__} has no method {spec['call']!r}")
        args, kwargs = spec.get("args", []), spec.get("kwargs", {})
        if inspect.iscoroutinefunction(method):
            return await method(*args, **kwargs)
        # A sync method may block (I/O, sleep): keep it off the event loop.
        result = await asyncio.to_thread(method, *args, **kwargs)
        if inspect.isawaitable(result):
            raise OnexToolError(
                f"{spec['call']} is declared sync but returned an awaitable: an async/sync mismatch"
            )
        return result

    async def _publish(self, spec: dict[str, Any], correlation: str) -> dict[str, Any]:
        correlation = spec.get("correlation_id") or correlation
        sent = await self.registry.event_bus.publish(
            spec["topic"],
            spec.get("value"),
            key=spec.get("key"),
            headers=spec.get("headers") or None,
            correlation_id=correlation,
        )
        return {
            "output": sent.as_dict(),
            "correlation_id": sent.correlation_id,
            "partition": sent.partition,
            "offset": sent.offset,
        }

    async def _expect_event(self, spec: dict[str, Any]) -> dict[str, Any]:
        bus = self.registry.event_bus
        within = self._timeout("kafka", "consume", spec.get("within"))
        group = f"onex-expect-{uuid.uuid4().hex[:8]}"
        deadline = time.monotonic() + within
        seen: list[dict[str, Any]] = []
        while True:
            wait = max(0.0, min(_POLL_S, deadline - time.monotonic()))
            for message in await bus.consume(
                spec["topic"], group=group, max_messages=100, timeout_s=wait
            ):
                event = {
                    "topic": message.topic,
                    "partition": message.partition,
                    "offset": message.offset,
                    "key": message.key,
                    "value": message.value,
                    "correlation_id": message.correlation_id,
                }
                seen.append(event)
                if not self._event_problems(spec, event):
                    return {"output": event, "events": [event], **event}
            if time.monotonic() >= deadline:
                break
        closest = "; ".join(self._event_problems(spec, seen[-1])) if seen else "no event arrived"
        raise StepFailure(
            f"no event on {spec['topic']!r} matched within {within:g}s "
            f"({len(seen)} seen; last: {closest})",
            actual=seen[-1] if seen else None,
        )

    @staticmethod
    def _event_problems(spec: dict[str, Any], event: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        if spec.get("key") is not None and spec["key"] != event["key"]:
            problems.append(f"key: expected {spec['key']!r}, got {event['key']!r}")
        wanted = spec.get("correlation_id")
        if wanted is not None and wanted != event["correlation_id"]:
            problems.append(f"correlation_id: expected {wanted!r}, got {event['correlation_id']!r}")
        if "value" in spec and spec["value"] is not None:
            problems += [str(m) for m in match_value(spec["value"], event["value"], spec["match"])]
        return problems

    async def _expect_row(self, spec: dict[str, Any]) -> list[dict[str, Any]]:
        sql = self.registry.sql_store
        table = _identifier(spec["table"])
        where = spec.get("where") or {}
        clause = " AND ".join(f"{_identifier(k)} = ${i}" for i, k in enumerate(where, 1))
        query = f"SELECT * FROM {table}" + (f" WHERE {clause}" if clause else "")
        deadline = time.monotonic() + (spec.get("within") or 0)
        while True:
            rows = await sql.fetch(query, *where.values())
            problems = self._row_problems(spec, rows)
            if not problems:
                return rows
            if time.monotonic() >= deadline:
                raise StepFailure(
                    f"table {spec['table']} where {where}: " + "; ".join(problems), actual=rows
                )
            await asyncio.sleep(_POLL_S)

    @staticmethod
    def _row_problems(spec: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
        if spec.get("count") is not None and len(rows) != spec["count"]:
            return [f"expected {spec['count']} row(s), found {len(rows)}"]
        if spec.get("equals") is None:
            return [] if rows or spec.get("count") == 0 else ["no row found"]
        if not rows:
            return ["no row found"]
        return [str(m) for m in match_value(spec["equals"], rows[0], spec["match"])]

    async def _expect_key(self, spec: dict[str, Any]) -> Any:
        kv = self.registry.kv_store
        deadline = time.monotonic() + (spec.get("within") or 0)
        while True:
            exists, value = await read_key(kv, spec["key"])
            ttl = await kv.ttl(spec["key"]) if exists and spec.get("ttl") is not None else None
            problems = self._key_problems(spec, exists, value, ttl)
            if not problems:
                return value
            if time.monotonic() >= deadline:
                raise StepFailure(f"key {spec['key']!r}: " + "; ".join(problems), actual=value)
            await asyncio.sleep(_POLL_S)

    @staticmethod
    def _key_problems(
        spec: dict[str, Any], exists: bool, value: Any, ttl: float | None
    ) -> list[str]:
        if not spec.get("exists", True):
            return [f"expected no key, found {json.dumps(value)}"] if exists else []
        if not exists:
            return ["the key does not exist"]
        problems: list[str] = []
        if spec.get("value") is not None:
            problems += [str(m) for m in match_value(spec["value"], value, spec["match"])]
        if spec.get("ttl") is not None:
            found = match_value(spec["ttl"], ttl, spec["match"])
            problems += [f"ttl: {m}" for m in found]
        return problems

    async def run_expectations(self) -> list[ModelStepResult]:
        results: list[ModelStepResult] = []
        for index, item in enumerate(self.scenario.expect):
            data = item.model_dump(mode="json", by_alias=True)
            kind = next(iter(data))
            started = time.perf_counter()
            result = ModelStepResult(
                id=f"expect[{index}]",
                action=kind,
                outcome=OutcomeEnum.PASSED,
                correlation_id=current_correlation_id.get() or "",
                duration_ms=0.0,
            )
            try:
                spec = resolve_references(data[kind], self.outputs)
                result.input = spec
                result.output = await self._expectation(kind, spec)
            except StepFailure as failure:
                result.outcome, result.message = (
                    OutcomeEnum.FAILED,
                    f"expect[{index}] {kind}: {failure}",
                )
                result.output = failure.actual
            except (OnexToolError, ReferenceResolutionError, LookupError, ValueError) as exc:
                result.outcome, result.message = OutcomeEnum.ERROR, f"expect[{index}] {kind}: {exc}"
            result.duration_ms = (time.perf_counter() - started) * 1000
            results.append(result)
        return results

    async def _expectation(self, kind: str, spec: Any) -> Any:
        if kind == "output":
            step = spec["step"]
            if step not in self.outputs:
                raise StepFailure(f"step {step!r} has no output (did it run?)")
            actual = self.outputs[step].get("output")
            mismatches = match_value(spec["value"], actual, spec["match"])
            if mismatches:
                raise StepFailure("; ".join(str(m) for m in mismatches), actual=actual)
            return actual
        if kind == "event":
            return (await self._expect_event(spec))["output"]
        if kind == "row":
            return await self._expect_row(spec)
        return await self._expect_key(spec)


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
