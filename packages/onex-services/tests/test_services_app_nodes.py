"""The app under test as a node of the service graph: read from the app ledger, probed by its
readiness, placed under the kinds it depends on, and down with the chain named when one of them
is; drawn as a stadium in Mermaid. The app is a real process (a tiny HTTP server)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from onex_scenario import ModelAppReadiness
from onex_services import procfs
from onex_services.app_ledger import AppNode, record_app
from onex_services.app_nodes import APP_BACKEND, stack_key, with_apps
from onex_services.graph_view import graph_nodes, render_mermaid, render_text
from onex_services.models import HealthResult, HealthStatus, RunState, ServiceStatus
from onex_services.ports import free_port
from onex_services.settings import Paths

pytestmark = pytest.mark.unit

SERVER = (
    "import http.server, sys\n"
    "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])),"
    " http.server.SimpleHTTPRequestHandler).serve_forever()\n"
)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(state_dir=tmp_path / "state", cache_dir=tmp_path / "cache", run_dir=tmp_path / "r")


@pytest.fixture
def app(paths: Paths, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """An HTTP server recorded in the ledger as the app `web`, which needs Kafka."""
    port = free_port("127.0.0.1")
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=tmp_path)
    try:
        for _ in range(500):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.02)
        ref = procfs.identity(proc.pid)
        assert ref is not None
        node = AppNode(
            depends_on=("kafka",),
            edges={"postgres": ("kafka",)},  # the scenario's own edge
            stack=stack_key(paths),
            namespace="onex_t",
            port=port,
            ready=ModelAppReadiness(http="/"),
        )
        record_app(paths, "web", ref, tmp_path / "web.log", node)
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _kafka(state: RunState) -> ServiceStatus:
    healthy = state is RunState.RUNNING
    return ServiceStatus(
        kind="kafka",
        backend="process",
        endpoint="kafka://127.0.0.1:1",
        state=state,
        health=HealthResult(
            kind="kafka",
            endpoint="kafka://127.0.0.1:1",
            status=HealthStatus.HEALTHY if healthy else HealthStatus.UNHEALTHY,
            latency_ms=1.0,
            attempts=1,
            error=None if healthy else "not running",
        ),
    )


def test_a_running_app_is_a_healthy_node_under_what_it_depends_on(
    paths: Paths, app: subprocess.Popen[bytes]
) -> None:
    rows, graph = with_apps([_kafka(RunState.RUNNING)], paths, deep=True)
    web = {row.kind: row for row in rows}["web"]
    assert web.backend == APP_BACKEND
    assert web.pid == app.pid
    assert web.state is RunState.RUNNING
    assert web.health is not None
    assert web.health.healthy, web.health
    assert graph.needs["web"] == ("kafka",)
    nodes = graph_nodes(rows, graph)
    assert [node.kind for node in nodes] == ["kafka", "web"]
    line = render_text(nodes).plain.splitlines()[1]
    assert line.split()[:3] == ["web", "running", "healthy"]
    assert "<- kafka" in line
    mermaid = render_mermaid(nodes)
    assert 'svc_web(["web<br/>running, healthy"])' in mermaid  # a stadium: the app
    assert "svc_web --> svc_kafka" in mermaid


def test_an_app_whose_kafka_is_down_is_down_with_the_chain(
    paths: Paths, app: subprocess.Popen[bytes]
) -> None:
    rows, graph = with_apps([_kafka(RunState.DOWN)], paths, deep=True)
    web = {row.kind: row for row in rows}["web"]
    assert web.state is RunState.DOWN  # its process answers, but it is not usable
    assert web.blocked_by == "depends on kafka (down)"
    assert web.health is not None
    assert web.health.error == "unusable: depends on kafka (down)"
    mermaid = render_mermaid(graph_nodes(rows, graph))
    assert "class svc_web broken" in mermaid


def test_an_app_that_died_is_down_and_other_stacks_apps_are_not_shown(
    paths: Paths, app: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    elsewhere = Paths(
        state_dir=tmp_path / "other", cache_dir=paths.cache_dir, run_dir=paths.run_dir
    )
    rows, _ = with_apps([], elsewhere, deep=False)
    assert rows == []
    app.kill()
    app.wait()
    rows, _ = with_apps([_kafka(RunState.RUNNING)], paths, deep=True)
    web = {row.kind: row for row in rows}["web"]
    assert web.state is RunState.DOWN
    assert web.health is not None
    assert web.health.error == "not running"


def test_the_scenarios_own_edges_hold_while_its_app_runs(
    paths: Paths, app: subprocess.Popen[bytes]
) -> None:
    postgres = _kafka(RunState.RUNNING).model_copy(update={"kind": "postgres", "health": None})
    rows, graph = with_apps([_kafka(RunState.DOWN), postgres], paths, deep=False)
    assert graph.needs["postgres"] == ("kafka",)
    assert {row.kind: row for row in rows}["postgres"].blocked_by == "depends on kafka (down)"
    elsewhere = Paths(
        state_dir=paths.run_dir / "other", cache_dir=paths.cache_dir, run_dir=paths.run_dir
    )
    _, graph = with_apps([_kafka(RunState.DOWN), postgres], elsewhere, deep=False)
    assert graph.needs["postgres"] == ()  # a stack without the app: the kinds' edges alone
