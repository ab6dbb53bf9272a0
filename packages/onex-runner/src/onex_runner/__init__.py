"""Scenario runner, pytest plugin, `onex run` and reports of the ONEX Scenario Harness.

`ScenarioRunner(RunOptions(...)).run(loaded)` takes one scenario along the whole path (modes,
pre-conditions, resources, registry and node, steps, expectations, snapshot, cleanup) and returns
a `ModelScenarioResult`. See docs/runner.md.
"""

from typing import TYPE_CHECKING

from onex_scenario.lazy import lazy_exports

if TYPE_CHECKING:
    from onex_runner.context import current_correlation_id, current_namespace
    from onex_runner.engine import RunOptions, ScenarioRunner, run_all
    from onex_runner.results import (
        ModelScenarioPreConditionResult,
        ModelScenarioResult,
        ModelServicePreConditionResult,
        ModelStepResult,
        OutcomeEnum,
        PreConditionStatusEnum,
    )

# Imported on first use (see onex_scenario.lazy): importing the package stays cheap.
__getattr__, __dir__ = lazy_exports(__name__, __file__)

__version__ = "0.1.0"

__all__ = [
    "ModelScenarioPreConditionResult",
    "ModelScenarioResult",
    "ModelServicePreConditionResult",
    "ModelStepResult",
    "OutcomeEnum",
    "PreConditionStatusEnum",
    "RunOptions",
    "ScenarioRunner",
    "current_correlation_id",
    "current_namespace",
    "run_all",
]
