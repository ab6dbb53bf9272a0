"""Checks of service faults and limits, each reported with the key path it is about.

A service fault (kill, pause, resume, restart) or a limit changes a whole server, so it is only
allowed on a stack of the scenario's own (`isolation: private`); on a mock there is no server to
act on. Network faults are checked by their own handlers' packages.
"""

from __future__ import annotations

from onex_scenario.errors import KeyPath
from onex_scenario.faults import SERVICE_FAULTS, IsolationEnum
from onex_scenario.models import DependencyModeEnum, ScenarioConfigModel
from onex_scenario.modes import plan_modes
from onex_scenario.steps import ModelFaultStep
from onex_scenario.vocabulary import vocabularies

Problem = tuple[KeyPath, str]
_PRIVATE_HINT = (
    "set `isolation: private` at the top of the scenario, so that it gets a stack of its own "
    "(a shared stack's other users would feel it)"
)


def fault_problems(scenario: ScenarioConfigModel) -> list[Problem]:
    problems: list[Problem] = []
    private = scenario.isolation is IsolationEnum.PRIVATE
    declared = {name: s.declared for name, s in plan_modes(scenario).services.items()}
    for index, step in enumerate(scenario.steps):
        if not isinstance(step, ModelFaultStep) or step.fault.action not in SERVICE_FAULTS:
            continue
        fault, path = step.fault, ("steps", index, "fault")
        if fault.target not in scenario.external_services:
            continue  # reported by the service-name check
        if not private:
            problems.append(
                (
                    (*path, "action"),
                    f"'{fault.action}' acts on the whole {fault.target} server; {_PRIVATE_HINT}",
                )
            )
        if declared.get(fault.target) is DependencyModeEnum.MOCK:
            problems.append(
                (
                    (*path, "target"),
                    f"'{fault.target}' is a mock in this scenario: there is no server to "
                    f"{fault.action} (make it real)",
                )
            )
    kinds = {str(service.kind): name for name, service in scenario.external_services.items()}
    for kind in scenario.limits.kinds():
        words = vocabularies().get(kind)
        if words is None or not words.applies_limits:
            applied = ", ".join(k for k, known in vocabularies().items() if known.applies_limits)
            problems.append(
                (
                    ("limits", kind),
                    f"{words.title if words else kind} limits are not applied yet (only those of "
                    f"{applied or 'no kind'} are)",
                )
            )
        if not private:
            problems.append(
                ((("limits", kind)), f"a {kind} limit changes the server; {_PRIVATE_HINT}")
            )
        name = kinds.get(kind)
        if name is None or declared.get(name) is not DependencyModeEnum.REAL:
            problems.append(
                (
                    ("limits", kind),
                    f"no real {kind} service in this scenario for the limit to apply to",
                )
            )
    return problems
