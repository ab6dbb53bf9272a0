"""The harness's one way to make its own Kafka producers and consumers (kinds/kafka/clients.py):
the broker's security settings on every client, acks=all unless asked otherwise, a failed start
stopped, a stop that ends by its deadline. aiokafka's classes are replaced by a stand-in that
records what it was given (unit tier); the real clients run in every deep probe, marker read
and replication proof of the integration tier, on SASL_SSL brokers too."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import pytest
from onex_services.kinds.kafka import clients

pytestmark = pytest.mark.unit

SASL = {
    "ONEX_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
    "ONEX_KAFKA_SASL_MECHANISM": "PLAIN",
    "ONEX_KAFKA_SASL_USERNAME": "onex",
    "ONEX_KAFKA_SASL_PASSWORD": "pw-of-the-test",
}
SECURITY = {
    "security_protocol": "SASL_PLAINTEXT",
    "sasl_mechanism": "PLAIN",
    "sasl_plain_username": "onex",
    "sasl_plain_password": "pw-of-the-test",
}


class StandIn:
    """Records its topics and keyword arguments; `start` fails or not, `stop` hangs or not."""

    made: ClassVar[list[StandIn]] = []
    fail_start = False
    hang_stop = False

    def __init__(self, *topics: str, **options: Any) -> None:
        self.topics = topics
        self.options = options
        self.stopped = False
        StandIn.made.append(self)

    async def start(self) -> None:
        if self.fail_start:
            raise OSError("no broker")

    async def stop(self) -> None:
        if self.hang_stop:
            await asyncio.Event().wait()
        self.stopped = True


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> type[StandIn]:
    for name, value in SASL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(clients, "AIOKafkaProducer", StandIn)
    monkeypatch.setattr(clients, "AIOKafkaConsumer", StandIn)
    monkeypatch.setattr(StandIn, "made", [])
    return StandIn


async def test_a_producer_gets_the_brokers_security_and_writes_with_acks_all(
    stand_in: type[StandIn],
) -> None:
    made: Any = clients.producer("127.0.0.1:1", linger_ms=0)
    async with clients.running(made) as producer:
        assert producer is made
        assert producer.options == {
            "bootstrap_servers": "127.0.0.1:1",
            **SECURITY,
            "acks": "all",
            "linger_ms": 0,
        }
        assert not producer.stopped
    assert producer.stopped
    other: Any = clients.producer("127.0.0.1:1", acks=1)
    assert other.options["acks"] == 1


async def test_a_consumer_gets_its_topics_and_the_brokers_security(
    stand_in: type[StandIn],
) -> None:
    made: Any = clients.consumer("127.0.0.1:1", "a", "b", group_id="g")
    assert made.topics == ("a", "b")
    assert made.options == {"bootstrap_servers": "127.0.0.1:1", **SECURITY, "group_id": "g"}


async def test_a_client_that_fails_to_start_is_stopped(
    stand_in: type[StandIn], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(StandIn, "fail_start", True)
    with pytest.raises(OSError, match="no broker"):
        await clients.started(clients.consumer("127.0.0.1:1"))
    assert [client.stopped for client in stand_in.made] == [True]


async def test_a_stop_that_hangs_ends_by_its_deadline(
    stand_in: type[StandIn], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(StandIn, "hang_stop", True)
    monkeypatch.setattr(clients, "CLOSE_TIMEOUT_S", 0.01)
    with pytest.raises(TimeoutError):
        async with clients.running(clients.producer("127.0.0.1:1")):
            pass
    # A start that fails and then hangs on stop still reports the start's error.
    monkeypatch.setattr(StandIn, "fail_start", True)
    with pytest.raises(OSError, match="no broker"):
        await clients.started(clients.producer("127.0.0.1:1"))
