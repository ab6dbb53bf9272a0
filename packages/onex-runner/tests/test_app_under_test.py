"""The app under test: started as a process, probed to ready, driven by `http` steps, stopped,
and never left behind, whatever goes wrong (a bad command, a readiness timeout, an early exit,
an app that ignores SIGTERM, a harness that died)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
from click.testing import CliRunner
from onex_runner import ModelScenarioResult, OutcomeEnum, RunOptions, ScenarioRunner
from onex_runner.cli import run
from onex_scenario.loader import ScenarioLoader
from onex_services import procfs
from onex_services.app_ledger import reap_orphan_apps, record_app
from onex_services.cli import services
from onex_services.launcher import process_running
from onex_services.models import ProcessRef
from onex_services.settings import Paths

pytestmark = pytest.mark.unit

# The fixtures of this folder's conftest.py (a conftest is not imported by name: the package
# test folders share one pytest run, each with a conftest of its own).
ScenarioWriter = Callable[..., Path]
ScenarioRun = Callable[..., Awaitable[tuple[list[ModelScenarioResult], ScenarioRunner]]]
ECHO_APP = Path(__file__).parent / "apps" / "echo_app.py"


@pytest.fixture(autouse=True)
def own_run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    run = tmp_path / "run"
    monkeypatch.setenv("ONEX_RUN_DIR", str(run))
    monkeypatch.setenv("ONEX_STATE_DIR", str(tmp_path / "state"))  # `reap` touches only these
    return run


def _app(*flags: str, ready: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "command": [sys.executable, str(ECHO_APP), "${app.port}", *flags],
        "env": {"ECHO_NAMESPACE": "${namespace}", "ECHO_BASE": "${app.base_url}"},
        "ready": ready if ready is not None else {"http": "/healthz", "timeout": "20s"},
        **more,
    }
    return spec


def _ledger(run: Path) -> list[Path]:
    return sorted((run / "apps" / "ledger").glob("*.json"))


def _pids(text: str) -> list[int]:
    return [int(found) for found in re.findall(r"(?:pid|child)=(\d+)", text)]


def _gone(pid: int) -> bool:
    try:
        return not process_running(psutil.Process(pid))
    except psutil.NoSuchProcess:
        return True


POST_ORDER: dict[str, Any] = {
    "id": "create",
    "http": {
        "method": "POST",
        "path": "/echo",
        "json": {"id": "o-1", "qty": 2},
        "expect": {
            "status": 201,
            "headers": {"Content-Type": {"$regex": "^application/json"}},
            "json": {
                "sent": {"id": "o-1", "qty": 2},
                "env": {"ECHO_NAMESPACE": {"$regex": "^onex_"}},
            },
        },
    },
}


@pytest.mark.parametrize(
    "ready",
    [{"http": "/healthz"}, {"tcp": True}, {"log": r"^listening on \d+ at="}],
    ids=["http", "tcp", "log"],
)
async def test_the_app_starts_answers_http_steps_and_stops(
    write_scenario: ScenarioWriter, run_scenarios: ScenarioRun, own_run_dir: Path, ready: Any
) -> None:
    later = {
        "id": "again",
        "http": {
            "path": "/nowhere",
            "expect": {"status": {"$between": [400, 499]}, "json": {"error": "no route /nowhere"}},
        },
    }
    path = write_scenario(
        "echo", node=None, app=_app(ready={**ready, "timeout": "20s"}), steps=[POST_ORDER, later]
    )
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    created = result.steps[0].output
    assert created["status"] == 201
    assert created["json"]["env"]["ECHO_NAMESPACE"] == result.namespace
    assert created["json"]["env"]["ECHO_BASE"].startswith("http://127.0.0.1:")
    assert _ledger(own_run_dir) == []
    assert list((own_run_dir / "apps").glob("*/*.log")) == []  # a passed scenario's log goes


async def test_an_unmet_expectation_names_what_differs_and_keeps_the_log(
    write_scenario: ScenarioWriter, run_scenarios: ScenarioRun, own_run_dir: Path
) -> None:
    step = {"id": "create", "http": {"method": "POST", "path": "/echo", "expect": {"status": 200}}}
    path = write_scenario("echo_wrong", node=None, app=_app(), steps=[step])
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.FAILED
    assert "step create: POST /echo: status: $: expected 200, got 201" in result.message
    assert "--- app app log (" in result.log_tail
    assert "request: " in result.log_tail  # the app's own output
    [pid] = _pids(result.log_tail)
    assert _gone(pid)
    assert len(list((own_run_dir / "apps").glob("*/app.log"))) == 1


def test_onex_run_shows_the_tail_of_a_failed_scenarios_app_log(
    write_scenario: ScenarioWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = {"id": "create", "http": {"method": "POST", "path": "/echo", "expect": {"status": 200}}}
    path = write_scenario("echo_console", node=None, app=_app(), steps=[step])
    monkeypatch.chdir(tmp_path)
    shown = CliRunner().invoke(run, [str(path), "--snapshots", "-"])
    assert shown.exit_code == 1, shown.output
    assert "status: $: expected 200, got 201" in shown.output
    assert "--- app app log (" in shown.output
    assert "request: " in shown.output


async def test_a_bad_command_is_a_clear_error(
    write_scenario: ScenarioWriter, run_scenarios: ScenarioRun, own_run_dir: Path
) -> None:
    app = {"command": ["no-such-program-of-onex", "${app.port}"], "ready": {"tcp": True}}
    path = write_scenario("bad_command", node=None, app=app, steps=[POST_ORDER])
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.ERROR
    assert "command 'no-such-program-of-onex' not found or not executable" in result.message
    assert "Traceback" not in result.message
    assert _ledger(own_run_dir) == []


async def test_a_readiness_timeout_says_what_it_waited_for_and_leaves_no_process(
    write_scenario: ScenarioWriter, run_scenarios: ScenarioRun, own_run_dir: Path
) -> None:
    app = _app("--never-listen", "--fork-child", ready={"tcp": True, "timeout": "1s"})
    path = write_scenario("never_ready", node=None, app=app, steps=[POST_ORDER])
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.ERROR
    assert "not ready within 1s: waited for port 127.0.0.1:" in result.message
    assert "to accept a connection (last: connection refused)" in result.message
    assert "(its log: " in result.message
    pids = _pids(result.log_tail)
    assert len(pids) == 2, result.log_tail  # the app and the child it forked
    assert all(_gone(pid) for pid in pids)
    assert _ledger(own_run_dir) == []


async def test_an_app_that_exits_is_reported_at_once_with_its_code(
    write_scenario: ScenarioWriter, run_scenarios: ScenarioRun
) -> None:
    app = _app("--exit-at-once", ready={"http": "/healthz", "timeout": "60s"})
    path = write_scenario("exits", node=None, app=app, steps=[POST_ORDER])
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.ERROR
    assert "exited with code 3 before it was ready" in result.message
    assert "giving up: bad configuration" in result.log_tail
    assert result.duration_ms < 60_000  # not the whole deadline (a bound, not a timing claim)


async def test_an_app_that_ignores_sigterm_is_killed_after_its_stop_timeout(
    write_scenario: ScenarioWriter, run_scenarios: ScenarioRun, own_run_dir: Path
) -> None:
    app = _app("--ignore-sigterm", stop_timeout="0.5s")
    step = {"id": "create", "http": {"method": "POST", "path": "/echo", "expect": {"status": 599}}}
    path = write_scenario("stubborn", node=None, app=app, steps=[step])
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.FAILED
    [pid] = _pids(result.log_tail)
    assert _gone(pid)
    assert _ledger(own_run_dir) == []


async def test_an_interrupted_run_stops_its_app(
    write_scenario: ScenarioWriter, own_run_dir: Path
) -> None:
    long_wait = {"id": "hold", "wait": "120s", "timeout": "130s"}
    path = write_scenario("interrupted", node=None, app=_app(), steps=[long_wait])
    runner = ScenarioRunner(RunOptions())
    running = asyncio.create_task(runner.run(ScenarioLoader().load(path)))
    try:
        for _ in range(3000):
            if _ledger(own_run_dir):
                break
            assert not running.done(), running.result().message
            await asyncio.sleep(0.01)
        [record] = _ledger(own_run_dir)
        pid = int(record.name.split("-")[0])
        runner.interrupt.request()  # what the first SIGINT does
        result = await running
    finally:
        await runner.close()
    assert result.outcome is OutcomeEnum.ERROR
    assert result.interrupted
    assert _gone(pid)
    assert _ledger(own_run_dir) == []


HARNESS = """
import asyncio, sys
from onex_runner import RunOptions, ScenarioRunner
from onex_scenario.loader import ScenarioLoader

