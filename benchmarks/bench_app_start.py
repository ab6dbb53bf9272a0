"""What starting the app under test and probing it to ready adds to the app's own start-up.

The app (a stdlib HTTP server, packages/onex-runner/tests/apps/echo_app.py) prints the wall-clock
moment it listens. Each round starts it through `AppUnderTest.start()` (orphan check, ledger
record, spawn, readiness probe: http, tcp or a log line) and measures, on the same start:

- own: the app's own start-up, from the exec call to the moment it listens;
- harness: from the call of `start()` until it returns ready;
- added: harness - own (the bookkeeping before the spawn plus the probe's lag after listening).

Prints medians per probe and the 90th percentile of what was added (target: at most 300 ms).
Figures only; it never asserts. No service is started.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from onex_runner.app_process import AppUnderTest
from onex_scenario import ModelAppSpec
from onex_services.settings import Paths

APP = Path(__file__).resolve().parents[1] / "packages/onex-runner/tests/apps/echo_app.py"
TARGET_MS = 300.0
_AT = re.compile(rb"at=(\d+\.\d+)")
PROBES: dict[str, dict[str, object]] = {
    "http": {"http": "/healthz"},
    "tcp": {"tcp": True},
    "log": {"log": r"^listening on"},
}


async def harness_start_ms(
    probe: dict[str, object], paths: Paths, root: Path
) -> tuple[float, float]:
    """(own start-up, call to ready) of one start through the harness, in ms."""
    spec = ModelAppSpec.model_validate(
        {"command": [sys.executable, str(APP), "${app.port}"], "ready": {**probe, "timeout": 30}}
    )
    app = AppUnderTest(spec, project_root=root, namespace="onex_bench_main", services={},
                       paths=paths)  # fmt: skip
    called = time.time()
    try:
        await app.start()
        ready = time.time()
    finally:
        await app.stop()
    assert app.log_path is not None
    found = _AT.search(app.log_path.read_bytes())
    app.discard_log()
    if found is None:
        raise RuntimeError("the app's log has no listening line")
    return (float(found.group(1)) - app.spawn_at) * 1000, (ready - called) * 1000


def _p90(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.9 * len(values)) - 1)]


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="onex-bench-app-") as folder:
        base = Path(folder)
        paths = Paths(state_dir=base / "state", cache_dir=base / "cache", run_dir=base / "run")
        print(f"app under test start-up, {rounds} rounds per probe ({APP.name}, stdlib HTTP)")
        print(f"{'probe':<6} {'own med':>9} {'harness med':>12} {'added med':>10} "
              f"{'added p90':>10}  target")  # fmt: skip
        for name, probe in PROBES.items():
            runs = [await harness_start_ms(probe, paths, base) for _ in range(rounds)]
            own = statistics.median(run[0] for run in runs)
            harness = statistics.median(run[1] for run in runs)
            added = [run[1] - run[0] for run in runs]
            median_added = statistics.median(added)
            verdict = "ok" if median_added <= TARGET_MS else "OVER"
            print(f"{name:<6} {own:>7.1f}ms {harness:>10.1f}ms {median_added:>8.1f}ms "
                  f"{_p90(added):>8.1f}ms  <= {TARGET_MS:.0f} ms: {verdict}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    asyncio.run(main(parser.parse_args().rounds))
