"""How a compose stack starts in dependency order, with kinds that have no compose service.

A stack starts wave by wave (`ServiceGraph.layers`): each wave's containers in one `compose up`,
and its kinds without a compose fragment as processes of the stack beside them (the process
backend's starter, ledger and reaping; their records say `backend: process`). Before a wave,
what it depends on among the servers this start brought up is deep-probed, as the process
backend does (`ordered`): a worker pointed at a broker that cannot serve yet would fail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from onex_services.backends.process import ProcessBackend
from onex_services.catalog import dependency_urls, kind_graph, kind_spec
from onex_services.errors import ServiceStartError
from onex_services.health import HealthChecker
from onex_services.models import ServiceKind, ServiceRecord
from onex_services.settings import start_timeout_s


def split_kinds(kinds: Sequence[ServiceKind]) -> tuple[list[ServiceKind], list[ServiceKind]]:
    """`kinds` as (those with a compose service, those that run as processes beside it)."""
    return (
        [kind for kind in kinds if kind_spec(kind).compose is not None],
        [kind for kind in kinds if kind_spec(kind).compose is None],
    )


def beside(record: ServiceRecord) -> bool:
    """The record is of a process beside the containers (the process backend's record)."""
    return record.backend == ProcessBackend.name


async def probe_dependencies(
    wave: Sequence[ServiceKind],
    started: Mapping[ServiceKind, ServiceRecord],
    stack: Mapping[ServiceKind, ServiceRecord],
) -> None:
    """Deep-probe what `wave` depends on among the servers this start brought up (the stack's
    running ones are healthy already): a worker pointed at a broker that cannot serve yet
    would fail. What it needs and nothing of the stack provides is refused by name."""
    graph = kind_graph()
    missing = [
        (kind, dep) for kind in wave for dep in graph.needs.get(kind, ()) if dep not in stack
    ]
    if missing:
        kind, dep = missing[0]
        raise ServiceStartError(
            f"{kind} depends on {dep}, which is not in the stack",
            fix=f"start them together: `onex services start {kind}` adds what it needs",
        )
    needed = sorted({dep for kind in wave for dep in graph.needs.get(kind, ()) if dep in started})
    checker = HealthChecker()
    try:
        for dep in needed:
            result = await checker.check(
                started[dep].endpoint,
                timeout_s=start_timeout_s(),
                use_cache=False,
                dependencies=dependency_urls(dep, stack),
            )
            if not result.healthy:
                raise ServiceStartError(
                    f"{dep} did not become healthy, so what depends on it was not started",
                    cause=result.error,
                    log_path=started[dep].log_path,
                )
    finally:
        await checker.close()
