"""The external backend: services that already run, given by environment or found locally.

Given: each kind's endpoint variable, e.g. `ONEX_DB_URL` (see `envconfig`).
Discovered: a service answering on its kind's default port on 127.0.0.1, unless
`ONEX_DISCOVER=0`. The harness never stops or reaps an external service; isolation between runs
still comes from namespaces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from onex_services.catalog import kind_spec
from onex_services.envconfig import GivenEndpoint, given_endpoints
from onex_services.errors import BackendUnavailableError
from onex_services.models import ServiceKind, ServiceRecord
from onex_services.ports import LOOPBACK, port_accepts
from onex_services.settings import env_flag

DISCOVERED = "discovered"


def discover(kinds: Sequence[ServiceKind]) -> dict[ServiceKind, GivenEndpoint]:
    """Services answering on their default local ports (a TCP connect each, 0.2 s at most)."""
    if not env_flag("ONEX_DISCOVER", default=True):
        return {}
    found: dict[ServiceKind, GivenEndpoint] = {}
    for kind in kinds:
        spec = kind_spec(kind)
        if port_accepts(LOOPBACK, spec.default_port):
            url = spec.client_url(LOOPBACK, spec.default_port, None)
            found[kind] = GivenEndpoint(kind, LOOPBACK, spec.default_port, url, DISCOVERED)
    return found


class ExternalBackend:
    """Attach to endpoints that run already; stop nothing."""

    name = "external"
    manages_processes = False

    def __init__(self, endpoints: Mapping[ServiceKind, GivenEndpoint] | None = None) -> None:
        self._endpoints = dict(endpoints) if endpoints is not None else None

    def endpoints(self, kinds: Sequence[ServiceKind]) -> dict[ServiceKind, GivenEndpoint]:
        if self._endpoints is not None:
            return {kind: ep for kind, ep in self._endpoints.items() if kind in kinds}
        given = given_endpoints()
        missing = [kind for kind in kinds if kind not in given]
        given.update(discover(missing))
        return {kind: ep for kind, ep in given.items() if kind in kinds}

    def check_available(self, kinds: Sequence[ServiceKind]) -> None:
        known = self.endpoints(kinds)
        missing = [kind for kind in kinds if kind not in known]
        if missing:
            names = ", ".join(kind_spec(kind).env_var for kind in missing)
            raise BackendUnavailableError(
                "no external endpoint for " + ", ".join(missing),
                cause="not set in the environment and nothing answers on the default local port",
                fix=f"set {names}, or use the process backend (ONEX_SERVICES_BACKEND=process)",
            )

    async def start(
        self,
        kinds: Sequence[ServiceKind],
        stack_dir: Path,
        *,
        running: Mapping[ServiceKind, ServiceRecord] | None = None,
    ) -> dict[ServiceKind, ServiceRecord]:
        self.check_available(kinds)
        return {kind: self._record(ep) for kind, ep in self.endpoints(kinds).items()}

    async def restart(
        self,
        record: ServiceRecord,
        stack_dir: Path,
        *,
        running: Mapping[ServiceKind, ServiceRecord] | None = None,
    ) -> ServiceRecord:
        raise BackendUnavailableError(
            f"the external {record.kind} at {record.url} is down",
            cause="the harness does not run external services, so it cannot restart them",
            fix=f"start the service behind {record.details.get('source', 'its endpoint')} again",
        )

    def is_running(self, record: ServiceRecord) -> bool:
        return port_accepts(record.host, record.port)

    async def stop(self, records: Sequence[ServiceRecord], *, grace_s: float = 10.0) -> None:
        """External services are never stopped by the harness."""

    def refresh_log(self, record: ServiceRecord) -> None:
        """The harness has no log of a service it did not start."""

    def reap(self, records: Sequence[ServiceRecord], stack_dir: Path | None) -> list[str]:
        return []

    def _record(self, endpoint: GivenEndpoint) -> ServiceRecord:
        return ServiceRecord(
            kind=endpoint.kind,
            backend=self.name,
            host=endpoint.host,
            port=endpoint.port,
            url=endpoint.url,
            details={"source": endpoint.source},
        )
