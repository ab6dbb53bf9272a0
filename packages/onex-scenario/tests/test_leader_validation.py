"""A fault on a partition's leader (`leader_of`) names a partition of one of the scenario's
Kafka topics and an action that can hit one broker; anything else is a validation error with
file:line. Server settings of a scenario's own (`servers:`) need `isolation: private`."""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_scenario import ScenarioValidationError
from onex_scenario.loader import ScenarioLoader

pytestmark = pytest.mark.unit

HEAD = """\
name: leaders
tier: integration
dependency_mode: real
isolation: private
servers:
  kafka: {brokers: 3}
external_services:
  kafka: {kind: kafka}
  redis: {kind: redis}
resources:
  kafka:
    topics: [{name: orders, partitions: 2}]
steps:
"""


def _path(tmp_path: Path) -> Path:
    return tmp_path / "scenario_leaders.yaml"


def _problems(tmp_path: Path, fault: str) -> list[str]:
    _path(tmp_path).write_text(HEAD + f"  - id: hit\n    fault: {fault}\n")
    with pytest.raises(ScenarioValidationError) as caught:
        ScenarioLoader().load(_path(tmp_path))
    return [str(issue) for issue in caught.value.issues]


def test_a_kill_of_a_declared_partitions_leader_loads(tmp_path: Path) -> None:
    fault = "{target: kafka, action: kill, leader_of: {topic: orders, partition: 1}}"
    _path(tmp_path).write_text(HEAD + f"  - id: hit\n    fault: {fault}\n")
    scenario = ScenarioLoader().load(_path(tmp_path)).scenario
    leader = scenario.steps[0].fault.leader_of  # type: ignore[union-attr]
    assert leader is not None
    assert (leader.topic, leader.partition) == ("orders", 1)
    assert scenario.servers == {"kafka": {"brokers": 3}}


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            "{target: kafka, action: kill, leader_of: {topic: payments}}",
            "steps[0].fault.leader_of.topic: 'payments' is not a topic of the scenario's "
            "resources.kafka.topics (declared: orders)",
        ),
        (
            "{target: kafka, action: pause, leader_of: {topic: orders, partition: 2}}",
            "steps[0].fault.leader_of.partition: topic 'orders' has 2 partition(s): "
            "partition 2 does not exist",
        ),
        (
            "{target: kafka, action: latency, leader_of: {topic: orders}}",
            "steps[0].fault.leader_of: 'latency' cannot target a leader",
        ),
        (
            "{target: redis, action: kill, leader_of: {topic: orders}}",
            "steps[0].fault.leader_of: 'redis' is a redis service: its servers have no leaders",
        ),
    ],
)
def test_a_bad_leader_target_is_refused_with_its_line(
    tmp_path: Path, fault: str, message: str
) -> None:
    problems = _problems(tmp_path, fault)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{_path(tmp_path)}:15:")
    assert message in problems[0]


def test_a_negative_partition_is_refused_by_the_model(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, "{target: kafka, action: kill, leader_of: {topic: orders, partition: -1}}"
    )
    assert any("leader_of.partition" in p and ":15:" in p for p in problems), problems


def test_servers_on_the_shared_stack_are_refused(tmp_path: Path) -> None:
    text = HEAD.replace("isolation: private\n", "") + "  - {id: wait, wait: 1s}\n"
    _path(tmp_path).write_text(text)
    with pytest.raises(ScenarioValidationError) as caught:
        ScenarioLoader().load(_path(tmp_path))
    problems = [str(issue) for issue in caught.value.issues]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{_path(tmp_path)}:5:")
    assert "servers: server settings change the scenario's stack" in problems[0]
