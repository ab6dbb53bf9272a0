"""A CI fleet on one machine: 4 shards x 2 workers at once against ONE shared service stack.

Run by the `shards` nox session (not in `ci`; it starts the stack and stops it after):

`--workload integration` (the default) runs scenarios/integration, which is CPU-bound on a
2-core machine; `--workload io` runs benchmarks/io_workload/scenarios, whose steps wait on the
same real services (records, rows and keys written after a delay, a consume that gets nothing,
`pg_sleep`): the work the issue's target is about. Both are counted and timed the same way.

1. One shard: `onex run <workload> -n 2 --repeat 4` alone (its run history is what
   the 4 shards are then balanced by).
2. Four shards at once: the same command with `--shard I/4`, each its own `ONEX_RUN_ID`.
3. Crossings: correlation ids observed by more than one scenario run, across all reports, by
   what carried them (messages, rows, keys; `bench_runner.crossings`). Must be 0.
4. Leftovers: as each shard ends, what is left of each of its namespaces on the shared Kafka,
   PostgreSQL and Redis (`verify_clean`), plus what each run reported itself. Must be 0.
5. Times: the single shard, the four together, their ratio, and the CPU-bound ceiling: on this
   machine's cores the four cannot finish before the CPU the single run kept busy is spent again,
   so the best ratio is max(1/4, busy CPU-seconds / (cores x wall seconds)) of the single run.
   Busy CPU is read machine-wide from /proc/stat, so whatever else runs on the machine counts.

Exits 1 when a count that must be 0 is not, or a shard failed; prints numbers, times nothing
against a target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_runner import crossings
from onex_services.manager import ToolServiceManager
from onex_services.namespaces import verify_clean

ROOT = Path(__file__).resolve().parent.parent
SHARDS = 4
WORKERS = 2
REPEAT = 4
WORKLOADS = {
    "integration": ROOT / "scenarios" / "integration",
    "io": ROOT / "benchmarks" / "io_workload" / "scenarios",
}
KINDS = ("kafka", "postgres", "redis")


@dataclass(frozen=True)
class Shard:
    label: str
    report: Path
    seconds: float  # the run's own figure (its closing line)
    passed: int
    code: int
    output: str


def _busy_cpu_seconds() -> float:
    """CPU-seconds all cores spent outside idle and iowait since boot (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="integration",
                        help="the scenarios every shard runs (default: integration)")  # fmt: skip
    return parser.parse_args(argv)


def _command(suite: Path, folder: Path, shard: str | None, tmp: Path, history: Path) -> list[str]:
    label = shard.replace("/", "of") if shard else "single"
    onex = Path(sys.executable).parent / "onex"
    return [str(onex), "run", str(suite), "-n", str(WORKERS), "--repeat", str(REPEAT),
            "--snapshots", "-", "--json", str(folder / f"{label}.json"),
            "--events", str(tmp / f"{label}.events.jsonl"), "--history", str(history),
            *(["--shard", shard] if shard else [])]  # fmt: skip


def _finish(label: str, process: subprocess.Popen[str], report: Path) -> Shard:
    output, _ = process.communicate()
    found = re.search(r"(\d+) passed, \d+ failed, \d+ skipped in ([\d.]+)s", output)
    seconds = float(found.group(2)) if found else 0.0
    passed = int(found.group(1)) if found else 0
    return Shard(label, report, seconds, passed, process.returncode, output)


def _start(command: list[str], run_id: str) -> subprocess.Popen[str]:
    env = {**os.environ, "ONEX_REUSE": "1", "ONEX_RUN_ID": run_id}  # the session owns the stack
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _left_of(report: Path, urls: dict[str, str]) -> list[str]:
    """What the shared services still hold of every namespace the report's runs used, and what
    the runs reported left themselves."""
    return asyncio.run(_left_in(json.loads(report.read_text())["scenarios"], urls))


async def _left_in(runs: list[dict[str, Any]], urls: dict[str, str]) -> list[str]:
    left = [item for run in runs for item in run.get("leftovers", [])]
    for namespace in sorted({run["namespace"] for run in runs}):
        left += await verify_clean(namespace, urls)
    return left


async def _endpoints() -> dict[str, str]:
    """The shared stack's client URLs (the session started it; this only attaches)."""
    lease = await ToolServiceManager(reuse=True).up(list(KINDS))
    return {str(kind): endpoint.url for kind, endpoint in lease.endpoints.items()}


def main(argv: Sequence[str] | None = None) -> int:
    suite = WORKLOADS[parse_args(argv).workload]
    urls = asyncio.run(_endpoints())
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        history = tmp / "history.sqlite"
        busy_before, started = _busy_cpu_seconds(), time.perf_counter()
        single = _finish("single", _start(_command(suite, tmp, None, tmp, history), "simone"),
                         tmp / "single.json")  # fmt: skip
        single_wall = time.perf_counter() - started
        busy = _busy_cpu_seconds() - busy_before
        problems = [] if single.code == 0 else [f"single shard exit {single.code}"]
        left = {"single": (_left_of(single.report, urls))}
        processes = {
            f"{i}/{SHARDS}": _start(_command(suite, tmp, f"{i}/{SHARDS}", tmp, history), f"sim{i}")
            for i in range(1, SHARDS + 1)
        }
        started = time.perf_counter()
        shards = []
        for spec, process in processes.items():  # each checked as soon as it has ended
            shard = _finish(spec, process, tmp / f"{spec.replace('/', 'of')}.json")
            shards.append(shard)
            left[spec] = (_left_of(shard.report, urls)) if shard.report.exists() else []
            if shard.code != 0:
                problems.append(f"shard {spec} exit {shard.code}:\n{shard.output[-1500:]}")
        together = time.perf_counter() - started
        crossed = crossings([s.report for s in [single, *shards] if s.report.exists()])
    cores = os.cpu_count() or 1
    ceiling = max(1 / SHARDS, busy / (cores * single_wall))
    ran = sum(s.passed for s in shards)
    print(f"suite: {suite.relative_to(ROOT)} x{REPEAT}, {WORKERS} workers per shard,"
          f" one shared process stack")  # fmt: skip
    print(f"single shard: {single.passed} passed in {single_wall:.1f} s"
          f" (the run's own figure {single.seconds:.1f} s)")  # fmt: skip
    for shard in shards:
        print(f"  shard {shard.label}: {shard.passed} passed in {shard.seconds:.1f} s")
    print(f"{SHARDS} shards at once: {ran} passed in {together:.1f} s")
    print(f"ratio {SHARDS} shards / single: {together / single_wall:.2f}"
          f" (target <= 0.35 on work that is not CPU-bound)")  # fmt: skip
    print(f"CPU-bound ceiling on {cores} cores: {ceiling:.2f} (single run kept"
          f" {busy / single_wall:.2f} of {cores} cores busy, machine-wide)")  # fmt: skip
    # Busy CPU is machine-wide: the load says how much of the ceiling was other people's work.
    print("load average at the end (1/5/15 min): " + " ".join(f"{n:.2f}" for n in os.getloadavg()))
    print("crossed namespaces: " + ", ".join(f"{k} {v}" for k, v in crossed.items())
          + " (must be 0)")  # fmt: skip
    for label, items in left.items():
        print(f"left after {label}: {len(items)} (must be 0)" + "".join(f"\n  {i}" for i in items))
    if ran != single.passed:
        problems.append(f"the shards ran {ran} scenario runs, the single shard {single.passed}")
    if sum(crossed.values()) or any(left.values()):
        problems.append("crossings or leftovers are not 0")
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
