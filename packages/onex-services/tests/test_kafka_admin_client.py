"""The harness's one way to make a Kafka admin client (kinds/kafka/admin.py): the broker's
security settings on every client, a failed start closed, a close that ends by its deadline.
aiokafka's client is replaced by a stand-in that records what it was given (unit tier); the
real clients are proved on SASL_SSL brokers by the integration tier."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import pytest
from onex_services.kinds.kafka import admin

pytestmark = pytest.mark.unit

SASL = {
    "ONEX_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
    "ONEX_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "ONEX_KAFKA_SASL_USERNAME": "onex",
    "ONEX_KAFKA_SASL_PASSWORD": "pw-of-the-test",
}


class StandIn:
    """Records its keyword arguments; `start` fails or not, `close` hangs or not."""

    made: ClassVar[list[StandIn]] = []
    fail_start = False
    hang_close = False

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.closed = False
        StandIn.made.append(self)

    async def start(self) -> None:
        if self.fail_start:
            raise OSError("no broker")

    async def close(self) -> None:
        if self.hang_close:
            await asyncio.Event().wait()
        self.closed = True


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> type[StandIn]:
    for name, value in SASL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(admin, "AIOKafkaAdminClient", StandIn)
    monkeypatch.setattr(StandIn, "made", [])
    return StandIn


async def test_a_client_gets_the_brokers_security_settings(stand_in: type[StandIn]) -> None:
    async with admin.admin_client("127.0.0.1:1", client_id="onex-test") as client:
        assert isinstance(client, StandIn)
        assert client.options == {
            "bootstrap_servers": "127.0.0.1:1",
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": "onex",
            "sasl_plain_password": "pw-of-the-test",
            "client_id": "onex-test",
        }
        assert not client.closed
    assert client.closed


async def test_a_client_that_fails_to_start_is_closed(
    stand_in: type[StandIn], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(StandIn, "fail_start", True)
    with pytest.raises(OSError, match="no broker"):
        await admin.started_admin("127.0.0.1:1")
    assert [client.closed for client in stand_in.made] == [True]


async def test_a_close_that_hangs_ends_by_its_deadline(
    stand_in: type[StandIn], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(StandIn, "hang_close", True)
    monkeypatch.setattr(admin, "CLOSE_TIMEOUT_S", 0.01)
    with pytest.raises(TimeoutError):
        async with admin.admin_client("127.0.0.1:1"):
            pass
    # A start that fails and then hangs on close still reports the start's error.
    monkeypatch.setattr(StandIn, "fail_start", True)
    with pytest.raises(OSError, match="no broker"):
        await admin.started_admin("127.0.0.1:1")
