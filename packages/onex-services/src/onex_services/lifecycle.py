"""The managed stack's lifecycle: start, attach and repair, health at start, stop, teardown.

Every change happens under the state file's lock. The first process starts the stack (services
in parallel, each proven healthy by a deep probe), later ones attach (a liveness check, no
start), and a dead service is restarted in place. Every start first reaps stacks whose owners all
died, so a `kill -9` leaves nothing behind for long.

The lock is a blocking file lock: `locked` holds it in a worker thread, which keeps the caller's
event loop free; async work under the lock gets an event loop of its own in that thread.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import ParamSpec, TypeVar

from onex_services import launcher, leases, server_settings
from onex_services.app_ledger import reap_orphan_apps
from onex_services.backends import (
    AUTO,
    Backend,
    choose_managed_backend,
    load_backend,
    load_backend_or_none,
)
from onex_services.catalog import dependency_urls
from onex_services.errors import ServiceError, ServiceStartError
from onex_services.health import HealthChecker
from onex_services.long_work import WorkView, current_display
from onex_services.models import HealthResult, ServiceKind, ServiceRecord
from onex_services.private_stacks import sweep_private_stacks
from onex_services.reaper import create_stack_dir, reap_stack, reap_unclaimed_dirs
from onex_services.settings import Paths
from onex_services.state import Owner, StackState, StateStore

P = ParamSpec("P")
T = TypeVar("T")
Progress = Callable[[str], None]


class StackLifecycle:
    """Starts, repairs and stops the one managed stack of a state dir."""

    def __init__(
        self,
        *,
        backend_name: str,
        paths: Paths,
        store: StateStore,
        progress: Progress,
        start_timeout: float,
        settings_overlay: Mapping[str, Mapping[str, object]] | None = None,
    ) -> None:
        self.settings_overlay = settings_overlay
        self.backend_name = backend_name
        self.paths = paths
        self.store = store
        self.start_timeout = start_timeout
        self._progress = progress

    async def locked(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `func` in a worker thread holding the state lock."""

        def run() -> T:
            self.store.acquire()
            try:
                return func(*args, **kwargs)
            finally:
                self.store.release()

        return await asyncio.to_thread(run)

    # -- under the lock -------------------------------------------------------------------------

    def ensure(
        self, kinds: Sequence[ServiceKind], owner: Owner | None, keep: bool
    ) -> tuple[StackState, dict[ServiceKind, HealthResult]]:
        """The stack running `kinds` (started, attached to or repaired), `owner` recorded."""
        state, lines = self.reap_dead_stacks()
        for line in lines:
            self._progress(f"reaper: {line}")
        settings = server_settings.resolve(overlay=self.settings_overlay)
        if state is not None and not self._same_settings(state, settings):
            asyncio.run(self.stop_stack(state))
            state = None
        health: dict[ServiceKind, HealthResult] = {}
        if state is None:
            state = self._new_state(kinds, settings)
            try:
                health = asyncio.run(self._start_services(state, kinds))
            except BaseException:
                reap_stack(state, self.paths)
                self.store.clear()
                raise
        else:
            health = asyncio.run(self._repair(state, kinds))
        leases.grant(state, owner, keep=keep)
        self.store.save(state)
        return state, health

    def reap_dead_stacks(self) -> tuple[StackState | None, list[str]]:
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
        lines.extend(reap_orphan_apps(self.paths))  # apps under test of harnesses that died
        lines.extend(sweep_private_stacks(self.paths))  # private stacks' state dirs likewise
        return state, lines

    def release(self, lease_id: str, reuse: bool) -> list[str]:
        """Drop a lease; stop the stack when it was the last one and the stack is not kept."""
        state = self.store.load()
        if state is None:
            return []
        if not leases.drop(state, lease_id, reuse=reuse):
            self.store.save(state)
            return []
        return asyncio.run(self.stop_stack(state))

    def down(self, force: bool) -> list[str]:
        """Stop the stack and remove its directory; refuse while others use it, unless forced."""
        state = self.store.load()
        lines: list[str] = []
        if state is None:
            lines.extend(f"reaper: {line}" for line in reap_unclaimed_dirs(self.paths, None))
            return [*lines, "no stack is running"]
        users = leases.other_users(state)
        if users and not force:
            pids = ", ".join(f"{o.process.pid} {o.label}".strip() for o in users)
            raise ServiceError(
                f"stack {state.stack_id} is in use by {len(users)} process(es): {pids}",
                fix="wait for them to finish, or force it: `onex services stop --force`",
            )
        return asyncio.run(self.stop_stack(state))

    async def stop_stack(self, state: StackState) -> list[str]:
        lines: list[str] = []
        backend = load_backend_or_none(state.backend, self.paths)
        records = list(state.services.values())
        if backend is not None and backend.manages_processes:
            await backend.stop(records)
            lines.extend(f"stopped {record.kind}" for record in records)
        lines.extend(reap_stack(state, self.paths))
        self.store.clear()
        return lines

    # -- the steps ------------------------------------------------------------------------------

    def _usable(self, state: StackState) -> bool:
        """The existing stack can serve this request (same backend unless we asked for auto)."""
        if self.backend_name not in (AUTO, state.backend):
            raise ServiceError(
                f"a {state.backend} stack is running, but the {self.backend_name} backend was "
                "asked for",
                cause=f"stack {state.stack_id} in {state.stack_dir}",
                fix="stop it first: `onex services stop` (or `invoke services.down`)",
            )
        return load_backend_or_none(state.backend, self.paths) is not None

    def _same_settings(self, state: StackState, settings: server_settings.Settings) -> bool:
        """The running stack has this run's server settings. When not, it is restarted if nobody
        else uses it, and refused if somebody does: it is never shared silently."""
        if state.settings_fingerprint == server_settings.fingerprint(settings):
            return True
        theirs = server_settings.describe(server_settings.read(Path(state.stack_dir)))
        ours = server_settings.describe(settings)
        users = leases.other_users(state)
        if users:
            pids = ", ".join(f"{o.process.pid} {o.label}".strip() for o in users)
            raise ServiceError(
                f"stack {state.stack_id} runs with other server settings ({theirs}); "
                f"this run asks for {ours}",
                cause=f"it is in use by {len(users)} process(es): {pids}",
                fix="run with the same [tool.onex.servers] and ONEX_<KIND>_SERVER_* settings, "
                "or another ONEX_STATE_DIR",
            )
        self._progress(
            f"stack {state.stack_id}: restarting, its settings ({theirs}) are not {ours}"
        )
        return False

    def _new_state(
        self, kinds: Sequence[ServiceKind], settings: server_settings.Settings
    ) -> StackState:
        backend, passed_over = choose_managed_backend(self.backend_name, kinds, self.paths)
        for line in passed_over:
            self._progress(f"backend {line}")
        stack_id = uuid.uuid4().hex[:10]
        stack_dir = create_stack_dir(self.paths, stack_id)
        server_settings.write(stack_dir, settings)  # every start and restart of a service reads it
        state = StackState(
            stack_id=stack_id,
            backend=backend.name,
            stack_dir=str(stack_dir),
            owners=[leases.starting_owner()],
            settings_fingerprint=server_settings.fingerprint(settings),
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
        views = self._startup_views(kinds, f"starting ({backend.name} backend)")
        try:
            records = await backend.start(kinds, Path(state.stack_dir))
        except BaseException:
            for view in views.values():
                view.finish(ok=False, outcome="did not start")
            raise
        state.services.update(records)
        self.store.save(state)
        health = await self._await_healthy(backend, list(records.values()), views, records)
        self._progress(f"{names}: healthy after {time.perf_counter() - started:.1f} s")
        return health

    def _startup_views(self, kinds: Sequence[ServiceKind], doing: str) -> dict[str, WorkView]:
        """One line per service on the command's display (a bar row on a terminal)."""
        display = current_display(self._progress)
        views: dict[str, WorkView] = {}
        for kind in kinds:
            views[kind] = display.begin(str(kind), "steps", None, None)
            views[kind].describe(doing)
        return views

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
        views = self._startup_views([*(r.kind for r in dead), *missing], "restarting")
        for record in dead:
            self._progress(f"{record.kind} is down: restarting it")
            await backend.stop([record], grace_s=2.0)
            fresh.append(await backend.restart(record, stack_dir, running=state.services))
        if missing:
            self._progress(f"adding {', '.join(kind for kind in missing)} to the stack")
            fresh.extend((await backend.start(missing, stack_dir, running=state.services)).values())
        state.services.update({record.kind: record for record in fresh})
        self.store.save(state)
        return await self._await_healthy(backend, fresh, views, state.services)

    async def _await_healthy(
        self,
        backend: Backend,
        records: Sequence[ServiceRecord],
        views: Mapping[str, WorkView],
        stack: Mapping[ServiceKind, ServiceRecord],
    ) -> dict[ServiceKind, HealthResult]:
        """Deep-probe freshly started services until healthy; stop and report the ones that
        are not (the caller decides what happens to the rest of the stack)."""
        checker = HealthChecker()

        async def probed(record: ServiceRecord) -> HealthResult:
            view = views.get(record.kind)
            result = await checker.check(
                record.endpoint,
                timeout_s=self.start_timeout,
                use_cache=False,
                liveness=_liveness(backend, record),
                on_attempt=None if view is None else _telling(view),
                dependencies=dependency_urls(record.kind, stack),
            )
            if view is not None:
                tries = "1 probe attempt" if result.attempts == 1 else f"{result.attempts} attempts"
                took = f"{result.latency_ms / 1000:.1f} s, {tries}"
                view.finish(
                    ok=result.healthy,
                    outcome=f"healthy ({took})" if result.healthy else f"unhealthy ({took})",
                )
            return result

        try:
            results = await asyncio.gather(*(probed(record) for record in records))
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


def _telling(view: WorkView) -> Callable[[int, str | None], None]:
    def attempt(number: int, last_error: str | None) -> None:
        after = f" (last: {last_error})" if last_error else ""
        view.describe(f"deep probe, attempt {number}{after}")

    return attempt


def _liveness(backend: Backend, record: ServiceRecord) -> Callable[[], bool]:
    return lambda: backend.is_running(record)
