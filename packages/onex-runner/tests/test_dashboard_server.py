"""The dashboard server: the page with its assets inline, and the event stream over SSE."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from onex_runner.cli import run
from onex_runner.dashboard import DashboardServer
from onex_runner.view_cli import dashboard

pytestmark = pytest.mark.unit


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[DashboardServer, Path]]:
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"type":"run_started","t":1}\n{"type":"scenario_queued","t":1,"id":0,"name":"a"}\n'
    )
    server = DashboardServer(events)
    server.start()
    yield server, events
    server.stop()


def _connect(server: DashboardServer) -> http.client.HTTPConnection:
    host, port = server.url.removeprefix("http://").rstrip("/").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=10)


Message = tuple[int, dict[str, object]]


def _messages(response: http.client.HTTPResponse, count: int) -> list[Message]:
    found: list[Message] = []
    ident = -1
    while len(found) < count:
        line = response.readline().decode().rstrip("\n")
        if line.startswith("id: "):
            ident = int(line[4:])
        elif line.startswith("data: "):
            found.append((ident, json.loads(line[6:])))
    return found


def test_it_listens_on_loopback_only_on_a_free_port(served: tuple[DashboardServer, Path]) -> None:
    server, _ = served
    assert server.url.startswith("http://127.0.0.1:")
    assert not server.url.endswith(":0/")


def test_the_page_needs_no_network(served: tuple[DashboardServer, Path]) -> None:
    conn = _connect(served[0])
    conn.request("GET", "/")
    body = conn.getresponse().read().decode()
    assert 'data-source="live"' in body
    assert "EventSource" in body  # the script is inline
    assert "http://" not in body
    assert "https://" not in body


def test_events_arrive_as_they_are_written_and_resume_by_id(
    served: tuple[DashboardServer, Path],
) -> None:
    server, events = served
    conn = _connect(server)
    conn.request("GET", "/events")
    response = conn.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    assert [i for i, _ in _messages(response, 2)] == [0, 1]
    with events.open("a") as file:
        file.write('{"type":"scenario_started","t":2,"id":0}\n{"type":"run_fin')  # half a line
    [(ident, event)] = _messages(response, 1)
    assert (ident, event["type"]) == (2, "scenario_started")
    with events.open("a") as file:
        file.write('ished","t":3}\n')
    assert _messages(response, 1)[0][1]["type"] == "run_finished"
    conn.close()
    again = _connect(server)
    again.request("GET", "/events", headers={"Last-Event-ID": "2"})
    assert _messages(again.getresponse(), 1) == [(3, {"type": "run_finished", "t": 3})]
    again.close()


def test_anything_else_is_not_found(served: tuple[DashboardServer, Path]) -> None:
    conn = _connect(served[0])
    conn.request("GET", "/../etc/passwd")
    assert conn.getresponse().status == 404


def test_onex_dashboard_without_a_recorded_run_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(dashboard, [str(tmp_path)])
    assert result.exit_code == 2
    assert "no event stream" in result.output


def test_dashboard_and_no_event_stream_is_a_usage_error(tmp_path: Path) -> None:
    scenario = tmp_path / "unit" / "scenario_x.yaml"
    scenario.parent.mkdir()
    scenario.write_text("name: x\nsteps: [{id: w, wait: 0s}]\n")
    result = CliRunner().invoke(run, [str(scenario), "--dashboard", "--events", "-"])
    assert result.exit_code == 2
    assert "--dashboard needs an event stream" in result.output
