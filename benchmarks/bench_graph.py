"""Dependency-ordered start: the cold start of kafka+postgres+redis through the graph against
the same three started flat (every server at once, then every probe at once: the way before the
graph), and Kafka Connect's time to ready, alone on a running Kafka and from cold with it.

Runs the process backend in stacks of its own (the shared stack is not touched) and prints
figures and ratios next to the targets of issue 20; it asserts nothing.

    python benchmarks/bench_graph.py [--runs 2]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from onex_services.backends.process import ProcessBackend
from onex_services.health import HealthChecker
from onex_services.manager import ToolServiceManager
from onex_services.models import ServiceKind
from onex_services.settings import Paths, start_timeout_s
from private_stack import private_manager

TRIO: tuple[ServiceKind, ...] = ("kafka", "postgres", "redis")
CONNECT: ServiceKind = "connect"
TARGET_CONNECT_S = 25.0


def _line(name: str, value: str, target: str = "") -> None:
    print(f"  {name:<44} {value:>10}" + (f"   ({target})" if target else ""))


async def _graph_start(manager: ToolServiceManager, kinds: Sequence[ServiceKind]) -> float:
    started = time.perf_counter()
    await manager.up(list(kinds))
    return time.perf_counter() - started


async def _flat_start(paths: Paths) -> float:
    """Every server spawned at once and every probe at once, with no graph in between."""
    backend = ProcessBackend(paths)
    stack_dir = Path(tempfile.mkdtemp(prefix="stack-flat-", dir=paths.run_dir))
    for folder in (stack_dir, paths.run_dir):
        folder.chmod(0o711)  # PostgreSQL runs as another user when we are root: let it pass
    started = time.perf_counter()
    spawned = await asyncio.gather(
        *(backend._start(kind, stack_dir, None, {}) for kind in TRIO), return_exceptions=True
    )
    records = [record for record in spawned if not isinstance(record, BaseException)]
    checker = HealthChecker()
    try:
        failed = [error for error in spawned if isinstance(error, BaseException)]
        if failed:
            raise SystemExit(f"flat start: could not start: {failed}")
        results = await asyncio.gather(
            *(
                checker.check(r.endpoint, timeout_s=start_timeout_s(), use_cache=False)
                for r in records
            )
        )
        elapsed = time.perf_counter() - started
    finally:
        # Whatever went wrong, the servers it started go (a Redis was once left running).
        await checker.close()
        await backend.stop(records)
        shutil.rmtree(stack_dir, ignore_errors=True)
    if not all(result.healthy for result in results):
        raise SystemExit(f"flat start: not healthy: {[r.error for r in results if not r.healthy]}")
    return elapsed


async def main(runs: int) -> None:
    graph: list[float] = []
    flat: list[float] = []
    connect_alone: list[float] = []
    connect_cold: list[float] = []
    for _ in range(runs):
        with private_manager() as manager:
            manager.paths.run_dir.mkdir(parents=True, exist_ok=True)
            flat.append(await _flat_start(manager.paths))
            graph.append(await _graph_start(manager, TRIO))
            connect_alone.append(await _graph_start(manager, [CONNECT]))
            await manager.down(force=True)
        with private_manager() as manager:
            connect_cold.append(await _graph_start(manager, [CONNECT]))
            await manager.down(force=True)
    print(f"Dependency-ordered start, process backend, {runs} run(s) each (median):")
    g, f = statistics.median(graph), statistics.median(flat)
    _line("cold start kafka+postgres+redis, graph", f"{g:.1f} s")
    _line("cold start kafka+postgres+redis, flat", f"{f:.1f} s")
    _line("graph / flat", f"{g / f:.2f}", "target: no slower, about 1.00")
    alone, cold = statistics.median(connect_alone), statistics.median(connect_cold)
    verdict = "meets" if cold <= TARGET_CONNECT_S else "MISSES"
    _line("connect ready, added to a running kafka", f"{alone:.1f} s")
    _line(
        "connect ready from cold, with its kafka",
        f"{cold:.1f} s",
        f"target <= {TARGET_CONNECT_S:g} s: {verdict} it",
    )
    _line("connect from cold / target", f"{cold / TARGET_CONNECT_S:.2f}", "<= 1.00")
    # The baseline of this very run (the machine's load changes from run to run): the three
    # servers' cold start, which Kafka's dominates; Connect from cold adds its own worker.
    _line("connect from cold / 3-server cold start", f"{cold / g:.2f}", "same run")
    _line("connect added / 3-server cold start", f"{alone / g:.2f}", "same run")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    asyncio.run(main(parser.parse_args().runs))
