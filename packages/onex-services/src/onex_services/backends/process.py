"""The process backend: Kafka (KRaft), PostgreSQL and Redis as local processes.

Each service gets free ports on 127.0.0.1, a directory under the stack's temp dir for its data,
config and log, and runs detached (see `launcher`) so the stack can outlive the process that
started it. Configs come from `infra/process` (see `templates`).

When we are root, PostgreSQL runs as the `postgres` user (initdb and postgres refuse root); its
directory is owned by that user and the stack's run dir is traversable (not readable) by it.

Every server's identity goes to the stack's process ledger (`<stack dir>/processes/`) as it
starts; stopping and reaping signal a process only when it is still exactly the recorded one and
runs one of the programs this backend starts (`service_executables`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import os
import pwd
import shutil
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from onex_services import launcher, templates
from onex_services.catalog import CATALOG
from onex_services.errors import MissingBinaryError, PortClashError, ServiceStartError
from onex_services.install import (
    find_java,
    find_postgres_bindir,
    find_redis_server,
    java_path,
    require_kafka,
)
from onex_services.models import ProcessRef, ServiceKind, ServiceRecord
from onex_services.passwords import service_env, stack_password
from onex_services.ports import LOOPBACK, free_port, port_accepts_async, port_is_free

__all__ = ["ProcessBackend", "free_port"]
from onex_services.settings import Paths, kafka_heap_max, kafka_version

PORT_WAIT_S = 60.0
PORT_RELEASE_WAIT_S = 5.0
POSTGRES_USER = "postgres"
LEDGER_DIR = "processes"
_Starter = Callable[[Path, dict[str, int] | None], Coroutine[Any, Any, ServiceRecord]]


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
        if ServiceKind.KAFKA in kinds:
            find_java()
            require_kafka(self._paths.cache_dir, kafka_version())
        if ServiceKind.POSTGRES in kinds:
            find_postgres_bindir()
            if _is_root():
                _postgres_account()
        if ServiceKind.REDIS in kinds:
            find_redis_server()

    # -- start / restart ----------------------------------------------------------------------

    async def start(
        self, kinds: Sequence[ServiceKind], stack_dir: Path
    ) -> dict[ServiceKind, ServiceRecord]:
        self.check_available(kinds)
        _prepare_dir(stack_dir)
        tasks = {kind: asyncio.create_task(self._starter(kind)(stack_dir, None)) for kind in kinds}
        await asyncio.wait(tasks.values())
        failures = [task.exception() for task in tasks.values() if task.exception() is not None]
        records = {kind: task.result() for kind, task in tasks.items() if task.exception() is None}
        if failures:
            await self.stop(list(records.values()), grace_s=5.0)
            first = failures[0]
            assert first is not None
            raise first
        return records

    async def restart(self, record: ServiceRecord, stack_dir: Path) -> ServiceRecord:
        ports = {key: int(value) for key, value in record.details.items() if key.endswith("port")}
        ports["port"] = record.port
        if not await _ports_free_soon(list(ports.values())):
            # Someone took a port while the service was down: start over on fresh ports.
            await self.stop([record], grace_s=5.0)
            shutil.rmtree(stack_dir / record.kind.value, ignore_errors=True)
            return await self._starter(record.kind)(stack_dir, None)
        return await self._starter(record.kind)(stack_dir, ports)

    def _starter(self, kind: ServiceKind) -> _Starter:
        return {
            ServiceKind.KAFKA: self._start_kafka,
            ServiceKind.POSTGRES: self._start_postgres,
            ServiceKind.REDIS: self._start_redis,
        }[kind]

    async def _start_kafka(self, stack_dir: Path, ports: dict[str, int] | None) -> ServiceRecord:
        java = find_java()
        dist = require_kafka(self._paths.cache_dir, kafka_version())
        home = stack_dir / "kafka"
        data = home / "data"
        log_path = home / "kafka.log"
        fresh = ports is None or not (data / "meta.properties").exists()
        port, controller_port = (
            (ports["port"], ports["controller_port"])
            if ports is not None
            else (free_port(), free_port())
        )
        home.mkdir(parents=True, exist_ok=True)
        config = home / "server.properties"
        config.write_text(
            templates.render(
                "kafka/server.properties",
                port=port,
                controller_port=controller_port,
                data_dir=data,
            ),
            encoding="utf-8",
        )
        log_config = home / "log4j2.properties"
        log_config.write_text(templates.render("kafka/log4j2.properties"), encoding="utf-8")
        jvm = [
            str(java.path),
            *templates.option_lines("kafka/jvm.options"),
            f"-Xmx{kafka_heap_max()}",
            f"-Dlog4j2.configurationFile={log_config}",
            "-cp",
            dist.classpath,
        ]
        if fresh:
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            await _run_step(
                # `=`: an id starting with "-" would be read as an option (1 start in 64).
                [
                    *jvm,
                    "kafka.tools.StorageTool",
                    "format",
                    f"--cluster-id={cluster_id}",
                    "-c",
                    str(config),
                ],
                log_path=log_path,
                what="format Kafka's storage",
                fix="check that the Kafka jars in the cache are complete: `onex services install`",
            )
        _check_ports_free(ServiceKind.KAFKA, (port, controller_port), log_path)
        ref = _spawn(
            [*jvm, "kafka.Kafka", str(config)],
            log_path=log_path,
            cwd=home,
            ledger=stack_dir / LEDGER_DIR,
        )
        details = {"controller_port": str(controller_port), "version": dist.version}
        return await self._started(
            ServiceKind.KAFKA, ref, port, log_path, details, also_listens=(controller_port,)
        )

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
            url=CATALOG[kind].client_url(LOOPBACK, port, password),
            process=ref,
            log_path=str(log_path),
            details=details,
        )
        await _await_port(record, ports=(port, *also_listens))
        return record

    async def _start_postgres(self, stack_dir: Path, ports: dict[str, int] | None) -> ServiceRecord:
        bindir = find_postgres_bindir()
        user = POSTGRES_USER if _is_root() else None
        home = stack_dir / "postgres"
        data = home / "data"
        log_path = stack_dir / "postgres.log"
        port = ports["port"] if ports is not None else free_port()
        password = stack_password(self._paths.state_dir, stack_dir.name, ServiceKind.POSTGRES)
        if ports is None or not (data / "PG_VERSION").exists():
            home.mkdir(parents=True, exist_ok=True)
            if user is not None:
                _chown(home, user)
            home.chmod(0o700)
            # Every connection, local socket too, proves the password (no `trust`): any local
            # user could otherwise be superuser and run `COPY ... TO PROGRAM`.
            pwfile = home / "initdb.pw"
            pwfile.touch(mode=0o600)
            pwfile.write_text(password, encoding="utf-8")
            if user is not None:
                _chown(pwfile, user)
            try:
                await _run_step(
                    [
                        str(bindir / "initdb"),
                        "-D",
                        str(data),
                        "--no-sync",
                        "--auth=scram-sha-256",
                        f"--pwfile={pwfile}",
                        "--username=postgres",
                        "--encoding=UTF8",
                        "--locale=C",
                        "--no-instructions",
                    ],
                    log_path=log_path,
                    what="initialise a PostgreSQL data directory (initdb)",
                    fix=f"check {bindir}/initdb works; PostgreSQL must run as a non-root user",
                    user=user,
                    cwd=home,
                )
            finally:
                pwfile.unlink(missing_ok=True)
        else:
            # A kill -9 leaves a stale lock file; postgres refuses to start while it is there.
            (data / "postmaster.pid").unlink(missing_ok=True)
        conf = data / "postgresql.conf"
        conf.write_text(
            templates.render("postgres/postgresql.conf", port=port, socket_dir=home),
            encoding="utf-8",
        )
        if user is not None:
            _chown(conf, user)
        _check_ports_free(ServiceKind.POSTGRES, (port,), log_path)
        ref = _spawn(
            [str(bindir / "postgres"), "-D", str(data)],
            log_path=log_path,
            cwd=home,
            user=user,
            ledger=stack_dir / LEDGER_DIR,
        )
        details = {"data_dir": str(data), "stop_signal": "SIGINT"}
        return await self._started(
            ServiceKind.POSTGRES, ref, port, log_path, details, password=password
        )

    async def _start_redis(self, stack_dir: Path, ports: dict[str, int] | None) -> ServiceRecord:
        server = find_redis_server()
        home = stack_dir / "redis"
        home.mkdir(parents=True, exist_ok=True)
        log_path = home / "redis.log"
        port = ports["port"] if ports is not None else free_port()
        password = stack_password(self._paths.state_dir, stack_dir.name, ServiceKind.REDIS)
        config = home / "redis.conf"
        config.touch(mode=0o600)  # it holds the password
        config.write_text(
            templates.render("redis/redis.conf", port=port, data_dir=home, password=password),
            encoding="utf-8",
        )
        _check_ports_free(ServiceKind.REDIS, (port,), log_path)
        ref = _spawn(
            [str(server), str(config)], log_path=log_path, cwd=home, ledger=stack_dir / LEDGER_DIR
        )
        return await self._started(ServiceKind.REDIS, ref, port, log_path, {}, password=password)

    # -- checks and stop ----------------------------------------------------------------------

    def is_running(self, record: ServiceRecord) -> bool:
        return launcher.is_alive(record.process)

    async def stop(self, records: Sequence[ServiceRecord], *, grace_s: float = 10.0) -> None:
        await asyncio.gather(
            *(asyncio.to_thread(self._stop_one, record, grace_s) for record in records)
        )

    def _stop_one(self, record: ServiceRecord, timeout: float) -> None:
        if record.process is None:
            return
        import signal

        sig = getattr(signal, record.details.get("stop_signal", "SIGTERM"))
        launcher.stop_process(
            record.process, executables=self.executables, sig=sig, timeout=timeout
        )

    def refresh_log(self, record: ServiceRecord) -> None:
        """The process appends to its log file itself."""

    def reap(self, records: Sequence[ServiceRecord], stack_dir: Path | None) -> list[str]:
        """Kill the stack's recorded servers: those of its records and of its ledger (which
        also holds a server whose harness died before the record was saved)."""
        lines: list[str] = []
        named = {(r.process.pid, r.process.start_ticks): r.kind.value for r in records if r.process}
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
    """Real paths of the server programs of this machine's installs (java, postgres,
    redis-server), looked up without running them; a missing one is simply not there."""
    found: set[Path] = set()
    lookups: tuple[Callable[[], Path | None], ...] = (
        java_path,
        lambda: find_postgres_bindir() / "postgres",
        find_redis_server,
    )
    for lookup in lookups:
        with contextlib.suppress(MissingBinaryError, OSError):
            path = lookup()
            if path is not None:
                found.add(path)
    return frozenset(os.path.realpath(path) for path in found)


async def _ports_free_soon(ports: list[int], within_s: float = PORT_RELEASE_WAIT_S) -> bool:
    """True when the ports can be listened on again, waiting a little: a killed JVM's threads
    are still tearing down (and holding its sockets) for a moment after its pid looks dead."""
    deadline = time.monotonic() + within_s
    while not all(port_is_free(LOOPBACK, port) for port in ports):
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def _is_root() -> bool:
    return os.geteuid() == 0


def _postgres_account() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(POSTGRES_USER)
    except KeyError:
        raise MissingBinaryError(
            "PostgreSQL cannot run as root and there is no `postgres` user",
            cause="initdb and postgres refuse to run as root",
            fix="apt-get install postgresql (it creates the user), or run the harness as non-root",
        ) from None


def _chown(path: Path, user: str) -> None:
    account = pwd.getpwnam(user)
    os.chown(path, account.pw_uid, account.pw_gid)


def _prepare_dir(stack_dir: Path) -> None:
    """Create the stack dir so that the postgres user can traverse every parent."""
    stack_dir.mkdir(parents=True, exist_ok=True)
    if _is_root():
        for directory in (stack_dir, stack_dir.parent):
            directory.chmod(0o711)  # others may pass through, not list or write
        for parent in stack_dir.parents:
            if parent.exists() and not os.stat(parent).st_mode & 0o001:
                raise ServiceStartError(
                    f"the postgres user cannot reach {stack_dir}",
                    cause=f"{parent} is not traversable by other users",
                    fix="set ONEX_RUN_DIR to a directory under /tmp or /var/tmp",
                )


def _check_ports_free(kind: ServiceKind, ports: tuple[int, ...], log_path: Path) -> None:
    """Refuse to start on a port that something already listens on: the server would fail to
    bind, and worse, a health probe would talk to the other program."""
    for port in ports:
        if not port_is_free(LOOPBACK, port):
            raise PortClashError(
                f"{kind.value} cannot listen on {LOOPBACK}:{port}",
                cause=f"port {port} is in use by another process",
                log_path=log_path,
                fix="run `onex services start` again (ports are picked afresh), or free the port",
            )


def _spawn(
    argv: list[str], *, log_path: Path, cwd: Path, ledger: Path, user: str | None = None
) -> ProcessRef:
    name = Path(argv[0]).name
    with open(log_path, "ab") as log:
        log.write(f"--- onex: starting {name} at {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
    try:
        return launcher.spawn_detached(
            argv, log_path=log_path, cwd=cwd, env=service_env(user), user=user, ledger=ledger
        )
    except OSError as exc:
        raise ServiceStartError(
            f"cannot start {name}",
            cause=str(exc),
            log_path=log_path,
            fix="check the program runs by hand: " + " ".join(argv[:3]),
        ) from exc


async def _run_step(
    argv: list[str],
    *,
    log_path: Path,
    what: str,
    fix: str,
    user: str | None = None,
    cwd: Path | None = None,
) -> None:
    """Run a short set-up program to completion, its output appended to the service log."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        log.write(f"--- onex: {what}\n".encode())
        log.flush()
        extra: dict[str, object] = {}
        if user is not None:
            extra = {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            cwd=cwd,
            env=service_env(user),
            **extra,  # type: ignore[arg-type]
        )
        code = await proc.wait()
    if code != 0:
        raise ServiceStartError(
            f"could not {what} (exit {code})",
            cause=f"`{' '.join(argv[-6:])}` failed",
            log_path=log_path,
            log_tail=launcher.tail(log_path),
            fix=fix,
        )


async def _await_port(record: ServiceRecord, ports: tuple[int, ...]) -> None:
    """Wait until the service accepts connections; fail at once when its process exits."""
    assert record.process is not None
    deadline = time.monotonic() + PORT_WAIT_S
    delay = 0.02
    while time.monotonic() < deadline:
        if not launcher.is_alive(record.process):
            raise _died_error(record, ports)
        if await port_accepts_async(record.host, record.port):
            return
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.2)
    launcher.kill_process(record.process, executables=service_executables())
    raise ServiceStartError(
        f"{record.kind.value} did not accept connections on {record.host}:{record.port} "
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
            f"{record.kind.value} could not bind its port on {record.host}",
            cause=f"one of ports {', '.join(map(str, ports))} is in use by another process",
            log_path=record.log_path,
            log_tail=bind_lines[0].strip(),
            fix="run `onex services start` again (ports are picked afresh), or free the port",
        )
    return ServiceStartError(
        f"{record.kind.value} exited while starting",
        cause="the process is gone before its port accepted connections",
        log_path=record.log_path,
        log_tail=tail,
        fix="read the log above for the reason",
    )
