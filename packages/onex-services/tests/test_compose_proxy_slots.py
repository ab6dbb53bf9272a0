"""Kafka's proxy slots in a compose stack: each slot's listener binds every interface of the
container and is published on loopback at its own port, it advertises the port a scenario's
proxy listens on, and the record carries the same pairs as on the process backend (unit tier)."""

from __future__ import annotations

import pytest
from onex_services.kinds.kafka import compose_slots
from onex_services.kinds.toxiproxy.proxies import PROXY_SLOTS, parse_slots

pytestmark = pytest.mark.unit


def test_each_slot_listens_in_the_container_and_advertises_its_proxy_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ONEX_KAFKA_PROXY_SLOTS", "3")
    values = compose_slots.slot_env()
    pairs = parse_slots(values[compose_slots.PAIRS])
    assert len(pairs) == 3
    for n, (listen, advertised) in enumerate(pairs):
        assert f",FAULT{n}://0.0.0.0:{listen}" in values[compose_slots.LISTENERS]
        assert f",FAULT{n}://127.0.0.1:{advertised}" in values[compose_slots.ADVERTISED]
        assert f",FAULT{n}:PLAINTEXT" in values[compose_slots.PROTOCOLS]
    published = [f"127.0.0.1:{listen}:{listen}" for listen, _ in pairs]
    assert compose_slots.slot_ports(values) == published
    assert parse_slots(compose_slots.slot_details(values)[PROXY_SLOTS]) == pairs


def test_no_slots_add_no_listener_port_or_detail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEX_KAFKA_PROXY_SLOTS", "0")
    values = compose_slots.slot_env()
    assert values[compose_slots.LISTENERS] == values[compose_slots.ADVERTISED] == ""
    assert compose_slots.slot_ports(values) == []
    assert compose_slots.slot_details(values) == {}
