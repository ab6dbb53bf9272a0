"""Network faults in scenario files: their names, what the harness's mocks model, and the checks.

A network fault (a toxic on the scenario's own proxy, or the proxy off) acts on a real service's
connections; on a mock it is honest only where the mock models it (a raised connection error, an
added delay). The harness's mocks (the in-memory bus, key-value store and SQL store) model
`MOCK_MODELLED`; a network fault on a service the file declares as a mock outside that list is a
validation error at load time, with the step's file:line. (A mode forced at run time is checked
again by the mock itself, which refuses by name.) A target that is not a service of the
scenario is reported by the service-name check.
"""

from __future__ import annotations

from onex_scenario.errors import KeyPath
from onex_scenario.models import DependencyModeEnum, ScenarioConfigModel
from onex_scenario.modes import plan_modes
from onex_scenario.steps import ModelFaultStep

NETWORK_FAULTS: tuple[str, ...] = (
    "latency",
    "bandwidth",
    "timeout",
    "reset_peer",
    "slicer",
    "down",
    "up",
)
"""Fault actions that act on a scenario's connections (through its own proxy)."""
MOCK_MODELLED: tuple[str, ...] = ("latency", "timeout", "reset_peer", "down", "up")
"""The network faults the harness's mocks model (see onex_registry.mock_faults)."""

Problem = tuple[KeyPath, str]


def network_fault_problems(scenario: ScenarioConfigModel) -> list[Problem]:
    problems: list[Problem] = []
    modes = plan_modes(scenario).services
    for index, step in enumerate(scenario.steps):
        if not isinstance(step, ModelFaultStep) or step.fault.action not in NETWORK_FAULTS:
            continue
        fault = step.fault
        planned = modes.get(fault.target)
        if planned is None or planned.mode is not DependencyModeEnum.MOCK:
            continue  # an unknown target is the service-name check's; a real one is fine
        if fault.action not in MOCK_MODELLED:
            problems.append(
                (
                    ("steps", index, "fault", "action"),
                    f"'{fault.action}' shapes bytes on a wire and '{fault.target}' is a mock "
                    f"here, which cannot model it (mocks model {', '.join(MOCK_MODELLED)}); "
                    f"make {fault.target} real (dependency_mode: real) for this fault",
                )
            )
    return problems
