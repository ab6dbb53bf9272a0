"""SIGINT stops `onex run` with its reports: the first one cleanly, the second at once.

Subprocess timeouts here are failure guards (a hung run fails the test instead of hanging the
suite), not speed claims.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from onex_runner import OutcomeEnum, RunOptions, ScenarioRunner
from onex_runner.interrupts import RunInterrupt
from onex_scenario.loader import ScenarioLoader

pytestmark = pytest.mark.unit
KAFKA = {"kafka": {"kind": "kafka"}}
TOPICS = {"kafka": {"topics": [{"name": "never"}]}}
WAITS = [{"id": "wait", "expect_event": {"topic": "never", "within": "120s"}}]
NODES = Path(__file__).parent
GUARD_S = 120


def _onex() -> list[str]:
    found = shutil.which("onex", path=str(Path(sys.executable).parent))
    assert found, "the onex command is installed with the workspace"
    return [found]


def _wait_for(predicate: Any, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + GUARD_S
    while not predicate():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run never got there"
        time.sleep(0.1)


@pytest.fixture
def waiting_run(write_scenario: Any, tmp_path: Path) -> dict[str, Path]:
    """Two mock scenarios: one that passes, then one that waits for an event that never comes."""
    write_scenario("a_quick", steps=[{"id": "b", "call": "bump"}])
    write_scenario("b_waits", external_services=KAFKA, resources=TOPICS, steps=WAITS)
    return {
        "folder": tmp_path / "unit",
        "json": tmp_path / "out" / "run.json",
        "junit": tmp_path / "out" / "junit.xml",
        "snapshots": tmp_path / "out" / "snapshots.jsonl",
    }


def _start(paths: dict[str, Path]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": f"{NODES}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.Popen(
        [
            *_onex(),
            "run",
            str(paths["folder"]),
            "--json",
            str(paths["json"]),
            "--junit",
            str(paths["junit"]),
            "--snapshots",
            str(paths["snapshots"]),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )


def _one_finished(paths: dict[str, Path]) -> bool:
    snapshots = paths["snapshots"]
    return snapshots.exists() and len(snapshots.read_text().splitlines()) >= 1


def test_the_first_sigint_ends_the_run_with_reports_marked_interrupted(
    waiting_run: dict[str, Path],
) -> None:
    proc = _start(waiting_run)
    _wait_for(lambda: _one_finished(waiting_run), proc)
    time.sleep(0.3)  # let the second scenario reach its wait (ordering, not a speed claim)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=GUARD_S)
    assert proc.returncode == 130, output.decode()
    report = json.loads(waiting_run["json"].read_text())
    assert report["interrupted"] is True
    by_name = {s["name"]: s for s in report["scenarios"]}
    assert by_name["a_quick"]["outcome"] == "passed"
    assert by_name["b_waits"]["interrupted"] is True
    assert by_name["b_waits"]["outcome"] == "error"
    suite = ET.parse(waiting_run["junit"]).getroot()
    assert suite.find("properties/property[@name='interrupted']").get("value") == "true"  # type: ignore[union-attr]
    assert b"Traceback" not in output


def test_the_second_sigint_exits_at_once_and_still_writes_what_finished(
    waiting_run: dict[str, Path],
) -> None:
    proc = _start(waiting_run)
    _wait_for(lambda: _one_finished(waiting_run), proc)
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=GUARD_S)
    assert proc.returncode == 130, output.decode()
    report = json.loads(waiting_run["json"].read_text())
    assert report["interrupted"] is True
    assert "a_quick" in {s["name"] for s in report["scenarios"]}


async def test_an_interrupted_scenario_still_cleans_up_and_returns_its_result(
    write_scenario: Any,
) -> None:
    path = write_scenario("waits", external_services=KAFKA, resources=TOPICS, steps=WAITS)
    interrupt = RunInterrupt()
    runner = ScenarioRunner(RunOptions(), interrupt=interrupt)
    try:
        running = asyncio.ensure_future(runner.run(ScenarioLoader().load(path)))
        await asyncio.sleep(0.2)
        interrupt.request()
        result = await asyncio.wait_for(running, GUARD_S)
    finally:
        await runner.close()
    assert result.interrupted
    assert result.outcome is OutcomeEnum.ERROR
    assert "interrupted" in result.message
    assert result.leftovers == []  # its cleanup ran and found nothing wrong


def test_a_second_request_calls_the_hard_exit() -> None:
    interrupt = RunInterrupt()
    calls: list[int] = []
    interrupt.hard_exit = lambda: calls.append(interrupt.count)
    interrupt.request()
    assert interrupt.requested
    assert calls == []
    interrupt.request()
    assert calls == [2]
