"""Helpers to write scenario files for the runner's tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from onex_runner import ModelScenarioResult, RunOptions, ScenarioRunner
from onex_scenario.loader import ScenarioLoader

ScenarioWriter = Callable[..., Path]


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
