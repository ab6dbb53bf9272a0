"""`isolation: private` on real servers: a scenario's own stack takes its faults, the shared
stack does not feel them, and nothing of it is left, not even after SIGKILL of the harness.

Each test has state and run dirs of its own, so the stacks here are started by the test and
never the integration session's shared one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from onex_runner import OutcomeEnum, RunOptions, ScenarioRunner
from onex_scenario import ModelLimits
from onex_scenario.loader import ScenarioLoader
from onex_services import launcher
from onex_services.manager import ToolServiceManager
from onex_services.private_stacks import PRIVATE_DIR
from onex_services.server_limits import apply_limits
from onex_services.settings import Paths
from onex_services.state import STATE_FILE, StackState

pytestmark = [pytest.mark.integration, pytest.mark.requires_redis]
# (the limits test also starts a PostgreSQL of its own)


def _scenario(tmp_path: Path, steps: str) -> Path:
    path = tmp_path / "scenario_private.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            name: private_redis
            tier: integration
            dependency_mode: real
            isolation: private
            external_services:
              redis: {kind: redis}
            steps:
            """
        )
        + textwrap.indent(textwrap.dedent(steps), "  ")
    )
    return path


def _private_states(own_paths: Paths) -> list[StackState]:
    root = own_paths.state_dir / PRIVATE_DIR
    found = []
    for state_file in sorted(root.glob(f"*/{STATE_FILE}")) if root.is_dir() else []:
        try:
            found.append(StackState.model_validate_json(state_file.read_text()))
        except ValueError:
            continue  # being written
    return found


async def test_a_kill_on_the_private_stack_leaves_the_shared_one_alone(
    own_paths: Paths, tmp_path: Path
) -> None:
    shared = ToolServiceManager(paths=own_paths, backend="process", reuse=False)
    lease = await shared.acquire(["redis"], label="bystander")
    try:
        state = shared.current()
        assert state is not None
        bystander = state.services["redis"]
        assert bystander.process is not None
        loaded = ScenarioLoader().load(
            _scenario(
                tmp_path,
                """
                - {id: down, fault: {target: redis, action: kill}}
                - {id: up, fault: {target: redis, action: heal}, timeout: 60s}
                - {id: stall, fault: {target: redis, action: pause, for: 100ms}}
                """,
            )
        )
        runner = ScenarioRunner(RunOptions(backend="process"))
        try:
            result = await runner.run(loaded)
        finally:
            await runner.close()
        assert result.outcome is OutcomeEnum.PASSED, result.message
        (tool,) = result.tools
        assert tool["endpoint"] != bystander.url  # its own server, on its own port
        faults = {record["step"]: record for record in result.faults}
        assert faults["down"]["healed_by"] == "up"
        assert faults["down"]["details"]["ready_s"] > 0
        assert faults["stall"]["healed_by"] in {"for", "end"}
        # The shared server never noticed: same process, still serving.
        assert launcher.is_alive(bystander.process)
        after = shared.current()
        assert after is not None
        assert after.services["redis"].process == bystander.process
        health = await shared.health(["redis"])
        assert [h.healthy for h in health] == [True]
        # Nothing of the private stack is left: no state dir, no stack dir but the shared one.
        assert not list((own_paths.state_dir / PRIVATE_DIR).iterdir())
        assert [p.name for p in own_paths.run_dir.glob("stack-*")] == [Path(state.stack_dir).name]
    finally:
        await shared.release(lease)


def test_a_private_stack_of_a_harness_killed_with_sigkill_is_reaped(
    own_paths: Paths, tmp_path: Path
) -> None:
    scenario = _scenario(tmp_path, "- {id: hold, wait: 120s, timeout: 150s}\n")
    harness = subprocess.Popen(
        [str(Path(sys.executable).parent / "onex"), "run", str(scenario)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ), cwd=tmp_path,
    )  # fmt: skip
    try:
        server = None
        deadline = time.monotonic() + 120
        while server is None and time.monotonic() < deadline:
            assert harness.poll() is None, "the harness ended before its private stack ran"
            for state in _private_states(own_paths):
                record = state.services.get("redis")
                if record is not None and launcher.is_alive(record.process):
                    server, stack_dir = record.process, Path(state.stack_dir)
            time.sleep(0.2)
        assert server is not None, "no private stack came up within 120 s"
        harness.send_signal(signal.SIGKILL)
        harness.wait(10)
    finally:
        if harness.poll() is None:
            harness.kill()
            _reap()  # a failed wait must not leave the private server running
    assert launcher.is_alive(server), "the private server must outlive its harness"
    reaped = _reap()
    assert reaped.returncode == 0, reaped.stdout + reaped.stderr
    assert not launcher.is_alive(server), reaped.stdout
    assert not stack_dir.exists(), reaped.stdout
    assert not list((own_paths.state_dir / PRIVATE_DIR).iterdir()), reaped.stdout


def _reap() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onex_services", "reap"],
        capture_output=True, text=True, env=dict(os.environ), check=False,
    )  # fmt: skip


async def test_limits_are_set_on_the_private_servers(own_paths: Paths, tmp_path: Path) -> None:
    manager = ToolServiceManager(paths=own_paths, backend="process", reuse=False)
    lease = await manager.acquire(["redis", "postgres"], label="limits")
    try:
        limits = ModelLimits.model_validate(
            {
                "redis": {"maxmemory": "2mb", "maxmemory_policy": "noeviction"},
                "postgres": {"max_connections": 7},
            }
        )
        applied = await apply_limits(manager, limits, "limits")
        assert applied["redis"] == {"maxmemory": str(2 * 2**20), "maxmemory-policy": "noeviction"}
        assert applied["postgres"] == {"max_connections": "7"}
    finally:
        await manager.release(lease)
    path = tmp_path / "scenario_limited.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            name: limited
            tier: integration
            dependency_mode: real
            isolation: private
            limits: {redis: {maxmemory: 1mb, maxmemory_policy: noeviction}}
            external_services: {redis: {kind: redis}}
            steps: [{id: pause, wait: 10ms}]
            """
        )
    )
    runner = ScenarioRunner(RunOptions(backend="process"))
    try:
        result = await runner.run(ScenarioLoader().load(path))
    finally:
        await runner.close()
    assert result.outcome is OutcomeEnum.PASSED, result.message
