"""Service faults on one member of a many-process server: kill, pause, resume, stop, restart a
cluster's broker (`onex_services.members`), found by a selector the kind resolves at the moment
of the fault (`MemberOps.locate`: Kafka's `leader_of: {topic, partition}`).

Like `service_faults`, these change a server that others would feel, so the runner applies
them to a scenario's private stack only. The process backend signals the member's recorded
process (only while /proc still shows exactly it); the compose backend's members are containers,
and get `docker kill`, `stop`, `pause`, `unpause` and `start` (the container keeps its data and
its ports, as a process member keeps its directory).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Mapping

from onex_services import launcher
from onex_services.backends.process import service_executables
from onex_services.catalog import kind_spec
from onex_services.manager import ToolServiceManager
from onex_services.members import Member, MemberOps, container_health, container_state, members
from onex_services.models import ProcessRef, ServiceKind, ServiceRecord
from onex_services.polling import wait_until
from onex_services.service_faults import (
    Recovery,
    ServiceFaultError,
    ServiceFaults,
    _reaped,
    docker_container,
    probe_after_restart,
)

STOP_GRACE_S = 10.0
MEMBER_START_WAIT_S = 60.0


class MemberFaults:
    """Faults on the members of one manager's stack (the caller makes sure it is private)."""

    def __init__(self, manager: ToolServiceManager) -> None:
        self.manager = manager
        self.server = ServiceFaults(manager)  # the whole server's record and its saving

    def record(self, kind: ServiceKind | str) -> tuple[ServiceRecord, MemberOps]:
        record, _backend = self.server.record(kind)
        ops = kind_spec(str(kind)).members
        if ops is None or not members(record):
            raise ServiceFaultError(
                f"{kind} runs as one process here: it has no members to choose from",
                fix="a leader is a member of a cluster: start the stack with ONEX_KAFKA_BROKERS=3 "
                "(or the scenario's `servers: {kafka: {brokers: 3}}`)",
            )
        return record, ops

    def member(self, kind: ServiceKind | str, name: str) -> Member:
        record, _ops = self.record(kind)
        found = next((m for m in members(record) if m.name == name), None)
        if found is None:
            known = ", ".join(m.name for m in members(record))
            raise ServiceFaultError(f"{kind} has no member {name!r} (it has {known})")
        return found

    async def locate(self, kind: ServiceKind | str, selector: Mapping[str, object]) -> str:
        """The member the selector means now (asked of the running server)."""
        record, ops = self.record(kind)
        try:
            return await ops.locate(record.url, selector)
        except LookupError as exc:
            raise ServiceFaultError(f"cannot find the {kind} member meant", cause=str(exc)) from exc

    async def kill(self, kind: ServiceKind | str, name: str) -> None:
        member = self.member(kind, name)
        if member.container is not None:
            await docker_container(member.container, "kill", f"{kind} {name}")
            return
        ref = _process(kind, member)
        await asyncio.to_thread(launcher.kill_process, ref, executables=service_executables())
        await _reaped(ref.pid)

    async def stop(self, kind: ServiceKind | str, name: str) -> None:
        """A graceful stop (SIGTERM, SIGKILL after a deadline): the member leaves the cluster."""
        member = self.member(kind, name)
        if member.container is not None:
            await docker_container(
                member.container, "stop", f"{kind} {name}", time=int(STOP_GRACE_S)
            )
            return
        ref = _process(kind, member)
        await asyncio.to_thread(
            launcher.stop_process, ref, executables=service_executables(), timeout=STOP_GRACE_S
        )
        await _reaped(ref.pid)

    async def pause(self, kind: ServiceKind | str, name: str) -> None:
        await self._signal(kind, name, signal.SIGSTOP, "pause")

    async def resume(self, kind: ServiceKind | str, name: str) -> None:
        await self._signal(kind, name, signal.SIGCONT, "unpause")

    async def _signal(
        self, kind: ServiceKind | str, name: str, sig: signal.Signals, docker: str
    ) -> None:
        member = self.member(kind, name)
        if member.container is not None:
            await docker_container(member.container, docker, f"{kind} {name}")
            return
        ref = _process(kind, member)
        if not launcher.signal_process(ref, executables=service_executables(), sig=sig):
            raise ServiceFaultError(
                f"cannot send {sig.name} to {kind} {name} (pid {ref.pid}): it is not running, "
                "or /proc no longer shows the recorded process"
            )

    async def start(
        self, kind: ServiceKind | str, name: str, *, timeout_s: float = 60.0
    ) -> Recovery:
        """Start a stopped (or killed) member again on its ports and data, save its new process
        in the stack's state, and wait for the whole server's deep probe to pass."""
        began = time.perf_counter()
        record, ops = self.record(kind)
        member = self.member(kind, name)
        if member.container is not None:
            fresh = await _start_container(record, member)
        else:
            if launcher.is_alive(_process(kind, member)):  # a restart of a live member
                await self.stop(kind, name)
            fresh = await ops.restart(record, name, self.manager.paths)
        await asyncio.to_thread(self.server.save, fresh)
        health = await probe_after_restart(fresh.endpoint, timeout_s)
        if not health.healthy:
            raise ServiceFaultError(
                f"{kind} did not become healthy after {name} started again", cause=health.error
            )
        return Recovery(fresh, health, time.perf_counter() - began)


def _process(kind: ServiceKind | str, member: Member) -> ProcessRef:
    if member.process is None:
        raise ServiceFaultError(f"{kind} {member.name} has neither a process nor a container")
    return member.process


async def _start_container(record: ServiceRecord, member: Member) -> ServiceRecord:
    """Start a member's container again (stopped first when it runs: a restart), and wait for
    its healthcheck (its server listens inside); the record is unchanged (the container keeps
    its id, its data and its ports)."""
    assert member.container is not None  # the caller checked
    container, what = member.container, f"{record.kind} {member.name}"
    state = await asyncio.to_thread(container_state, container)
    if state == "paused":
        await docker_container(container, "unpause", what)
    if state in ("paused", "running"):
        await docker_container(container, "stop", what, time=int(STOP_GRACE_S))
    await docker_container(container, "start", what)

    async def healthy() -> bool:
        return await asyncio.to_thread(container_health, container) == "healthy"

    if not await wait_until(healthy, MEMBER_START_WAIT_S):
        raise ServiceFaultError(
            f"{what} was not healthy within {MEMBER_START_WAIT_S:.0f} s after its container "
            "started again",
            fix="`onex services logs` shows its log",
        )
    return record
