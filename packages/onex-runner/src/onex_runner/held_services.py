"""The runner's hold on the services: "make these usable, give me endpoints", one lease.

`RegistryExternalServiceManager` is what the scenario runner (and its steps, through
`StepContext.services`) asks of onex-services' `ToolServiceManager`; it lives on the runner's
side, where it is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from onex_services.catalog import parse_kinds
from onex_services.errors import ServiceError
from onex_services.leases import KindsArg, Lease
from onex_services.manager import ToolServiceManager
from onex_services.mark_keeper import keeper
from onex_services.models import HealthResult, HealthStatus, ServiceEndpoint, ServiceKind
from onex_services.server_marks import marks_wanted
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from onex_services.kinds.toxiproxy.proxies import NamespaceProxies


class ServicesReport(BaseModel):
    """What `RegistryExternalServiceManager.check` found: endpoints of the healthy services,
    a health result for every service asked for, and an error message for each that failed."""

    model_config = ConfigDict(frozen=True)

    endpoints: dict[ServiceKind, ServiceEndpoint]
    health: dict[ServiceKind, HealthResult]
    errors: dict[ServiceKind, str] = Field(default_factory=dict)

    @property
    def all_healthy(self) -> bool:
        return not self.errors and all(result.healthy for result in self.health.values())


class RegistryExternalServiceManager:
    """What the scenario runner asks of the services: "make these usable, give me endpoints".

    It holds one lease on the shared stack for as long as it lives (`close()` releases it),
    adding services to it as scenarios ask for more. Endpoints are plain strings inside, ready to
    hand to `onex_registry`.
    """

    def __init__(self, manager: ToolServiceManager | None = None, *, label: str = "runner") -> None:
        self.manager = manager or ToolServiceManager()
        self._label = label
        self._leases: list[Lease] = []
        self.health: dict[ServiceKind, HealthResult] = {}
        self.proxies: dict[str, NamespaceProxies] = {}
        """The proxies of each namespace whose network faults go through them (see
        onex_runner.network_faults)."""

    async def ensure(self, kinds: KindsArg) -> dict[ServiceKind, ServiceEndpoint]:
        """Endpoints of healthy services; raises `ServiceError` (with cause and fix) otherwise."""
        lease = await self.manager.acquire(kinds, label=self._label)
        self._leases.append(lease)
        self.health.update(lease.health)
        return lease.endpoints

    async def check(self, kinds: KindsArg) -> ServicesReport:
        """Like `ensure`, but reports failures per service instead of raising."""
        wanted = parse_kinds(kinds if kinds is None or isinstance(kinds, str) else list(kinds))
        endpoints: dict[ServiceKind, ServiceEndpoint] = {}
        errors: dict[ServiceKind, str] = {}
        try:
            endpoints = await self.ensure(wanted)
        except ServiceError:
            # One failure should not hide which of the others work: ask one by one.
            for kind in wanted:
                try:
                    endpoints.update(await self.ensure([kind]))
                except ServiceError as exc:
                    errors[kind] = str(exc)
        health = {kind: self.health[kind] for kind in wanted if kind in self.health}
        for kind, message in errors.items():
            health[kind] = HealthResult(
                kind=kind,
                endpoint="",
                status=HealthStatus.UNHEALTHY,
                latency_ms=0.0,
                attempts=0,
                error=message.splitlines()[0],
            )
        return ServicesReport(endpoints=endpoints, health=health, errors=errors)

    def claim_namespace(self, namespace: str, kinds: Iterable[ServiceKind | str]) -> None:
        """Record this run as the owner of `namespace` on the services of `kinds` it holds, so
        that the namespace is reclaimed if the run dies before `release_namespace`."""
        wanted = {ServiceKind(kind) for kind in kinds}
        endpoints = {
            kind: endpoint
            for lease in self._leases
            for kind, endpoint in lease.endpoints.items()
            if kind in wanted
        }
        self.manager.claims.claim(namespace, endpoints.values(), label=self._label)

    async def mark_namespace(self, namespace: str, kinds: Iterable[ServiceKind | str]) -> None:
        """Where machines share the servers (`server_marks.marks_wanted`), write the
        namespace's marker on the servers of `kinds` it holds, and keep it renewed until
        `release_namespace`, so that no other machine's reaper takes it while the run lives."""
        if not marks_wanted():
            return
        wanted = {ServiceKind(kind) for kind in kinds}
        urls = {
            kind: endpoint.url
            for lease in self._leases
            for kind, endpoint in lease.endpoints.items()
            if kind in wanted
        }
        await keeper().hold_async(namespace, urls)

    def release_namespace(self, namespace: str) -> None:
        """The namespace was cleaned up (or is kept on purpose): nothing to reclaim."""
        keeper().let_go(namespace)
        self.manager.claims.release(namespace)
        self.proxies.pop(namespace, None)

    def details_of(self, kind: ServiceKind | str, host: str, port: int) -> dict[str, str]:
        """The details of the stack's record of `kind` when it is the server at `host:port`
        (empty for any other server, e.g. one a scenario's `connection:` names)."""
        state = self.manager.current()
        record = state.services.get(str(kind)) if state is not None else None
        if record is None or (record.host, record.port) != (host, port):
            return {}
        return dict(record.details)

    async def health_round(self) -> list[HealthResult]:
        """A deep probe of every service this manager holds."""
        return await self.manager.health()

    async def close(self) -> None:
        leases, self._leases = self._leases, []
        for lease in leases:
            await self.manager.release(lease)
