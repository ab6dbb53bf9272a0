"""`ToolServiceManager`: one shared stack of real services for every process of a test run.

Which backend serves a service: an endpoint given in the environment (or, with backend `auto`,
a usable service found on its default local port) is `external`; the others run in the managed
stack, by compose or process (see `backends.choose_managed_backend`).

Sharing: every change happens under the state file's lock. The first process starts the stack
(services in parallel, each proven healthy by a deep probe), later ones attach (a liveness check,
no start). Each user holds a lease (an owner entry: pid + start time + lease id); the last lease
released stops the stack unless it is kept (`up(keep=True)`, `--reuse`, `ONEX_REUSE=1`). Every
start first reaps stacks whose owners all died, so a `kill -9` leaves nothing behind for long.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import ParamSpec, TypeVar

from onex_scenario.redaction import redact_url
from pydantic import BaseModel, ConfigDict, Field

from onex_services import launcher
from onex_services.backends import AUTO, Backend, choose_managed_backend, load_backend
from onex_services.backends.external import ExternalBackend, discover
from onex_services.catalog import kind_spec, kind_specs, parse_kinds
from onex_services.claims import NamespaceClaims
from onex_services.envconfig import GivenEndpoint, given_endpoints
from onex_services.errors import ServiceError, ServiceStartError, ServiceUnavailableError
from onex_services.health import HealthChecker
from onex_services.models import (
    HealthResult,
    HealthStatus,
    RunState,
    ServiceEndpoint,
    ServiceKind,
    ServiceRecord,
    ServiceStatus,
)
from onex_services.ports import port_accepts
from onex_services.reaper import create_stack_dir, reap_stack, reap_unclaimed_dirs
from onex_services.reclaim import reclaim_orphans
from onex_services.settings import Paths, env_flag, start_timeout_s
from onex_services.state import Owner, StackState, StateStore

P = ParamSpec("P")
T = TypeVar("T")
Progress = Callable[[str], None]
DISCOVERY_PROBE_TIMEOUT_S = 2.0
KindsArg = Iterable[ServiceKind | str] | str | None


class Lease(BaseModel):
    """A process's use of services: endpoints to use, health when acquired, and the lease id."""

    model_config = ConfigDict(frozen=True)

    lease_id: str
    stack_id: str | None
    endpoints: dict[ServiceKind, ServiceEndpoint]
    health: dict[ServiceKind, HealthResult] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


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
    ) -> None:
        self.backend_name = backend or os.environ.get("ONEX_SERVICES_BACKEND") or AUTO
        self.paths = paths or Paths.from_env()
        self.reuse = env_flag("ONEX_REUSE") if reuse is None else reuse
        self.store = StateStore(self.paths.state_dir, lock_timeout=lock_timeout)
        self._progress = progress or (lambda _message: None)
        self._start_timeout = start_timeout_s() if start_timeout is None else start_timeout

    # -- leases -------------------------------------------------------------------------------

    async def acquire(self, kinds: KindsArg = None, *, label: str = "") -> Lease:
        """Services ready to use, with this process recorded as an owner until `release`."""
        lease_id = uuid.uuid4().hex[:12]
        owner = Owner(process=launcher.owner_ref(), lease_id=lease_id, label=label)
        return await self._ensure(parse_kinds(_names(kinds)), owner=owner, keep=self.reuse)

    async def release(self, lease: Lease) -> list[str]:
        """Drop the lease; the last one out stops the stack unless it is kept."""
        if lease.stack_id is None:
            return []
        return await asyncio.to_thread(self._release_locked, lease.lease_id)

    async def up(self, kinds: KindsArg = None) -> Lease:
        """Start (or attach to, or repair) the stack and keep it after this process exits."""
        return await self._ensure(parse_kinds(_names(kinds)), owner=None, keep=True)

    async def down(self, *, force: bool = False) -> list[str]:
        """Stop the managed stack and remove its directory; refuse while others use it."""
        return await self._locked(self._down, force)

    async def reap(self) -> list[str]:
        """Reap dead stacks, and reclaim the namespaces of dead runs on the services running
        now (the stack's and those given in the environment); nothing is started."""
        state, lines = await self._locked(self._reap_dead_stacks)
        endpoints: dict[ServiceKind, ServiceEndpoint] = {}
        backend = _load_quietly(state.backend, self.paths) if state is not None else None
        if state is not None and backend is not None:
            for record in state.services.values():
                if backend.is_running(record):
                    endpoints[record.kind] = record.endpoint
        for kind, given in given_endpoints().items():
            endpoints.setdefault(kind, _external_record(given).endpoint)
        lines.extend(await reclaim_orphans(self.claims, endpoints))
        return lines

    @property
    def claims(self) -> NamespaceClaims:
        """Who owns which namespace on the services of this state dir (see `claims`)."""
        return NamespaceClaims(self.paths.state_dir)

    # -- looking at it --------------------------------------------------------------------------

    def current(self) -> StackState | None:
        return self.store.load()

    async def status(self, *, deep: bool = False) -> list[ServiceStatus]:
        """One row per service (managed and external); a deep probe each when `deep`."""
        state = self.store.load()
        rows: list[ServiceStatus] = []
        records: list[tuple[ServiceRecord, bool]] = []
        if state is not None:
            backend = _load_quietly(state.backend, self.paths)
            for record in state.services.values():
                running = (
                    backend.is_running(record) and port_accepts(record.host, record.port)
                    if backend is not None
                    else False
                )
                records.append((record, running))
        managed = {record.kind for record, _ in records}
        for endpoint in self._external_candidates(
            [kind for kind in kind_specs() if kind not in managed]
        ).values():
            record = _external_record(endpoint)
            records.append((record, port_accepts(record.host, record.port)))
        health: dict[ServiceKind, HealthResult] = {}
        if deep:
            health = await self._health_of(
                [record.endpoint for record, running in records if running]
            )
            for record, running in records:
                if not running:
                    health[record.kind] = _down_result(record)
        now = time.time()
        for record, running in records:
            rows.append(
                ServiceStatus(
                    kind=record.kind,
                    backend=record.backend,
                    endpoint=redact_url(record.url),
                    state=RunState.RUNNING if running else RunState.DOWN,
                    pid=record.process.pid if record.process else None,
                    container=record.container,
                    uptime_s=round(now - record.started_at, 1)
                    if running and record.process
                    else None,
                    log_path=record.log_path,
                    health=health.get(record.kind),
                )
            )
        return rows

    async def health(self, kinds: KindsArg = None) -> list[HealthResult]:
        """A deep probe of each service that runs (managed or external)."""
        wanted = set(parse_kinds(_names(kinds)))
        rows = await self.status(deep=True)
        return [row.health for row in rows if row.kind in wanted and row.health is not None]

    def log_path(self, kind: ServiceKind | str) -> Path:
        state = self.store.load()
        record = state.services.get(str(kind)) if state else None
        if record is None or record.log_path is None:
            raise ServiceError(
                f"no log for {kind}",
                cause="it is not running in a stack started by the harness",
                fix="start it with `onex services start`",
            )
        load_backend(record.backend, self.paths).refresh_log(record)
        return Path(record.log_path)

    async def ensure(self, kinds: KindsArg = None) -> dict[ServiceKind, ServiceEndpoint]:
        """Endpoints of healthy services, started if needed and kept running (no lease)."""
        lease = await self.up(kinds)
        return lease.endpoints

    # -- the core -----------------------------------------------------------------------------

    async def _ensure(
        self, kinds: Sequence[ServiceKind], *, owner: Owner | None, keep: bool
    ) -> Lease:
        external, managed_kinds, notes = await self._plan(kinds)
        lease_id = owner.lease_id if owner else uuid.uuid4().hex[:12]
        endpoints: dict[ServiceKind, ServiceEndpoint] = {}
        health: dict[ServiceKind, HealthResult] = {}
        stack_id: str | None = None
        if managed_kinds:
            state, fresh_health = await self._locked(self._ensure_stack, managed_kinds, owner, keep)
            stack_id = state.stack_id
            health.update(fresh_health)
            endpoints.update({kind: state.services[kind].endpoint for kind in managed_kinds})
        if external:
            ext_endpoints = [_external_record(ep).endpoint for ep in external.values()]
            for result in (await self._health_of(ext_endpoints, timeout_s=10.0)).values():
                health[result.kind] = result
                if not result.healthy:
                    given = external[result.kind]
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
        return Lease(
            lease_id=lease_id, stack_id=stack_id, endpoints=ordered, health=health, notes=notes
        )

    async def _plan(
        self, kinds: Sequence[ServiceKind]
    ) -> tuple[dict[ServiceKind, GivenEndpoint], list[ServiceKind], list[str]]:
        """Split kinds into external ones (given or usable discovered) and managed ones."""
        if self.backend_name == "external":
            backend = ExternalBackend()
            backend.check_available(kinds)
            return backend.endpoints(kinds), [], []
        if self.backend_name != AUTO:
            return {}, list(kinds), []
        notes: list[str] = []
        external = {kind: ep for kind, ep in given_endpoints().items() if kind in kinds}
        state = self.store.load()
        ours = {record.port for record in state.services.values()} if state else set()
        candidates = {
            kind: ep
            for kind, ep in discover([kind for kind in kinds if kind not in external]).items()
            if ep.port not in ours
        }
        if candidates:
            checks = await self._health_of(
                [_external_record(ep).endpoint for ep in candidates.values()],
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
        return external, [kind for kind in kinds if kind not in external], notes

    def _ensure_stack(
        self, kinds: Sequence[ServiceKind], owner: Owner | None, keep: bool
    ) -> tuple[StackState, dict[ServiceKind, HealthResult]]:
        state, lines = self._reap_dead_stacks()
        for line in lines:
            self._progress(f"reaper: {line}")
        health: dict[ServiceKind, HealthResult] = {}
        if state is None:
            state = self._new_state(kinds, owner)
            try:
                health = asyncio.run(self._start_services(state, kinds))
            except BaseException:
                reap_stack(state, self.paths)
                self.store.clear()
                raise
        else:
            health = asyncio.run(self._repair(state, kinds))
        owners = [o for o in state.owners if o.alive and o.lease_id != "starting"]
        if owner is not None:
            owners.append(owner)
        state.owners = owners
        state.keep = state.keep or keep
        self.store.save(state)
        return state, health

    def _reap_dead_stacks(self) -> tuple[StackState | None, list[str]]:
        """Reap this state dir's stack when its owners died (or it cannot serve), and the dead
        stacks of other state dirs; return the stack that remains, and what was done."""
        state = self.store.load()
        lines: list[str] = []
        if state is not None and (state.orphaned or not self._usable(state)):
            lines.extend(
                f"stack {state.stack_id}: {line}" for line in reap_stack(state, self.paths)
            )
            self.store.clear()
            state = None
        lines.extend(reap_unclaimed_dirs(self.paths, state.stack_dir if state else None))
        return state, lines

    def _usable(self, state: StackState) -> bool:
        """The existing stack can serve this request (same backend unless we asked for auto)."""
        if self.backend_name not in (AUTO, state.backend):
            raise ServiceError(
                f"a {state.backend} stack is running, but the {self.backend_name} backend was "
                "asked for",
                cause=f"stack {state.stack_id} in {state.stack_dir}",
                fix="stop it first: `onex services stop` (or `invoke services.down`)",
            )
        return _load_quietly(state.backend, self.paths) is not None

    def _new_state(self, kinds: Sequence[ServiceKind], owner: Owner | None) -> StackState:
        backend, passed_over = choose_managed_backend(self.backend_name, kinds, self.paths)
        for line in passed_over:
            self._progress(f"backend {line}")
        stack_id = uuid.uuid4().hex[:10]
        stack_dir = create_stack_dir(self.paths, stack_id)
        starter = Owner(process=launcher.owner_ref(), lease_id="starting", label="starting")
        state = StackState(
            stack_id=stack_id, backend=backend.name, stack_dir=str(stack_dir), owners=[starter]
        )
        # The manifest exists before any process does, so a crash while starting is reapable.
        self.store.save(state)
        return state

    async def _start_services(
        self, state: StackState, kinds: Sequence[ServiceKind]
    ) -> dict[ServiceKind, HealthResult]:
        backend = load_backend(state.backend, self.paths)
        names = ", ".join(kind for kind in kinds)
        self._progress(f"starting {names} ({backend.name} backend) in {state.stack_dir}")
        started = time.perf_counter()
        records = await backend.start(kinds, Path(state.stack_dir))
        state.services.update(records)
        self.store.save(state)
        health = await self._await_healthy(backend, list(records.values()))
        self._progress(f"{names}: healthy after {time.perf_counter() - started:.1f} s")
        return health

    async def _repair(
        self, state: StackState, kinds: Sequence[ServiceKind]
    ) -> dict[ServiceKind, HealthResult]:
        """Restart dead services and start missing ones; attach to the rest."""
        backend = load_backend(state.backend, self.paths)
        stack_dir = Path(state.stack_dir)
        missing = [kind for kind in kinds if kind not in state.services]
        dead = [
            state.services[kind]
            for kind in kinds
            if kind in state.services and not backend.is_running(state.services[kind])
        ]
        if not missing and not dead:
            return {}
        fresh: list[ServiceRecord] = []
        for record in dead:
            self._progress(f"{record.kind} is down: restarting it")
            await backend.stop([record], grace_s=2.0)
            fresh.append(await backend.restart(record, stack_dir))
        if missing:
            self._progress(f"adding {', '.join(kind for kind in missing)} to the stack")
            fresh.extend((await backend.start(missing, stack_dir)).values())
        state.services.update({record.kind: record for record in fresh})
        self.store.save(state)
        return await self._await_healthy(backend, fresh)

    async def _await_healthy(
        self, backend: Backend, records: Sequence[ServiceRecord]
    ) -> dict[ServiceKind, HealthResult]:
        """Deep-probe freshly started services until healthy; stop and report the ones that
        are not (the caller decides what happens to the rest of the stack)."""
        checker = HealthChecker()
        try:
            results = await asyncio.gather(
                *(
                    checker.check(
                        record.endpoint,
                        timeout_s=self._start_timeout,
                        use_cache=False,
                        liveness=_liveness(backend, record),
                    )
                    for record in records
                )
            )
        finally:
            await checker.close()
        failed = [
            (record, result)
            for record, result in zip(records, results, strict=True)
            if not result.healthy
        ]
        if failed:
            record, result = failed[0]
            backend.refresh_log(record)  # before stop: a removed container takes its log along
            await backend.stop([record for record, _ in failed], grace_s=5.0)
            raise ServiceStartError(
                f"{record.kind} did not become healthy "
                f"({result.attempts} attempts in {result.latency_ms / 1000:.1f} s)",
                cause=result.error,
                log_path=record.log_path,
                log_tail=launcher.tail(record.log_path),
                fix="read the log above; `onex services start` tries again from scratch",
            )
        return {result.kind: result for result in results}

    def _release_locked(self, lease_id: str) -> list[str]:
        self.store.acquire()
        try:
            state = self.store.load()
            if state is None:
                return []
            state.owners = [o for o in state.owners if o.lease_id != lease_id and o.alive]
            if state.owners or state.keep or self.reuse:
                state.keep = state.keep or self.reuse
                self.store.save(state)
                return []
            return asyncio.run(self._stop_stack(state))
        finally:
            self.store.release()

    def _down(self, force: bool) -> list[str]:
        state = self.store.load()
        lines: list[str] = []
        if state is None:
            lines.extend(f"reaper: {line}" for line in reap_unclaimed_dirs(self.paths, None))
            return [*lines, "no stack is running"]
        users = [o for o in state.live_owners() if o.process.pid != os.getpid()]
        if users and not force:
            pids = ", ".join(f"{o.process.pid} {o.label}".strip() for o in users)
            raise ServiceError(
                f"stack {state.stack_id} is in use by {len(users)} process(es): {pids}",
                fix="wait for them to finish, or force it: `onex services stop --force`",
            )
        return asyncio.run(self._stop_stack(state))

    async def _stop_stack(self, state: StackState) -> list[str]:
        lines: list[str] = []
        backend = _load_quietly(state.backend, self.paths)
        records = list(state.services.values())
        if backend is not None and backend.manages_processes:
            await backend.stop(records)
            lines.extend(f"stopped {record.kind}" for record in records)
        lines.extend(reap_stack(state, self.paths))
        self.store.clear()
        return lines

    async def _locked(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `func` in a worker thread holding the state lock.

        The lock is a blocking file lock; holding it in a thread keeps the caller's event loop
        free, and async work under the lock gets an event loop of its own in that thread.
        """

        def run() -> T:
            self.store.acquire()
            try:
                return func(*args, **kwargs)
            finally:
                self.store.release()

        return await asyncio.to_thread(run)

    async def _health_of(
        self, endpoints: Sequence[ServiceEndpoint], *, timeout_s: float = 5.0
    ) -> dict[ServiceKind, HealthResult]:
        checker = HealthChecker()
        try:
            results = await checker.check_all(endpoints, timeout_s=timeout_s, use_cache=False)
        finally:
            await checker.close()
        return {result.kind: result for result in results}

    def _external_candidates(
        self, kinds: Sequence[ServiceKind]
    ) -> dict[ServiceKind, GivenEndpoint]:
        given = {kind: ep for kind, ep in given_endpoints().items() if kind in kinds}
        if self.backend_name in (AUTO, "external"):
            given.update(discover([kind for kind in kinds if kind not in given]))
        return given


def _liveness(backend: Backend, record: ServiceRecord) -> Callable[[], bool]:
    return lambda: backend.is_running(record)


def _names(kinds: KindsArg) -> str | list[str] | None:
    if kinds is None or isinstance(kinds, str):
        return kinds
    return [str(kind) for kind in kinds]


def _external_record(endpoint: GivenEndpoint) -> ServiceRecord:
    return ServiceRecord(
        kind=endpoint.kind,
        backend="external",
        host=endpoint.host,
        port=endpoint.port,
        url=endpoint.url,
        details={"source": endpoint.source},
    )


def _down_result(record: ServiceRecord) -> HealthResult:
    return HealthResult(
        kind=record.kind,
        endpoint=redact_url(record.url),
        status=HealthStatus.UNHEALTHY,
        latency_ms=0.0,
        attempts=0,
        error="not running",
    )


def _load_quietly(name: str, paths: Paths) -> Backend | None:
    try:
        return load_backend(name, paths)
    except ServiceError:
        return None
