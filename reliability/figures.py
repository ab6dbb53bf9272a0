"""Reliability figures (the `reliability` nox session): crash, kill and fault checks, printed.

    python -m reliability.figures [--harness-kills 10] [--broker-kills 5]

Each figure that must hold (0/0/0 leftovers, 5/5 runs ended with a report, every planted-file
attack refused, 0 secrets in reports) makes the exit status 1 when it does not. Times are
printed, never judged here: they depend on the machine. Every kill happens on stacks of this
script's own (their own state and run dirs), never on a stack someone else uses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import redis.asyncio as aioredis
import yaml

from reliability.kills import (
    GUARD_S,
    ROOT,
    IsolatedStack,
    onex_command,
    pid_alive,
    run_and_kill_broker,
    wait_until,
)

T = TypeVar("T")
INTEGRATION = ROOT / "scenarios" / "integration"
PLANTED_FILE_TESTS = ROOT / "packages/onex-services/tests/test_services_reaper_refusals.py"


@dataclass
class Leftovers:
    processes: int = 0
    dirs: int = 0
    namespaces: int = 0

    def __str__(self) -> str:
        return f"{self.processes}/{self.dirs}/{self.namespaces}"


def _redis_scenario(folder: Path, marker: Path) -> Path:
    """A real-Redis scenario that writes keys in its namespace, then holds a moment."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scenario_harness_killed.yaml"
    document = {
        "name": "harness_killed",
        "tier": "integration",
        "node": "nodes.counter:CounterNode",
        "dependency_mode": "real",
        "external_services": {"redis": {"kind": "redis"}},
        "resources": {"redis": {"seed": {"a": "1", "b": "2"}}},
        "steps": [
            {"id": "hold", "call": "hold", "kwargs": {"marker": str(marker), "limit_s": 1.5}},
            {"id": "b", "call": "bump"},
        ],
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _kill_onex_run(
    stack: IsolatedStack, scenario: Path, at_s: float, hold: Path | None = None
) -> None:
    """Start `onex run` and SIGKILL it (the harness alone: the servers it started live on as
    orphans) `at_s` after its start, or after its scenario began to `hold` (mid-scenario, with
    keys written in its namespace): start-up, service start, steps, cleanup or after the end."""
    proc = subprocess.Popen(
        [onex_command(), "run", str(scenario), "--snapshots", "-"],
        env=stack.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if hold is not None:
        wait_until(lambda: hold.exists() or proc.poll() is not None, "the scenario to hold")
    time.sleep(at_s)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=GUARD_S)


async def _namespaces_on(url: str) -> int:
    client = aioredis.from_url(url)
    try:
        keys = [key.decode() async for key in client.scan_iter(match="*")]
    finally:
        await client.aclose()
    return len({key.split(":", 1)[0] for key in keys})


def _recorded(stack: IsolatedStack) -> tuple[list[int], list[Path]]:
    state = stack.state()
    if state is None:
        return [], []
    pids = [r.process.pid for r in state.services.values() if r.process is not None]
    return pids, [Path(state.stack_dir)]


def harness_kills(count: int, base: Path, rng: random.Random) -> Leftovers:
    """SIGKILL `onex run` at random points, then start the stack again and count what is left
    of the killed run: its service processes, its stack dir, its namespaces on a kept Redis.

    Even rounds use a stack the killed run started itself (processes and dirs to reap); odd
    rounds use a kept stack, where only the run's namespace can be left behind.
    """
    found = Leftovers()
    kept = IsolatedStack(base / "kept")
    started = kept.services("start", "redis")
    if started.returncode != 0:
        raise RuntimeError(f"could not start the kept Redis:\n{started.stdout}{started.stderr}")
    try:
        # One run to the end sets the window the kill points are drawn from (start to exit).
        timed = time.monotonic()
        subprocess.run(
            [onex_command(), "run", str(_redis_scenario(base / "calibrate", base / "hold-c")),
             "--snapshots", "-"],
            env=kept.env(), capture_output=True, timeout=GUARD_S, check=False,
        )  # fmt: skip
        window = time.monotonic() - timed
        for round_no in range(count):
            own = round_no % 2 == 0
            stack = IsolatedStack(base / f"own-{round_no}") if own else kept
            marker = base / f"hold-{round_no}"
            scenario = _redis_scenario(base / f"scenarios-{round_no}", marker)
            if rng.random() < 0.5:  # mid-scenario: at a random moment of its hold
                _kill_onex_run(stack, scenario, rng.uniform(0.0, 1.0), hold=marker)
            else:  # anywhere in a run (an own stack must start first: a longer window)
                _kill_onex_run(stack, scenario, rng.uniform(0.1, window * (1.5 if own else 1.0)))
            pids, dirs = _recorded(stack) if own else ([], [])
            stack.services("start", "redis")  # the next start: it must reap what was left
            new_pids, new_dirs = _recorded(stack)
            found.processes += sum(1 for p in pids if p not in new_pids and pid_alive(p))
            found.dirs += sum(1 for d in dirs if d not in new_dirs and d.exists())
            if own:  # a process the stop missed in the run dir is a leftover too
                found.processes += stack.stop()
        # Namespaces of every killed run on the kept Redis, after the starts that followed.
        state = kept.state()
        url = state.services["redis"].url if state else None
        found.namespaces = asyncio.run(_namespaces_on(url)) if url else 0
    finally:
        found.processes += kept.stop()
    return found


def broker_kills(count: int, base: Path) -> tuple[int, float, list[str]]:
    """Kill the broker mid-scenario `count` times; runs that ended with a report, the longest
    time from kill to end, and what went wrong in the others."""
    stack = IsolatedStack(base / "broker")
    ended, longest, problems = 0, 0.0, []
    try:
        for round_no in range(count):
            end = run_and_kill_broker(stack, base / f"broker-{round_no}", cleanup_timeout_s=2.0)
            longest = max(longest, end.seconds_to_end)
            if end.returncode != 0 and end.report is not None and "Traceback" not in end.output:
                ended += 1
            else:
                problems.append(f"round {round_no}: exit {end.returncode}\n{end.output[-1500:]}")
    finally:
        stack.stop()
    return ended, longest, problems


def planted_file_attacks(base: Path) -> tuple[int, int] | None:
    """The reaper's refusal tests (planted stack.json, foreign run dirs, …): refused/total,
    or None when they are not in this tree."""
    if not PLANTED_FILE_TESTS.exists():
        return None
    junit = base / "planted.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(PLANTED_FILE_TESTS),
         f"--junitxml={junit}"],
        cwd=ROOT, capture_output=True, text=True, timeout=GUARD_S, check=False,
    )  # fmt: skip
    from xml.etree import ElementTree as ET

    outcomes = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        problems = [c for c in case if c.tag in ("failure", "error", "skipped")]
        outcomes.append(not problems)
        for problem in problems:  # name what was not refused, so a failure can be followed up
            first_line = (problem.get("message") or "").splitlines()[:1]
            print(f"  not refused: {case.get('name')}: {problem.tag} {' '.join(first_line)}")
    return sum(outcomes), len(outcomes)


