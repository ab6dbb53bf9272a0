"""The app under test as a node of the service graph, on a real stack of the test's own (Kafka
and the Kafka Connect worker on it): while `onex run` holds an app that needs both, Kafka is
killed; Connect and the app are then reported down with the chain naming Kafka, in `onex
services graph` and `status`, and in the run's event stream (what the dashboard draws)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from onex_services.app_ledger import AppRecord, live_apps
from onex_services.manager import ToolServiceManager
from onex_services.procfs import is_running
from onex_services.settings import Paths

pytestmark = pytest.mark.integration

ECHO_APP = Path(__file__).parent / "apps" / "echo_app.py"
ONEX = str(Path(sys.executable).parent / "onex")
WAIT_S = 120.0  # for each thing awaited below; the run itself is stopped as soon as it is seen


def _scenario(tmp_path: Path) -> Path:
    document = {
        "name": "app_on_connect",
        "tier": "integration",
        "dependency_mode": "real",
        "external_services": {"kafka": {"kind": "kafka"}, "connect": {"kind": "connect"}},
        "app": {
            "command": [sys.executable, str(ECHO_APP), "${app.port}"],
            "env": {"ECHO_KAFKA": "${services.kafka.bootstrap_servers}"},
            "depends_on": ["connect"],  # named by no placeholder: an edge the scenario adds
            "ready": {"http": "/healthz", "timeout": "30s"},
        },
        # Held until the test has seen what it looks for; the run is then interrupted.
        "steps": [{"id": "hold", "wait": "300s", "timeout": "310s"}],
        "cleanup_after": False,  # nothing was created, and its Kafka will be dead
    }
    path = tmp_path / "integration" / "scenario_app_on_connect.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _until(what: str, found: Callable[[], Any], run: subprocess.Popen[str]) -> Any:
    """`found()` once it is truthy; fails (with the run's output) when the run ends first or
    nothing is found in WAIT_S (a deadline for a broken build, not a speed assertion)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        if run.poll() is not None:
            output = run.stdout.read() if run.stdout is not None else ""
            pytest.fail(f"the run ended before {what}:\n{output}")
        time.sleep(0.2)
    pytest.fail(f"no {what} within {WAIT_S:g}s")


def _graph(*flags: str) -> tuple[int, dict[str, str]]:
    shown = subprocess.run(
        [ONEX, "services", "graph", *flags], capture_output=True, text=True, check=False
    )
    assert "Traceback" not in shown.stderr, shown.stderr
    lines = {line.split()[0]: line for line in shown.stdout.splitlines() if line.strip()}
    return shown.returncode, lines


def _app_events(events: Path) -> list[dict[str, Any]]:
    if not events.exists():
        return []
    found = []
    for line in events.read_text(encoding="utf-8").splitlines():
        event = json.loads(line) if line.strip() else {}
        if event.get("type") == "health" and event.get("kind") == "app":
            found.append(event)
    return found


def _the_app() -> AppRecord | None:
    apps = [record for record in live_apps(Paths.from_env()) if is_running(record.app)]
    return apps[0] if apps else None


def test_a_dead_kafka_marks_connect_and_the_app_down_with_the_chain(
    own_stack: ToolServiceManager, tmp_path: Path
) -> None:
    manager = own_stack
    events = tmp_path / "events.jsonl"
    run: subprocess.Popen[str] | None = None
    try:
        asyncio.run(manager.up(["connect"]))
        state = manager.current()
        assert state is not None
        kafka = state.services["kafka"].process
        assert kafka is not None
        run = subprocess.Popen(
            [ONEX, "run", str(_scenario(tmp_path)), "--events", str(events)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=tmp_path,
        )
        app = _until("the app started", _the_app, run)
        assert app.node is not None
        assert app.node.depends_on == ("connect", "kafka")  # named by its env, and declared

        code, lines = _graph("--no-health")
        assert code == 0, lines
        assert lines["app"].split()[1] == "running"
        assert "<- connect, kafka" in lines["app"]
        healthy = _until(
            "a healthy app in the event stream",
            lambda: [e for e in _app_events(events) if e["status"] == "healthy"],
            run,
        )
        assert healthy[0]["depends_on"] == ["connect", "kafka"]

        assert os.getpgid(kafka.pid) == kafka.pid  # its own group: the kill reaches only it
        os.killpg(kafka.pid, signal.SIGKILL)  # Kafka dies during the run
        _until("Kafka gone", lambda: not is_running(kafka), run)

        code, lines = _graph()
        assert code == 3, lines
        assert lines["kafka"].split()[1] == "down"
        assert lines["connect"].split()[1] == "down"
        assert "depends on kafka (down)" in lines["connect"]
        assert lines["app"].split()[1] == "down"  # its process answers, but it is not usable
        assert "depends on connect -> kafka (down)" in lines["app"]

        status = subprocess.run(
            [ONEX, "services", "status", "--json", "--no-health"],
            capture_output=True,
            text=True,
            check=False,
        )
        rows = {row["kind"]: row for row in json.loads(status.stdout)}
        assert status.returncode == 3
        assert rows["app"]["backend"] == "app"
        assert rows["app"]["state"] == "down"
        assert rows["app"]["blocked_by"] == "depends on connect -> kafka (down)"

        mermaid = subprocess.run(
            [ONEX, "services", "graph", "--format", "mermaid", "--no-health"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        assert "svc_app --> svc_connect" in mermaid
        assert "class svc_app broken" in mermaid

        down = _until(
            "the app marked down in the event stream",
            lambda: [e for e in _app_events(events) if e["status"] != "healthy"],
            run,
        )
        assert down[-1]["error"] == "unusable: depends on connect -> kafka (down)"
        assert down[-1]["depends_on"] == ["connect", "kafka"]
    finally:
        if run is not None:
            run.send_signal(signal.SIGINT)  # the run stops its app on the way out
            try:
                run.wait(60)
            except subprocess.TimeoutExpired:
                run.kill()
                run.wait()
        asyncio.run(manager.down(force=True))
    assert _the_app() is None
