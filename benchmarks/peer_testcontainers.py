"""Side by side with testcontainers-python: the same work per test, three ways, the same images.

Each test makes a table of 100 rows in PostgreSQL and 100 keys in Redis, and must start from a
clean state (benchmarks/peers/peer_work.py). The three ways, each one pytest run:

1. testcontainers, a fresh PostgreSQL and Redis container per test;
2. testcontainers, session containers cleaned by hand after each test;
3. the harness: its shared stack (already running) and `onex_test_namespace`.

Runs N=20 and N=50 tests per way, interleaved (way 1, 2, 3 at N=20, then at N=50), twice.
Prints every run's total, then per way the median total at each N, the per-test cost
((total at 50 - total at 20) / 30, what one more test costs once the fixed costs are paid) and
the ratios against the harness. Asserts nothing; a failed run stops it.

Run through the nox session, which sets up the engine, the images and the stack:
    flock /tmp/onex-docker.lock ./dev -s peers [-- --rounds 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PEERS = Path(__file__).resolve().parent / "peers"
WAYS = {
    "container per test": "peer_container_per_test.py",
    "session containers + hand cleanup": "peer_session_containers.py",
    "harness, namespace per test": "peer_harness_namespace.py",
}
HARNESS = "harness, namespace per test"
SIZES = (20, 50)


def _run(module: str, tests: int) -> float:
    env = dict(os.environ, PEER_N=str(tests), TESTCONTAINERS_RYUK_DISABLED="true")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(PEERS / module)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{module} with {tests} tests failed:\n{done.stdout[-3000:]}")
    return elapsed


def main(rounds: int) -> None:
    totals: dict[tuple[str, int], list[float]] = {}
    print(f"side by side, {rounds} rounds, N = {' and '.join(map(str, SIZES))}, interleaved")
    for round_index in range(1, rounds + 1):
        for tests in SIZES:
            for way, module in WAYS.items():
                elapsed = _run(module, tests)
                totals.setdefault((way, tests), []).append(elapsed)
                print(f"  round {round_index}  N={tests:<3} {way:<36} {elapsed:7.2f} s", flush=True)
    small, large = SIZES
    per_test = {
        way: (statistics.median(totals[way, large]) - statistics.median(totals[way, small]))
        / (large - small)
        for way in WAYS
    }
    print(f"\n  {'way':<36} {'N=20 total':>11} {'N=50 total':>11} {'per test':>10}")
    for way in WAYS:
        print(
            f"  {way:<36} {statistics.median(totals[way, small]):10.2f}s"
            f" {statistics.median(totals[way, large]):10.2f}s {per_test[way] * 1000:8.0f} ms"
        )
    harness_small = statistics.median(totals[HARNESS, small])
    print("\n  the harness against each way (total at N=20; per-test cost)")
    for way in WAYS:
        if way == HARNESS:
            continue
        ratio = statistics.median(totals[way, small]) / harness_small
        lower = (per_test[way] - per_test[HARNESS]) * 1000
        print(f"  vs {way:<33} {ratio:6.1f}x faster in total, {lower:6.0f} ms less per test")
    print("  targets: >= 15x vs container per test; >= 2x and >= 30 ms less per test vs session")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=2)
    main(parser.parse_args().rounds)
