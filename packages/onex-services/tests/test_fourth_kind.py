"""A fourth service kind from outside the harness (tests/fourth_kind, the `onex-echo-kind`
distribution) works through every path the built-in kinds use, with no harness file naming it:
the CLI's start, status and health, the `real_echo` fixture, a scenario's `external_services`
(its mode audited) and namespace cleanup.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from onex_echo_kind.client import request
from onex_runner import OutcomeEnum, RunOptions, ScenarioRunner
from onex_scenario import ScenarioConfigModel
from onex_scenario.loader import ScenarioLoader
from onex_scenario.vocabulary import vocabularies
from onex_services import ServiceEndpoint, all_kinds, cleanup_namespace, kind_specs, verify_clean
from onex_services.pytest_fixtures import FIXTURE_KINDS, MARKER_KINDS

SERVICES = [sys.executable, "-m", "onex_services"]


def _cli(*args: str, state_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if state_dir is not None:
        env["ONEX_STATE_DIR"] = str(state_dir)
    return subprocess.run([*SERVICES, *args], capture_output=True, text=True, check=False, env=env)


@pytest.mark.unit
def test_the_kind_is_registered_through_its_entry_point_only() -> None:
    assert "echo" in kind_specs()
    assert vocabularies()["echo"].endpoint_env == "ONEX_ECHO_URL"
    assert FIXTURE_KINDS["real_echo"] == "echo"
    assert MARKER_KINDS["requires_echo"] == ("echo",)
    assert "echo" in all_kinds()  # so in what requires_all_services asks for
    listed = _cli("kinds")
    assert listed.returncode == 0
    assert "echo\tTCP echo server" in listed.stdout.splitlines()


@pytest.mark.unit
def test_a_scenario_may_name_the_kind_and_its_connection_fields() -> None:
    scenario = ScenarioConfigModel.model_validate(
        {
            "name": "echo_fields",
            "tier": "unit",
            "external_services": {
                "echo": {"kind": "echo", "connection": {"url": "tcp://127.0.0.1:7007"}}
            },
        }
    )
    assert scenario.external_services["echo"].kind == "echo"
    with pytest.raises(ValueError, match="does not apply to a echo service"):
        ScenarioConfigModel.model_validate(
            {
                "name": "echo_bad",
                "tier": "unit",
                "external_services": {"echo": {"kind": "echo", "connection": {"db": 1}}},
            }
        )


@pytest.mark.integration
def test_onex_services_start_status_and_health_run_the_kind(tmp_path: Path) -> None:
    # A stack of its own (its own state dir): started from nothing, stopped at the end, and no
    # start of it touches the shared stack's namespace claims that other tests hold.
    state = tmp_path / "state"
    started = _cli("start", "echo", "--backend", "process", state_dir=state)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        status = _cli("status", "--json", "--no-health", state_dir=state)
        assert status.returncode == 0, status.stderr
        rows = {row["kind"]: row for row in json.loads(status.stdout)}
        assert set(rows) == {"echo"}
        assert rows["echo"]["state"] == "running"
        assert rows["echo"]["pid"] is not None
        health = _cli("health", "echo", "--json", state_dir=state)
        assert health.returncode == 0, health.stdout + health.stderr
        [result] = json.loads(health.stdout)
        assert (result["kind"], result["status"]) == ("echo", "healthy")
    finally:
        stopped = _cli("stop", state_dir=state)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "stopped echo" in stopped.stdout


@pytest.mark.integration
async def test_the_real_echo_fixture_is_a_live_server(real_echo: ServiceEndpoint) -> None:
    assert real_echo.kind == "echo"
    assert real_echo.url.startswith("tcp://127.0.0.1:")
    assert real_echo.echo_url == real_echo.url
    payload = uuid.uuid4().hex
    assert await request(real_echo.url, f"ECHO {payload}") == payload


@pytest.mark.integration
async def test_namespace_cleanup_removes_only_its_own_names(real_echo: ServiceEndpoint) -> None:
    mine, neighbour = f"onex_echo_{uuid.uuid4().hex[:8]}", f"onex_echo_{uuid.uuid4().hex[:8]}"
    for namespace in (mine, neighbour):
        assert await request(real_echo.url, f"ADD {namespace}/thing") == "OK"
    endpoints = {"echo": real_echo.url}
    assert await verify_clean(mine, endpoints) == [f"echo name {mine}/thing"]
    assert await cleanup_namespace(mine, endpoints) == [f"echo name {mine}/thing"]
    assert await verify_clean(mine, endpoints) == []
    assert await verify_clean(neighbour, endpoints) == [f"echo name {neighbour}/thing"]
    await cleanup_namespace(neighbour, endpoints)


@pytest.mark.integration
async def test_a_scenario_uses_the_kind_with_its_mode_audited_and_cleaned_up(
    tmp_path: Path, real_echo: ServiceEndpoint
) -> None:
    document: dict[str, Any] = {
        "name": "echo_roundtrip",
        "tier": "integration",
        "dependency_mode": "real",
        "node": "onex_echo_kind.node:EchoNode",
        "external_services": {"echo": {"kind": "echo"}},
        "steps": [{"id": "say", "call": "say", "args": ["hello"]}],
        "expect": [{"output": {"step": "say", "value": {"heard": "hello", "tool": "EchoClient"}}}],
    }
    path = tmp_path / "integration" / "scenario_echo_roundtrip.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    runner = ScenarioRunner(RunOptions())
    try:
        result = await runner.run(ScenarioLoader().load(path))
    finally:
        await runner.close()
    assert result.outcome is OutcomeEnum.PASSED, result.message
    [tool] = result.tools
    assert (tool["service"], tool["mode"]) == ("echo", "real")
    assert tool["instantiated_class"] == "onex_echo_kind.tools.EchoClient"
    assert result.leftovers == []
    # The real tool left `<namespace>/connected` on the server; the run's cleanup removed it.
    assert await request(real_echo.url, f"LIST {result.namespace}/") == ""
