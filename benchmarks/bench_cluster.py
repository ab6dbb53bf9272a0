"""A 3-broker KRaft cluster in the process backend, healthy in how long (target: 12 s), against a
single broker started in the same run.

Each round starts a stack of the benchmark's own (benchmarks/private_stack.py) with one broker,
then one with three (combined controller+broker nodes, kinds/kafka/cluster.py), each from
nothing (storage format included) until the deep probe passes, and stops it. Then, once, the
cluster's replication proof (a record written with acks=all is read back after its partition's
leader stopped; the leader started again). Printed: each round, the medians, the cluster's
ratio to one broker and to the target.

    python benchmarks/bench_cluster.py [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from onex_services.kinds.kafka.leaders import check_replication
from onex_services.member_faults import MemberFaults
from private_stack import private_manager

TARGET_S = 12.0
CLUSTER: dict[str, dict[str, object]] = {"kafka": {"brokers": 3}}


async def _start(settings: dict[str, dict[str, object]] | None, prove: bool = False) -> float:
    """Seconds from nothing to a passing deep probe; with `prove`, also the replication proof."""
    with private_manager(settings) as manager:
        began = time.perf_counter()
        lease = await manager.acquire(["kafka"], label="bench_cluster")
        took = time.perf_counter() - began
        try:
            if prove:
                faults = MemberFaults(manager)

                async def stop(name: str) -> None:
                    await faults.stop("kafka", name)

                async def start(name: str) -> None:
                    await faults.start("kafka", name)

                proof_began = time.perf_counter()
                line = await check_replication(lease.endpoints["kafka"].url, stop, start)
                print(f"replication: {line} ({time.perf_counter() - proof_began:.1f} s)")
        finally:
            await manager.release(lease)
        return took


async def main(rounds: int) -> None:
    single: list[float] = []
    cluster: list[float] = []
    for index in range(1, rounds + 1):
        single.append(await _start(None))
        cluster.append(await _start(CLUSTER, prove=index == rounds))
        print(f"round {index}: 1 broker {single[-1]:.1f} s, 3 brokers {cluster[-1]:.1f} s")
    one, three = statistics.median(single), statistics.median(cluster)
    print(
        f"3-broker cluster healthy: median {three:.1f} s over {rounds} rounds "
        f"(target {TARGET_S:.0f} s: {three / TARGET_S:.2f}x the target); one broker "
        f"{one:.1f} s, so the cluster takes {three / one:.2f}x a single broker's start"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args().rounds))
