"""A scenario's proxies, the parts that need no server: client strings readdressed to a proxy,
the broker's slot pairs, and the refusal of a proxy that could not hold a Kafka client."""

from __future__ import annotations

import pytest
from onex_services.catalog import kind_spec
from onex_services.errors import ServiceError
from onex_services.kinds.toxiproxy.proxies import (
    PROXY_SLOTS,
    NamespaceProxies,
    format_slots,
    parse_slot_groups,
    parse_slots,
    proxy_name,
    readdress,
)

pytestmark = pytest.mark.unit


def test_a_client_string_keeps_its_credentials_and_path_at_the_proxys_address() -> None:
    postgres, redis, kafka = (kind_spec(k).vocabulary for k in ("postgres", "redis", "kafka"))
    url = "postgresql://postgres:s%40cret@127.0.0.1:5432/postgres?sslmode=disable"
    assert readdress(url, "127.0.0.1", 40001, postgres) == (
        "postgresql://postgres:s%40cret@127.0.0.1:40001/postgres?sslmode=disable"
    )
    assert readdress("redis://:pw@127.0.0.1:6379/0", "127.0.0.1", 40002, redis) == (
        "redis://:pw@127.0.0.1:40002/0"
    )
    assert readdress("127.0.0.1:9092,127.0.0.1:9093", "127.0.0.1", 40003, kafka) == (
        "127.0.0.1:40003"
    )
    assert readdress("127.0.0.1:9092", "127.0.0.1", 40003, kafka, 40004, 40005) == (
        "127.0.0.1:40003,127.0.0.1:40004,127.0.0.1:40005"
    )


def test_slot_pairs_round_trip_and_proxy_names_are_the_namespaces() -> None:
    pairs = [(41000, 42000), (41001, 42001)]
    assert parse_slots(format_slots(pairs)) == pairs
    assert parse_slots("") == []
    assert proxy_name("onex_ab_12", "kafka") == "onex_ab_12.kafka"
    with pytest.raises(ValueError, match="namespace"):
        proxy_name("Not A Namespace", "kafka")


def test_a_clusters_slot_is_one_pair_per_broker() -> None:
    """Slot n of a cluster is the listener FAULT<n> of every broker: the record carries the
    pairs of all of them, and a single broker's slots read as slots of one pair."""
    from onex_services.kinds.kafka.proxy_slots import record_details

    first, second = [(41000, 42000), (41001, 42001)], [(43000, 44000), (43001, 44001)]
    details = record_details(first, second)
    assert parse_slot_groups(details[PROXY_SLOTS]) == [
        [(41000, 42000), (43000, 44000)],
        [(41001, 42001), (43001, 44001)],
    ]
    assert details["proxy1_port"] == "41001"
    assert details["node2_proxy1_port"] == "43001"
    assert parse_slot_groups(record_details(first)[PROXY_SLOTS]) == [[pair] for pair in first]


async def test_a_kafka_without_proxy_slots_is_refused_before_any_proxy_is_made() -> None:
    """Its client would follow the broker's metadata past a plain proxy: the fault would reach
    the first connection only. Refused by name (the API's address is never called)."""
    proxies = NamespaceProxies("http://127.0.0.1:9", "onex_test_ns")
    with pytest.raises(ServiceError, match="kafka has no proxy slots"):
        await proxies.route(
            "kafka",
            "127.0.0.1:9092",
            kind_spec("kafka").vocabulary,
            {},
            ("127.0.0.1", 9092),
            needs_slots=kind_spec("kafka").proxied_by_slots,
        )
    assert proxies.routes == {}
