"""Checks that wait for something to hold: an event, rows, a key; and the top-level expectations.

The `expect_*` steps and the `expect:` items of the same kind share these functions. Each polls
(`onex_services.polling.wait_until`, on the context's clock) until its deadline and then raises
`StepFailure` with what it saw.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from onex_scenario import (
    ModelEventExpectation,
    ModelKeyExpectation,
    ModelOutputExpectation,
    ModelRowExpectation,
    match_value,
)
from onex_services.polling import every, wait_until

from onex_runner.redis_values import read_key
from onex_runner.step_api import ExpectationHandler, StepContext, StepFailure

_POLL_S = 0.25


async def await_event(spec: ModelEventExpectation, ctx: StepContext) -> dict[str, Any]:
    """The first event on `spec.topic` that matches, or `StepFailure` naming the closest miss."""
    bus = ctx.registry.event_bus
    within = ctx.timeout(ctx.registry.service_of(bus), "consume", spec.within)
    group = f"onex-expect-{uuid.uuid4().hex[:8]}"
    deadline = ctx.clock.monotonic() + within
    seen: list[dict[str, Any]] = []
    matched: list[dict[str, Any]] = []

    async def arrived() -> bool:
        # The consume call itself waits (up to a poll's length) for messages: no pause between.
        wait = max(0.0, min(_POLL_S, deadline - ctx.clock.monotonic()))
        for message in await bus.consume(spec.topic, group=group, max_messages=100, timeout_s=wait):
            event = {
                "topic": message.topic,
                "partition": message.partition,
                "offset": message.offset,
                "key": message.key,
                "value": message.value,
                "correlation_id": message.correlation_id,
            }
            seen.append(event)
            if not _event_problems(spec, event):
                matched.append(event)
                return True
        return False

    if await wait_until(arrived, within, pace=every(0.0), clock=ctx.clock):
        return matched[0]
    closest = "; ".join(_event_problems(spec, seen[-1])) if seen else "no event arrived"
    raise StepFailure(
        f"no event on {spec.topic!r} matched within {within:g}s "
        f"({len(seen)} seen; last: {closest})",
        actual=seen[-1] if seen else None,
    )


def _event_problems(spec: ModelEventExpectation, event: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if spec.key is not None and spec.key != event["key"]:
        problems.append(f"key: expected {spec.key!r}, got {event['key']!r}")
    wanted = spec.correlation_id
    if wanted is not None and wanted != event["correlation_id"]:
        problems.append(f"correlation_id: expected {wanted!r}, got {event['correlation_id']!r}")
    if spec.value is not None:
        problems += [str(m) for m in match_value(spec.value, event["value"], spec.match)]
    return problems


async def await_rows(spec: ModelRowExpectation, ctx: StepContext) -> list[dict[str, Any]]:
    """The rows of `spec.table` selected by `where`, once they match."""
    sql = ctx.registry.sql_store
    table = _identifier(spec.table)
    clause = " AND ".join(f"{_identifier(k)} = ${i}" for i, k in enumerate(spec.where, 1))
    query = f"SELECT * FROM {table}" + (f" WHERE {clause}" if clause else "")
    rows: list[dict[str, Any]] = []
    problems: list[str] = []

    async def matches() -> bool:
        nonlocal rows, problems
        rows = await sql.fetch(query, *spec.where.values())
        problems = _row_problems(spec, rows)
        return not problems

    if await wait_until(matches, spec.within or 0, pace=every(_POLL_S), clock=ctx.clock):
        return rows
    raise StepFailure(f"table {spec.table} where {spec.where}: " + "; ".join(problems), actual=rows)


def _row_problems(spec: ModelRowExpectation, rows: list[dict[str, Any]]) -> list[str]:
    if spec.count is not None and len(rows) != spec.count:
        return [f"expected {spec.count} row(s), found {len(rows)}"]
    if spec.equals is None:
        return [] if rows or spec.count == 0 else ["no row found"]
    if not rows:
        return ["no row found"]
    return [str(m) for m in match_value(spec.equals, rows[0], spec.match)]


async def await_key(spec: ModelKeyExpectation, ctx: StepContext) -> Any:
    """The value of `spec.key` (as expectations compare it), once it matches."""
    kv = ctx.registry.kv_store
    value: Any = None
    problems: list[str] = []

    async def matches() -> bool:
        nonlocal value, problems
        exists, value = await read_key(kv, spec.key)
        ttl = await kv.ttl(spec.key) if exists and spec.ttl is not None else None
        problems = _key_problems(spec, exists, value, ttl)
        return not problems

    if await wait_until(matches, spec.within or 0, pace=every(_POLL_S), clock=ctx.clock):
        return value
    raise StepFailure(f"key {spec.key!r}: " + "; ".join(problems), actual=value)


def _key_problems(
    spec: ModelKeyExpectation, exists: bool, value: Any, ttl: float | None
) -> list[str]:
    if not spec.exists:
        return [f"expected no key, found {json.dumps(value)}"] if exists else []
    if not exists:
        return ["the key does not exist"]
    problems: list[str] = []
    if spec.value is not None:
        problems += [str(m) for m in match_value(spec.value, value, spec.match)]
    if spec.ttl is not None:
        problems += [f"ttl: {m}" for m in match_value(spec.ttl, ttl, spec.match)]
    return problems


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class OutputExpectation(ExpectationHandler[ModelOutputExpectation]):
    """The return value of an earlier `call` step must match."""

    kind = "output"
    model = ModelOutputExpectation

    async def check(self, spec: ModelOutputExpectation, ctx: StepContext) -> Any:
        if spec.step not in ctx.outputs:
            raise StepFailure(f"step {spec.step!r} has no output (did it run?)")
        actual = ctx.outputs[spec.step].get("output")
        mismatches = match_value(spec.value, actual, spec.match)
        if mismatches:
            raise StepFailure("; ".join(str(m) for m in mismatches), actual=actual)
        return actual


class EventExpectation(ExpectationHandler[ModelEventExpectation]):
    kind = "event"
    model = ModelEventExpectation

    async def check(self, spec: ModelEventExpectation, ctx: StepContext) -> Any:
        return await await_event(spec, ctx)


class RowExpectation(ExpectationHandler[ModelRowExpectation]):
    kind = "row"
    model = ModelRowExpectation

    async def check(self, spec: ModelRowExpectation, ctx: StepContext) -> Any:
        return await await_rows(spec, ctx)


class KeyExpectation(ExpectationHandler[ModelKeyExpectation]):
    kind = "key"
    model = ModelKeyExpectation

    async def check(self, spec: ModelKeyExpectation, ctx: StepContext) -> Any:
        return await await_key(spec, ctx)
