"""Kill-and-restart of the process broker until a deep probe passes again (target: 5 s).

A Kafka broker of the benchmark's own (benchmarks/private_stack.py) is killed with SIGKILL and
started again on its ports and data dir (onex_services.service_faults, what a `kill` fault's
heal and a `restart` fault do), ROUNDS times. Printed per round and as the median: until the
port accepts again, until the deep probe (topic, produce, consume in a group) passes, and the
total against the target.

    python benchmarks/bench_broker_restart.py [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from onex_services.polling import Pace, wait_until
from onex_services.ports import port_accepts_async
from onex_services.service_faults import ServiceFaults
from private_stack import private_manager

TARGET_S = 5.0
STEP = Pace(first_s=0.01, factor=1.0, cap_s=0.01)


async def _round(faults: ServiceFaults) -> tuple[float, float, float]:
    """(kill to port open, port open to probe passed, kill to probe passed) in seconds."""
    record, _ = faults.record("kafka")
    started = time.perf_counter()
    await faults.kill("kafka")
    restart = asyncio.create_task(faults.restart("kafka"))

    async def closed() -> bool:
        return restart.done() or not await port_accepts_async(record.host, record.port)

    async def open_again() -> bool:
        return restart.done() or await port_accepts_async(record.host, record.port)

    await wait_until(closed, 120.0, pace=STEP)  # the JVM is gone
    await wait_until(open_again, 120.0, pace=STEP)
    port_open = time.perf_counter() - started
    await restart
    total = time.perf_counter() - started
    return port_open, total - port_open, total


async def main(rounds: int) -> None:
    with private_manager() as manager:
        lease = await manager.acquire(["kafka"], label="bench_broker_restart")
        try:
            faults = ServiceFaults(manager)
            results = []
            for index in range(1, rounds + 1):
                port_open, probe, total = await _round(faults)
                results.append(total)
                print(
                    f"round {index}: port open after {port_open:.2f} s, probe passed "
                    f"{probe:.2f} s later; {total:.2f} s in all"
                )
            median = statistics.median(results)
            print(
                f"kill -> restart -> probe passes: median {median:.2f} s over {rounds} rounds "
                f"(target {TARGET_S:.0f} s: {median / TARGET_S:.2f}x the target)"
            )
        finally:
            await manager.release(lease)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args().rounds))
