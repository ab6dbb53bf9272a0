"""Kill-and-restart of the process broker until a deep probe passes again (target: 5 s).

A Kafka broker of the benchmark's own (benchmarks/private_stack.py) is killed with SIGKILL and
started again on its ports and data dir (onex_services.service_faults, what a `kill` fault's
heal and a `restart` fault do), ROUNDS times. Printed per round and as the median: until the
port accepts again, until the deep probe (topic, produce, consume in a group) passes, and the
total against the target and against the baseline measured in the same run: the broker's
first start (storage format, JVM start, probe passed), what any fresh stack pays. Whether the
broker mapped the class archive made at install (kinds/kafka/class_archive.py) is printed,
and the rounds alternate with and without it (ONEX_KAFKA_CLASS_ARCHIVE=0) to show its share.

    python benchmarks/bench_broker_restart.py [--rounds N]   (N rounds each way)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from pathlib import Path

from onex_services.kinds.kafka.class_archive import SWITCH
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
        started = time.perf_counter()
        lease = await manager.acquire(["kafka"], label="bench_broker_restart")
        baseline = time.perf_counter() - started
        try:
            faults = ServiceFaults(manager)
            record, _ = faults.record("kafka")
            print(
                f"baseline: first start of the broker until its probe passed {baseline:.2f} s; "
                f"class archive: {_archive_used(record.process.pid if record.process else None)}"
            )
            # Rounds alternate with and without the archive, so both see the same machine.
            results: dict[bool, list[float]] = {True: [], False: []}
            for index in range(1, 2 * rounds + 1):
                with_archive = index % 2 == 1
                os.environ[SWITCH] = "1" if with_archive else "0"
                port_open, probe, total = await _round(faults)
                results[with_archive].append(total)
                print(
                    f"round {index} ({'with' if with_archive else 'without'} the archive): port "
                    f"open after {port_open:.2f} s, probe passed {probe:.2f} s later; "
                    f"{total:.2f} s in all"
                )
            os.environ.pop(SWITCH, None)
            median = statistics.median(results[True])
            plain = statistics.median(results[False])
            print(
                f"kill -> restart -> probe passes: median {median:.2f} s over {rounds} rounds "
                f"(target {TARGET_S:.0f} s: {median / TARGET_S:.2f}x the target; "
                f"{median / baseline:.2f}x the first start); without the class archive "
                f"{plain:.2f} s ({median / plain:.2f}x with it)"
            )
        finally:
            await manager.release(lease)


def _archive_used(pid: int | None) -> str:
    """Whether the broker's JVM mapped the class archive made at install (/proc/<pid>/maps)."""
    from onex_services.kinds.kafka.class_archive import archive_options
    from onex_services.kinds.kafka.dist import require_kafka
    from onex_services.kinds.kafka.java import find_java
    from onex_services.kinds.kafka.settings import kafka_version
    from onex_services.settings import Paths

    dist = require_kafka(Paths.from_env().cache_dir, kafka_version())
    options = archive_options(find_java(), dist)
    if not options:
        return "none made (run `onex services install`)"
    archive = options[0].split("=", 1)[1]
    maps = Path(f"/proc/{pid}/maps").read_text() if pid is not None else ""
    return f"{archive} ({'mapped by the JVM' if archive in maps else 'NOT mapped by the JVM'})"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args().rounds))
