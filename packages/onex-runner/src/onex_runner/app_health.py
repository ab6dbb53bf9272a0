"""The app under test in the run's health rounds: a node under the services it depends on.

The event stream samples the services the run holds once a second (`events.sample`); each app
that runs then gets a `health` event too, its `depends_on` the kinds it needs. Its health is the
chain: its own readiness probe asked once (while its process runs), and everything under it, by
the kinds' edges and by its scenario's own (`external_services.<name>.depends_on`). A
dependency that died during the run makes the app unhealthy with the chain named, e.g.
`unusable: depends on kafka (unhealthy: not running)`, although the app itself still answers;
so the dashboard draws it down.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from onex_services.catalog import kind_graph
from onex_services.chain import UNUSABLE, broken_link
from onex_services.graph import DependencyCycleError, ServiceGraph
from onex_services.models import HealthResult, HealthStatus

from onex_runner.app_process import AppUnderTest
from onex_runner.held_services import RegistryExternalServiceManager


@dataclass(frozen=True)
class LiveApp:
    """An app that runs now and the manager of the stack its services come from."""

    app: AppUnderTest
    held: RegistryExternalServiceManager


def app_nodes(apps: Sequence[LiveApp]) -> dict[str, LiveApp]:
    """The apps by node name: their own name, or name@namespace when two share one."""
    counts: dict[str, int] = {}
    for live in apps:
        counts[live.app.spec.name] = counts.get(live.app.spec.name, 0) + 1
    return {
        (
            live.app.spec.name
            if counts[live.app.spec.name] == 1
            else f"{live.app.spec.name}@{live.app.namespace}"
        ): live
        for live in apps
    }


async def app_round(
    apps: Sequence[LiveApp],
    shared: RegistryExternalServiceManager | None,
    found: Sequence[HealthResult],
) -> tuple[list[HealthResult], dict[str, tuple[str, ...]]]:
    """The whole round with the apps in it: `found` (the shared stack's round) with the apps'
    scenario edges applied, then a result per app (its chain over its stack's round: the shared
    one, or its private stack's, probed here once per stack); and the edges that are not the
    kinds' own, by node."""
    rounds: dict[int, dict[str, HealthResult]] = {}
    edges: dict[str, set[str]] = {}
    for live in apps:
        if shared is not None and live.held is shared:
            for kind, deps in live.app.edges.items():
                edges.setdefault(kind, set(kind_graph().needs.get(kind, ()))).update(deps)
    needs = {kind: tuple(sorted(deps)) for kind, deps in edges.items()}
    services = _with_edges({str(r.kind): r for r in found}, ServiceGraph(needs))
    if shared is not None:
        rounds[id(shared)] = services
    results: list[HealthResult] = []
    for name, live in app_nodes(apps).items():
        if id(live.held) not in rounds:
            probed = await live.held.health_round()
            rounds[id(live.held)] = {str(result.kind): result for result in probed}
        needs[name] = live.app.depends_on
        results.append(await app_health(name, live.app, rounds[id(live.held)]))
    return [*services.values(), *results], needs


async def app_health(
    name: str, app: AppUnderTest, services: Mapping[str, HealthResult]
) -> HealthResult:
    """The app's health as a chain: unusable when a service under it is, else its own probe."""
    started = time.perf_counter()
    graph = ServiceGraph({**app.edges, name: app.depends_on})
    chained = _with_edges(services, graph)
    reason = broken_link(name, chained, graph)
    if reason is not None:
        error: str | None = f"{UNUSABLE} {reason.removeprefix('depends on').strip()}"
    else:
        error = await app.probe()
    return HealthResult(
        kind=name,
        endpoint=app.base_url,
        status=HealthStatus.UNHEALTHY if error else HealthStatus.HEALTHY,
        latency_ms=(time.perf_counter() - started) * 1000,
        attempts=0 if reason is not None else 1,
        error=error,
    )


def _with_edges(
    services: Mapping[str, HealthResult], graph: ServiceGraph
) -> dict[str, HealthResult]:
    """`services` with the scenario's own edges applied: a service whose dependency (by the
    scenario) is broken is unusable too (the stack's round knows only the kinds' edges)."""
    chained = dict(services)
    try:
        waves = graph.layers([kind for kind in graph.needs if kind in services])
    except DependencyCycleError:  # edges of two scenarios that make a ring: left out
        return chained
    for wave in waves:
        for kind in wave:
            reason = broken_link(kind, chained, graph)
            if reason is not None and chained[kind].healthy:  # else it says why itself
                chained[kind] = chained[kind].model_copy(
                    update={
                        "status": HealthStatus.UNHEALTHY,
                        "error": f"{UNUSABLE} {reason.removeprefix('depends on').strip()}",
                    }
                )
    return chained
