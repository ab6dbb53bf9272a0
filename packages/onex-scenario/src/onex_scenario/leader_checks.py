"""Checks of faults on a partition's leader (`leader_of`) and of a private stack's `servers:`,
each reported with the key path it is about (the loader turns it into file:line).

A `leader_of` names a partition of one of the scenario's own topics, on a service fault that
acts on one server process (kill, pause, restart: the broker leading it when the step runs);
`resume` ends an earlier pause and names nothing. Settings of the scenario's own servers change
its stack, so they need `isolation: private`, like the faults that use them.
"""

from __future__ import annotations

from onex_scenario.errors import KeyPath
from onex_scenario.faults import SERVICE_FAULTS, IsolationEnum
from onex_scenario.models import ScenarioConfigModel
from onex_scenario.steps import ModelFaultStep
from onex_scenario.vocabulary import UnknownKindError, vocabulary

Problem = tuple[KeyPath, str]
MEMBER_FAULTS = tuple(action for action in SERVICE_FAULTS if action != "resume")


def leader_problems(scenario: ScenarioConfigModel) -> list[Problem]:
    problems: list[Problem] = []
    kafka = scenario.resources.kafka
    topics = {topic.name: topic.partitions for topic in (kafka.topics if kafka else ())}
    for index, step in enumerate(scenario.steps):
        if not isinstance(step, ModelFaultStep) or step.fault.leader_of is None:
            continue
        fault, path = step.fault, ("steps", index, "fault", "leader_of")
        leader = step.fault.leader_of
        if fault.action not in MEMBER_FAULTS:
            problems.append(
                (
                    path,
                    f"'{fault.action}' cannot target a leader: leader_of goes with one of "
                    f"{', '.join(MEMBER_FAULTS)} (a resume ends the pause it follows)",
                )
            )
            continue
        config = scenario.external_services.get(fault.target)
        if config is not None and not _has_leaders(str(config.kind)):
            problems.append(
                (
                    path,
                    f"'{fault.target}' is a {config.kind} service: its servers have no leaders",
                )
            )
            continue
        if leader.topic not in topics:
            known = ", ".join(sorted(topics)) or "none"
            problems.append(
                (
                    (*path, "topic"),
                    f"'{leader.topic}' is not a topic of the scenario's resources.kafka.topics "
                    f"(declared: {known})",
                )
            )
        elif leader.partition >= topics[leader.topic]:
            problems.append(
                (
                    (*path, "partition"),
                    f"topic '{leader.topic}' has {topics[leader.topic]} partition(s): "
                    f"partition {leader.partition} does not exist",
                )
            )
    if scenario.servers and scenario.isolation is not IsolationEnum.PRIVATE:
        problems.append(
            (
                ("servers",),
                "server settings change the scenario's stack: set `isolation: private` at the "
                "top of the scenario, so that it gets a stack of its own",
            )
        )
    return problems


def _has_leaders(kind: str) -> bool:
    try:
        return vocabulary(kind).has_leaders
    except UnknownKindError:
        return True  # the kind check reports it
