"""Apache Kafka (KRaft), everything the harness knows about it.

- vocabulary: `ONEX_KAFKA_*`, the client string is `bootstrap_servers` (`host:port[,...]`);
- installer: Java 17+ from apt, the broker's jars from Maven Central or Apache (`dist`);
- process starter (`broker`): format the storage once, then `kafka.Kafka` with the
  infra/process/kafka configs and its proxy slots (`proxy_slots`: listeners advertised at
  Toxiproxy ports, for faults); more than one broker makes a cluster (`cluster`);
- compose: `onex/kafka:local`, built with the same jars, with the same proxy slots
  (`compose_slots`); more than one broker makes a cluster of containers (`compose_cluster`);
- probe: topic create → produce → consume in a group → delete (`probe`);
- janitor: topics and groups `<ns>.<name>` (`janitor`).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from onex_scenario.vocabulary import KindVocabulary

from onex_services import templates
from onex_services.kinds.connection import ConnectionFields, ConnectionUse, GivenAddress
from onex_services.kinds.hooks import CapacityReader, KindCapacity, NamespaceSeeder
from onex_services.kinds.kafka import compose_cluster
from onex_services.kinds.kafka.broker import start_broker
from onex_services.kinds.kafka.class_archive import make_archive
from onex_services.kinds.kafka.compose_slots import slot_env, slot_ports
from onex_services.kinds.kafka.dist import install_kafka, require_kafka
from onex_services.kinds.kafka.java import find_java, java_path, missing_java_packages
from onex_services.kinds.kafka.quotas import apply_kafka_limits, remove_kafka_limits
from onex_services.kinds.kafka.secured import CHOICES, OPTION, VARIABLE
from onex_services.kinds.kafka.settings import kafka_heap_max, kafka_version
from onex_services.kinds.kafka.size import namespace_size
from onex_services.kinds.spec import (
    ComposeFragment,
    InstalledItem,
    Installer,
    Janitor,
    KindSpec,
    NamespaceAdmin,
    NamespaceMarks,
    Probe,
    Progress,
    ServerSettingsSyntax,
    StateReader,
)
from onex_services.members import MemberCall, MemberOps
from onex_services.models import ServiceRecord
from onex_services.settings import Paths

KIND = "kafka"
# What an app under test is given of the client settings (kafka/security.py, `app_values`).
SECURITY_APP_FIELDS = (
    "security_protocol",
    "sasl_mechanism",
    "sasl_username",
    "sasl_password",
    "ssl_cafile",
    "ssl_check_hostname",
)

VOCABULARY = KindVocabulary(
    name=KIND,
    title="Apache Kafka",
    env_prefix="ONEX_KAFKA_",
    env_fields={
        "BOOTSTRAP_SERVERS": "bootstrap_servers",
        "CLIENT_ID": "client_id",
    },
    # SASL and TLS come from the environment only (ONEX_KAFKA_SECURITY_PROTOCOL and the rest,
    # read by onex_scenario.kafka_security for every client); a scenario file's fields are named
    # here so that the runner refuses them with a reason instead of calling them unknown.
    fields=(
        "bootstrap_servers",
        "security_protocol",
        "sasl_mechanism",
        "sasl_username",
        "sasl_password",
        "client_id",
    ),
    endpoint_field="bootstrap_servers",
    endpoint_example="127.0.0.1:9092",
    named_resources={"topics": "topic"},
    client_attribute="bootstrap_servers",
    app_fields=("bootstrap_servers", "topic_prefix", "host", "port", *SECURITY_APP_FIELDS),
    namespace_handles={"topic": "name"},  # `ns.topic("orders")`: a topic or consumer group
    has_leaders=True,  # a cluster of brokers (cluster.py): leader faults
    applies_limits=True,  # client quotas on the scenario's client id (quotas.py)
)


def _check(paths: Paths) -> None:
    find_java()
    require_kafka(paths.cache_dir, kafka_version())


def _install(paths: Paths, progress: Progress) -> list[InstalledItem]:
    java = find_java()
    dist = install_kafka(paths.cache_dir, kafka_version(), progress)
    archive, made = make_archive(java, dist, kafka_heap_max())
    return [
        InstalledItem("java", f"{java.path} ({java.version_line})"),
        InstalledItem(KIND, f"{dist.version} ({dist.source}: {dist.libs})"),
        InstalledItem("kafka class archive", f"{archive} ({made})"),
    ]


def _client_url(host: str, port: int, password: str | None = None) -> str:
    return f"{host}:{port}"


def _connection_address(fields: ConnectionFields) -> GivenAddress:
    """The first of the bootstrap servers is the one probed; the client takes them all."""
    servers = str(fields["bootstrap_servers"])
    host, _, port = servers.split(",", maxsplit=1)[0].rpartition(":")
    return GivenAddress(host, int(port), servers)


def _prepare_image(context: Path, paths: Paths) -> None:
    """The image takes the process backend's jars, and logs like it: INFO to stdout, which the
    engine keeps and `onex services logs` reads back."""
    dist = require_kafka(paths.cache_dir, kafka_version())
    shutil.copytree(dist.libs, context / "libs")
    shutil.copyfile(
        templates.infra_dir() / KIND / "log4j2.properties", context / "log4j2.properties"
    )


def _probe(url: str) -> Probe:
    from onex_services.kinds.kafka.probe import KafkaProbe

    return KafkaProbe(url)


def _janitor(url: str, namespace: str) -> Janitor:
    from onex_services.kinds.kafka.janitor import ToolKafkaResourceManager

    return ToolKafkaResourceManager(url, namespace)


def _namespace_marks(url: str) -> NamespaceMarks:
    from onex_services.kinds.kafka.marks import KafkaTopicMarks

    return KafkaTopicMarks(url)


def _namespace_seeder(url: str) -> NamespaceSeeder:
    from onex_services.kinds.kafka.seed import KafkaSeeder

    return KafkaSeeder(url)


def _capacity_reader(url: str) -> CapacityReader:
    from onex_services.kinds.kafka.capacity import KafkaCapacity

    return KafkaCapacity(url)


def _capacity_need(workers: int, scenarios: Sequence[Any]) -> int:
    from onex_services.kinds.kafka.capacity import partitions_needed

    return partitions_needed(workers, scenarios)


def _namespace_admin(url: str) -> NamespaceAdmin:
    from onex_services.kinds.kafka.janitor import KafkaNamespaceAdmin

    return KafkaNamespaceAdmin(url)


def _app_values(servers: str, namespace: str) -> dict[str, str]:
    """An app's view of the broker: its topics are `<namespace>.<topic>` (`topic_prefix`)."""
    host, _, port = servers.split(",", maxsplit=1)[0].rpartition(":")
    from onex_services.kinds.kafka.security import app_values

    return {
        "bootstrap_servers": servers,
        "topic_prefix": f"{namespace}.",
        "host": host,
        "port": port,
        **app_values(servers),
    }


