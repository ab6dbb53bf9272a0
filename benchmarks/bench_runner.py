"""Harness overhead per mock scenario, and real-tier throughput with 2 workers against 1.

0. The mode plan (`RegistryResolver.plan`): its cost per scenario in µs, unforced and forced, over
   the 1,000 generated scenarios and over the project's own scenarios (up to three services).
1. 1,000 mock scenarios against the same checks written by hand, measured twice: end to end
   (`onex run` on the folder against `pytest` on 1,000 plain test functions, each a process of
   its own, wall clock) and in process (the runner's API against plain async functions).
   Target: at most 5 ms of overhead per scenario.
2. The real scenarios of scenarios/integration, each 4 times, through `onex run -n 1` and `-n 2`
   (target: -n 2 at least 1.6 times the throughput of -n 1, no message crossing namespaces).
   Prints numbers; asserts nothing.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml
from onex_registry import InMemoryEventBus, RegistryResolver, building_tools
from onex_runner import RunOptions, ScenarioRunner
from onex_scenario import LoadedScenario, ScenarioLoader, load_scenarios

ROOT = Path(__file__).resolve().parent.parent
COUNT = 1_000
REPEAT = 4
SCENARIO = {
    "tier": "unit",
    "external_services": {"kafka": {"kind": "kafka"}},
    "resources": {"kafka": {"topics": [{"name": "t"}]}},
    "steps": [
        {"id": "send", "publish": {"topic": "t", "key": "k", "value": {"n": 1}}},
        {"id": "got", "expect_event": {"topic": "t", "key": "k", "value": {"n": 1}}},
    ],
}


async def check_by_hand() -> None:
    """The scenario's publish-and-expect check, written by hand (also the plain pytest tests)."""
    with building_tools():
        bus = InMemoryEventBus("plain")
    await bus.connect()
    await bus.create_topic("t")
    await bus.publish("t", {"n": 1}, key="k")
    [message] = await bus.consume("t", group="g", timeout_s=1)
    assert message.value == {"n": 1}
    await bus.delete_namespace_topics()
    await bus.close()


async def _plain(count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        await check_by_hand()
    return (time.perf_counter() - started) / count


async def _harness(scenarios: list[LoadedScenario]) -> float:
    runner = ScenarioRunner(RunOptions())
    started = time.perf_counter()
    for loaded in scenarios:
        result = await runner.run(loaded)
        if result.outcome != "passed":
            raise SystemExit(f"benchmark scenario failed: {result.message}")
    elapsed = time.perf_counter() - started
    await runner.close()
    return elapsed / len(scenarios)


def _mode_plan_cost(scenarios: list[LoadedScenario], rounds: int = 20) -> tuple[float, float]:
    """Seconds per scenario to make its mode plan: without a force, and forced to mock."""
    costs: list[float] = []
    for resolver in (RegistryResolver(environ={}), RegistryResolver(force_mode="mock", environ={})):
        for loaded in scenarios:  # warm-up, untimed
            resolver.plan(loaded.scenario)
        started = time.perf_counter()
        for _ in range(rounds):
            for loaded in scenarios:
                resolver.plan(loaded.scenario)
        costs.append((time.perf_counter() - started) / (rounds * len(scenarios)))
    return costs[0], costs[1]


PLAIN_TEST = """
def test_{i}():
    asyncio.run(check_by_hand())
"""
PLAIN_MODULE = (
    "import asyncio\n\nfrom onex_registry import InMemoryEventBus, building_tools\n\n\n"
    + inspect.getsource(check_by_hand)
)


def _wall(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv[:2])} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return elapsed


def _end_to_end(folder: Path) -> tuple[float, float]:
    """Seconds per scenario: `onex run` on the folder, then pytest on the same checks by hand."""
    bin_dir = Path(sys.executable).parent
    plain = folder.parent / "test_plain.py"
    plain.write_text(PLAIN_MODULE + "".join(PLAIN_TEST.format(i=i) for i in range(COUNT)))
    harness = _wall([str(bin_dir / "onex"), "run", str(folder), "--snapshots", "-"], folder.parent)
    by_hand = _wall(
        [str(bin_dir / "pytest"), "-q", "-p", "no:cacheprovider", str(plain)], folder.parent
    )
    return harness / COUNT, by_hand / COUNT


