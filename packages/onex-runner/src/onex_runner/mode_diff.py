"""`--compare-modes`: where one scenario behaved differently on mocks and on real services.

Both runs are reduced to their golden form (ids, offsets and timings dropped), then compared
value by value at paths such as `steps.place.output.id` (see `onex_scenario.compare_paths`), so
a path the scenario or the command line ignores drops exactly that value and nothing around it.
Values are reported whole: a difference is only useful when both sides can be read in full.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from onex_scenario import LoadedScenario
from onex_scenario.compare_paths import Pattern, is_ignored, parse_compare_path

from onex_runner.results import ModelScenarioResult
from onex_runner.snapshots import golden_form

ABSENT = "(absent)"
"""What a side shows for a value that only the other side has."""

Path = tuple[str, ...]


def ignore_patterns(paths: Sequence[str]) -> tuple[Pattern, ...]:
    """The patterns of paths to ignore; ValueError for the first one that does not parse."""
    return tuple(pattern for text in paths for pattern in parse_compare_path(text))


def mode_differences(
    mock: ModelScenarioResult, real: ModelScenarioResult, ignore: Sequence[Pattern] = ()
) -> list[dict[str, Any]]:
    """Each value that differs between the runs and is not ignored, as scenario/where/mock/real."""
    diffs: list[dict[str, Any]] = []
    if mock.outcome != real.outcome and not is_ignored(("outcome",), ignore):
        diffs.append(
            {
                "scenario": mock.name,
                "where": "outcome",
                "mock": f"{mock.outcome}: {mock.message}",
                "real": f"{real.outcome}: {real.message}",
            }
        )
    left, right = dict(_leaves(golden_form(mock))), dict(_leaves(golden_form(real)))
    for path in [*left, *(p for p in right if p not in left)]:
        have_mock, have_real = left.get(path, ABSENT), right.get(path, ABSENT)
        if _same(have_mock, have_real) or is_ignored(path, ignore):
            continue
        diffs.append(
            {"scenario": mock.name, "where": ".".join(path), "mock": have_mock, "real": have_real}
        )
    return diffs


def compare_runs(
    scenarios: Sequence[LoadedScenario],
    mock_results: Sequence[ModelScenarioResult],
    real_results: Sequence[ModelScenarioResult],
    ignore: Sequence[Pattern] = (),
) -> list[dict[str, Any]]:
    """Differences of every scenario; each ignores its own `compare_ignore` and `ignore`."""
    diffs: list[dict[str, Any]] = []
    for loaded, mock, real in zip(scenarios, mock_results, real_results, strict=True):
        own = ignore_patterns(loaded.scenario.compare_ignore)  # checked when the file loaded
        diffs += mode_differences(mock, real, (*own, *ignore))
    return diffs


def difference_line(diff: dict[str, Any]) -> str:
    """One difference in full: `name: where: mock=<JSON> real=<JSON>`."""
    return (
        f"{diff['scenario']}: {diff['where']}: "
        f"mock={_json(diff['mock'])} real={_json(diff['real'])}"
    )


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


def _same(left: Any, right: Any) -> bool:
    # Through JSON, as golden files are: a tuple equals a list, a datetime its text.
    return bool(_json(left) == _json(right))


def _leaves(form: dict[str, Any]) -> Iterator[tuple[Path, Any]]:
    expectations = 0
    for step in form["steps"]:
        if str(step["id"]).startswith("expect["):
            where: Path = ("expect", str(expectations))
            expectations += 1
        else:
            where = ("steps", str(step["id"]))
        for field in ("outcome", "output", "events"):
            yield from _walk((*where, field), step[field])


def _walk(path: Path, value: Any) -> Iterator[tuple[Path, Any]]:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _walk((*path, str(key)), item)
    elif isinstance(value, list | tuple) and value:
        for index, item in enumerate(value):
            yield from _walk((*path, str(index)), item)
    else:
        yield path, value
