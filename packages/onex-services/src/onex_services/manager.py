"""`ToolServiceManager`: one shared stack of real services for every process of a test run.

The manager is the front door; each job has a module of its own:
- `planning`: which services are external (given in the environment, or with backend `auto` a
  usable one found on its default local port) and which the managed stack runs;
- `lifecycle`: the managed stack under the state lock (start, attach, repair, stop, teardown),
  by compose or process (see `backends.choose_managed_backend`);
- `leases`: each user holds a lease (an owner entry: pid + start time + lease id); the last lease
  released stops the stack unless it is kept (`up(keep=True)`, `--reuse`, `ONEX_REUSE=1`);
- `views`: status rows, health and logs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from onex_scenario.redaction import redact_url

from onex_services import leases
from onex_services.backends import AUTO
from onex_services.catalog import parse_kinds
from onex_services.claims import NamespaceClaims
from onex_services.envconfig import given_endpoints
from onex_services.errors import ServiceUnavailableError
from onex_services.health import probe_once
from onex_services.leases import KindsArg, Lease
from onex_services.lifecycle import Progress, StackLifecycle
from onex_services.models import HealthResult, ServiceEndpoint, ServiceKind, ServiceStatus
from onex_services.planning import external_record, plan_services
from onex_services.reclaim import reclaim_orphans
from onex_services.settings import Paths, env_flag, start_timeout_s
from onex_services.shared_reap import reap_marked
from onex_services.start_reap import reap_at_start
from onex_services.state import Owner, StackState, StateStore
from onex_services.views import running_records, service_log, status_rows

# `Lease` and `KindsArg` were defined here before the split; callers may still import them here.
__all__ = ["KindsArg", "Lease", "ToolServiceManager"]
EXTERNAL_PROBE_TIMEOUT_S = 10.0


class ToolServiceManager:
    """Lifecycle of the shared stack: start or attach, lease, health, status, stop, reap."""

    def __init__(
        self,
        *,
        backend: str | None = None,
        paths: Paths | None = None,
        reuse: bool | None = None,
        progress: Progress | None = None,
        lock_timeout: float = 300.0,
        start_timeout: float | None = None,
        settings: Mapping[str, Mapping[str, object]] | None = None,
    ) -> None:
        """`settings`: server settings laid over the project's (a private stack's own)."""
        self.backend_name = backend or os.environ.get("ONEX_SERVICES_BACKEND") or AUTO
        self.paths = paths or Paths.from_env()
        self.reuse = env_flag("ONEX_REUSE") if reuse is None else reuse
        self.store = StateStore(self.paths.state_dir, lock_timeout=lock_timeout)
        self._progress = progress or (lambda _message: None)
        self._start_timeout = start_timeout_s() if start_timeout is None else start_timeout
        self._stack = StackLifecycle(
            backend_name=self.backend_name,
            paths=self.paths,
            store=self.store,
            progress=self._progress,
            start_timeout=self._start_timeout,
            settings_overlay=settings,
        )

    # -- leases -------------------------------------------------------------------------------

    async def acquire(self, kinds: KindsArg = None, *, label: str = "") -> Lease:
        """Services ready to use, with this process recorded as an owner until `release`."""
        owner = leases.new_owner(label)
        return await self._ensure(_parse(kinds), owner=owner, keep=self.reuse)

    async def release(self, lease: Lease) -> list[str]:
        """Drop the lease; the last one out stops the stack unless it is kept."""
        if lease.stack_id is None:
            return []
        return await self._stack.locked(self._stack.release, lease.lease_id, self.reuse)

    async def up(self, kinds: KindsArg = None) -> Lease:
        """Start (or attach to, or repair) the stack and keep it after this process exits."""
        return await self._ensure(_parse(kinds), owner=None, keep=True)

    async def down(self, *, force: bool = False) -> list[str]:
        """Stop the managed stack and remove its directory; refuse while others use it."""
        return await self._stack.locked(self._stack.down, force)

    async def reap(self, older_than_s: float | None = None) -> list[str]:
        """Reap dead stacks, and reclaim the namespaces of dead runs on the services running
        now (the stack's and those given in the environment); nothing is started. With
        `older_than_s`, also the marked namespaces of runs gone on any machine (`shared_reap`)."""
        state, lines = await self._stack.locked(self._stack.reap_dead_stacks)
        endpoints = {record.kind: record.endpoint for record in running_records(state, self.paths)}
        for kind, given in given_endpoints().items():
            endpoints.setdefault(kind, external_record(given).endpoint)
        lines.extend(await reclaim_orphans(self.claims, endpoints))
        if older_than_s is not None:
            lines.extend(await reap_marked(endpoints, self.claims, older_than_s))
        return lines

    def running_endpoints(self) -> dict[ServiceKind, ServiceEndpoint]:
        """The servers that run now, found without starting anything: the stack's, then those
        given in the environment."""
        state = self.store.load()
        endpoints = {record.kind: record.endpoint for record in running_records(state, self.paths)}
        for kind, given in given_endpoints().items():
            endpoints.setdefault(kind, external_record(given).endpoint)
        return endpoints

    @property
    def claims(self) -> NamespaceClaims:
        """Who owns which namespace on the services of this state dir (see `claims`)."""
        return NamespaceClaims(self.paths.state_dir)

    # -- looking at it --------------------------------------------------------------------------

    def current(self) -> StackState | None:
        return self.store.load()

    async def status(self, *, deep: bool = False) -> list[ServiceStatus]:
        """One row per service (managed and external); a deep probe each when `deep`."""
        return await status_rows(self.store.load(), self.paths, self.backend_name, deep=deep)

    async def health(self, kinds: KindsArg = None) -> list[HealthResult]:
        """A deep probe of each service that runs (managed or external); `kinds` (and what they
        depend on) narrows it, by default every service of the stack, on-demand ones too."""
        wanted = set(_parse(kinds)) if kinds is not None else None
        rows = await self.status(deep=True)
        return [
            row.health
            for row in rows
            if (wanted is None or row.kind in wanted) and row.health is not None
        ]

    def log_path(self, kind: ServiceKind | str) -> Path:
        return service_log(self.store.load(), self.paths, kind)

    async def ensure(self, kinds: KindsArg = None) -> dict[ServiceKind, ServiceEndpoint]:
        """Endpoints of healthy services, started if needed and kept running (no lease)."""
        lease = await self.up(kinds)
        return lease.endpoints

    # -- the core -----------------------------------------------------------------------------

    async def _ensure(
        self, kinds: Sequence[ServiceKind], *, owner: Owner | None, keep: bool
    ) -> Lease:
        plan = await plan_services(self.backend_name, kinds, self.store)
        lease_id = owner.lease_id if owner else leases.new_lease_id()
        endpoints: dict[ServiceKind, ServiceEndpoint] = {}
        health: dict[ServiceKind, HealthResult] = {}
        stack_id: str | None = None
        if plan.managed:
            state, fresh_health = await self._stack.locked(
                self._stack.ensure, plan.managed, owner, keep
            )
            stack_id = state.stack_id
            health.update(fresh_health)
            endpoints.update({kind: state.services[kind].endpoint for kind in plan.managed})
        if plan.external:
            ext_endpoints = [external_record(ep).endpoint for ep in plan.external.values()]
            checks = await probe_once(ext_endpoints, timeout_s=EXTERNAL_PROBE_TIMEOUT_S)
            for result in checks.values():
                health[result.kind] = result
                if not result.healthy:
                    given = plan.external[result.kind]
                    raise ServiceUnavailableError(
                        f"external {result.kind} at {redact_url(given.url)} is not usable",
                        cause=result.error,
                        fix=f"check the service behind {given.source}, or unset it to let the "
                        "harness start one",
                    )
            endpoints.update({ep.kind: ep for ep in ext_endpoints})
        ordered = {kind: endpoints[kind] for kind in kinds}
        for line in await reclaim_orphans(self.claims, ordered):
            self._progress(f"reaper: {line}")
        external = {kind: endpoint for kind, endpoint in ordered.items() if kind in plan.external}
        for line in await reap_at_start(self.claims, external):
            self._progress(f"reaper: {line}")
        return Lease(
            lease_id=lease_id,
            stack_id=stack_id,
            endpoints=ordered,
            health=health,
            notes=plan.notes,
        )


def _parse(kinds: KindsArg) -> list[ServiceKind]:
    return list(parse_kinds(leases.kind_names(kinds)))
