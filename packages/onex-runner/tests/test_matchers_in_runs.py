"""Matchers (`$le`, `$regex`, ...) in the expectations of a run, on mock tools (unit tier)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from onex_runner import OutcomeEnum
from scenario_runs import run_scenario

pytestmark = pytest.mark.unit
SERVICES = {"kafka": {"kind": "kafka"}, "redis": {"kind": "redis"}}
RESOURCES = {
    "kafka": {"topics": [{"name": "in"}, {"name": "out"}]},
    "redis": {"seed": {"price:ABC": "9.50", "name": "r-17"}},
}


def scenario(write_scenario: Any, name: str, expect: list[dict[str, Any]]) -> Path:
    path: Path = write_scenario(
        name,
        external_services=SERVICES,
        resources=RESOURCES,
        steps=[
            {"id": "send", "publish": {"topic": "in", "key": "k", "value": {"n": 4}}},
            {"id": "fwd", "call": "forward"},
            {"id": "bump", "call": "bump", "kwargs": {"by": 3}},
        ],
        expect=expect,
    )
    return path


async def test_matchers_hold_for_outputs_events_and_keys(write_scenario: Any) -> None:
    path = scenario(
        write_scenario,
        "matchers_pass",
        [
            {"output": {"step": "bump", "value": {"count": {"$between": [1, 3]}}}},
            {"output": {"step": "fwd", "value": {"$any_of": [0, 1]}}},
            {
                "event": {
                    "topic": "out",
                    "value": {"seen": {"n": {"$gt": 3, "$type": "int"}}},
                }
            },
            {"key": {"key": "price:ABC", "value": {"$lt": 10, "$type": "float"}}},
            {"key": {"key": "name", "value": {"$regex": "^r-[0-9]+$", "$len": 4}}},
        ],
    )
    result = await run_scenario(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message


async def test_a_failing_matcher_says_what_was_expected_and_found(write_scenario: Any) -> None:
    path = scenario(
        write_scenario,
        "matchers_fail",
        [
            {"output": {"step": "bump", "value": {"count": {"$le": 2}}}},
            {"key": {"key": "name", "value": {"$regex": "^x-"}}},
        ],
    )
    result = await run_scenario(path)
    assert result.outcome is OutcomeEnum.FAILED
    messages = [step.message for step in result.expectations if step.outcome is OutcomeEnum.FAILED]
    assert messages == [
        "expect[0] output: $.count: expected a value at most 2, got 3",
        "expect[1] key: key 'name': $: expected a string matching regex '^x-', got \"r-17\"",
    ]
