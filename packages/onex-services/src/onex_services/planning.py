"""Planning: which services are used where they already run and which the managed stack starts.

A service given in the environment is external; with backend `auto`, one found on its default
local port that passes a short deep probe is external too (one that fails is noted, not used);
every other service is managed (started in, or reused from, the stack).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from onex_services.backends import AUTO
from onex_services.backends.external import ExternalBackend, discover
from onex_services.catalog import kind_spec
from onex_services.envconfig import GivenEndpoint, given_endpoints
from onex_services.health import probe_once
from onex_services.models import ServiceKind, ServiceRecord
from onex_services.state import StateStore

DISCOVERY_PROBE_TIMEOUT_S = 2.0
EXTERNAL = "external"


@dataclass(frozen=True)
class ServicePlan:
    """Where each requested kind comes from, and why a discovered service was passed over."""

    external: dict[ServiceKind, GivenEndpoint] = field(default_factory=dict)
    managed: list[ServiceKind] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


async def plan_services(
    backend_name: str, kinds: Sequence[ServiceKind], store: StateStore
) -> ServicePlan:
    """Split `kinds` into external ones (given, or usable and discovered) and managed ones."""
    if backend_name == EXTERNAL:
        backend = ExternalBackend()
        backend.check_available(kinds)
        return ServicePlan(external=backend.endpoints(kinds))
    if backend_name != AUTO:
        return ServicePlan(managed=list(kinds))
    notes: list[str] = []
    external = {kind: ep for kind, ep in given_endpoints().items() if kind in kinds}
    state = store.load()
    ours = {record.port for record in state.services.values()} if state else set()
    candidates = {
        kind: ep
        for kind, ep in discover([kind for kind in kinds if kind not in external]).items()
        if ep.port not in ours
    }
    if candidates:
        checks = await probe_once(
            [external_record(ep).endpoint for ep in candidates.values()],
            timeout_s=DISCOVERY_PROBE_TIMEOUT_S,
        )
        for result in checks.values():
            ep = candidates[result.kind]
            if result.healthy:
                external[result.kind] = ep
            else:
                notes.append(
                    f"not using the {result.kind} on {ep.host}:{ep.port}: "
                    f"{result.error}; set {kind_spec(result.kind).env_var} to use it"
                )
    managed = [kind for kind in kinds if kind not in external]
    return ServicePlan(external=external, managed=managed, notes=notes)


def external_candidates(
    backend_name: str, kinds: Sequence[ServiceKind]
) -> dict[ServiceKind, GivenEndpoint]:
    """Services of `kinds` given in the environment, or (auto, external) found on their ports."""
    given = {kind: ep for kind, ep in given_endpoints().items() if kind in kinds}
    if backend_name in (AUTO, EXTERNAL):
        given.update(discover([kind for kind in kinds if kind not in given]))
    return given


def external_record(endpoint: GivenEndpoint) -> ServiceRecord:
    """A given or discovered endpoint as the record a managed service would have."""
    return ServiceRecord(
        kind=endpoint.kind,
        backend=EXTERNAL,
        host=endpoint.host,
        port=endpoint.port,
        url=endpoint.url,
        details={"source": endpoint.source},
    )
