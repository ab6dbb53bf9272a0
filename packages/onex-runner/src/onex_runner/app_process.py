"""The app under test as a process of the run: started, probed to ready, stopped, never leaked.

It runs in a session of its own (so its whole process group can be stopped: a shell and what it
started, workers it forked), with stdout and stderr in a log file under the run dir. Its
identity goes into the app ledger before it is waited for (see `onex_services.app_ledger`), so
a harness killed meanwhile leaves a record that the next run reaps by. `stop()` sends SIGTERM to
the group, then SIGKILL after `stop_timeout`; it runs on every way out of the scenario, a
cancelled one included. The log is removed when the scenario passed and kept otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil
from onex_registry import OnexToolError
from onex_scenario import ModelAppSpec, ScenarioConfigModel
from onex_scenario.dependencies import app_needs, service_needs
from onex_scenario.placeholders import render
from onex_scenario.project_settings import node_import_root
from onex_services import procfs
from onex_services.app_ledger import (
    AppNode,
    apps_dir,
    forget_app,
    reap_orphan_apps,
    record_app,
    refresh_app,
)
from onex_services.app_nodes import stack_key
from onex_services.launcher import group_members, process_running, tail
from onex_services.models import ProcessRef
from onex_services.polling import STEADY, wait_until
from onex_services.ports import free_port
from onex_services.settings import Paths

from onex_runner.app_env import base_url, placeholder_values
from onex_runner.app_readiness import NotReady, Readiness, wait_ready

_LOG = logging.getLogger(__name__)


class AppStartError(OnexToolError):
    """The app could not be started or did not become ready; the message names its log (whose
    tail the scenario's result carries)."""


@dataclass(frozen=True)
class AppTimings:
    """Seconds from asking for the start to the process existing, and to its readiness."""

    spawned_s: float
    ready_s: float


class AppUnderTest:
    """One app of one scenario run. `start()`, then `stop()` in a `finally`."""

    def __init__(
        self,
        spec: ModelAppSpec,
        *,
        project_root: Path,
        namespace: str,
        services: dict[str, tuple[str, str]],
        paths: Paths | None = None,
        depends_on: tuple[str, ...] = (),
        edges: Mapping[str, tuple[str, ...]] | None = None,
        stack: Paths | None = None,
    ) -> None:
        self.spec = spec
        self.paths = paths or Paths.from_env()
        self.depends_on = depends_on
        """The kinds of the run's real services the app depends on (its node in the graph)."""
        self.edges = dict(edges or {})
        """The scenario's edges between those kinds (`external_services.<name>.depends_on`)."""
        self._stack = stack or self.paths
        self.host = spec.host
        self.port = spec.port or free_port(spec.host)
        self.base_url = base_url(self.host, self.port)
        self._values = placeholder_values(services, namespace, self.host, self.port)
        self._root = project_root
        self._namespace = namespace
        self._proc: asyncio.subprocess.Process | None = None
        self._record: Path | None = None
        self.log_path: Path | None = None
        self.timings: AppTimings | None = None
        self.spawn_at = 0.0
        """Wall-clock time of the exec call (what the app's own start-up is measured from)."""

    def _render(self, text: str, where: str) -> str:
        try:
            return render(text, self._values)
        except KeyError as missing:
            name = str(missing.args[0])
            raise AppStartError(
                f"app {self.spec.name}: {where} uses ${{{name}}}, which this run cannot fill in "
                f"(a service the app needs must be real in the run, not a mock)"
            ) from None

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ) if self.spec.inherit_env else {}
        for name, value in self.spec.env.items():
            env[name] = self._render(value, f"env {name}")
        return env

    async def start(self) -> AppTimings:
        """Start the app and wait until it is ready; AppStartError says why it is not."""
        spec = self.spec
        for line in reap_orphan_apps(self.paths):
            _LOG.warning("%s", line)  # an app a dead harness left behind: news for the user
        argv = [self._render(part, "command") for part in spec.command]
        env = self._environment()
        cwd = (self._root / self._render(spec.cwd, "cwd")) if spec.cwd else self._root
        if not cwd.is_dir():
            raise AppStartError(f"app {spec.name}: cwd {cwd} is not a folder")
        program = shutil.which(argv[0], path=env.get("PATH")) if "/" not in argv[0] else argv[0]
        if program is None or not os.access(cwd / program, os.X_OK):
            raise AppStartError(
                f"app {spec.name}: command {argv[0]!r} not found or not executable "
                f"(PATH of the app, cwd {cwd})"
            )
        log_dir = apps_dir(self.paths) / self._namespace
        log_dir.mkdir(mode=0o700, exist_ok=True)
        self.log_path = log_dir / f"{spec.name}.log"
        started = time.monotonic()
        self.spawn_at = time.time()
        # Appended to by the app alone; the harness only reads it (probes, tails).
        log = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *argv,
                cwd=cwd,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            raise AppStartError(f"app {spec.name}: cannot start {argv[0]!r}: {exc}") from exc
        finally:
            os.close(log)
        spawned = time.monotonic() - started
        self._remember(argv, str(cwd / program))
        if spec.ready is None:
            self.timings = AppTimings(spawned, spawned)
            return self.timings
        readiness = Readiness(
            spec.ready, base_url=self.base_url, host=self.host, port=self.port, log=self.log_path
        )
        try:
            await wait_ready(
                readiness,
                lambda: self._proc.returncode if self._proc is not None else None,
                timeout_s=spec.ready.timeout,
                interval_s=spec.ready.interval,
            )
        except NotReady as why:
            await self.stop()
            command = " ".join(argv)
            raise AppStartError(
                f"app {spec.name} ({command}): {why} (its log: {self.log_path})"
            ) from None
        if self._record is not None:
            refresh_app(self._record)
        self.timings = AppTimings(spawned, time.monotonic() - started)
        return self.timings

    @property
    def namespace(self) -> str:
        return self._namespace

    async def probe(self) -> str | None:
        """Why the app is not healthy now, None when it is: its process ended, or its readiness
        probe, asked once, says no. One that waited for a log line is healthy while it runs
        (the line was seen)."""
        if self._proc is None or self._proc.returncode is not None:
            return "not running"
        ready = self.spec.ready
        if ready is None or ready.log is not None:
            return None
        readiness = Readiness(
            ready, base_url=self.base_url, host=self.host, port=self.port, log=Path(os.devnull)
        )
        if await readiness.ready():
            return None
        return f"not ready: waited for {readiness.describe()} (last: {readiness.last})"

    def _remember(self, argv: list[str], program: str) -> None:
        assert self._proc is not None
        ticks = procfs.start_ticks(self._proc.pid)
        if ticks is None:
            return  # exited already: there is nothing to leak
        ref = ProcessRef(
            pid=self._proc.pid,
            start_ticks=ticks,
            cmdline=tuple(argv),
            exe=os.path.realpath(program),
        )
        node = AppNode(
            depends_on=self.depends_on,
            edges=self.edges,
            stack=stack_key(self._stack),
            namespace=self._namespace,
            host=self.host,
            port=self.port,
            ready=self.spec.ready,
        )
        self._record = record_app(self.paths, self.spec.name, ref, self.log_path or Path(), node)

    async def stop(self) -> None:
        """SIGTERM to the app's process group, SIGKILL after `stop_timeout`; then forget it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        members = group_members(proc.pid)
        try:
            if proc.returncode is None:
                _signal_group(proc.pid, signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), self.spec.stop_timeout)
                except TimeoutError:
                    _signal_group(proc.pid, signal.SIGKILL)
                    await asyncio.wait_for(proc.wait(), 5.0)
            # Anything the app left in its group (workers it forked) goes with it.
            _signal_group(proc.pid, signal.SIGKILL)
            await wait_until(_all_gone(members), 5.0, pace=STEADY)
        except asyncio.CancelledError:
            _signal_group(proc.pid, signal.SIGKILL)
            raise
        finally:
            if self._record is not None and proc.returncode is not None:
                forget_app(self._record)

    def tail(self) -> str:
        """The last lines of the app's log, under a header naming the file."""
        if self.log_path is None or self.spec.log_lines == 0:
            return ""
        text = tail(self.log_path, self.spec.log_lines)
        return f"--- app {self.spec.name} log ({self.log_path}) ---\n{text or '(empty)'}"

    def discard_log(self) -> None:
        """Remove the log (the scenario passed: nothing to look at)."""
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.log_path.parent.rmdir()


