"""Starting a stack's servers in dependency order: each as soon as what it needs is healthy.

Independent servers start at once, side by side, as they always did (a cold start of kafka,
postgres and redis is one wave); a dependant (Kafka Connect) starts the moment its dependencies
pass their deep probe, not after a whole wave. A dependency's health is probed here, before the
dependant starts, because a worker pointed at a broker that cannot yet serve would fail or
retry slowly; the manager's own health round after the start finds it healthy again at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence

from onex_services.catalog import kind_graph
from onex_services.errors import ServiceStartError
from onex_services.health import HealthChecker
from onex_services.models import ServiceKind, ServiceRecord

StartOne = Callable[[ServiceKind, Mapping[ServiceKind, ServiceRecord]], Awaitable[ServiceRecord]]
Alive = Callable[[ServiceRecord], bool]


async def start_in_order(
    kinds: Sequence[ServiceKind],
    start_one: StartOne,
    *,
    running: Mapping[ServiceKind, ServiceRecord],
    alive: Alive,
    health_timeout_s: float,
) -> dict[ServiceKind, asyncio.Task[ServiceRecord]]:
    """One task per kind, each started once its dependencies (started here or already
    `running`) are healthy; `start_one(kind, dependencies)` starts one server."""
    graph = kind_graph()
    tasks: dict[ServiceKind, asyncio.Task[ServiceRecord]] = {}
    healthy: dict[ServiceKind, asyncio.Task[ServiceRecord]] = {}
    checker = HealthChecker()

    async def healthy_record(kind: ServiceKind) -> ServiceRecord:
        record = await tasks[kind] if kind in tasks else running[kind]
        # Its own dependencies were healthy before it started (that is how it got started).
        under = {
            dep: (tasks[dep].result() if dep in tasks else running[dep]).url
            for dep in graph.needs.get(kind, ())
            if dep in tasks or dep in running
        }
        result = await checker.check(
            record.endpoint,
            timeout_s=health_timeout_s,
            use_cache=False,
            liveness=lambda: alive(record),
            dependencies=under,
        )
        if not result.healthy:
            raise ServiceStartError(
                f"{kind} did not become healthy, so what depends on it was not started",
                cause=result.error,
                log_path=record.log_path,
            )
        return record

    def needed(kind: ServiceKind) -> asyncio.Task[ServiceRecord]:
        if kind not in healthy:
            healthy[kind] = asyncio.ensure_future(healthy_record(kind))
        return healthy[kind]

    async def start(kind: ServiceKind) -> ServiceRecord:
        deps = [dep for dep in graph.needs.get(kind, ()) if dep in tasks or dep in running]
        missing = [dep for dep in graph.needs.get(kind, ()) if dep not in deps]
        if missing:
            raise ServiceStartError(
                f"{kind} depends on {', '.join(missing)}, which is not in the stack",
                fix=f"start them together: `onex services start {kind}` adds what it needs",
            )
        records = await asyncio.gather(*(needed(dep) for dep in deps))
        return await start_one(kind, dict(zip(deps, records, strict=True)))

    order = graph.closure(kinds)
    for kind in order:
        if kind in kinds:
            tasks[kind] = asyncio.ensure_future(start(kind))
    try:
        await asyncio.wait(tasks.values())
    finally:
        for probe in healthy.values():
            if not probe.done():
                probe.cancel()
        await asyncio.gather(*healthy.values(), return_exceptions=True)
        await checker.close()
    return tasks