def secrets_in_reports(base: Path, extra_reports: list[Path]) -> tuple[int, int]:
    """Run `onex run` with a password in ONEX_DB_URL pointing at a dead PostgreSQL (its URL is
    in the failure) and scan every report it writes; (files holding the password, files)."""
    password = "Rel-" + secrets.token_urlsafe(12)
    folder = base / "secrets"
    folder.mkdir(parents=True, exist_ok=True)
    scenario = folder / "scenario_db_down.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {
                "name": "db_down",
                "tier": "integration",
                "node": "nodes.counter:CounterNode",
                "dependency_mode": "real",
                "external_services": {"postgres": {"kind": "postgres"}},
                "steps": [{"id": "b", "call": "bump"}],
            }
        )
    )
    out = folder / "out"
    stack = IsolatedStack(base / "secrets-stack")
    env = stack.env(ONEX_DB_URL=f"postgresql://onex:{password}@127.0.0.1:1/db")
    done = subprocess.run(
        [onex_command(), "run", str(scenario), "--json", str(out / "r.json"),
         "--junit", str(out / "r.xml"), "--html", str(out / "r.html"),
         "--snapshots", str(out / "snapshots.jsonl")],
        env=env, capture_output=True, text=True, timeout=GUARD_S, check=False,
    )  # fmt: skip
    files = [*sorted(out.glob("*")), *extra_reports]
    leaks = sum(1 for f in files if password in f.read_text(errors="replace"))
    leaks += int(password in done.stdout + done.stderr)
    stack.stop()
    return leaks, len(files) + 1


