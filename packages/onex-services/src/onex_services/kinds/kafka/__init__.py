"""Apache Kafka (KRaft, one broker), everything the harness knows about it.

- vocabulary: `ONEX_KAFKA_*`, the client string is `bootstrap_servers` (`host:port[,...]`);
- installer: Java 17+ from apt, the broker's jars from Maven Central or Apache (`dist`);
- process starter: format the storage once, then `kafka.Kafka` with infra/process/kafka configs
  and its proxy slots (`proxy_slots`: listeners advertised at Toxiproxy ports, for faults);
- compose: `onex/kafka:local`, built with the same jars, with the same proxy slots
  (`compose_slots`);
- probe: topic create → produce → consume in a group → delete (`probe`);
- janitor: topics and groups `<ns>.<name>` (`janitor`).
"""

from __future__ import annotations

import base64
import shutil
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from onex_scenario.vocabulary import KindVocabulary

from onex_services import templates
from onex_services.backends.process_kit import check_ports_free, run_step, spawn
from onex_services.errors import SettingError
from onex_services.kinds.connection import ConnectionFields, ConnectionUse, GivenAddress
from onex_services.kinds.hooks import CapacityReader, KindCapacity, NamespaceSeeder
from onex_services.kinds.kafka.class_archive import archive_options, make_archive
from onex_services.kinds.kafka.compose_slots import slot_details, slot_env, slot_ports
from onex_services.kinds.kafka.dist import install_kafka, require_kafka
from onex_services.kinds.kafka.java import find_java, java_path, missing_java_packages
from onex_services.kinds.kafka.proxy_slots import broker_slots, record_details, template_values
from onex_services.kinds.kafka.quotas import apply_kafka_limits, remove_kafka_limits
from onex_services.kinds.kafka.secured import (
    OPTION,
    PLAINTEXT,
    VARIABLE,
    secured_broker,
    security_choice,
)
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
    ProcessStart,
    Progress,
    ServerSettingsSyntax,
    StateReader,
)
from onex_services.members import MemberCall, MemberOps
from onex_services.models import ServiceRecord
from onex_services.ports import free_port
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


async def _start(start: ProcessStart) -> ServiceRecord:
    from onex_services import server_settings
    from onex_services.kinds.kafka.cluster import broker_count, start_cluster

    brokers = broker_count(server_settings.read(start.stack_dir).get(KIND, {}))
    if brokers > 1:
        if security_choice(start.stack_dir) != PLAINTEXT:
            raise SettingError(
                f"{VARIABLE} with ONEX_KAFKA_BROKERS={brokers}: a secured cluster is not "
                "supported yet; a secured stack runs one broker"
            )
        return await start_cluster(start, brokers)
    java = find_java()
    dist = require_kafka(start.paths.cache_dir, kafka_version())
    home = start.stack_dir / KIND
    data = home / "data"
    log_path = home / "kafka.log"
    ports = start.ports
    fresh = ports is None or not (data / "meta.properties").exists()
    port, controller_port = (
        (ports["port"], ports["controller_port"])
        if ports is not None
        else (free_port(), free_port())
    )
    home.mkdir(parents=True, exist_ok=True)
    slots = broker_slots(home, ports)
    config = home / "server.properties"
    secured = secured_broker(start, home)
    rendered = templates.render(
        "kafka/server.properties",
        port=port,
        controller_port=controller_port,
        data_dir=data,
        **template_values(slots),
    )
    config.write_text(
        start.with_settings(KIND, secured.properties(rendered) if secured else rendered),
        encoding="utf-8",
    )
    config.chmod(0o600)  # a secured broker's holds its passwords
    log_config = home / "log4j2.properties"
    log_config.write_text(templates.render("kafka/log4j2.properties"), encoding="utf-8")
    jvm = [
        str(java.path),
        *templates.option_lines("kafka/jvm.options"),
        *archive_options(java, dist),  # classes parsed once at install (class_archive.py)
        f"-Xmx{kafka_heap_max()}",
        f"-Dlog4j2.configurationFile={log_config}",
        "-cp",
        dist.classpath,
    ]
    if fresh:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        # `=`: an id may start with "-", which the tool would take for an option.
        tool = [
            "kafka.tools.StorageTool",
            "format",
            f"--cluster-id={cluster_id}",
            "-c",
            str(config),
        ]
        try:
            await run_step(
                [*jvm, secured.format_argfile(tool)] if secured else [*jvm, *tool],
                log_path=log_path,
                what="format Kafka's storage",
                fix="check that the Kafka jars in the cache are complete: `onex services install`",
            )
        finally:
            if secured:
                secured.forget_argfile()
    slot_ports = tuple(listen for listen, _ in slots)
    check_ports_free(KIND, (port, controller_port, *slot_ports), log_path)
    ref = spawn(
        [*jvm, "kafka.Kafka", str(config)], log_path=log_path, cwd=home, ledger=start.ledger
    )
    details = {
        "controller_port": str(controller_port),
        "version": dist.version,
        **record_details(slots),
        **(secured.publish(start.paths.state_dir, port) if secured else {}),
    }
    return await start.started(ref, port, log_path, details, also_listens=(controller_port,))


def _client_url(host: str, port: int, password: str | None = None) -> str:
    return f"{host}:{port}"


def _compose_url(host: str, port: int, values: Mapping[str, str]) -> str:
    return _client_url(host, port)


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
    # Both the official image and infra/images/kafka read KAFKA_FOO_BAR as foo.bar.
    names = {f"KAFKA_{name.upper().replace('.', '_')}": value for name, value in settings.items()}
    return {"environment": names}


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
    start_process=_start,
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
        client_url=_compose_url,
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
        healthcheck="bash -c '</dev/tcp/127.0.0.1/${ONEX_KAFKA_PORT}' || exit 1",
        start_period="2s",
        env=lambda: {"ONEX_KAFKA_HEAP_MAX": kafka_heap_max(), **slot_env()},
        prepare_image=_prepare_image,
        more_ports=slot_ports,
        details=slot_details,
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
