"""A 3-broker KRaft cluster in the process backend (or the compose backend, `--backend
compose`), healthy in how long (target: 12 s), against a single broker started in the same run.

Each round starts a stack of the benchmark's own (benchmarks/private_stack.py) with one broker,
then one with three (combined controller+broker nodes, kinds/kafka/cluster.py; containers,
kinds/kafka/compose_cluster.py, under compose), each from
nothing (storage format included) until the deep probe passes, and stops it. Then, once, the
cluster's replication proof (a record written with acks=all is read back after its partition's
leader stopped; the leader started again). Printed: each round (with the CPU seconds each
broker's JVM used until healthy: on two cores the cluster's start is CPU-bound, docs/scale.md;
a container's broker and, apart, the storage format its entrypoint ran), the medians, the
cluster's ratio to one broker and to the target, and the load average.

    python benchmarks/bench_cluster.py [--rounds N] [--backend process|compose]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from onex_services import members, procfs
from onex_services.manager import ToolServiceManager
from onex_services.member_checks import prove_members
from onex_services.views import running_records
from private_stack import private_manager

TARGET_S = 12.0
CLUSTER: dict[str, dict[str, object]] = {"kafka": {"brokers": 3}}


def _container_pid(container: str) -> int | None:
    """The host pid of the container's main process (None when it runs no more)."""
    from python_on_whales import DockerClient, DockerException

    try:
        pid = DockerClient().container.inspect(container).state.pid
    except DockerException:
        return None
    return int(pid) if pid else None


def _cpu_seconds(manager: ToolServiceManager) -> tuple[list[float], list[float]]:
    """CPU seconds each Kafka broker of the manager's stack used so far, and (containers only)
    those of the storage format its container ran first. A container's main process is its
    broker (infra/images/kafka/entrypoint.sh execs java after the format, which it waited for);
    the process backend's format is a run of its own, not counted."""
    records = [r for r in running_records(manager.store.load(), manager.paths) if r.kind == "kafka"]
    pids = [ref.pid for record in records for ref in members.processes(record)]
    formats: list[float] = []
    if not pids:  # a compose stack: each broker's container
        found = (_container_pid(c) for record in records for c in members.containers(record))
        pids = [pid for pid in found if pid is not None]
        formats = [f for pid in pids if (f := procfs.waited_children_cpu_seconds(pid)) is not None]
    return [cpu for pid in pids if (cpu := procfs.cpu_seconds(pid)) is not None], formats


async def _start(
    settings: dict[str, dict[str, object]] | None, backend: str, prove: bool = False
) -> tuple[float, tuple[list[float], list[float]]]:
    """Seconds from nothing to a passing deep probe, and each broker's CPU seconds by then;
    with `prove`, also the replication proof."""
    with private_manager(settings, backend) as manager:
        began = time.perf_counter()
        lease = await manager.acquire(["kafka"], label="bench_cluster")
        took = time.perf_counter() - began
        cpu = _cpu_seconds(manager)
        try:
            if prove:  # the deep check of `onex services health --deep`
                proof_began = time.perf_counter()
                for kind, passed, line in await prove_members(manager):
                    took_s = time.perf_counter() - proof_began
                    verdict = "" if passed else "FAILED: "
                    print(f"replication ({kind}): {verdict}{line} ({took_s:.1f} s)")
        finally:
            await manager.release(lease)
        return took, cpu


def _cpu(seconds: tuple[list[float], list[float]]) -> str:
    brokers, formats = seconds
    if not brokers:
        return "CPU not read"
    line = "CPU " + " + ".join(f"{one:.1f}" for one in brokers) + " s"
    if formats:
        line += ", format " + " + ".join(f"{one:.1f}" for one in formats) + " s"
    return line


async def main(rounds: int, backend: str) -> None:
    single: list[float] = []
    cluster: list[float] = []
    loads = [os.getloadavg()[0]]
    for index in range(1, rounds + 1):
        one_took, one_cpu = await _start(None, backend)
        three_took, three_cpu = await _start(CLUSTER, backend, prove=index == rounds)
        single.append(one_took)
        cluster.append(three_took)
        loads.append(os.getloadavg()[0])
        print(
            f"round {index}: 1 broker {one_took:.1f} s ({_cpu(one_cpu)}), "
            f"3 brokers {three_took:.1f} s ({_cpu(three_cpu)}), load {loads[-1]:.1f}"
        )
    one, three = statistics.median(single), statistics.median(cluster)
    print(
        f"{backend} backend, 3-broker cluster healthy: median {three:.1f} s over {rounds} rounds "
        f"(target {TARGET_S:.0f} s: {three / TARGET_S:.2f}x the target); one broker "
        f"{one:.1f} s, so the cluster takes {three / one:.2f}x a single broker's start "
        f"(load average {min(loads):.1f} to {max(loads):.1f})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=("process", "compose"), default="process")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.backend))