def _kafka_compose_settings(
    service: Mapping[str, Any], settings: Mapping[str, str]
) -> dict[str, Any]:
    return {"environment": compose_cluster.container_environment(settings)}


def _compose_refusal(settings: Mapping[str, str]) -> str | None:
    # The compose backend has no secured image (docs/scale.md): a SASL_SSL broker asked of it
    # is refused, never started as a PLAINTEXT one. A cluster it starts (compose_cluster).
    from onex_services.server_settings import process_only

    return process_only(settings, OPTION, VARIABLE, "a secured broker", CHOICES)


# ONEX_KAFKA_PROFILE=production-like: Kafka's own defaults back wherever the tuned test broker
# (infra/process/kafka/server.properties) changes what a client sees. A consumer group then waits
# 3 s for more members before its first assignment, the group coordinator is one of 50 offsets
# partitions (found through FindCoordinator as on a real cluster), metadata changes commit
# after 25 ms, and a restarted broker is fenced for 9 s. Kept as tuned, because production
# clusters keep them too: no auto-created topics, one replica on one broker.
PRODUCTION_LIKE = {
    "group.initial.rebalance.delay.ms": "3000",
    "offsets.topic.num.partitions": "50",
    "transaction.state.log.num.partitions": "50",
    "controller.quorum.append.linger.ms": "25",
    "broker.session.timeout.ms": "9000",
    "broker.heartbeat.interval.ms": "2000",
}

