"""The process backend: every registered kind's server as a local process.

Each service gets free ports on 127.0.0.1, a directory under the stack's temp dir for its data,
config and log, and runs detached (see `launcher`) so the stack can outlive the process that
started it. How a kind's server is set up and spawned is its spec's `start_process` (with the
helpers of `process_kit`); this backend runs them in parallel, waits for their ports and stops
them. When we are root, a kind may run its server as another user (PostgreSQL does); the stack's
run dir is made traversable (not readable) for that.

Every server's identity goes to the stack's process ledger (`<stack dir>/processes/`) as it
starts; stopping and reaping signal a process only when it is still exactly the recorded one and
runs one of the programs the registered kinds start (`service_executables`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from onex_services import launcher, members
from onex_services.backends.ordered import start_in_order
from onex_services.backends.process_kit import LEDGER_DIR, is_root
from onex_services.catalog import kind_graph, kind_spec, kind_specs
from onex_services.errors import MissingBinaryError, PortClashError, ServiceStartError
from onex_services.kinds.spec import ProcessStart
from onex_services.models import ProcessRef, ServiceKind, ServiceRecord
from onex_services.polling import every, wait_until
from onex_services.ports import LOOPBACK, free_port, port_accepts_async, port_is_free
from onex_services.settings import Paths, start_timeout_s

__all__ = ["LEDGER_DIR", "ProcessBackend", "free_port"]

PORT_WAIT_S = 60.0
PORT_RELEASE_WAIT_S = 5.0


class ProcessBackend:
    """Real binaries as local processes; no Docker needed."""

    name = "process"
    manages_processes = True

    def __init__(self, paths: Paths | None = None) -> None:
        self._paths = paths or Paths.from_env()

    @functools.cached_property
    def executables(self) -> frozenset[str]:
        """Real paths of the programs this backend runs as servers: no other is ever signalled."""
        return service_executables()

    # -- availability -------------------------------------------------------------------------

    def check_available(self, kinds: Sequence[ServiceKind]) -> None:
        for kind in kinds:
            kind_spec(kind).installer.check(self._paths)

    # -- start / restart ----------------------------------------------------------------------

    async def start(
        self,
        kinds: Sequence[ServiceKind],
        stack_dir: Path,
        *,
        running: Mapping[ServiceKind, ServiceRecord] | None = None,
    ) -> dict[ServiceKind, ServiceRecord]:
        """Start `kinds` in dependency order (see `ordered`); `running` are the stack's
        servers that already run, which a dependant among `kinds` may need."""
        self.check_available(kinds)
        _prepare_dir(stack_dir)

        async def start_one(
            kind: ServiceKind, dependencies: Mapping[ServiceKind, ServiceRecord]
        ) -> ServiceRecord:
            return await self._start(kind, stack_dir, None, dependencies)

        tasks = await start_in_order(
            kinds,
            start_one,
            running=running or {},
            alive=self.is_running,
            health_timeout_s=start_timeout_s(),
        )
        failures = [task.exception() for task in tasks.values() if task.exception() is not None]
        records = {kind: task.result() for kind, task in tasks.items() if task.exception() is None}
        if failures:
            await self.stop(list(records.values()), grace_s=5.0)
            first = failures[0]
            assert first is not None
            raise first
        return records

    async def restart(
        self,
        record: ServiceRecord,
        stack_dir: Path,
        *,
        running: Mapping[ServiceKind, ServiceRecord] | None = None,
    ) -> ServiceRecord:
        ports = {key: int(value) for key, value in record.details.items() if key.endswith("port")}
        ports["port"] = record.port
        needs = {
            dep: running[dep]
            for dep in kind_spec(record.kind).depends_on
            if running and dep in running
        }
        if not await _ports_free_soon(list(ports.values())):
            # Someone took a port while the service was down: start over on fresh ports.
            await self.stop([record], grace_s=5.0)
            shutil.rmtree(stack_dir / record.kind, ignore_errors=True)
            return await self._start(record.kind, stack_dir, None, needs)
        return await self._start(record.kind, stack_dir, ports, needs)

    async def _start(
        self,
        kind: ServiceKind,
        stack_dir: Path,
        ports: dict[str, int] | None,
        dependencies: Mapping[ServiceKind, ServiceRecord],
    ) -> ServiceRecord:
        start = ProcessStart(
            stack_dir=stack_dir,
            ports=ports,
            paths=self._paths,
            ledger=stack_dir / LEDGER_DIR,
            started=functools.partial(self._started, kind),
            dependencies=dependencies,
        )
        return await kind_spec(kind).start_process(start)

    async def _started(
        self,
        kind: ServiceKind,
        ref: ProcessRef,
        port: int,
        log_path: Path,
        details: dict[str, str],
        also_listens: tuple[int, ...] = (),
        password: str | None = None,
    ) -> ServiceRecord:
        """The record of a spawned server, once its ports accept connections."""
        record = ServiceRecord(
            kind=kind,
            backend=self.name,
            host=LOOPBACK,
            port=port,
            url=kind_spec(kind).client_url(LOOPBACK, port, password),
            process=ref,
            log_path=str(log_path),
            details=details,
        )
        await _await_port(record, ports=(port, *also_listens))
        return record

    # -- checks and stop ----------------------------------------------------------------------

    def is_running(self, record: ServiceRecord) -> bool:
        """Every process of it runs (each member of a cluster, see `members`)."""
        refs = members.processes(record)
        return bool(refs) and all(launcher.is_alive(ref) for ref in refs)

    async def stop(self, records: Sequence[ServiceRecord], *, grace_s: float = 10.0) -> None:
        """Stop in reverse dependency order: dependants first (a Connect worker stops cleanly
        while its Kafka is still there), independent ones side by side."""
        by_kind = {record.kind: record for record in records}
        for wave in reversed(kind_graph().layers(by_kind)):
            await asyncio.gather(
                *(asyncio.to_thread(self._stop_one, by_kind[kind], grace_s) for kind in wave)
            )

    def _stop_one(self, record: ServiceRecord, timeout: float) -> None:
        import signal
        from concurrent.futures import ThreadPoolExecutor

        sig = getattr(signal, record.details.get("stop_signal", "SIGTERM"))
        refs = members.processes(record)  # a cluster's members stop side by side
        with ThreadPoolExecutor(max_workers=max(1, len(refs))) as pool:
            for ref in refs:
                pool.submit(
                    launcher.stop_process,
                    ref,
                    executables=self.executables,
                    sig=sig,
                    timeout=timeout,
                )

    def refresh_log(self, record: ServiceRecord) -> None:
        """The process appends to its log file itself."""

    def reap(self, records: Sequence[ServiceRecord], stack_dir: Path | None) -> list[str]:
        """Kill the stack's recorded servers: those of its records and of its ledger (which
        also holds a server whose harness died before the record was saved)."""
        lines: list[str] = []
        named = {(r.process.pid, r.process.start_ticks): r.kind for r in records if r.process}
        refs = {(r.process.pid, r.process.start_ticks): r.process for r in records if r.process}
        if stack_dir is not None:
            recorded, refused = launcher.recorded_spawns(stack_dir / LEDGER_DIR)
            lines.extend(refused)
            refs.update({(ref.pid, ref.start_ticks): ref for ref in recorded})
        for key, ref in refs.items():
            what = named.get(key) or Path(ref.exe).name or "a recorded process"
            line = launcher.reap_process(ref, self.executables, what)
            if line is not None:
                lines.append(line)
        return lines


def service_executables() -> frozenset[str]:
    """Real paths of the server programs of this machine's installs (each kind's
    `server_program`), looked up without running them; a missing one is simply not there."""
    found: set[Path] = set()
    for lookup in (spec.server_program for spec in kind_specs().values()):
        with contextlib.suppress(MissingBinaryError, OSError):
            path = lookup()
            if path is not None:
                found.add(path)
    return frozenset(os.path.realpath(path) for path in found)


async def _ports_free_soon(ports: list[int], within_s: float = PORT_RELEASE_WAIT_S) -> bool:
    """True when the ports can be listened on again, waiting a little: a killed JVM's threads
    are still tearing down (and holding its sockets) for a moment after its pid looks dead."""

    async def free() -> bool:
        return all(port_is_free(LOOPBACK, port) for port in ports)

    return await wait_until(free, within_s, pace=every(0.05))


def _prepare_dir(stack_dir: Path) -> None:
    """Create the stack dir so that a server run as another user (see `process_kit`) can
    traverse every parent."""
    stack_dir.mkdir(parents=True, exist_ok=True)
    if is_root():
        for directory in (stack_dir, stack_dir.parent):
            directory.chmod(0o711)  # others may pass through, not list or write
        for parent in stack_dir.parents:
            if parent.exists() and not os.stat(parent).st_mode & 0o001:
                raise ServiceStartError(
                    f"a server run as another user cannot reach {stack_dir}",
                    cause=f"{parent} is not traversable by other users",
                    fix="set ONEX_RUN_DIR to a directory under /tmp or /var/tmp",
                )


async def _await_port(record: ServiceRecord, ports: tuple[int, ...]) -> None:
    """Wait until the service accepts connections; fail at once when its process exits."""
    process = record.process
    assert process is not None

    def died() -> None:
        if not launcher.is_alive(process):
            raise _died_error(record, ports)

    async def accepts() -> bool:
        return await port_accepts_async(record.host, record.port)

    if await wait_until(accepts, PORT_WAIT_S, give_up=died):
        return
    launcher.kill_process(process, executables=service_executables())
    raise ServiceStartError(
        f"{record.kind} did not accept connections on {record.host}:{record.port} "
        f"within {PORT_WAIT_S:.0f} s",
        log_path=record.log_path,
        log_tail=launcher.tail(record.log_path),
        fix="read the log above; the machine may be overloaded",
    )


_BIND_FAILURES = ("address already in use", "could not bind", "failed to bind")


def _start_log(path: str | None, limit: int = 4_000_000) -> str:
    """The last `limit` bytes of a service's log: all of it for a service that just started."""
    if path is None:
        return ""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - limit))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _died_error(record: ServiceRecord, ports: tuple[int, ...]) -> Exception:
    tail = launcher.tail(record.log_path)
    # A JVM prints the bind failure above a long stack trace and a config dump far larger than
    # the tail: search the whole start-up log (bounded) instead.
    recent = _start_log(record.log_path)
    bind_lines = [
        line for line in recent.splitlines() if any(f in line.lower() for f in _BIND_FAILURES)
    ]
    if bind_lines:
        return PortClashError(
            f"{record.kind} could not bind its port on {record.host}",
            cause=f"one of ports {', '.join(map(str, ports))} is in use by another process",
            log_path=record.log_path,
            log_tail=bind_lines[0].strip(),
            fix="run `onex services start` again (ports are picked afresh), or free the port",
        )
    return ServiceStartError(
        f"{record.kind} exited while starting",
        cause="the process is gone before its port accepted connections",
        log_path=record.log_path,
        log_tail=tail,
        fix="read the log above for the reason",
    )
