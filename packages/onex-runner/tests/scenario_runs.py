"""Running one scenario file in a test: a runner of its own, closed afterwards."""

from __future__ import annotations

from pathlib import Path

from onex_runner import RunOptions, ScenarioRunner
from onex_runner.results import ModelScenarioResult
from onex_scenario.loader import ScenarioLoader


async def run_scenario(path: Path, options: RunOptions | None = None) -> ModelScenarioResult:
    """Load and run `path`; the result, whatever its outcome."""
    runner = ScenarioRunner(options or RunOptions())
    try:
        return await runner.run(ScenarioLoader().load(path))
    finally:
        await runner.close()