def _all_gone(members: set[psutil.Process]) -> Callable[[], Awaitable[bool]]:
    async def gone() -> bool:
        return not any(process_running(member) for member in members)

    return gone


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def app_for_run(
    scenario: ScenarioConfigModel,
    path: Path,
    namespace: str,
    endpoints: Mapping[str, str],
    stack: Paths | None = None,
) -> AppUnderTest | None:
    """The scenario's app for this run (None without `app:`); `endpoints` are the run's real
    services' client strings by kind, `stack` the paths of the stack they belong to."""
    if scenario.app is None:
        return None
    services = {
        name: (str(config.kind), endpoints[str(config.kind)])
        for name, config in scenario.external_services.items()
        if str(config.kind) in endpoints
    }
    needs = [services[name][0] for name in app_needs(scenario) if name in services]
    return AppUnderTest(
        scenario.app,
        project_root=node_import_root(path),
        namespace=namespace,
        services=services,
        depends_on=tuple(sorted(set(needs))),
        edges=_kind_edges(scenario, services),
        stack=stack,
    )


def _kind_edges(
    scenario: ScenarioConfigModel, services: Mapping[str, tuple[str, str]]
) -> dict[str, tuple[str, ...]]:
    """The scenario's edges between its real services, by kind (the stack's graph is one of
    kinds)."""
    edges: dict[str, tuple[str, ...]] = {}
    for name, deps in service_needs(scenario).items():
        if name not in services:
            continue
        kind = services[name][0]
        targets = {services[dep][0] for dep in deps if dep in services} - {kind}
        if targets:
            edges[kind] = tuple(sorted(targets.union(edges.get(kind, ()))))
    return edges
