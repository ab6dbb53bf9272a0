"""A KRaft cluster of several brokers in the compose backend (`ONEX_KAFKA_BROKERS=3` under
`ONEX_SERVICES_BACKEND=compose`): the process backend's cluster (`cluster`), one compose service
per broker.

Every broker is broker and controller at once, as in the process backend: the quorum's voters
are all of them (`<n>@kafka-<n>:9093` on the stack's network, the first broker's service keeps
the kind's name `kafka`). Each broker publishes its own host port and listens on that number
inside, so its advertised `127.0.0.1:<port>` is right for a client on the host; the brokers
replicate through a listener of their own on the stack's network (`INTERNAL`, advertised by
service name). The replication settings, the member names, the heap and the deep check are the
process cluster's (`cluster.replication_settings`, `leaders`); the cluster id is made when Kafka
joins the stack and kept in its env file, so a broker's container that is started again keeps
its storage and its place in the cluster. The record's members are the containers
(`onex_services.members`): status, stop and the member faults act on them.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from onex_services.kinds.kafka.compose_slots import (
    ADVERTISED,
    LISTENERS,
    PROTOCOLS,
    slot_details,
    slot_env,
    slot_ports,
    variable,
)
from onex_services.members import Member
from onex_services.ports import free_port

KIND = "kafka"
PORT = "ONEX_KAFKA_PORT"
BROKERS_ENV = "ONEX_KAFKA_CLUSTER_BROKERS"
"""The stack's env value of its broker count (set for a cluster only)."""
CLUSTER_ID = "ONEX_KAFKA_CLUSTER_ID"
CONTROLLER_PORT = 9093
INTERNAL_PORT = 9094


def container_environment(settings: Mapping[str, str]) -> dict[str, str]:
    """Kafka properties as the image's variables: both the official image and
    infra/images/kafka read KAFKA_FOO_BAR as foo.bar."""
    return {f"KAFKA_{name.upper().replace('.', '_')}": value for name, value in settings.items()}


def healthcheck(port_variable: str = PORT) -> str:
    """The container's healthcheck: its client port accepts connections."""
    return f"bash -c '</dev/tcp/127.0.0.1/${{{port_variable}}}' || exit 1"


def brokers(values: Mapping[str, str]) -> int:
    """The stack's broker count, from its env values (1: a single broker)."""
    return int(values.get(BROKERS_ENV, "1"))


def service_name(node: int) -> str:
    return KIND if node == 1 else f"{KIND}-{node}"


def port_variable(node: int) -> str:
    return variable(PORT, node)


def settings_env(settings: Mapping[str, str]) -> dict[str, str]:
    """The cluster's env values when Kafka joins a stack: the count, a cluster id, each other
    broker's port and proxy slots (the first broker's are the single broker's), the heap of a
    member; nothing for a single broker."""
    from onex_services.kinds.kafka.cluster import broker_count, cluster_heap

    count = broker_count(dict(settings))
    if count == 1:
        return {}
    values = {
        BROKERS_ENV: str(count),
        CLUSTER_ID: base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="),
        "ONEX_KAFKA_HEAP_MAX": cluster_heap(),
    }
    for node in range(2, count + 1):
        values[port_variable(node)] = str(free_port())
        values.update(slot_env(node))
    return values


def services(service: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The kind's service as one per broker (itself alone for a single broker)."""
    from onex_services.kinds.kafka.cluster import replication_settings

    count = brokers(values)
    if count == 1:
        return {KIND: dict(service)}
    voters = ",".join(
        f"{node}@{service_name(node)}:{CONTROLLER_PORT}" for node in range(1, count + 1)
    )
    shared = {
        **service["environment"],
        **container_environment(replication_settings(count)),
        "KAFKA_CONTROLLER_QUORUM_VOTERS": voters,
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,"
        "INTERNAL:PLAINTEXT",
        "KAFKA_INTER_BROKER_LISTENER_NAME": "INTERNAL",
        "CLUSTER_ID": f"${{{CLUSTER_ID}:?}}",
    }
    made: dict[str, dict[str, Any]] = {}
    for node in range(1, count + 1):
        name, port = service_name(node), f"${{{port_variable(node)}:?}}"
        environment = {
            **shared,
            "KAFKA_NODE_ID": str(node),
            "KAFKA_LISTENERS": f"PLAINTEXT://0.0.0.0:{port},"
            f"CONTROLLER://0.0.0.0:{CONTROLLER_PORT},INTERNAL://0.0.0.0:{INTERNAL_PORT}"
            f"${{{variable(LISTENERS, node)}:-}}",
            "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://127.0.0.1:{port},"
            f"INTERNAL://{name}:{INTERNAL_PORT}${{{variable(ADVERTISED, node)}:-}}",
        }
        environment["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] += f"${{{variable(PROTOCOLS, node)}:-}}"
        made[name] = {
            **service,
            "environment": environment,
            "ports": [f"127.0.0.1:{port}:{port}", *slot_ports(values, node)],
            "healthcheck": {
                **service["healthcheck"],
                "test": ["CMD-SHELL", healthcheck(port_variable(node))],
            },
        }
    return made


def client_url(host: str, port: int, values: Mapping[str, str]) -> str:
    """`host:port` of every broker (the first is the record's port)."""
    others = [values[port_variable(node)] for node in range(2, brokers(values) + 1)]
    return ",".join(f"{host}:{each}" for each in (str(port), *others))


def details(values: Mapping[str, str]) -> dict[str, str]:
    """The record's proxy slots (of every broker) and, for a cluster, its broker count."""
    from onex_services.kinds.kafka.cluster import BROKERS

    count = brokers(values)
    return {**slot_details(values, count), **({BROKERS: str(count)} if count > 1 else {})}


def members(
    values: Mapping[str, str], containers: Mapping[str, str], stack_dir: Path
) -> list[Member]:
    """The brokers of a cluster as the record's members (none for a single broker)."""
    from onex_services.kinds.kafka.leaders import member_name

    count = brokers(values)
    if count == 1:
        return []
    return [
        Member(
            name=member_name(node),
            node=node,
            port=int(values[port_variable(node)]),
            container=containers.get(service_name(node)),
            log_path=str(stack_dir / f"{service_name(node)}.log"),
        )
        for node in range(1, count + 1)
    ]
