"""Helpers to write scenario files for the runner's tests; stacks and state dirs of a test's own."""

from __future__ import annotations

import dataclasses
import os
import shutil
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from onex_runner import ModelScenarioResult, RunOptions, ScenarioRunner
from onex_scenario.loader import ScenarioLoader
from onex_services.manager import ToolServiceManager
from onex_services.reaper import reap_dead_run_dirs
from onex_services.settings import Paths

ScenarioWriter = Callable[..., Path]
TEST_RUN_DIRS = Path(f"/tmp/onex-{os.getuid()}-tests")
"""The parent of every test's own run dir (`own_paths`); a killed test run leaves its dirs here."""


def pytest_sessionstart(session: pytest.Session) -> None:
    """Reap the test run dirs that killed runs left, once per session (the controller, not each
    xdist worker); live runs' stacks are left alone (`reap_dead_run_dirs`)."""
    if not hasattr(session.config, "workerinput"):
        reap_dead_run_dirs(Paths.from_env(), TEST_RUN_DIRS, deadline_s=30.0)


@pytest.fixture
def write_scenario(tmp_path: Path) -> ScenarioWriter:
    def write(name: str, tier: str = "unit", **body: Any) -> Path:
        folder = tmp_path / tier
        folder.mkdir(exist_ok=True)
        document = {"name": name, "node": "nodes.counter:CounterNode", **body}
        path = folder / f"scenario_{name}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path

    return write


ScenarioRun = Callable[..., Awaitable[tuple[list[ModelScenarioResult], ScenarioRunner]]]


@pytest.fixture
def run_scenarios() -> ScenarioRun:
    """Run scenario files one after another with one runner (closed after); the results and
    the runner, whose `probes` tell what was probed."""

    async def run(*paths: Path, options: RunOptions | None = None) -> tuple[Any, ScenarioRunner]:
        runner = ScenarioRunner(options or RunOptions())
        try:
            return [await runner.run(ScenarioLoader().load(p)) for p in paths], runner
        finally:
            await runner.close()

    return run


@pytest.fixture
def own_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ToolServiceManager]:
    """A process stack in state and run dirs of this test only (the shared one is not touched:
    stopping its Kafka would break the tests running beside this one). The test stops it."""
    run_dir = Path(f"/tmp/onex-own-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("ONEX_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("ONEX_RUN_DIR", str(run_dir))
    monkeypatch.setenv("ONEX_SERVICES_BACKEND", "process")
    monkeypatch.setenv("ONEX_DISCOVER", "0")
    yield ToolServiceManager()
    shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture
def own_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Paths]:
    """State in tmp_path, the run dir under /tmp; both in the environment of this test, so the
    servers it starts are its own and never a session's shared stack."""
    run_dir = TEST_RUN_DIRS / uuid.uuid4().hex[:8]
    chosen = dataclasses.replace(Paths.from_env(), state_dir=tmp_path / "state", run_dir=run_dir)
    monkeypatch.setenv("ONEX_STATE_DIR", str(chosen.state_dir))
    monkeypatch.setenv("ONEX_RUN_DIR", str(chosen.run_dir))
    monkeypatch.setenv("ONEX_SERVICES_BACKEND", "process")
    monkeypatch.setenv("ONEX_REUSE", "0")
    yield chosen
    shutil.rmtree(run_dir, ignore_errors=True)
