"""The capacity check before `onex run` (see `onex_services.capacity`): the scenarios that use
each kind for real on the shared stack, and the servers that run now, give one warning line per
limit the run would exceed at its `-n`. Scenarios with `isolation: private` are left out: their
servers are their own."""

from __future__ import annotations

from onex_scenario import ScenarioConfigModel
from onex_scenario.faults import IsolationEnum
from onex_scenario.loader import LoadedScenario
from onex_services.capacity import capacity_warnings
from onex_services.errors import ServiceError

from onex_runner.engine import ScenarioRunner


def real_scenarios_by_kind(
    runner: ScenarioRunner, scenarios: list[LoadedScenario]
) -> dict[str, list[ScenarioConfigModel]]:
    """Per kind, the scenarios of the shared stack that use it for real."""
    by_kind: dict[str, list[ScenarioConfigModel]] = {}
    for loaded in scenarios:
        scenario = loaded.scenario
        if scenario.isolation is IsolationEnum.PRIVATE:
            continue
        try:
            plan = runner.resolver.plan(scenario)
        except Exception:  # noqa: BLE001 - the run itself reports what it cannot plan
            continue
        kinds = {
            str(scenario.external_services[name].kind)
            for name in runner.resolver.real_tool_services(plan)
        }
        for kind in kinds:
            by_kind.setdefault(kind, []).append(scenario)
    return by_kind


async def check_capacity(
    runner: ScenarioRunner, scenarios: list[LoadedScenario], workers: int
) -> list[str]:
    """The warnings of the capacity check for this run (empty when everything fits)."""
    by_kind = real_scenarios_by_kind(runner, scenarios)
    if not by_kind:
        return []
    try:
        running = runner.services.manager.running_endpoints()
    except ServiceError as exc:
        return [f"note: capacity not checked: {exc}"]
    urls = {kind: endpoint.url for kind, endpoint in running.items() if kind in by_kind}
    return await capacity_warnings(urls, workers, by_kind)
