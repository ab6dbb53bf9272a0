"""Contract of EventBus: every case runs on InMemoryEventBus (unit) and KafkaEventBus (integration).

A case that the mock fails is a fidelity gap: fix the mock, never the expectation.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
from onex_registry import (
    ConsumedMessage,
    EventBus,
    InvalidTopicNameError,
    MessageTooLargeError,
    TopicAlreadyExistsError,
    UnknownTopicError,
    ValueNotSerializableError,
)
from onex_registry.kafka_rules import partition_for_key

BusMaker = Callable[[], Awaitable[EventBus]]


async def consume_n(
    bus: EventBus, topic: str, group: str, count: int, timeout_s: float = 10
) -> list[ConsumedMessage]:
    """Poll until `count` records arrived (a consume returns as soon as any are there)."""
    got: list[ConsumedMessage] = []
    for _ in range(50):
        got += await bus.consume(
            topic, group=group, max_messages=count - len(got), timeout_s=timeout_s
        )
        if len(got) >= count:
            break
    return got


async def test_offsets_grow_per_partition(bus: EventBus) -> None:
    await bus.create_topic("orders")
    first = await bus.publish("orders", {"n": 1})
    second = await bus.publish("orders", {"n": 2})
    assert (first.partition, first.offset, second.offset) == (0, 0, 1)
    assert first.topic == "orders"


async def test_keys_land_on_kafkas_default_partition(bus: EventBus) -> None:
    await bus.create_topic("keyed", partitions=3)
    for key in ("o-1", "o-2", "customer-17", "x"):
        result = await bus.publish("keyed", {"k": key}, key=key)
        assert result.partition == partition_for_key(key.encode(), 3)


async def test_order_within_a_partition_is_kept(bus: EventBus) -> None:
    await bus.create_topic("seq", partitions=2)
    for n in range(5):
        await bus.publish("seq", {"n": n}, key="same")
    got = await consume_n(bus, "seq", "g", 5)
    assert [m.value["n"] for m in got] == [0, 1, 2, 3, 4]


async def test_one_consume_brings_every_partitions_records(bus: EventBus) -> None:
    """What the topic holds comes in one call, whichever broker leads each partition (on a
    cluster each leader is answered in a fetch of its own)."""
    await bus.create_topic("spread", partitions=3)
    keys = ["o-1", "o-2", "customer-17", "x", "y", "z"]
    spread = {partition_for_key(key.encode(), 3) for key in keys}
    assert len(spread) == 3, "the keys must cover every partition"
    for key in keys:
        await bus.publish("spread", {"k": key}, key=key)
    got = await bus.consume("spread", group="g", max_messages=100, timeout_s=10)
    assert sorted(m.key or "" for m in got) == sorted(keys)


async def test_consume_decodes_json_and_key(bus: EventBus) -> None:
    await bus.create_topic("t")
    await bus.publish("t", {"id": "o-1", "qty": 2, "tags": ["a"]}, key="o-1")
    [message] = await bus.consume("t", group="g", timeout_s=10)
    assert message.key == "o-1"
    assert message.value == {"id": "o-1", "qty": 2, "tags": ["a"]}
    assert message.topic == "t"


async def test_correlation_id_travels_in_a_header(bus: EventBus) -> None:
    await bus.create_topic("t")
    result = await bus.publish("t", "hello", correlation_id="corr-42")
    [message] = await bus.consume("t", group="g", timeout_s=10)
    assert result.correlation_id == "corr-42"
    assert message.correlation_id == "corr-42"
    assert message.headers["correlation_id"] == b"corr-42"


async def test_a_correlation_id_is_generated_when_none_is_given(bus: EventBus) -> None:
    await bus.create_topic("t")
    result = await bus.publish("t", 1)
    assert uuid.UUID(result.correlation_id)
    [message] = await bus.consume("t", group="g", timeout_s=10)
    assert message.correlation_id == result.correlation_id


async def test_header_values_come_back_as_bytes(bus: EventBus) -> None:
    await bus.create_topic("t")
    await bus.publish("t", 1, headers={"source": "cli", "raw": b"\x00\x01"})
    [message] = await bus.consume("t", group="g", timeout_s=10)
    assert message.headers["source"] == b"cli"
    assert message.headers["raw"] == b"\x00\x01"


async def test_publish_to_an_unknown_topic_fails(bus: EventBus) -> None:
    with pytest.raises(UnknownTopicError):
        await bus.publish("never-created", {"x": 1})


async def test_consume_from_an_unknown_topic_fails(bus: EventBus) -> None:
    with pytest.raises(UnknownTopicError):
        await bus.consume("never-created", group="g", timeout_s=1)


async def test_an_oversized_message_is_refused(bus: EventBus) -> None:
    await bus.create_topic("big")
    with pytest.raises(MessageTooLargeError):
        await bus.publish("big", "x" * 1_100_000)


async def test_a_message_under_the_limit_is_accepted(bus: EventBus) -> None:
    await bus.create_topic("big")
    result = await bus.publish("big", "x" * 900_000)
    assert result.offset == 0


async def test_a_value_that_is_not_json_is_refused_before_sending(bus: EventBus) -> None:
    await bus.create_topic("t")
    with pytest.raises(ValueNotSerializableError):
        await bus.publish("t", {"when": object()})
    assert await bus.consume("t", group="g", timeout_s=0.5) == []


@pytest.mark.parametrize("name", ["bad topic", "..", "ümlaut", "x" * 250])
async def test_illegal_topic_names_are_refused(bus: EventBus, name: str) -> None:
    with pytest.raises(InvalidTopicNameError):
        await bus.create_topic(name)


async def test_creating_an_existing_topic_fails(bus: EventBus) -> None:
    await bus.create_topic("t")
    with pytest.raises(TopicAlreadyExistsError):
        await bus.create_topic("t")


async def test_consume_times_out_empty(bus: EventBus) -> None:
    await bus.create_topic("quiet")
    assert await bus.consume("quiet", group="g", timeout_s=0.5) == []


async def test_committed_offsets_are_listed(bus: EventBus) -> None:
    await bus.create_topic("t")
    for n in range(3):
        await bus.publish("t", n)
    messages = await consume_n(bus, "t", "workers", 3)
    await bus.commit("t", group="workers", messages=messages)
    assert await bus.group_offsets("workers") == {"t": {0: 3}}
    assert "workers" in await bus.list_groups()


async def test_a_restarted_consumer_resumes_after_the_last_commit(make_bus: BusMaker) -> None:
    first = await make_bus()
    await first.create_topic("jobs")
    for n in range(4):
        await first.publish("jobs", n)
    done = await consume_n(first, "jobs", "w", 2)
    await first.commit("jobs", group="w", messages=done)
    await first.close()
    restarted = await make_bus()
    rest = await consume_n(restarted, "jobs", "w", 2)
    assert [m.value for m in rest] == [2, 3]
    assert await restarted.consume("jobs", group="w", max_messages=4, timeout_s=1) == []


async def test_uncommitted_messages_are_redelivered_after_a_restart(make_bus: BusMaker) -> None:
    first = await make_bus()
    await first.create_topic("jobs")
    await first.publish("jobs", "a")
    assert [m.value for m in await first.consume("jobs", group="w", timeout_s=10)] == ["a"]
    await first.close()
    restarted = await make_bus()
    assert [m.value for m in await restarted.consume("jobs", group="w", timeout_s=10)] == ["a"]


async def test_topics_are_listed_without_the_namespace_prefix(bus: EventBus) -> None:
    await bus.create_topic("a.one")
    await bus.create_topic("b-two", partitions=2)
    assert await bus.list_topics() == ["a.one", "b-two"]


async def test_delete_topic_then_publish_fails(bus: EventBus) -> None:
    await bus.create_topic("gone")
    await bus.delete_topic("gone")
    assert "gone" not in await bus.list_topics()
    with pytest.raises(UnknownTopicError):
        await bus.publish("gone", 1)


async def test_delete_namespace_topics_removes_them_all(bus: EventBus) -> None:
    await bus.create_topic("x")
    await bus.create_topic("y")
    assert sorted(await bus.delete_namespace_topics()) == ["x", "y"]
    assert await bus.list_topics() == []


async def test_health_reports_a_usable_bus(bus: EventBus) -> None:
    health = await bus.health()
    assert health.healthy
    assert health.latency_ms >= 0
