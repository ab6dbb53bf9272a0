"""The runner's one path, on mock tools (unit tier)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from onex_runner import OutcomeEnum, PreConditionStatusEnum, RunOptions, ScenarioRunner
from onex_scenario import DependencyModeEnum, load_scenario
from onex_scenario.loader import ScenarioLoader

pytestmark = pytest.mark.unit
KAFKA = {"kafka": {"kind": "kafka"}}
TOPICS = {"kafka": {"topics": [{"name": "in"}, {"name": "out"}]}}


async def run(path: Path, options: RunOptions | None = None) -> Any:
    runner = ScenarioRunner(options or RunOptions())
    try:
        return await runner.run(ScenarioLoader().load(path))
    finally:
        await runner.close()


async def test_a_passing_scenario_records_steps_and_tool_classes(write_scenario: Any) -> None:
    path = write_scenario(
        "forwarding",
        external_services=KAFKA,
        resources=TOPICS,
        steps=[
            {"id": "send", "publish": {"topic": "in", "key": "k", "value": {"n": 1}}},
            {"id": "fwd", "call": "forward"},
            {
                "id": "got",
                "expect_event": {
                    "topic": "out",
                    "key": "k",
                    "value": {"seen": {"n": 1}},
                    "correlation_id": "${steps.send.correlation_id}",
                },
            },
        ],
        expect=[{"output": {"step": "fwd", "value": 1}}],
    )
    result = await run(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    assert [s.id for s in result.steps] == ["send", "fwd", "got"]
    assert result.tools[0]["instantiated_class"].endswith("InMemoryEventBus")
    assert result.preconditions.status is PreConditionStatusEnum.NOT_NEEDED
    assert result.steps[2].output["correlation_id"] == result.steps[0].correlation_id


async def test_a_failed_expectation_fails_the_scenario(write_scenario: Any) -> None:
    path = write_scenario(
        "wrong", steps=[{"id": "b", "call": "bump"}],
        expect=[{"output": {"step": "b", "value": {"count": 99}}}],
    )  # fmt: skip
    result = await run(path)
    assert result.outcome is OutcomeEnum.FAILED
    assert "count" in result.message
    assert "99" in result.message


async def test_an_event_that_never_comes_fails_within_its_deadline(write_scenario: Any) -> None:
    path = write_scenario(
        "silent", external_services=KAFKA, resources=TOPICS,
        steps=[{"id": "never", "expect_event": {"topic": "out", "within": "300ms"}}],
    )  # fmt: skip
    result = await run(path)
    assert result.outcome is OutcomeEnum.FAILED
    assert "no event arrived" in result.message


async def test_a_node_exception_is_the_steps_error_not_a_crash(write_scenario: Any) -> None:
    result = await run(write_scenario("explodes", steps=[{"id": "x", "call": "explode"}]))
    assert result.outcome is OutcomeEnum.ERROR
    assert "ValueError: boom" in result.message


async def test_sync_methods_run_off_the_loop_with_the_steps_correlation_id(
    write_scenario: Any,
) -> None:
    result = await run(write_scenario("sync", steps=[{"id": "s", "call": "slow_sync"}]))
    assert result.outcome is OutcomeEnum.PASSED, result.message
    assert result.steps[0].output == {"correlation_id": result.steps[0].correlation_id}


async def test_references_carry_outputs_to_later_steps(write_scenario: Any) -> None:
    path = write_scenario(
        "refs",
        steps=[{"id": "a", "call": "bump", "kwargs": {"by": 2}},
               {"id": "b", "call": "bump", "kwargs": {"by": "${steps.a.output.count}"}}],
        expect=[{"output": {"step": "b", "value": {"count": 4}}}],
    )  # fmt: skip
    result = await run(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message


async def test_force_mode_mock_turns_a_real_scenario_into_mocks(write_scenario: Any) -> None:
    path = write_scenario(
        "forced", tier="integration", dependency_mode="real", external_services=KAFKA,
        steps=[{"id": "b", "call": "bump"}],
    )  # fmt: skip
    result = await run(path, RunOptions(force_mode=DependencyModeEnum.MOCK))
    assert result.outcome is OutcomeEnum.PASSED, result.message
    assert result.tools[0]["mode"] == "mock"
    assert result.tools[0]["mode_source"] == "cli"


def test_the_loader_sees_the_same_file(write_scenario: Any) -> None:
    path = write_scenario("plain", steps=[{"id": "b", "call": "bump"}])
    assert load_scenario(path).name == "plain"


async def test_a_step_past_its_deadline_says_which_deadline_and_what_it_waited_for(
    write_scenario: Any,
) -> None:
    path = write_scenario(
        "stalls", steps=[{"id": "slow", "call": "stall", "args": [30], "timeout": "200ms"}],
    )  # fmt: skip
    result = await run(path)
    assert result.outcome is OutcomeEnum.FAILED
    assert "runner's step deadline of 0.2s (its `timeout`)" in result.message
    assert "waited for the node's stall() to return" in result.message


async def test_a_timeout_the_node_raises_is_its_own_error_not_the_runners_deadline(
    write_scenario: Any,
) -> None:
    result = await run(write_scenario("own", steps=[{"id": "x", "call": "time_out_itself"}]))
    assert result.outcome is OutcomeEnum.ERROR
    assert "the node's time_out_itself() to return raised TimeoutError" in result.message
    assert "before the runner's step deadline of" in result.message
    assert "the broker did not answer" in result.message
