"""Service faults: kill, pause, resume and restart one server of a managed stack.

These act on a whole server, so the runner only applies them to a scenario's private stack
(`isolation: private`, see onex_runner.private_stack). The process backend signals the recorded
process and its group (SIGKILL, SIGSTOP, SIGCONT), and only when /proc still shows exactly the
recorded process (`launcher.signal_process`); compose uses `docker kill`, `docker pause` and
`docker unpause` on the recorded container. A restart keeps the data dir and the ports: the
broker keeps its log, PostgreSQL its rows.
"""

from __future__ import annotations

import asyncio
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onex_services import launcher, members, procfs
from onex_services.backends import load_backend
from onex_services.backends.base import Backend
from onex_services.backends.process import service_executables
from onex_services.errors import ServiceError
from onex_services.health import HealthChecker
from onex_services.manager import ToolServiceManager
from onex_services.models import HealthResult, ServiceEndpoint, ServiceKind, ServiceRecord
from onex_services.polling import Pace, wait_until

RESTART_GRACE_S = 10.0
"""A graceful stop's deadline before the restart kills the server."""
REAPED_WAIT_S = 10.0
RESTART_PROBE_PACE = Pace(first_s=0.02, factor=1.5, cap_s=0.2)
"""Probes after a restart retry within 0.2 s: the server is known to be coming back, and the
default backoff (up to 1 s, for probes of many servers at once) would add up to a second."""


class ServiceFaultError(ServiceError):
    """A service fault that could not be applied (no such service, not ours, unsupported)."""


async def probe_after_restart(
    endpoint: ServiceEndpoint, timeout_s: float, backoff: Pace | None = None
) -> HealthResult:
    """A fresh deep probe (no cache) of a server that was just started again; its probe is
    closed after. Whole-server and cluster-member restarts both wait on it."""
    checker = HealthChecker(backoff=backoff)
    try:
        return await checker.check(endpoint, timeout_s=timeout_s, use_cache=False)
    finally:
        await checker.close()


@dataclass(frozen=True)
class Recovery:
    """A server brought back: its new record and how long until a deep probe passed."""

    record: ServiceRecord
    health: HealthResult
    ready_s: float


class ServiceFaults:
    """Faults on the servers of one manager's stack (the caller makes sure it is private)."""

    def __init__(self, manager: ToolServiceManager) -> None:
        self.manager = manager

    def record(self, kind: ServiceKind | str) -> tuple[ServiceRecord, Backend]:
        state = self.manager.current()
        record = state.services.get(ServiceKind(kind)) if state is not None else None
        if state is None or record is None:
            raise ServiceFaultError(
                f"no managed {kind} server in the stack of {self.manager.paths.state_dir}",
                fix="service faults act on the scenario's own stack: set `isolation: private`",
            )
        return record, load_backend(state.backend, self.manager.paths)

    async def kill(self, kind: ServiceKind | str) -> None:
        """SIGKILL (or `docker kill`): no goodbye, no flush, as a crash or an OOM kill."""
        record, _backend = self.record(kind)
        if record.process is not None:
            for ref in members.processes(record):  # every broker of a cluster
                await asyncio.to_thread(
                    launcher.kill_process, ref, executables=service_executables()
                )
        elif record.container is not None:
            for container in members.containers(record):  # every broker of a cluster
                await docker_container(container, "kill", str(record.kind))
        else:
            raise _unsupported("kill", record)

    async def pause(self, kind: ServiceKind | str) -> None:
        """SIGSTOP to the server's process group (or `docker pause`): connections stay open and
        nothing answers, like a long GC pause or a hung host."""
        await self._signal(kind, signal.SIGSTOP, "pause")

    async def resume(self, kind: ServiceKind | str) -> None:
        await self._signal(kind, signal.SIGCONT, "unpause")

    async def _signal(self, kind: ServiceKind | str, sig: signal.Signals, docker: str) -> None:
        record, _backend = self.record(kind)
        if record.process is not None:
            sent = all(
                [  # every broker of a cluster, none left out by a failure before it
                    launcher.signal_process(ref, executables=service_executables(), sig=sig)
                    for ref in members.processes(record)
                ]
            )
            if not sent:
                raise ServiceFaultError(
                    f"cannot send {sig.name} to {kind} (pid {record.process.pid}): it is not "
                    "running, or /proc no longer shows the recorded process"
                )
        elif record.container is not None:
            for container in members.containers(record):
                await docker_container(container, docker, str(record.kind))
        else:
            raise _unsupported(docker, record)

    async def restart(self, kind: ServiceKind | str, *, timeout_s: float = 60.0) -> Recovery:
        """Stop the server (gracefully, SIGKILL after a deadline) unless it is dead already, start
        it again on the same ports and data dir, and wait for a deep probe to pass."""
        record, backend = self.record(kind)
        started = time.perf_counter()
        for ref in members.processes(record):  # a paused server would sit out the grace
            launcher.signal_process(ref, executables=service_executables(), sig=signal.SIGCONT)
        if record.container is None:
            await backend.stop([record], grace_s=RESTART_GRACE_S)
        for ref in members.processes(record):
            await _reaped(ref.pid)
        state = self.manager.current()
        assert state is not None  # record() found it
        fresh = await backend.restart(record, Path(state.stack_dir))
        await asyncio.to_thread(self.save, fresh)
        health = await probe_after_restart(fresh.endpoint, timeout_s, RESTART_PROBE_PACE)
        if not health.healthy:
            raise ServiceFaultError(
                f"{kind} did not become healthy after its restart",
                cause=health.error,
                log_path=fresh.log_path,
                log_tail=launcher.tail(fresh.log_path),
            )
        return Recovery(fresh, health, time.perf_counter() - started)

    def save(self, record: ServiceRecord) -> None:
        """The new record (pid, start time) into the stack's state, under its lock."""
        self.manager.store.acquire()
        try:
            state = self.manager.store.load()
            if state is not None:
                state.services[record.kind] = record
                self.manager.store.save(state)
        finally:
            self.manager.store.release()


async def _reaped(pid: int, within_s: float = REAPED_WAIT_S) -> None:
    """Wait until the dead server's pid is gone from /proc: until its parent (init here) reaps
    it, a zombie still answers `kill(pid, 0)`, and PostgreSQL then takes its own lock file for a
    live postmaster's and refuses to start."""

    async def gone() -> bool:
        return procfs.start_ticks(pid) is None  # gone, not even a zombie

    await wait_until(gone, within_s, pace=Pace(first_s=0.02, factor=1.5, cap_s=0.2))


async def docker_container(container: str, verb: str, what: str, **options: Any) -> None:
    """`docker <verb>` (kill, pause, unpause, stop, start) of the recorded `container` of
    `what` (a server, or a member of one)."""
    from python_on_whales import DockerClient, DockerException

    method = getattr(DockerClient().container, verb)
    try:
        await asyncio.to_thread(method, container, **options)
    except DockerException as exc:
        raise ServiceFaultError(
            f"docker {verb} of {what} ({container[:12]}) failed",
            cause=(exc.stderr or str(exc))[-400:],
        ) from exc


def _unsupported(verb: str, record: ServiceRecord) -> ServiceFaultError:
    return ServiceFaultError(
        f"the {record.backend} backend cannot {verb} {record.kind}: it has no process or "
        "container the harness started",
        fix="service faults need a managed stack (process or compose backend)",
    )
