"""Health as a chain on a real stack of the test's own (Kafka and the Kafka Connect worker on
it, started by the harness): when Kafka hangs, a scenario that needs Connect is skipped with the
chain named; when Kafka stops during the run, Connect is marked down in the status view, in the
health round the dashboard samples, and in `onex services graph`, with the chain."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from onex_runner import OutcomeEnum, RunOptions, ScenarioRunner
from onex_scenario.loader import ScenarioLoader
from onex_services.backends.process import ProcessBackend
from onex_services.manager import ToolServiceManager
from onex_services.models import RunState

pytestmark = pytest.mark.integration


def _scenario(tmp_path: Path) -> Path:
    document = {
        "name": "needs_connect",
        "tier": "integration",
        "dependency_mode": "real",
        "skip_if_services_unavailable": True,
        "external_services": {"connect": {"kind": "connect"}},
        "timeout_profiles": {"default": {"health_check": "3s"}},
        "steps": [{"id": "up", "expect_connector": {"name": "none", "state": "RUNNING"}}],
    }
    path = tmp_path / "integration" / "scenario_needs_connect.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


async def test_a_dependency_that_fails_marks_its_dependants_down_with_the_chain(
    own_stack: ToolServiceManager, tmp_path: Path
) -> None:
    manager = own_stack
    try:
        await manager.up(["connect"])
        state = manager.current()
        assert state is not None
        kafka = state.services["kafka"]
        assert kafka.process is not None
        os.kill(kafka.process.pid, signal.SIGSTOP)  # alive but not answering: a hung broker
        try:
            runner = ScenarioRunner(RunOptions())
            try:
                result = await runner.run(ScenarioLoader().load(_scenario(tmp_path)))
            finally:
                await runner.close()
            assert result.outcome is OutcomeEnum.SKIPPED, result.message
            assert "connect unusable: depends on kafka (unhealthy:" in result.message
        finally:
            os.kill(kafka.process.pid, signal.SIGCONT)

        await ProcessBackend(manager.paths).stop([kafka], grace_s=2.0)  # Kafka stops mid-run
        rows = {row.kind: row for row in await manager.status(deep=False)}
        assert rows["kafka"].state is RunState.DOWN
        assert rows["connect"].state is RunState.DOWN  # its process runs, but it is not usable
        assert rows["connect"].blocked_by == "depends on kafka (down)"

        sampled = {result.kind: result for result in await manager.health()}
        connect = sampled["connect"]
        assert not connect.healthy
        assert connect.error == "unusable: depends on kafka (down)"

        shown = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "onex_services", "graph", "--no-health"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert shown.returncode == 3, shown.stdout + shown.stderr
        lines = {line.split()[0]: line for line in shown.stdout.splitlines() if line.strip()}
        assert lines["kafka"].split()[1] == "down"
        assert "down" in lines["connect"]
        assert "<- kafka" in lines["connect"]
        assert "depends on kafka (down)" in lines["connect"]
    finally:
        await manager.down(force=True)
