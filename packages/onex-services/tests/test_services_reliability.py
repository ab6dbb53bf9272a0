"""Reliability of the stack against real processes: kill -9, races, start failures.

Each test runs its own stack in its own state and run directories, so it never disturbs the
shared stack the other integration tests use.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import own_stack
import psutil
import pytest
from onex_services import launcher, templates
from onex_services.backends import process as process_backend
from onex_services.errors import PortClashError, ServiceStartError
from onex_services.health import HealthChecker
from onex_services.kinds import redis as redis_kind
from onex_services.kinds.kafka import broker as kafka_broker
from onex_services.manager import ToolServiceManager
from onex_services.models import RunState
from onex_services.ports import port_accepts
from onex_services.settings import Paths

pytestmark = pytest.mark.integration


paths = pytest.fixture(own_stack.paths)
manager = pytest.fixture(own_stack.manager)


def _env(paths: Paths) -> dict[str, str]:
    return dict(
        os.environ,
        ONEX_STATE_DIR=str(paths.state_dir),
        ONEX_RUN_DIR=str(paths.run_dir),
        ONEX_SERVICES_BACKEND="process",
        ONEX_REUSE="0",
    )


async def _until_closed(host: str, port: int) -> None:
    """Wait (bounded) until a killed server's port stops accepting: its threads may still be
    tearing down for a moment after its pid looks dead."""
    for _ in range(100):
        if not port_accepts(host, port):
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"{host}:{port} still accepts connections 5 s after its server was killed")


def _processes_in(directory: Path) -> list[psutil.Process]:
    """Processes started in `directory` (by command line or working directory: redis and
    postgres rewrite their process titles)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "cwd"]):
        cmdline = " ".join(proc.info.get("cmdline") or [])
        in_dir = str(directory) in cmdline or (proc.info.get("cwd") or "").startswith(
            str(directory)
        )
        if in_dir and launcher.process_running(proc):
            found.append(proc)
    return found


async def test_a_killed_broker_shows_as_down_and_up_brings_it_back(
    manager: ToolServiceManager,
) -> None:
    first = await manager.up(["kafka"])
    state = manager.current()
    assert state is not None
    broker = state.services["kafka"].process
    assert broker is not None

    os.kill(broker.pid, signal.SIGKILL)
    assert launcher.wait_for_exit(broker, timeout=10)
    # No waiting here: status looks at the process itself, so it knows as soon as it is gone.
    rows = {row.kind: row for row in await manager.status()}
    assert rows["kafka"].state is RunState.DOWN

    second = await manager.up(["kafka"])

    assert second.endpoints["kafka"] == first.endpoints["kafka"]
    assert second.health["kafka"].healthy
    rows = {row.kind: row for row in await manager.status(deep=True)}
    assert rows["kafka"].state is RunState.RUNNING
    assert rows["kafka"].pid != broker.pid


