"""Scenario files as pytest items: a `scenario_*.yaml` file is one item that runs the scenario.

Each item carries the mode plan made for it at collection (`--force-dependency-mode` and
ONEX_FORCE_DEPENDENCY_MODE applied), its effective tier as a marker (`-m unit` selects what runs
on mocks) and `requires_*` markers for the services it runs real. The run uses the same plan;
nothing decides a mode a second time. Imported by the plugin when it meets the first such file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from onex_scenario import (
    DependencyModeEnum,
    LoadedScenario,
    ModePlan,
    ScenarioLoader,
    ScenarioValidationError,
)
from onex_services.catalog import all_kinds, kind_specs

from onex_runner.pytest_plugin import LOADER
from onex_runner.pytest_session import resolver, runner, settings
from onex_runner.results import ModelScenarioResult, OutcomeEnum
from onex_runner.snapshots import append_jsonl, compare_golden


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        config = self.config
        if LOADER not in config.stash:
            config.stash[LOADER] = ScenarioLoader(base_dirs=settings(config).bases)
        try:
            loaded = config.stash[LOADER].load(self.path)
        except ScenarioValidationError as exc:
            raise self.CollectError(str(exc)) from None
        modes = resolver(config).plan(loaded.scenario)
        item = ScenarioItem.from_parent(self, name=loaded.scenario.name, loaded=loaded, modes=modes)
        for marker in markers_of(modes):
            item.add_marker(marker)
        yield item


def markers_of(plan: ModePlan) -> list[str]:
    """The effective tier, and `requires_<kind>` for every registered kind the plan runs real."""
    marks = [plan.tier.value]
    real = {s.kind for s in plan.services.values() if s.mode is DependencyModeEnum.REAL}
    marks += [f"requires_{kind}" for kind in sorted(real & set(kind_specs()))]
    if set(all_kinds()) <= real:  # the default stack's kinds (on-demand ones left out)
        marks.append("requires_all_services")
    return marks


class ScenarioFailed(Exception):
    def __init__(self, result: ModelScenarioResult) -> None:
        super().__init__(result.message)
        self.result = result


class ScenarioItem(pytest.Item):
    def __init__(self, *, loaded: LoadedScenario, modes: ModePlan, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loaded = loaded
        self.modes = modes

    def runtest(self) -> None:
        scenario_runner, loop = runner(self.config)
        result = loop.run_until_complete(scenario_runner.run(self.loaded, modes=self.modes))
        problem = compare_golden(result, update=bool(self.config.getoption("--update-snapshots")))
        if problem and result.outcome is OutcomeEnum.PASSED:
            result.outcome, result.message = OutcomeEnum.FAILED, problem
        append_jsonl(result, settings(self.config).reports / "snapshots.jsonl")
        self.user_properties.append(("tools", [t["instantiated_class"] for t in result.tools]))
        if result.outcome is OutcomeEnum.SKIPPED:
            pytest.skip(result.message)
        if result.outcome is not OutcomeEnum.PASSED:
            raise ScenarioFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if not isinstance(excinfo.value, ScenarioFailed):
            return str(super().repr_failure(excinfo))
        result = excinfo.value.result
        lines = [f"scenario {result.name} {result.outcome}: {result.message}"]
        for step in [*result.steps, *result.expectations]:
            mark = "✓" if step.outcome is OutcomeEnum.PASSED else "✗"
            lines.append(f"  {mark} {step.id} ({step.action}) {step.message}")
        lines += [
            f"  tool {t['service']}: {t['mode']} {t['instantiated_class']}" for t in result.tools
        ]
        for service in result.preconditions.services:
            lines.append(f"  service {service.service}: {service.status} {service.error or ''}")
        if result.leftovers:
            lines.append(f"  leftovers: {result.leftovers}")
        if result.log_tail:
            lines.append(result.log_tail)
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario {self.name}"
