"""Publish throughput: KafkaEventBus against raw aiokafka on the same broker, and the mock.

Prints figures and the ratio; it asserts nothing (targets: KafkaEventBus >= 0.9 of raw aiokafka
with acks=all, 1 KiB values, batched; InMemoryEventBus >= 200,000 publishes/s).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from aiokafka import AIOKafkaProducer
from onex_registry import InMemoryEventBus, KafkaEventBus, building_tools
from onex_services import ToolServiceManager

MESSAGES = 5_000
WINDOW = 64
VALUE = {"payload": "x" * 1000}


async def _raw(bootstrap: str, topic: str) -> float:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    try:
        started = time.perf_counter()
        pending = [
            await producer.send(
                topic, json.dumps(VALUE).encode(), headers=[("correlation_id", b"x")]
            )
            for _ in range(MESSAGES)
        ]
        await asyncio.gather(*pending)
        return MESSAGES / (time.perf_counter() - started)
    finally:
        await producer.stop()


async def _bus(bus: KafkaEventBus | InMemoryEventBus, topic: str, count: int) -> float:
    started = time.perf_counter()
    # Batched: up to WINDOW publishes in flight at any time (a sliding window, not lock-step
    # batches), so the producer's linger and batching decide the requests; each publish still
    # awaits its own ack.
    window = asyncio.Semaphore(WINDOW)

    async def one() -> None:
        async with window:
            await bus.publish(topic, VALUE)

    await asyncio.gather(*(one() for _ in range(count)))
    return count / (time.perf_counter() - started)


async def main() -> None:
    with building_tools():
        memory = InMemoryEventBus("bench")
    await memory.connect()
    await memory.create_topic("t")
    # The target is for the mock's own cost: small values, no window, no tasks. The 1 KiB line
    # is for comparison with Kafka; JSON-escaping 1,000 characters is half of its cost.
    for label, value, note in (
        ("small values", {"n": 1}, "target >= 200,000"),
        ("1 KiB values", VALUE, "for information"),
    ):
        started = time.perf_counter()
        for _ in range(200_000):
            await memory.publish("t", value)
        rate = 200_000 / (time.perf_counter() - started)
        print(f"InMemoryEventBus, {label}: {rate:,.0f} publishes/s ({note})")

    manager = ToolServiceManager()
    lease = await manager.acquire(["kafka"], label="bench-event-bus")
    try:
        bootstrap = lease.endpoints["kafka"].bootstrap_servers
        namespace = f"onex_bench_{uuid.uuid4().hex[:6]}"
        with building_tools():
            bus = KafkaEventBus(bootstrap, namespace)
        await bus.connect()
        try:
            await bus.create_topic("tool")
            await bus.create_topic("raw")
            await _bus(bus, "tool", 500)  # warm-up
            raw_rate = await _raw(bootstrap, f"{namespace}.raw")
            tool_rate = await _bus(bus, "tool", MESSAGES)
        finally:
            await bus.delete_namespace_topics()
            await bus.close()
    finally:
        await manager.release(lease)
    print(f"raw aiokafka:   {raw_rate:,.0f} msg/s (acks=all, 1 KiB, idempotent)")
    print(f"KafkaEventBus:  {tool_rate:,.0f} msg/s")
    print(f"ratio KafkaEventBus / raw aiokafka: {tool_rate / raw_rate:.2f} (target >= 0.90)")


if __name__ == "__main__":
    asyncio.run(main())
