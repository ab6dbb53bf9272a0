"""Scenario loading throughput: 1,000 files, each two levels of `extends` deep.

Generates the files in a temporary folder (scenario -> base:mid_<n> -> base:top), then loads and
validates all of them with `load_scenarios` (one loader per round, so bases are parsed once per
round, as in a real run) and prints files per second. Target: >= 2,000 files/s on 2 cores.
Prints figures only; it never asserts. `--profile` prints the hottest functions of one round.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from onex_scenario import load_scenarios

FILES = 1_000
MIDS = 10
TARGET_FILES_PER_SECOND = 2_000

TOP = """\
dependency_mode: mock
external_services:
  kafka: {kind: kafka}
  postgres: {kind: postgres}
  redis: {kind: redis, retry: {attempts: 3, initial_backoff: 100ms}}
timeout_profiles:
  default: {health_check: 30s, connect: 10s}
  kafka: {health_check: 20s, publish_ack: 5s, consume: 5s}
resources:
  redis:
    seed: {greeting: hello, counts: [1, 2, 3]}
metadata: {owner: bench, layer: top}
"""

MID = """\
extends: base:top
tags: [bench, mid-{n}]
node: examples.order_pipeline:OrderPipelineNode
resources:
  kafka:
    topics: [{{name: orders-{n}, partitions: 3}}, {{name: orders-{n}.accepted}}]
metadata: {{layer: mid, mid: {n}}}
"""

SCENARIO = """\
extends: base:mid_{mid}
name: bench_scenario_{i}
description: Generated scenario {i} for the loader benchmark.
tags: [bench, generated]
steps:
  - id: place
    publish:
      topic: orders-{mid}
      key: o-{i}
      value: {{id: o-{i}, sku: ABC, qty: {qty}}}
      headers: {{source: bench}}
  - id: process
    call: process_next
    kwargs: {{batch: 1, region: "${{BENCH_REGION:-eu}}"}}
  - id: accepted
    expect_event:
      topic: orders-{mid}.accepted
      key: o-{i}
      within: 5s
      value: {{id: o-{i}, status: accepted}}
      correlation_id: ${{steps.place.correlation_id}}
  - id: settle
    wait: 50ms
  - id: cached
    expect_key: {{key: "order:o-{i}", value: {{status: "accepted"}}, match: partial}}
expect:
  - output: {{step: process, value: {{processed: 1}}}}
  - row: {{table: orders, where: {{id: o-{i}}}, equals: {{qty: {qty}}}}}
  - event: {{topic: orders-{mid}.accepted, value: {{id: "o-*"}}, match: contains}}
metadata: {{index: {i}}}
"""


def generate(root: Path, files: int = FILES) -> Path:
    """Write the bases and `files` scenarios under `root/scenarios`; return that folder."""
    scenarios = root / "scenarios"
    bases = scenarios / "_bases"
    unit = scenarios / "unit"
    bases.mkdir(parents=True)
    unit.mkdir()
    (bases / "top.yaml").write_text(TOP)
    for n in range(MIDS):
        (bases / f"mid_{n}.yaml").write_text(MID.format(n=n))
    for i in range(files):
        text = SCENARIO.format(i=i, mid=i % MIDS, qty=1 + i % 7)
        (unit / f"scenario_{i:04d}.yaml").write_text(text)
    return scenarios


def one_round(folder: Path) -> tuple[float, int, int]:
    started = time.perf_counter()
    loaded, issues = load_scenarios([folder], environ={})
    return time.perf_counter() - started, len(loaded), len(issues)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=FILES)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="profile one round")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="onex-bench-") as temp:
        folder = generate(Path(temp), args.files)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(one_round, folder)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            return 0
        one_round(folder)  # warm-up: imports, pydantic schema build, OS file cache
        timings: list[float] = []
        for _ in range(args.rounds):
            seconds, loaded, issues = one_round(folder)
            if loaded != args.files or issues:
                print(f"bench_loader: expected {args.files} valid files: {loaded}, {issues} issues")
                return 1
            timings.append(seconds)
    best, median = min(timings), statistics.median(timings)
    print(f"bench_loader: {args.files} scenario files, 2 levels of extends, {args.rounds} rounds")
    print(f"  best   {args.files / best:8.0f} files/s  ({best / args.files * 1e3:.3f} ms/file)")
    print(f"  median {args.files / median:8.0f} files/s  ({median / args.files * 1e3:.3f} ms/file)")
    ratio = args.files / median / TARGET_FILES_PER_SECOND
    print(f"  target {TARGET_FILES_PER_SECOND:8d} files/s  (the median is {ratio:.2f}x the target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
