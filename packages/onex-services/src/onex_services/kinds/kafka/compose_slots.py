"""The broker's proxy slots in a compose stack (see `proxy_slots` for what a slot is).

Slot n is the listener `FAULT<n>` on port L in the container, published on 127.0.0.1:L, and
advertised as 127.0.0.1:P: Toxiproxy, which runs in the host's network in a compose stack,
listens on P for the scenario that takes the slot and forwards to L. The pairs are chosen free
when Kafka joins the stack and kept in the stack's env file (`ONEX_KAFKA_SLOT_*`, not the
`ONEX_KAFKA_PROXY_SLOTS` count a user sets), so a restart of the container advertises the
same ports; the record's `proxy_slots` detail carries them as on the process backend. In a
cluster (`compose_cluster`) every broker has slots of its own: broker n's variables end in `_<n>`
(the first broker's in nothing, as the single broker's).
"""

from __future__ import annotations

from collections.abc import Mapping

from onex_services.kinds.kafka.proxy_slots import record_details, slot_count, template_values
from onex_services.kinds.toxiproxy.proxies import format_slots, parse_slots
from onex_services.ports import free_port

PAIRS = "ONEX_KAFKA_SLOT_PAIRS"
LISTENERS = "ONEX_KAFKA_SLOT_LISTENERS"
ADVERTISED = "ONEX_KAFKA_SLOT_ADVERTISED"
PROTOCOLS = "ONEX_KAFKA_SLOT_PROTOCOLS"


def variable(name: str, node: int = 1) -> str:
    """Broker `node`'s variable of `name` (one of the names above)."""
    return name if node == 1 else f"{name}_{node}"


def slot_env(node: int = 1) -> dict[str, str]:
    """Fresh slots for a broker joining a stack: the env values its service reads."""
    pairs = [(free_port(), free_port()) for _ in range(slot_count())]
    values = template_values(pairs, listen_host="0.0.0.0")
    return {
        variable(PAIRS, node): format_slots(pairs),
        variable(LISTENERS, node): values["proxy_listeners"],
        variable(ADVERTISED, node): values["proxy_advertised"],
        variable(PROTOCOLS, node): values["proxy_protocols"],
    }


def slot_pairs(values: Mapping[str, str], node: int = 1) -> list[tuple[int, int]]:
    return parse_slots(values.get(variable(PAIRS, node), ""))


def slot_ports(values: Mapping[str, str], node: int = 1) -> list[str]:
    """The slots' listeners, published on loopback at the same port number."""
    return [f"127.0.0.1:{listen}:{listen}" for listen, _ in slot_pairs(values, node)]


def slot_details(values: Mapping[str, str], brokers: int = 1) -> dict[str, str]:
    """The record's `proxy_slots` of `brokers` brokers (nothing when they have none)."""
    pairs = [slot_pairs(values, node) for node in range(1, brokers + 1)]
    return record_details(*pairs) if pairs[0] else {}