def _correlation_ids(value: object) -> set[str]:
    """Every correlation id anywhere in a JSON value."""
    if isinstance(value, dict):
        found = {v for k, v in value.items() if k == "correlation_id" and isinstance(v, str)}
        return found.union(*(_correlation_ids(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_correlation_ids(v) for v in value))
    return set()


# What carried a correlation id a run observed: rows and keys are read by these steps; every
# other step observes messages.
CARRIER = {"expect_row": "rows", "expect_key": "keys"}


def crossings(reports: Sequence[Path]) -> dict[str, int]:
    """Correlation ids seen by more than one scenario run across the JSON reports, by carrier
    (messages, rows, keys): what crossed namespaces. Also used by sim_shards.py."""
    owners: dict[str, set[int]] = {}
    carrier: dict[str, str] = {}
    runs = (run for report in reports for run in json.loads(report.read_text())["scenarios"])
    for number, run in enumerate(runs):
        # What the run saw (outputs, events), not what the file asked for (inputs: "*" and such).
        for step in run["steps"] + run["expectations"]:
            for seen in _correlation_ids([step["output"], step["events"]]):
                owners.setdefault(seen, set()).add(number)
                carrier.setdefault(seen, CARRIER.get(step["action"], "messages"))
    counts = dict.fromkeys(("messages", "rows", "keys"), 0)
    for seen, seen_by in owners.items():
        counts[carrier[seen]] += len(seen_by) > 1
    return counts


def _real_throughput(workers: int) -> tuple[float, int]:
    """Scenarios per second through `onex run -n workers` on a stack that is already up, and the
    number of messages that crossed namespaces.

    The integration scenarios run REPEAT times each (each run in its own namespace): one of them
    waits 2 s to prove that nothing arrives, and in a single pass that wait alone would cap any
    speed-up near 1.6. Timed by the run itself (its closing line), so interpreter start-up, the
    same for both, does not dilute the comparison."""
    env = {**os.environ, "ONEX_REUSE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "run.json"
        onex = Path(sys.executable).parent / "onex"
        done = subprocess.run(
            [str(onex), "run", str(ROOT / "scenarios" / "integration"), "-n", str(workers),
             "--repeat", str(REPEAT), "--snapshots", "-", "--json", str(report)],
            check=False, capture_output=True, text=True, env=env,
        )  # fmt: skip
        found = re.search(r"(\d+) passed, 0 failed, \d+ skipped in ([\d.]+)s", done.stdout)
        if done.returncode != 0 or found is None:
            raise SystemExit(f"onex run -n {workers} did not pass:\n{done.stdout[-2000:]}")
        return int(found.group(1)) / float(found.group(2)), sum(crossings([report]).values())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "unit"
        folder.mkdir()
        for i in range(COUNT):
            document = {"name": f"bench_{i}", **SCENARIO}
            (folder / f"scenario_bench_{i}.yaml").write_text(yaml.safe_dump(document))
        onex_run, pytest_plain = _end_to_end(folder)
        plain = asyncio.run(_plain(COUNT))
        loader = ScenarioLoader()
        loaded = [loader.load(p) for p in sorted(folder.glob("scenario_*.yaml"))]
        harness = asyncio.run(_harness(loaded))
        plan_bench = _mode_plan_cost(loaded)
    project, issues = load_scenarios([ROOT / "scenarios"])
    if issues or not project:
        raise SystemExit(f"the project's scenarios did not load: {issues[:3]}")
    plan_project = _mode_plan_cost(project)
    for label, (unforced, forced) in (
        (f"{COUNT} generated scenarios", plan_bench),
        (f"{len(project)} project scenarios", plan_project),
    ):
        print(f"mode plan ({label}): {unforced * 1e6:.1f} µs per scenario,"
              f" forced {forced * 1e6:.1f} µs")  # fmt: skip
    print(f"end to end: onex run {onex_run * 1000:.2f} ms per scenario, plain pytest functions"
          f" {pytest_plain * 1000:.2f} ms")  # fmt: skip
    print(f"harness overhead, end to end: {(onex_run - pytest_plain) * 1000:.2f} ms per scenario"
          " (target <= 5 ms)")  # fmt: skip
    print(f"in process: runner {harness * 1000:.2f} ms per scenario,"
          f" plain check {plain * 1000:.2f} ms")  # fmt: skip
    print(f"harness overhead, in process: {(harness - plain) * 1000:.2f} ms per scenario")
    if "--real" in sys.argv:
        _real_throughput(1)  # warm-up: starts the stack (kept with ONEX_REUSE=1) and the JITs
        try:
            (one, crossed_one), (two, crossed_two) = _real_throughput(1), _real_throughput(2)
        finally:
            subprocess.run([sys.executable, "-m", "onex_services", "stop"], check=False)
        print(f"real tier (integration scenarios x{REPEAT}): {one:.2f} scenarios/s with -n 1,"
              f" {two:.2f} with -n 2")  # fmt: skip
        print(f"ratio -n 2 / -n 1: {two / one:.2f} (target >= 1.6)")
        print(f"messages crossing namespaces: {crossed_one + crossed_two} (target 0)")
    else:
        print("real tier: run with --real (needs the services; `./dev -s benchmarks -- ...`)")


if __name__ == "__main__":
    main()
