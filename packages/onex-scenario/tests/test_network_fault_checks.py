"""Load-time checks of network fault steps: what a mock cannot model is an error at file:line;
what it models, and any network fault on a real service, loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_scenario.errors import ScenarioValidationError
from onex_scenario.loader import ScenarioLoader

pytestmark = pytest.mark.unit


def _load(tmp_path: Path, mode: str, action: str) -> None:
    tier = "unit" if mode == "mock" else "integration"
    path = tmp_path / tier / "scenario_faulty.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        "name: faulty\n"
        f"tier: {tier}\n"
        f"dependency_mode: {mode}\n"
        "external_services: {redis: {kind: redis}}\n"
        "steps:\n"
        "  - id: ok\n"
        "    wait: 1ms\n"
        "  - id: shaped\n"
        f"    fault: {{target: redis, action: {action}}}\n"
    )
    ScenarioLoader().load(path)


@pytest.mark.parametrize("action", ["bandwidth", "slicer"])
def test_a_fault_a_mock_cannot_model_is_an_error_at_its_line(tmp_path: Path, action: str) -> None:
    with pytest.raises(ScenarioValidationError) as raised:
        _load(tmp_path, "mock", action)
    message = str(raised.value)
    assert "scenario_faulty.yaml:9:" in message  # the line of the step's fault action
    assert f"steps[1].fault.action: '{action}' shapes bytes on a wire" in message
    assert "make redis real (dependency_mode: real) for this fault" in message


@pytest.mark.parametrize("action", ["latency", "timeout", "reset_peer", "down", "up"])
def test_a_fault_the_mocks_model_loads_on_a_mock(tmp_path: Path, action: str) -> None:
    _load(tmp_path, "mock", action)


@pytest.mark.parametrize("action", ["bandwidth", "slicer", "latency"])
def test_every_network_fault_loads_on_a_real_service(tmp_path: Path, action: str) -> None:
    _load(tmp_path, "real", action)
