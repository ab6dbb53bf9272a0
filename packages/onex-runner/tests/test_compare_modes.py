"""`--compare-modes`: whole values, and paths to ignore (in the scenario, on the command line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from onex_runner.cli import run
from onex_runner.mode_diff import ABSENT, difference_line, ignore_patterns, mode_differences
from onex_scenario import ScenarioValidationError
from onex_scenario.loader import ScenarioLoader
from scenario_runs import run_scenario

STEPS = [{"id": "tok", "call": "token"}, {"id": "b", "call": "bump"}]


def token_scenario(write_scenario: Any, name: str, **body: Any) -> Path:
    path: Path = write_scenario(
        name,
        external_services={"redis": {"kind": "redis"}},
        steps=STEPS,
        expect=[{"output": {"step": "tok", "value": {"kind": "token"}}}],
        **body,
    )
    return path


@pytest.mark.unit
async def test_differences_are_whole_values_at_their_paths(write_scenario: Any) -> None:
    path = token_scenario(write_scenario, "tokens")
    first, second = await run_scenario(path), await run_scenario(path)
    diffs = mode_differences(first, second)
    assert [d["where"] for d in diffs] == ["steps.tok.output.id", "expect.0.output.id"]
    line = difference_line(diffs[0])
    assert len(str(diffs[0]["mock"])) == 131
    assert f'mock="{diffs[0]["mock"]}" real="{diffs[0]["real"]}"' in line  # not cut at 80


@pytest.mark.unit
@pytest.mark.parametrize(
    "ignore",
    [["$.id"], ["steps.tok.output.id", "expect.*.output.id"], ["steps.tok", "expect[0]"]],
)
async def test_ignored_paths_are_not_compared(write_scenario: Any, ignore: list[str]) -> None:
    path = token_scenario(write_scenario, "tokens")
    first, second = await run_scenario(path), await run_scenario(path)
    assert mode_differences(first, second, ignore_patterns(ignore)) == []


@pytest.mark.unit
async def test_a_value_on_one_side_only_is_absent_on_the_other(write_scenario: Any) -> None:
    bump = {"id": "c", "call": "bump"}
    one = await run_scenario(write_scenario("one", steps=STEPS[1:]))
    two = await run_scenario(write_scenario("one", steps=[*STEPS[1:], bump]))
    assert mode_differences(one, two) == [
        {"scenario": "one", "where": "steps.c.outcome", "mock": ABSENT, "real": "passed"},
        {"scenario": "one", "where": "steps.c.output.count", "mock": ABSENT, "real": 2},
        {"scenario": "one", "where": "steps.c.events", "mock": ABSENT, "real": []},
    ]


@pytest.mark.unit
def test_bad_ignore_paths_are_refused_in_files_and_on_the_command_line(
    write_scenario: Any,
) -> None:
    path = token_scenario(write_scenario, "bad", compare_ignore=["steps.nope.output", "x.y", ""])
    with pytest.raises(ScenarioValidationError) as caught:
        ScenarioLoader().load(path)
    assert [f"{i.key_path}: {i.message}" for i in caught.value.issues] == [
        "compare_ignore[0]: 'steps.nope.output': no step 'nope' (steps: b, tok)",
        "compare_ignore[1]: 'x.y': a path starts with $, steps.<step id>, expect.<n> or is "
        "outcome (e.g. $.id, steps.place.output.id, expect.0.output)",
        "compare_ignore[2]: '': expected dot-separated keys such as steps.place.output.id",
    ]
    good = token_scenario(write_scenario, "good")
    result = CliRunner().invoke(
        run, [str(good), "--compare-modes", "--compare-ignore", "steps.tok.outputs"]
    )
    assert result.exit_code == 2
    assert "--compare-ignore 'steps.tok.outputs': after steps.tok comes one of outcome" in (
        result.output
    )


@pytest.mark.integration
@pytest.mark.requires_redis
def test_compare_modes_on_the_command_line(write_scenario: Any) -> None:
    path = token_scenario(write_scenario, "cli", compare_ignore=["expect.0"])
    result = CliRunner().invoke(run, [str(path), "--compare-modes", "--snapshots", "-"])
    assert result.exit_code == 0, result.output
    assert "mock versus real: 1 difference(s)" in result.output
    (line,) = [x for x in result.output.splitlines() if "steps.tok.output.id" in x]
    assert len(line) > 280  # both generated ids in full
    ignored = CliRunner().invoke(
        run,
        [str(path), "--compare-modes", "--compare-ignore", "$.id", "--snapshots", "-"],
    )
    assert ignored.exit_code == 0, ignored.output
    assert "mock versus real: 0 difference(s)" in ignored.output
