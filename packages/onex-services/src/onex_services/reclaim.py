"""Reclaiming orphaned namespaces: each kind's janitor cleans the namespace of a dead run.

The janitors are those of `namespaces` (exact prefix or exact schema name, never a substring).
Each one gets a deadline: a start must not hang on a broker that does not answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from onex_services.claims import NamespaceClaim, NamespaceClaims, target_of
from onex_services.models import ServiceEndpoint, ServiceKind
from onex_services.namespaces import cleanup_namespace
from onex_services.ports import port_accepts

JANITOR_TIMEOUT_S = 10.0


async def reclaim_orphans(
    claims: NamespaceClaims,
    endpoints: Mapping[ServiceKind, ServiceEndpoint],
    *,
    timeout_s: float = JANITOR_TIMEOUT_S,
) -> list[str]:
    """Clean the namespaces of runs that are provably gone on the services in `endpoints`, and
    drop their claims; one line per namespace reclaimed or left for later."""
    lines: list[str] = []
    for claim in claims.orphans():
        done = True
        for kind, target in sorted(claim.targets.items()):
            line, finished = await _reclaim_on(claim, kind, target, endpoints.get(kind), timeout_s)
            done = done and finished
            if line:
                lines.append(line)
        if done:
            claims.release(claim.namespace)
    return lines


async def _reclaim_on(
    claim: NamespaceClaim,
    kind: ServiceKind,
    target: str,
    endpoint: ServiceEndpoint | None,
    timeout_s: float,
) -> tuple[str, bool]:
    """Clean `claim`'s namespace on one service; say what happened and whether it is done."""
    namespace = claim.namespace
    if endpoint is None or target_of(endpoint) != target:
        host, _, port = target.rpartition(":")
        if port.isdigit() and port_accepts(host, int(port)):
            return (
                f"namespace {namespace}: {kind} at {target} is not in use here; left",
                False,
            )
        return "", True  # nothing listens there any more: the namespace went with its server
    try:
        removed = await asyncio.wait_for(
            cleanup_namespace(namespace, {kind: endpoint.url}), timeout_s
        )
    except Exception as exc:  # noqa: BLE001 - one namespace's failure must not stop a start
        return (
            f"namespace {namespace}: {kind} janitor failed: {type(exc).__name__}: {exc}",
            False,
        )
    return (
        f"reclaimed namespace {namespace} on {kind} ({len(removed)} left by a dead run)",
        True,
    )
