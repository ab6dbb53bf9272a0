"""The broker's proxy slots: extra listeners that advertise a Toxiproxy proxy's port.

Kafka clients connect where the broker's metadata says, not where they bootstrapped. A
scenario whose connections must all pass its own proxy therefore needs a listener of its own
whose advertised address is that proxy: slot n is the listener `FAULT<n>` on port L, advertised
as 127.0.0.1:P, and the scenario's proxy listens on P and forwards to L. The broker keeps
`ONEX_KAFKA_PROXY_SLOTS` slots (4 by default: two xdist workers with room to spare); the pairs
are the record's `proxy_slots` detail, read by `onex_services.kinds.toxiproxy.proxies`, and kept
in the broker's directory so a restart advertises the same ports. On a cluster every broker has
the listeners `FAULT<n>` (a client connected to one broker's `FAULT<n>` is told the others'
`FAULT<n>` addresses), and slot n is the pairs of all of them: a scenario's proxy per broker.
"""

from __future__ import annotations

import os
from pathlib import Path

from onex_services.errors import SettingError
from onex_services.kinds.toxiproxy.proxies import (
    PROXY_SLOTS,
    format_slot_groups,
    format_slots,
    parse_slots,
)
from onex_services.ports import free_port

DEFAULT_SLOTS = 4
_FILE = "proxy_slots"


def slot_count() -> int:
    raw = os.environ.get("ONEX_KAFKA_PROXY_SLOTS", "").strip() or str(DEFAULT_SLOTS)
    if not raw.isdigit() or int(raw) > 32:
        raise SettingError(f"ONEX_KAFKA_PROXY_SLOTS={raw!r}: expected a number from 0 to 32")
    return int(raw)


def _port_key(node: int, slot: int) -> str:
    """The record detail of a slot's listener port: `proxy<n>_port` of the first broker (the
    single broker's), `node<k>_proxy<n>_port` of the others."""
    return f"proxy{slot}_port" if node == 1 else f"node{node}_proxy{slot}_port"


def broker_slots(home: Path, ports: dict[str, int] | None, node: int = 1) -> list[tuple[int, int]]:
    """The (listener, advertised) port pairs of broker `node` (kept in its `home`): those of
    the last start when the broker restarts on its old ports, else fresh ones."""
    kept = home / _FILE
    if ports is not None and kept.is_file():
        pairs = parse_slots(kept.read_text(encoding="utf-8"))
        if all(ports.get(_port_key(node, n)) == listen for n, (listen, _) in enumerate(pairs)):
            return pairs
    pairs = [(free_port(), free_port()) for _ in range(slot_count())]
    kept.write_text(format_slots(pairs), encoding="utf-8")
    return pairs


def template_values(pairs: list[tuple[int, int]], listen_host: str = "127.0.0.1") -> dict[str, str]:
    """The server.properties placeholders of the slots (empty strings when there are none);
    `listen_host` is where the listeners bind (a container's: every interface)."""
    return {
        "proxy_listeners": "".join(
            f",FAULT{n}://{listen_host}:{listen}" for n, (listen, _) in enumerate(pairs)
        ),
        "proxy_advertised": "".join(
            f",FAULT{n}://127.0.0.1:{advertised}" for n, (_, advertised) in enumerate(pairs)
        ),
        "proxy_protocols": "".join(f",FAULT{n}:PLAINTEXT" for n in range(len(pairs))),
    }


def record_details(*brokers: list[tuple[int, int]]) -> dict[str, str]:
    """The record's details from each broker's pairs (in node order): slot n's pairs on every
    broker, and each listener port (restarts reuse `*port` keys)."""
    details = {
        _port_key(node, n): str(listen)
        for node, pairs in enumerate(brokers, start=1)
        for n, (listen, _) in enumerate(pairs)
    }
    details[PROXY_SLOTS] = format_slot_groups([list(slot) for slot in zip(*brokers, strict=True)])
    return details
