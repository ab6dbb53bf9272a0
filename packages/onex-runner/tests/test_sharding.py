"""Shards: one split for `onex run --shard` and the pytest plugin, balanced by the run history."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from onex_runner.cli import run
from onex_runner.history import append, recorded_durations
from onex_runner.sharding import (
    Shard,
    ShardSpecError,
    parse_shard,
    partition,
    path_key,
    shard_from,
    take_shard,
    weights_of,
)

pytestmark = pytest.mark.unit

weights = st.dictionaries(
    st.text(min_size=1, max_size=8), st.floats(min_value=0, max_value=1e6), max_size=60
)


@given(weights, st.integers(min_value=1, max_value=9))
def test_the_shards_are_exactly_the_selection_without_overlap(
    chosen: dict[str, float], total: int
) -> None:
    groups = partition(chosen, total)
    assert len(groups) == total
    flat = [key for group in groups for key in group]
    assert sorted(flat) == sorted(chosen)  # every key once: union is all, no overlap


@given(weights, st.integers(min_value=1, max_value=9), st.randoms())
def test_every_machine_computes_the_same_split(
    chosen: dict[str, float], total: int, rnd: random.Random
) -> None:
    shuffled = list(chosen.items())
    rnd.shuffle(shuffled)
    assert partition(dict(shuffled), total) == partition(chosen, total)


@given(weights, st.integers(min_value=1, max_value=9))
def test_no_shard_is_heavier_than_another_by_more_than_one_item(
    chosen: dict[str, float], total: int
) -> None:
    loads = [sum(chosen[k] for k in group) for group in partition(chosen, total)]
    heaviest_item = max(chosen.values(), default=0.0)
    assert max(loads) - min(loads) <= heaviest_item + 1e-6 * max(loads)


@given(st.lists(st.text(min_size=1), unique=True, max_size=50), st.integers(1, 9))
def test_without_history_the_shards_hold_equal_counts(keys: list[str], total: int) -> None:
    sizes = [len(g) for g in partition(weights_of(keys, {}), total)]
    assert max(sizes) - min(sizes) <= 1


def test_recorded_durations_weigh_and_unknown_items_weigh_their_median() -> None:
    found = weights_of(["a", "b", "c", "new"], {"a": 10.0, "b": 20.0, "c": 90.0, "gone": 5.0})
    assert found == {"a": 10.0, "b": 20.0, "c": 90.0, "new": 20.0}
    # One long scenario alone against the rest: the split follows time, not counts.
    assert partition({"long": 100.0, "a": 30.0, "b": 30.0, "c": 30.0}, 2) == [
        ["long"],
        ["a", "b", "c"],
    ]


def test_take_shard_keeps_the_original_order() -> None:
    items = ["d", "c", "b", "a"]
    both = [take_shard(items, str, Shard(i, 2), {}) for i in (1, 2)]
    assert sorted(both[0] + both[1]) == sorted(items)
    for part in both:
        assert part == [x for x in items if x in part]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0/4", "between 1 and 4"),
        ("5/4", "between 1 and 4"),
        ("a/b", "expected I/N"),
        ("1/0", "at least 1"),
        ("3", "expected I/N"),
    ],
)
def test_a_bad_shard_spec_says_what_was_expected(text: str, says: str) -> None:
    with pytest.raises(ShardSpecError, match=says):
        parse_shard(text)


def test_the_environment_names_the_shard_when_the_flag_does_not() -> None:
    assert shard_from(None, {"ONEX_SHARD": "2/3"}) == Shard(2, 3)
    assert shard_from("1/3", {"ONEX_SHARD": "2/3"}) == Shard(1, 3)
    assert shard_from(None, {}) is None
    with pytest.raises(ShardSpecError, match="ONEX_SHARD"):
        shard_from(None, {"ONEX_SHARD": "7/3"})


def _run(*args: str) -> Any:
    return CliRunner().invoke(run, [*args, "--snapshots", "-"])


@pytest.mark.parametrize("spec", ["0/4", "5/4", "a/b"])
def test_onex_run_refuses_a_bad_shard_with_exit_two(write_scenario: Any, spec: str) -> None:
    path = write_scenario("one", steps=[{"id": "a", "call": "bump"}])
    result = _run(str(path), "--shard", spec)
    assert result.exit_code == 2, result.output
    assert "--shard" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _names(output: str) -> set[str]:
    return {line.split()[2] for line in output.splitlines() if line.startswith("✓ passed")}


def test_onex_run_shards_cover_the_selection_once(write_scenario: Any, tmp_path: Path) -> None:
    for i in range(5):
        write_scenario(f"s{i}", steps=[{"id": "a", "call": "bump"}])
    folder = tmp_path / "unit"
    seen: list[str] = []
    for i in (1, 2, 3):
        result = _run(str(folder), "--shard", f"{i}/3", "--history", "-")
        assert result.exit_code == 0, result.output
        assert "by equal counts (no run history)" in result.output
        seen += sorted(_names(result.output))
    assert sorted(seen) == [f"s{i}" for i in range(5)]


def test_an_empty_shard_runs_nothing_and_passes(write_scenario: Any) -> None:
    path = write_scenario("only", steps=[{"id": "a", "call": "bump"}])
    results = [_run(str(path), "--shard", f"{i}/2", "--history", "-") for i in (1, 2)]
    assert [r.exit_code for r in results] == [0, 0]
    assert sum(len(_names(r.output)) for r in results) == 1


def _history_of(db: Path, durations: dict[Path, float]) -> None:
    results = [
        {"type": "scenario_finished",
         "result": {"name": p.stem, "path": str(p), "tier": "unit", "outcome": "passed",
                    "duration_ms": ms, "steps": [], "expectations": []}}
        for p, ms in durations.items()
    ]  # fmt: skip
    summary = {"total": len(results), "passed": len(results), "failed": 0, "skipped": 0,
               "errors": 0, "duration_ms": sum(durations.values())}  # fmt: skip
    append(db, [{"type": "run_started", "run_id": "r1", "t": 1.0}, *results,
                {"type": "run_finished", "summary": summary}])  # fmt: skip


def test_onex_run_balances_by_the_run_history(write_scenario: Any, tmp_path: Path) -> None:
    paths = [write_scenario(n, steps=[{"id": "a", "call": "bump"}]) for n in "abcd"]
    db = tmp_path / "history.sqlite"
    _history_of(db, {paths[0]: 900.0, paths[1]: 100.0, paths[2]: 100.0, paths[3]: 100.0})
    assert recorded_durations(db)[path_key(paths[0])] == 900.0
    first = _run(str(tmp_path / "unit"), "--shard", "1/2", "--history", str(db))
    assert first.exit_code == 0, first.output
    assert "by recorded durations" in first.output
    assert _names(first.output) == {"a"}  # the long one alone; counts would have put two here


def test_the_pytest_plugin_takes_the_same_shards(write_scenario: Any, tmp_path: Path) -> None:
    for i in range(5):
        write_scenario(f"p{i}", steps=[{"id": "a", "call": "bump"}])
    tests = str(Path(__file__).parent)  # where nodes.counter lives
    (tmp_path / "conftest.py").write_text(f"import sys\nsys.path.insert(0, {tests!r})\n")
    collected: list[str] = []
    for i in (1, 2):
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
             "--onex-shard", f"{i}/2", "unit"],
            cwd=tmp_path, capture_output=True, text=True, check=False,
            env={"ONEX_HISTORY": str(tmp_path / "none.sqlite"), "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        collected += [line for line in done.stdout.splitlines() if "::" in line]
    assert sorted(c.split("::")[-1] for c in collected) == [f"p{i}" for i in range(5)]
    bad = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "--onex-shard", "5/4", "unit"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode != 0
    assert "between 1 and 4" in bad.stderr + bad.stdout
    assert "Traceback" not in bad.stderr + bad.stdout