async def main() -> None:
    runner = ScenarioRunner(RunOptions())
    await runner.run(ScenarioLoader().load(sys.argv[1]))

asyncio.run(main())
"""


def test_an_app_left_by_a_killed_harness_is_reaped_by_the_next_start(
    write_scenario: ScenarioWriter, own_run_dir: Path, tmp_path: Path
) -> None:
    long_wait = {"id": "hold", "wait": "120s", "timeout": "130s"}
    path = write_scenario("killed", node=None, app=_app(), steps=[long_wait])
    harness = subprocess.Popen([sys.executable, "-c", HARNESS, str(path)], cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not _ledger(own_run_dir) and time.monotonic() < deadline:
            assert harness.poll() is None, "the harness ended before its app started"
            time.sleep(0.05)
        [record] = _ledger(own_run_dir)
        pid = int(record.name.split("-")[0])
        assert not _gone(pid)
    finally:
        harness.kill()  # SIGKILL: no finally of the harness runs, its app stays behind
        harness.wait()
    try:
        assert not _gone(pid)
        # `onex services reap` (and every stack start) reaps it, through the manager's reaper.
        reaped = CliRunner().invoke(services, ["reap"])
        assert reaped.exit_code == 0, reaped.output
        assert f"killed app under test 'app' of a harness that is gone (pid {pid})" in reaped.output
        assert _wait_gone(pid)
        assert _ledger(own_run_dir) == []
    finally:
        if not _gone(pid):  # the test failed: still leave nothing behind
            os.killpg(pid, signal.SIGKILL)


def _wait_gone(pid: int) -> bool:
    for _ in range(250):
        if _gone(pid):
            return True
        time.sleep(0.02)
    return False


def test_the_app_of_a_dead_harness_is_reaped_and_a_stranger_is_not(tmp_path: Path) -> None:
    paths = Paths.from_env()
    dead_owner = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_owner.wait()
    orphan = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
    )
    stranger = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
    )
    try:
        orphan_ref = _ref(orphan.pid)
        # A record whose command line is not the running process's: the pid is not proof.
        forged = _ref(stranger.pid).model_copy(update={"cmdline": ("my-app", "--serve")})
        owner = ProcessRef(pid=dead_owner.pid, start_ticks=1, cmdline=("gone",), exe="/gone")
        for name, ref in (("orphan", orphan_ref), ("stranger", forged)):
            record_app(paths, name, ref, tmp_path / f"{name}.log")
            _set_owner(paths, ref, owner)
        lines = reap_orphan_apps(paths)
        orphan.wait(timeout=10)
        assert any("killed app under test 'orphan'" in line for line in lines), lines
        assert any(f"left pid {stranger.pid} alone" in line for line in lines), lines
        assert stranger.poll() is None
    finally:
        for proc in (orphan, stranger):
            proc.kill()
            proc.wait()


def _ref(pid: int) -> ProcessRef:
    for _ in range(100):  # right after the exec /proc may still show the parent's command line
        ref = procfs.identity(pid)
        if ref is not None and ref.cmdline[:2] == (sys.executable, "-c"):
            return ref
        os.sched_yield()
    raise AssertionError(f"/proc shows no settled identity for pid {pid}")


def _set_owner(paths: Paths, ref: ProcessRef, owner: ProcessRef) -> None:
    from onex_services.app_ledger import AppRecord
    from onex_services.ownership import read_owned, write_private

    [path] = [p for p in (paths.run_dir / "apps" / "ledger").glob(f"{ref.pid}-*.json")]
    record = AppRecord.model_validate_json(read_owned(path))
    write_private(path, record.model_copy(update={"owner": owner}).model_dump_json().encode())
