"""The apps under test as nodes of the service graph, for `onex services graph` and `status`.

An app is started by a scenario run, not by the service manager, so the stack's state file does
not know it; the app ledger does (`app_ledger.AppNode`: the kinds it depends on, the stack its
services belong to, how to probe it). Each live app of this stack becomes a row beside the
services' (backend `app`) and a node of the graph under what it depends on (with its
scenario's own edges between services, while it runs), and the chain applies to it like to any
service: an app whose Kafka died is down, the chain named
(`depends on kafka (down)`), although its process runs.

Its own health is its readiness probe asked once (the HTTP path answering its status, or its
port accepting a connection); an app that waited for a log line counts as healthy while its
process runs (the line was seen when it started).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Sequence

from onex_services import launcher
from onex_services.app_ledger import AppRecord, live_apps
from onex_services.catalog import kind_graph, kind_specs
from onex_services.chain import chained_rows
from onex_services.graph import DependencyError, ServiceGraph
from onex_services.models import HealthResult, HealthStatus, RunState, ServiceStatus
from onex_services.ports import port_accepts
from onex_services.settings import Paths

APP_BACKEND = "app"
"""The `backend` of an app's row: it is not a service of the manager."""


def stack_key(paths: Paths) -> str:
    """How an app's record names the stack its services come from: the state dir, resolved."""
    return str(paths.state_dir.resolve())


def with_apps(
    rows: Sequence[ServiceStatus], paths: Paths, *, deep: bool
) -> tuple[list[ServiceStatus], ServiceGraph]:
    """`rows` and one row per live app of this stack, the chain applied to all, and the graph
    with the apps in it (each under the kinds it depends on)."""
    records = [
        record
        for record in live_apps(paths)
        if record.node is not None and record.node.stack == stack_key(paths)
    ]
    names = _node_names(records)
    known = set(kind_specs())
    extra: dict[str, list[str]] = {}
    for name, record in zip(names, records, strict=True):
        assert record.node is not None
        extra[name] = [dep for dep in record.node.depends_on if dep in known]
    edges: dict[str, list[str]] = {}
    for record in records:
        assert record.node is not None
        for kind, deps in record.node.edges.items():
            edges.setdefault(kind, []).extend(dep for dep in deps if dep in known)
    try:
        graph = kind_graph({**edges, **extra})
    except DependencyError:  # two scenarios' edges that make a ring together: theirs go
        graph = kind_graph(extra)
    apps = [_row(name, record, deep) for name, record in zip(names, records, strict=True)]
    return chained_rows([*rows, *apps], graph), graph


def _node_names(records: Sequence[AppRecord]) -> list[str]:
    """A node name per app: its own, unless a kind or another app has it (then the namespace
    tells them apart)."""
    taken = set(kind_specs())
    names: list[str] = []
    for record in records:
        name = record.name
        if name in taken and record.node is not None:
            name = f"{record.name}@{record.node.namespace}"
        if name in taken:
            name = f"{name}#{len(names) + 1}"
        taken.add(name)
        names.append(name)
    return names


def _row(name: str, record: AppRecord, deep: bool) -> ServiceStatus:
    node = record.node
    assert node is not None
    url = f"http://{node.host}:{node.port}"
    running = launcher.is_alive(record.app)
    health = _probe(name, record, url, running) if deep else None
    return ServiceStatus(
        kind=name,
        backend=APP_BACKEND,
        endpoint=url,
        state=RunState.RUNNING if running else RunState.DOWN,
        pid=record.app.pid,
        log_path=record.log,
        health=health,
    )


def _probe(name: str, record: AppRecord, url: str, running: bool) -> HealthResult:
    node = record.node
    assert node is not None
    started = time.perf_counter()
    error: str | None = None
    ready = node.ready
    if not running:
        error = "not running"
    elif ready is not None and ready.http is not None:
        error = _http_problem(url + ready.http, ready.status)
    elif ready is not None and ready.tcp not in (None, False):
        port = node.port if ready.tcp is True else int(ready.tcp or node.port)
        if not port_accepts(node.host, port, timeout=1.0):
            error = f"port {node.host}:{port} refused the connection"
    return HealthResult(
        kind=name,
        endpoint=url,
        status=HealthStatus.UNHEALTHY if error else HealthStatus.HEALTHY,
        latency_ms=(time.perf_counter() - started) * 1000,
        attempts=1,
        error=error,
    )


def _http_problem(url: str, expected: int) -> str | None:
    """None when GET `url` answers `expected`, else what it answered."""
    try:
        with urllib.request.urlopen(url, timeout=2.0) as answer:
            status = int(answer.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        return f"GET {url}: {type(exc).__name__}: {exc}"
    return None if status == expected else f"GET {url} answered {status}, expected {expected}"
