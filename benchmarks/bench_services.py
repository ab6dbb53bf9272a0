"""Service manager speed: cold start, attach, health round, broker crash detection.

Runs the process backend in its own state and run directories (the shared stack is not touched)
and prints figures next to the targets of issue 4; it asserts nothing.

    python benchmarks/bench_services.py [--cold-runs 2] [--attach-runs 30] [--health-rounds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import statistics
import time
from collections.abc import Sequence

from onex_services.catalog import all_kinds
from onex_services.health import HealthChecker
from onex_services.manager import ToolServiceManager
from onex_services.models import RunState, ServiceKind
from private_stack import private_manager

TARGET_COLD_S = 8.0
TARGET_ATTACH_S = 0.3
TARGET_HEALTH_MS = 50.0


def _line(name: str, value: str, target: str) -> None:
    print(f"  {name:<38} {value:>14}   (target {target})")


def _ms(values: Sequence[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


async def _cold_start(manager: ToolServiceManager) -> float:
    started = time.perf_counter()
    await manager.up(all_kinds())
    elapsed = time.perf_counter() - started
    await manager.down(force=True)
    return elapsed


async def _attach(manager: ToolServiceManager, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        lease = await manager.acquire(all_kinds(), label="bench")
        times.append(time.perf_counter() - started)
        await manager.release(lease)
    return times


async def _health_rounds(
    manager: ToolServiceManager, rounds: int
) -> tuple[list[float], dict[ServiceKind, list[float]]]:
    lease = await manager.acquire(all_kinds(), label="bench")
    endpoints = list(lease.endpoints.values())
    checker = HealthChecker()
    per_kind: dict[ServiceKind, list[float]] = {kind: [] for kind in all_kinds()}
    totals = []
    try:
        await checker.check_all(endpoints, use_cache=False)  # warm the connections
        for _ in range(rounds):
            started = time.perf_counter()
            results = await checker.check_all(endpoints, use_cache=False)
            totals.append(time.perf_counter() - started)
            for result in results:
                if not result.healthy:
                    raise SystemExit(f"{result.kind} unhealthy: {result.error}")
                per_kind[result.kind].append(result.latency_ms / 1000)
    finally:
        await checker.close()
        await manager.release(lease)
    return totals, per_kind


async def _broker_crash(manager: ToolServiceManager) -> tuple[float, float]:
    """Seconds from kill -9 of the broker to `status` saying down, and to healthy again."""
    state = manager.current()
    assert state is not None
    broker = state.services["kafka"].process
    assert broker is not None
    killed = time.perf_counter()
    os.kill(broker.pid, signal.SIGKILL)
    while True:
        rows = {row.kind: row for row in await manager.status()}
        if rows["kafka"].state is RunState.DOWN:
            break
        await asyncio.sleep(0.01)
    seen_down = time.perf_counter() - killed
    restart = time.perf_counter()
    await manager.up(["kafka"])
    return seen_down, time.perf_counter() - restart


async def main(cold_runs: int, attach_runs: int, health_rounds: int) -> None:
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    with private_manager() as manager:
        print(f"onex-services benchmark (process backend, {os.cpu_count()} cores)")
        try:
            await _figures(manager, cold_runs, attach_runs, health_rounds)
        finally:
            await manager.down(force=True)


async def _figures(
    manager: ToolServiceManager, cold_runs: int, attach_runs: int, health_rounds: int
) -> None:
    colds = [await _cold_start(manager) for _ in range(cold_runs)]
    _line(
        "cold start kafka+postgres+redis",
        f"{statistics.median(colds):.2f} s",
        f"<= {TARGET_COLD_S:.0f} s; runs {', '.join(f'{c:.2f}' for c in colds)}",
    )
    await manager.up(all_kinds())
    attach = await _attach(manager, attach_runs)
    _line("attach to the running stack", _ms(attach), f"<= {TARGET_ATTACH_S * 1000:.0f} ms")
    totals, per_kind = await _health_rounds(manager, health_rounds)
    _line("health round, all three", _ms(totals), f"<= {TARGET_HEALTH_MS:.0f} ms median")
    for kind, values in per_kind.items():
        _line(f"  of which {kind}", _ms(values), "-")
    seen_down, restarted = await _broker_crash(manager)
    _line("broker kill -9 -> status down", f"{seen_down * 1000:.0f} ms", "<= 2000 ms")
    _line("broker restart to healthy", f"{restarted:.2f} s", "-")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cold-runs", type=int, default=2)
    parser.add_argument("--attach-runs", type=int, default=30)
    parser.add_argument("--health-rounds", type=int, default=60)
    args = parser.parse_args()
    asyncio.run(main(args.cold_runs, args.attach_runs, args.health_rounds))
