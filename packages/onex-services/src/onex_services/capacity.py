"""The capacity check before a run: would the run exceed a server's connection limit or the
cluster's partitions? One warning line per limit it would exceed; the run goes on (a limit may be
generous in practice, and only the operator can raise it).

Each kind says what a run takes of its servers (`KindSpec.capacity`: PostgreSQL connections,
Redis clients, Kafka partitions) and how to read the limit and what is in use now; nothing here
names a kind. The check reads only servers that already run (a managed stack that is up, or
servers given in the environment), so it never starts anything, and a server it cannot read is
one line saying so, not a failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from onex_scenario.redaction import redact_url

from onex_services.catalog import kind_spec
from onex_services.kinds.hooks import ServerCapacity
from onex_services.models import ServiceKind

READ_TIMEOUT_S = 15.0


def verdict(
    kind: ServiceKind, url: str, capacity: ServerCapacity, needed: int, workers: int
) -> str | None:
    """The warning when `needed` more would go past the limit (None: it fits)."""
    if capacity.limit is None or capacity.in_use + needed <= capacity.limit:
        return None
    free = max(0, capacity.limit - capacity.in_use)
    return (
        f"warning: capacity of {kind} at {redact_url(url)}: this run may take {needed} "
        f"{capacity.what} ({workers} scenario(s) at once), but only {free} of "
        f"{capacity.limit} are free ({capacity.in_use} in use; limit: {capacity.source}); "
        "lower -n, or raise the limit"
    )


async def _one(kind: ServiceKind, url: str, workers: int, scenarios: Sequence[Any]) -> str | None:
    spec = kind_spec(kind).capacity
    if spec is None or not scenarios:
        return None
    needed = spec.need(workers, scenarios)
    reader = spec.reader(url)
    try:
        capacity = await asyncio.wait_for(reader.read(), READ_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - a server it cannot read is reported, not fatal
        return f"note: capacity of {kind} not checked: {type(exc).__name__}: {exc}"
    finally:
        await reader.close()
    return verdict(kind, url, capacity, needed, workers)


async def capacity_warnings(
    urls: Mapping[ServiceKind, str],
    workers: int,
    scenarios_by_kind: Mapping[ServiceKind, Sequence[Any]],
) -> list[str]:
    """One line per server of `urls` whose limit the run would exceed (or could not read),
    for a run of `workers` scenarios at once; `scenarios_by_kind` are the scenarios (models)
    that use each kind for real."""
    found = await asyncio.gather(
        *(
            _one(kind, url, workers, scenarios_by_kind.get(kind, ()))
            for kind, url in sorted(urls.items())
        )
    )
    return [line for line in found if line]
