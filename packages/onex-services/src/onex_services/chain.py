"""Health as a chain: a service is usable only when it and everything under it probe healthy.

A stack's services are probed in dependency waves (see `graph.ServiceGraph.layers`): a
dependant is probed only when all it depends on passed (its probe may need them: Kafka Connect
reads its records back from Kafka), otherwise it is unusable without a probe, and the result
names the chain down to the first broken link:

    connect unusable: depends on kafka (unhealthy: probe produce timed out after 5 s)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence

from onex_scenario.redaction import redact_url

from onex_services.catalog import kind_graph
from onex_services.graph import ServiceGraph
from onex_services.models import (
    HealthResult,
    HealthStatus,
    RunState,
    ServiceEndpoint,
    ServiceKind,
    ServiceStatus,
)

CheckOne = Callable[[ServiceEndpoint, Mapping[ServiceKind, str]], Awaitable[HealthResult]]
UNUSABLE = "unusable: depends on"


def broken_link(
    kind: ServiceKind,
    results: Mapping[ServiceKind, HealthResult],
    graph: ServiceGraph,
) -> str | None:
    """Why `kind` cannot be used although its own probe may pass: the chain to the first
    dependency that is unhealthy, e.g. `depends on kafka (unhealthy: ...)`; None when all of
    what it depends on (that was checked) is healthy."""
    for dep in graph.needs.get(kind, ()):
        result = results.get(dep)
        if result is None:
            continue
        if result.error and result.error.startswith(UNUSABLE):
            # The dependency is itself unusable because of one further down: name the chain.
            return f"depends on {dep} -> {result.error.removeprefix(UNUSABLE).strip()}"
        if not result.healthy:
            return f"depends on {dep} ({result.status.value}: {result.error or 'no reason given'})"
    return None


def unusable_message(kind: ServiceKind, result: HealthResult) -> str:
    """`<kind> unusable: depends on ...` or `<kind> unhealthy: <error>`, for people."""
    error = result.error or "no reason given"
    if error.startswith(UNUSABLE):
        return f"{kind} {error}"
    return f"{kind} {result.status.value}: {error}"


async def check_in_chain(
    endpoints: Sequence[ServiceEndpoint],
    check_one: CheckOne,
    graph: ServiceGraph | None = None,
    known: Mapping[ServiceKind, HealthResult] | None = None,
) -> dict[ServiceKind, HealthResult]:
    """Probe `endpoints` wave by wave; a dependant of an unhealthy service is not probed but
    reported unusable with the chain. `check_one(endpoint, dependencies)` probes one; `known`
    are results found without a probe (a service that is not running), which count as
    dependencies but are not returned."""
    graph = graph or kind_graph()
    by_kind = {endpoint.kind: endpoint for endpoint in endpoints}
    results: dict[ServiceKind, HealthResult] = dict(known or {})
    for wave in graph.layers(by_kind):
        probed: list[ServiceKind] = []
        for kind in wave:
            reason = broken_link(kind, results, graph)
            if reason is not None:
                results[kind] = unprobed(kind, by_kind[kind].url, _unusable_error(reason))
            else:
                probed.append(kind)
        found = await asyncio.gather(
            *(
                check_one(
                    by_kind[kind],
                    {dep: by_kind[dep].url for dep in graph.needs.get(kind, ()) if dep in by_kind},
                )
                for kind in probed
            )
        )
        results.update(zip(probed, found, strict=True))
    return {kind: result for kind, result in results.items() if kind in by_kind}


def unprobed(kind: ServiceKind, url: str, error: str) -> HealthResult:
    """The result of a service found unhealthy without a probe (down, or its chain broken)."""
    return HealthResult(
        kind=kind,
        endpoint=redact_url(url),
        status=HealthStatus.UNHEALTHY,
        latency_ms=0.0,
        attempts=0,
        error=error,
    )


def _unusable_error(reason: str) -> str:
    """`unusable: depends on <chain>` for `broken_link`'s reason."""
    return f"{UNUSABLE} {reason.removeprefix('depends on').strip()}"


def chained_rows(
    rows: Sequence[ServiceStatus], graph: ServiceGraph | None = None
) -> list[ServiceStatus]:
    """Status rows with the chain applied: a service whose dependency is down (or, after a
    deep probe, unhealthy) is marked down too, with `blocked_by` naming the chain."""
    graph = graph or kind_graph()
    by_kind = {row.kind: row for row in rows}
    done: dict[ServiceKind, ServiceStatus] = {}
    for wave in graph.layers(by_kind):
        for kind in wave:
            row = by_kind[kind]
            reason = _row_link(kind, done, graph)
            update: dict[str, object] = {"depends_on": graph.needs.get(kind, ())}
            if reason is not None:
                update.update(state=RunState.DOWN, blocked_by=reason)
                if row.health is not None:  # its own probe could not tell: name the chain
                    update["health"] = row.health.model_copy(
                        update={
                            "status": HealthStatus.UNHEALTHY,
                            "error": _unusable_error(reason),
                        }
                    )
            done[kind] = row.model_copy(update=update)
    return [done[row.kind] for row in rows]


def _row_link(
    kind: ServiceKind, rows: Mapping[ServiceKind, ServiceStatus], graph: ServiceGraph
) -> str | None:
    for dep in graph.needs.get(kind, ()):
        row = rows.get(dep)
        if row is None:
            continue
        if row.blocked_by is not None:
            return f"depends on {dep} -> {row.blocked_by.removeprefix('depends on').strip()}"
        if row.state is RunState.DOWN:
            return f"depends on {dep} (down)"
        if row.health is not None and not row.health.healthy:
            return f"depends on {dep} (unhealthy: {row.health.error or 'no reason given'})"
    return None