async def test_the_broker_runs_with_the_heap_the_environment_sets(
    manager: ToolServiceManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEX_KAFKA_HEAP_MAX", "200m")
    await manager.up(["kafka"])
    state = manager.current()
    assert state is not None
    broker = state.services["kafka"].process
    assert broker is not None
    heap = [arg for arg in psutil.Process(broker.pid).cmdline() if arg.startswith("-Xmx")]
    assert heap == ["-Xmx200m"]


_HARNESS = """
import asyncio, json, sys, time
from onex_services.manager import ToolServiceManager
lease = asyncio.run(ToolServiceManager().acquire(["postgres", "redis"], label="doomed"))
print(json.dumps({k: v.url for k, v in lease.endpoints.items()}), flush=True)
time.sleep(600)
"""


def test_after_kill_9_of_the_harness_the_next_up_reaps_its_orphans(
    manager: ToolServiceManager, paths: Paths
) -> None:
    harness = subprocess.Popen(
        [sys.executable, "-c", _HARNESS], env=_env(paths), stdout=subprocess.PIPE, text=True
    )
    tail: subprocess.Popen[bytes] | None = None
    try:
        assert harness.stdout is not None
        assert json.loads(harness.stdout.readline()).keys() == {"postgres", "redis"}
        orphan_state = manager.current()
        assert orphan_state is not None
        orphan_dir = Path(orphan_state.stack_dir)
        orphans = [r.process for r in orphan_state.services.values() if r.process is not None]
        postgres_family = _processes_in(orphan_dir)
        # Someone reading a service's log: its command line names the stack dir, and it runs
        # in it, but it is not the harness's, so it must outlive the reaping.
        log = orphan_dir / "redis" / "redis.log"
        tail = subprocess.Popen(["tail", "-f", str(log)], cwd=log.parent, stdout=subprocess.DEVNULL)
    finally:
        harness.kill()
        harness.wait()
    assert all(launcher.is_alive(ref) for ref in orphans)  # left behind by the kill -9
    assert len(postgres_family) >= 2

    try:
        lease = asyncio.run(manager.up(["redis"]))
        assert tail.poll() is None
    finally:
        tail.kill()
        tail.wait()

    assert all(not launcher.is_alive(ref) for ref in orphans)
    assert not any(launcher.process_running(proc) for proc in postgres_family)
    assert not orphan_dir.exists()
    new_state = manager.current()
    assert new_state is not None
    assert new_state.stack_id != orphan_state.stack_id
    assert lease.health["redis"].healthy


def test_two_ups_at_the_same_moment_share_one_stack(paths: Paths) -> None:
    argv = [sys.executable, "-m", "onex_services", "start", "redis", "--json"]
    ups = [
        subprocess.Popen(argv, env=_env(paths), stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [up.communicate(timeout=120)[0] for up in ups]
    try:
        assert [up.returncode for up in ups] == [0, 0]
        endpoints = [json.loads(out)[0]["endpoint"] for out in outputs]
        assert endpoints[0] == endpoints[1]
        servers = [p for p in _processes_in(paths.run_dir) if "redis-server" in p.name()]
        assert len(servers) == 1
        assert len(list(paths.run_dir.glob("stack-*"))) == 1
    finally:
        subprocess.run(
            [sys.executable, "-m", "onex_services", "stop", "--force"],
            env=_env(paths),
            check=True,
            capture_output=True,
        )
    assert _processes_in(paths.run_dir) == []


async def test_a_broker_that_dies_while_starting_is_one_clear_error(
    manager: ToolServiceManager, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONEX_KAFKA_BROKERS", raising=False)  # one broker, whatever the tier
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        # The broker gets a free client port and a controller port someone else holds, and the
        # check before the start is skipped: the port is taken in the moment between the two.
        ports = iter([process_backend.free_port(), taken])
        monkeypatch.setattr(kafka_broker, "free_port", lambda: next(ports))
        monkeypatch.setattr(kafka_broker, "check_ports_free", lambda *args: None)

        with pytest.raises(PortClashError) as info:
            await manager.up(["kafka"])

    message = str(info.value)
    assert message.startswith("kafka could not bind its port")
    assert f"log:   {paths.run_dir}" in message
    assert "Address already in use" in message  # from the broker's own log
    assert "fix:" in message
    assert manager.current() is None
    assert list(paths.run_dir.glob("stack-*")) == []
    assert _processes_in(paths.run_dir) == []


async def test_a_server_that_exits_while_starting_is_one_clear_error(
    manager: ToolServiceManager, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "infra"
    shutil.copytree(templates.infra_dir(), broken)
    with (broken / "redis" / "redis.conf").open("a") as config:
        config.write("\nno-such-directive yes\n")
    monkeypatch.setenv("ONEX_INFRA_PROCESS_DIR", str(broken))

    with pytest.raises(ServiceStartError) as info:
        await manager.up(["redis"])

    message = str(info.value)
    assert message.startswith("redis exited while starting")
    assert "no-such-directive" in message  # the log's last lines say what was wrong
    assert "redis.log" in message
    assert "fix:" in message


async def test_a_port_taken_under_the_server_is_reported_as_a_port_clash(
    manager: ToolServiceManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        monkeypatch.setattr(redis_kind, "free_port", lambda: taken)

        with pytest.raises(PortClashError) as info:
            await manager.up(["redis"])

    message = str(info.value)
    assert str(taken) in message
    assert "fix:" in message
    assert "redis.log" in message


async def test_a_restart_moves_to_a_fresh_port_when_the_old_one_was_taken(
    manager: ToolServiceManager,
) -> None:
    first = await manager.up(["redis"])
    endpoint = first.endpoints["redis"]
    state = manager.current()
    assert state is not None
    server = state.services["redis"].process
    assert server is not None
    checker = HealthChecker(cache_ttl=60)
    try:
        assert (await checker.check(endpoint)).healthy
        os.kill(server.pid, signal.SIGKILL)
        assert launcher.wait_for_exit(server, timeout=10)
        await _until_closed(endpoint.host, endpoint.port)
        # The cached healthy result must not survive the crash.
        after_crash = await checker.check(endpoint, timeout_s=0.3)
        assert not after_crash.healthy
        with socket.socket() as squatter:
            squatter.bind(("127.0.0.1", endpoint.port))
            squatter.listen()
            second = await manager.up(["redis"])
    finally:
        await checker.close()
    assert second.endpoints["redis"].port != endpoint.port
    assert second.health["redis"].healthy
