"""Differential test of EventBus: Hypothesis drives Kafka and the in-memory broker with the same
random sequence (create and delete topics, publish with and without keys and headers, consume in
groups, commit, reopen the consumer) and compares every result and error class.

Keyless records go to a one-partition topic only: Kafka's client picks a partition for them at
random, so comparing their placement would compare luck. A consume is compared by what it
delivered once the real consumer caught up (Kafka delivers in batches as a group joins).
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
from differential import SETTINGS, connected_pair, outcome
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test
from onex_registry import ConsumedMessage, EventBus, EventBusToolFactory
from onex_registry.divergences import Outcome, compare

pytestmark = [pytest.mark.fidelity, pytest.mark.requires_kafka]

# A Kafka example costs seconds (topics, group joins): fewer of them than for the stores.
BUS_SETTINGS = settings(
    SETTINGS,
    max_examples=int(os.environ.get("ONEX_FIDELITY_BUS_EXAMPLES", "6")),
    stateful_step_count=int(os.environ.get("ONEX_FIDELITY_BUS_STEPS", "20")),
)
TEXT = st.text(st.characters(exclude_categories=["Cs"], max_codepoint=0x2FF), max_size=6)
VALUES = st.one_of(st.integers(-5, 5), TEXT, st.dictionaries(TEXT, st.integers(), max_size=2))
HEADERS = st.one_of(st.none(), st.dictionaries(st.sampled_from(["h1", "h2"]), TEXT, max_size=2))
GROUPS = st.sampled_from(["g1", "g2"])
CATCH_UP_S = 15.0


def _delivered(messages: list[ConsumedMessage]) -> list[tuple[Any, ...]]:
    return sorted(
        (m.topic, m.partition, m.offset, m.key, repr(m.value), sorted(m.headers.items()))
        for m in messages
    )


class BusMachine(RuleBasedStateMachine):
    bootstrap = ""

    real: EventBus
    mock: EventBus

    def __init__(self) -> None:
        super().__init__()
        self.pair, self.real, self.mock, _ = connected_pair(
            EventBus, EventBusToolFactory(), self.bootstrap
        )
        self.loop = self.pair.loop
        self.last: dict[tuple[str, str], list[ConsumedMessage]] = {}

    def both(self, operation: str, name: str, *args: Any, **kwargs: Any) -> None:
        self.pair.same(
            operation,
            lambda: getattr(self.real, name)(*args, **kwargs),
            lambda: getattr(self.mock, name)(*args, **kwargs),
        )

    @initialize()
    def topics(self) -> None:
        self.both("create topic", "create_topic", "keyed", partitions=2)
        self.both("create topic", "create_topic", "single", partitions=1)
        self.both("create topic", "create_topic", "doomed", partitions=1)

    @rule(topic=st.sampled_from(["keyed", "single"]))
    def create_again(self, topic: str) -> None:
        self.both("create an existing topic", "create_topic", topic)

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        # Drawn rarely: once the topic is gone, half of the other rules only meet its absence.
        if data.draw(st.integers(0, 5), label="delete?") == 0:
            self.both("delete topic", "delete_topic", "doomed")
            self.both("list topics", "list_topics")

    @rule(key=st.sampled_from(["a", "b", "c", "order-7"]), value=VALUES, headers=HEADERS)
    def publish_keyed(self, key: str, value: Any, headers: dict[str, str] | None) -> None:
        self._publish("keyed", value, key=key, headers=headers)

    @rule(value=VALUES, headers=HEADERS, topic=st.sampled_from(["single", "doomed"]))
    def publish_keyless(self, value: Any, headers: dict[str, str] | None, topic: str) -> None:
        self._publish(topic, value, key=None, headers=headers)

    def _publish(self, topic: str, value: Any, **kwargs: Any) -> None:
        def placed(result: Any) -> Any:
            return None if result is None else (result.topic, result.partition, result.offset)

        self.pair.same(
            "publish",
            lambda: self.real.publish(topic, value, correlation_id="c", **kwargs),
            lambda: self.mock.publish(topic, value, correlation_id="c", **kwargs),
            placed,
        )

    @rule(topic=st.sampled_from(["keyed", "single", "doomed"]), group=GROUPS)
    def consume(self, topic: str, group: str) -> None:
        mock = self.pair.run(
            outcome(lambda: self.mock.consume(topic, group=group, max_messages=50, timeout_s=0))
        )
        real = self.pair.run(outcome(lambda: self._catch_up(topic, group, mock)))
        if mock.error is None and real.error is None:
            self.last[(topic, group)] = mock.value
        if self.pair.in_step:
            same = compare(
                "EventBus",
                "consume",
                Outcome(None if real.error else _delivered(real.value), real.error),
                Outcome(None if mock.error else _delivered(mock.value), mock.error),
            )
            self.pair.in_step = same

    async def _catch_up(self, topic: str, group: str, mock: Any) -> list[ConsumedMessage]:
        """Poll the real consumer until it delivered as many records as the mock did (or, when
        the mock had none, one short poll that must stay empty)."""
        wanted = len(mock.value) if mock.error is None else 1
        got: list[ConsumedMessage] = []
        deadline = time.monotonic() + (CATCH_UP_S if wanted else 1.0)
        while len(got) < max(wanted, 1) and time.monotonic() < deadline:
            remaining = max(0.1, deadline - time.monotonic())
            got += await self.real.consume(
                topic, group=group, max_messages=max(wanted - len(got), 1), timeout_s=remaining
            )
            if not wanted:
                break
        return got

    @rule(topic=st.sampled_from(["keyed", "single"]), group=GROUPS)
    def commit(self, topic: str, group: str) -> None:
        messages = self.last.pop((topic, group), [])
        self.both("commit", "commit", topic, group=group, messages=messages)
        self.both("group offsets", "group_offsets", group)

    @rule()
    def reopen(self) -> None:
        self.last.clear()
        self.pair.run(self.real.close())
        self.pair.run(self.mock.close())
        self.pair.run(self.real.connect())
        self.pair.run(self.mock.connect())

    def teardown(self) -> None:
        async def clean() -> None:
            await self.real.delete_namespace_topics()
            await self.real.close()
            await self.mock.close()

        self.pair.run(clean())
        self.loop.close()


def test_event_bus_mock_matches_kafka(real_kafka: Any) -> None:
    BusMachine.bootstrap = real_kafka.bootstrap_servers
    run_state_machine_as_test(BusMachine, settings=BUS_SETTINGS)