def dead_broker_seconds(base: Path) -> tuple[float, dict[str, Any]]:
    """The integration scenarios against a broker address where nothing listens."""
    stack = IsolatedStack(base / "dead-broker")
    report = base / "dead-broker.json"
    started = time.monotonic()
    subprocess.run(
        [onex_command(), "run", str(INTEGRATION), "--json", str(report), "--snapshots", "-"],
        env=stack.env(ONEX_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1"),
        capture_output=True, text=True, timeout=GUARD_S, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    stack.stop()
    return seconds, json.loads(report.read_text())["summary"] if report.exists() else {}


def _timed(func: Callable[..., T], *args: Any) -> tuple[T, float]:
    started = time.monotonic()
    return func(*args), time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--harness-kills", type=int, default=10)
    parser.add_argument("--broker-kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=None, help="random kill points (default: new)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    wrong: list[str] = []
    with tempfile.TemporaryDirectory(prefix="onex-reliability-") as tmp:
        base = Path(tmp)
        started = time.monotonic()
        # The two kill series use stacks of their own, so they run side by side.
        with ThreadPoolExecutor(max_workers=2) as pool:
            harness = pool.submit(
                _timed, harness_kills, args.harness_kills, base, random.Random(seed)
            )
            broker = pool.submit(_timed, broker_kills, args.broker_kills, base)
            (left, harness_s), ((ended, longest, problems), broker_s) = (
                harness.result(),
                broker.result(),
            )
        print(
            f"(kill series side by side: {time.monotonic() - started:.0f} s; harness kills "
            f"{harness_s:.0f} s, broker kills {broker_s:.0f} s; "
            f"load average {os.getloadavg()[0]:.1f})"
        )
        print(
            f"harness SIGKILL at random points x {args.harness_kills} (seed {seed}): leftover "
            f"processes/dirs/namespaces after the next start: {left} (must be 0/0/0)"
        )
        if str(left) != "0/0/0":
            wrong.append("harness kills left something behind")
        print(
            f"broker SIGKILL mid-scenario x {args.broker_kills}: runs that ended with a report: "
            f"{ended}/{args.broker_kills} (must be all); longest time to end: {longest:.1f} s"
        )
        if ended != args.broker_kills:
            wrong.append("a run did not end with a report after its broker was killed")
            print("\n".join(problems))
        planted = planted_file_attacks(base)
        if planted is None:
            print("planted-file checks: not run (not on main)")
        else:
            print(f"planted-file attacks refused: {planted[0]}/{planted[1]} (must be all)")
            if planted[0] != planted[1] or planted[1] == 0:
                wrong.append("a planted-file attack was not refused")
        reports = [p for p in base.glob("broker-*/report.json")]
        leaks, scanned = secrets_in_reports(base, reports)
        print(f"secrets found in reports: {leaks} in {scanned} outputs scanned (must be 0)")
        if leaks:
            wrong.append("a secret reached a report")
        seconds, summary = dead_broker_seconds(base)
        print(
            f"dead broker (ONEX_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1): {summary.get('total', 0)} "
            f"integration scenarios ended in {seconds:.1f} s (target: at most 30 s), "
            f"{summary.get('failed', 0)} failed"
        )
    for line in wrong:
        print(f"WRONG: {line}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