# Kafka properties: ONEX_KAFKA_SERVER_NUM_PARTITIONS=2 is num.partitions=2.
SERVER_SETTINGS = ServerSettingsSyntax(
    name_from_env=lambda suffix: suffix.lower().replace("_", "."),
    config_line=lambda name, value: f"{name}={value.replace(chr(92), chr(92) * 2)}",
    compose_override=_kafka_compose_settings,
    profiles={"production-like": PRODUCTION_LIKE},
    # brokers: a cluster (kafka/cluster.py); security: a SASL_SSL broker (kafka/secured.py).
    harness_settings={"brokers": "ONEX_KAFKA_BROKERS", OPTION: VARIABLE},
    compose_refusal=_compose_refusal,
)


async def _restart_member(record: ServiceRecord, name: str, paths: Paths) -> ServiceRecord:
    from onex_services.kinds.kafka.cluster import restart_member

    return await restart_member(record, name, paths)


async def _locate_member(url: str, selector: Mapping[str, object]) -> str:
    from onex_services.kinds.kafka.leaders import leader_member

    return await leader_member(url, selector)


async def _prove_replication(url: str, stop: MemberCall, start: MemberCall) -> str:
    from onex_services.kinds.kafka.leaders import check_replication

    return await check_replication(url, stop, start)


def _state(url: str) -> StateReader:
    from onex_services.kinds.kafka.state import KafkaStateReader

    return KafkaStateReader(url)


SPEC = KindSpec(
    vocabulary=VOCABULARY,
    default_port=9092,
    client_url=_client_url,
    installer=Installer(check=_check, missing_packages=missing_java_packages, install=_install),
    start_process=start_broker,
    make_probe=_probe,
    janitor=_janitor,
    namespace_admin=_namespace_admin,
    namespace_marks=_namespace_marks,
    namespace_seeder=_namespace_seeder,
    capacity=KindCapacity(reader=_capacity_reader, need=_capacity_need),
    server_program=java_path,
    proxied_by_slots=True,
    members=MemberOps(restart=_restart_member, locate=_locate_member, prove=_prove_replication),
    server_settings=SERVER_SETTINGS,
    compose=ComposeFragment(
        image="apache/kafka:4.1.0",
        local_image="onex/kafka:local",
        client_url=compose_cluster.client_url,
        # The broker listens on the same port number as the host publishes, so the advertised
        # address is right for clients on the host.
        environment={
            "KAFKA_NODE_ID": "1",
            "KAFKA_PROCESS_ROLES": "broker,controller",
            "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@127.0.0.1:9093",
            "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
            # The proxy slots' listeners follow each list (see compose_slots).
            "KAFKA_LISTENERS": "PLAINTEXT://0.0.0.0:${ONEX_KAFKA_PORT:?},"
            "CONTROLLER://127.0.0.1:9093${ONEX_KAFKA_SLOT_LISTENERS:-}",
            "KAFKA_ADVERTISED_LISTENERS": "PLAINTEXT://127.0.0.1:${ONEX_KAFKA_PORT:?}"
            "${ONEX_KAFKA_SLOT_ADVERTISED:-}",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
            "${ONEX_KAFKA_SLOT_PROTOCOLS:-}",
            "KAFKA_INTER_BROKER_LISTENER_NAME": "PLAINTEXT",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
            "KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS": "1",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
            "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR": "1",
            "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR": "1",
            "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
            "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
            "KAFKA_NUM_PARTITIONS": "1",
            "KAFKA_HEAP_OPTS": "-Xms128m -Xmx${ONEX_KAFKA_HEAP_MAX:-512m}",
        },
        healthcheck=compose_cluster.healthcheck(),
        start_period="2s",
        env=lambda: {"ONEX_KAFKA_HEAP_MAX": kafka_heap_max(), **slot_env()},
        prepare_image=_prepare_image,
        more_ports=slot_ports,
        details=compose_cluster.details,
        settings_env=compose_cluster.settings_env,
        services=compose_cluster.services,
        members=compose_cluster.members,
    ),
    connection=ConnectionUse(
        fields=frozenset({"bootstrap_servers"}),
        address_fields=frozenset({"bootstrap_servers"}),
        address=_connection_address,
    ),
    app_values=_app_values,
    state=_state,
    namespace_size=namespace_size,
    apply_limits=apply_kafka_limits,
    remove_limits=remove_kafka_limits,
)
