"""A run stopped while a scenario holds a network fault: interrupted (SIGINT), its cleanup
removes the fault and the proxy itself; killed (SIGKILL), it leaves the proxy behind and the
reaper removes it, and only it: a proxy the harness did not make stays.

The stack (Redis and Toxiproxy, both real processes) is each test's own, never the shared one.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from onex_services.kinds.toxiproxy.api import ToxiproxyClient

from reliability.kills import IsolatedStack, onex_command, pid_alive, wait_until

pytestmark = pytest.mark.integration


def _scenario(folder: Path, marker: Path) -> Path:
    document: dict[str, Any] = {
        "name": "held_fault_then_killed",
        "tier": "integration",
        "node": "nodes.counter:CounterNode",
        "dependency_mode": "real",
        "external_services": {"redis": {"kind": "redis"}},
        "steps": [
            {"id": "slow", "fault": {"target": "redis", "action": "latency", "params": {"ms": 5}}},
            {"id": "hold", "call": "hold", "kwargs": {"marker": str(marker)}},
        ],
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scenario_held_fault.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _proxies(api: ToxiproxyClient) -> dict[str, tuple[str, ...]]:
    return {p.name: p.toxics for p in asyncio.run(api.proxies())}


def _run_until_held(
    stack: IsolatedStack, tmp_path: Path, stop: signal.Signals
) -> tuple[ToxiproxyClient, str, subprocess.Popen[str]]:
    """Start a stack and `onex run` the scenario; once it holds its fault, send `stop` and wait
    for the run to end. The stack's Toxiproxy, the run's proxy and the ended run."""
    started = stack.services("start", "redis", "toxiproxy")
    assert started.returncode == 0, started.stdout + started.stderr
    state = stack.state()
    assert state is not None
    api = ToxiproxyClient(state.services["toxiproxy"].url)
    asyncio.run(api.create_proxy("someone-else", "127.0.0.1:0", "127.0.0.1:9"))
    marker = tmp_path / "holding"
    run = subprocess.Popen(
        [onex_command(), "run", str(_scenario(tmp_path / "scenarios", marker)),
         "--snapshots", "-", "--events", "-", "--history", "-"],
        env=stack.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_until(lambda: marker.exists() or run.poll() is not None, "the scenario to hold")
        assert run.poll() is None, run.communicate()[0]
        held = {n: t for n, t in _proxies(api).items() if n.endswith(".redis")}
        [(name, toxics)] = held.items()  # the run's proxy, with its latency toxic
        assert len(toxics) == 1
        os.kill(run.pid, stop)
        wait_until(lambda: not pid_alive(run.pid), "the run to end")
    finally:
        if run.poll() is None:
            run.kill()
        run.wait()
    return api, name, run


def test_an_interrupted_run_removes_its_fault_and_proxy_itself(tmp_path: Path) -> None:
    stack = IsolatedStack(tmp_path)
    try:
        api, name, run = _run_until_held(stack, tmp_path, signal.SIGINT)
        assert run.returncode != 0
        left = _proxies(api)
        assert name not in left  # gone without the reaper
        assert "someone-else" in left
    finally:
        stack.stop()


def test_the_reaper_removes_the_proxies_of_a_killed_run_and_no_other(tmp_path: Path) -> None:
    stack = IsolatedStack(tmp_path)
    try:
        api, name, _ = _run_until_held(stack, tmp_path, signal.SIGKILL)
        assert name in _proxies(api)  # nothing removed it: the run died holding it
        reaped = stack.services("reap")
        assert reaped.returncode == 0, reaped.stdout + reaped.stderr
        left = _proxies(api)
        assert name not in left, reaped.stdout
        assert "someone-else" in left  # not the harness's: not touched
    finally:
        stack.stop()
