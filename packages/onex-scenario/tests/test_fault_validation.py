"""Service faults and limits need a stack of the scenario's own: on a shared stack they are a
validation error with file:line that names `isolation: private`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from onex_scenario import IsolationEnum, ScenarioValidationError
from onex_scenario.loader import ScenarioLoader

pytestmark = pytest.mark.unit

HEAD = """\
name: faulty
tier: integration
dependency_mode: real
external_services:
  kafka: {kind: kafka}
  redis: {kind: redis}
"""


def _load(tmp_path: Path, body: str) -> object:
    path = tmp_path / "scenario_faulty.yaml"
    path.write_text(HEAD + textwrap.dedent(body))
    return ScenarioLoader().load(path)


def _problems(tmp_path: Path, body: str) -> list[str]:
    with pytest.raises(ScenarioValidationError) as caught:
        _load(tmp_path, body)
    return [str(issue) for issue in caught.value.issues]


def test_a_kill_on_the_shared_stack_is_refused_with_its_line(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """
        steps:
          - id: down
            fault: {target: kafka, action: kill, for: 2s}
        """,
    )
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'scenario_faulty.yaml'}:10:")
    assert "steps[0].fault.action: 'kill' acts on the whole kafka server" in problems[0]
    assert "`isolation: private`" in problems[0]


def test_limits_on_the_shared_stack_are_refused(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "limits:\n  redis: {maxmemory: 1mb}\n")
    assert len(problems) == 1
    assert "limits.redis: a redis limit changes the server" in problems[0]
    assert ":8:" in problems[0]


def test_a_service_fault_on_a_mock_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scenario_mock.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            name: mock_pause
            tier: mixed
            dependency_mode: real
            isolation: private
            external_services:
              kafka: {kind: kafka}
              redis: {kind: redis, dependency_mode: mock}
            steps:
              - {id: p, fault: {target: redis, action: pause}}
            """
        )
    )
    with pytest.raises(ScenarioValidationError) as caught:
        ScenarioLoader().load(path)
    (problem,) = [str(issue) for issue in caught.value.issues]
    assert f"{path}:9:" in problem
    assert "'redis' is a mock in this scenario: there is no server to pause" in problem


def test_a_private_scenario_may_kill_pause_and_limit(tmp_path: Path) -> None:
    scenario = _load(
        tmp_path,
        """
        isolation: private
        limits:
          redis: {maxmemory: 2mb, maxmemory_policy: noeviction}
        steps:
          - {id: k, fault: {target: kafka, action: kill}}
          - {id: h, fault: {target: kafka, action: heal}}
          - {id: p, fault: {target: redis, action: pause, for: 500ms}}
        """,
    )
    loaded = scenario.scenario  # type: ignore[attr-defined]
    assert loaded.isolation is IsolationEnum.PRIVATE
    assert loaded.steps[2].fault.duration == 0.5
