"""A KRaft cluster of several brokers in the process backend (`ONEX_KAFKA_BROKERS=3`).

Every node is broker and controller at once (a combined quorum of N voters; docs/scale.md says
why, with the figures): N JVMs rather than 2N, on a machine of two cores. The nodes share one
cluster id, each has its own directory `kafka/node-<n>` (config, data, log) and its own ports,
and the quorum's voters are all of them. With more than one broker the replication settings
are those of a production cluster of that size: replication factor min(3, N) for every topic
and the internal ones, `min.insync.replicas` one less (2 with 3 brokers), so a record that a
producer with `acks=all` (every producer of the harness) was told is written survives the loss
of any one broker, on every topic at the default factor (a topic made with factor 1 has no
second copy, and Kafka accepts `acks=all` writes to it).

The stack's record stands for the whole cluster (one client string naming every broker), its
members are the brokers (`onex_services.members`): stopping the record stops them all, a
service fault can kill one (`member_faults`), and `restart_member` brings one back on its ports
and data. Every broker has the proxy slots' listeners (`proxy_slots`): a scenario's network
faults act on a proxy per broker (docs/faults.md).
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import uuid
from pathlib import Path

from onex_services import templates
from onex_services.backends.process_kit import LEDGER_DIR, check_ports_free, run_step, spawn
from onex_services.errors import ServiceStartError, SettingError
from onex_services.kinds.kafka.class_archive import archive_options
from onex_services.kinds.kafka.dist import KafkaDist, require_kafka
from onex_services.kinds.kafka.java import JavaInfo, find_java
from onex_services.kinds.kafka.proxy_slots import broker_slots, record_details, template_values
from onex_services.kinds.kafka.secured import SecuredBroker, secured_broker
from onex_services.kinds.kafka.settings import kafka_heap_max, kafka_version
from onex_services.kinds.spec import ProcessStart
from onex_services.members import Member, format_members, members, with_member
from onex_services.models import ProcessRef, ServiceRecord
from onex_services.polling import wait_until
from onex_services.ports import LOOPBACK, free_port, port_accepts_async
from onex_services.settings import Paths

KIND = "kafka"
BROKERS = "brokers"
"""The harness's own Kafka setting: how many brokers (`ONEX_KAFKA_BROKERS`, or `brokers` in
`[tool.onex.servers.kafka]`); never written to a broker's config."""
BROKERS_VARIABLE = "ONEX_KAFKA_BROKERS"
MAX_BROKERS = 5
CLUSTER_HEAP = "256m"
"""Each member's heap unless ONEX_KAFKA_HEAP_MAX says otherwise: three JVMs on a small box."""
MEMBER_PORT_WAIT_S = 60.0


def broker_count(settings: dict[str, str]) -> int:
    """The stack's broker count from its kafka settings, checked (1 when not set)."""
    raw = settings.get(BROKERS, "1").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_BROKERS:
        raise SettingError(
            f"{BROKERS_VARIABLE} (or `brokers` in [tool.onex.servers.kafka]) = {raw!r}: "
            f"expected a number of brokers from 1 to {MAX_BROKERS}"
        )
    return int(raw)


def cluster_heap() -> str:
    """Each member's heap: ONEX_KAFKA_HEAP_MAX when set, else CLUSTER_HEAP."""
    return kafka_heap_max() if os.environ.get("ONEX_KAFKA_HEAP_MAX", "").strip() else CLUSTER_HEAP


def replication_settings(brokers: int) -> dict[str, str]:
    """What a cluster of `brokers` uses instead of the single broker's factor of 1."""
    factor = min(3, brokers)
    isr = str(max(1, factor - 1))
    return {
        "default.replication.factor": str(factor),
        "min.insync.replicas": isr,
        "offsets.topic.replication.factor": str(factor),
        "transaction.state.log.replication.factor": str(factor),
        "transaction.state.log.min.isr": isr,
        "share.coordinator.state.topic.replication.factor": str(factor),
        "share.coordinator.state.topic.min.isr": isr,
    }


def _node_ports(start: ProcessStart, count: int) -> dict[int, tuple[int, int]]:
    """(client port, controller port) per node: the last start's on a restart, else fresh."""
    ports = start.ports
    chosen: dict[int, tuple[int, int]] = {}
    for node in range(1, count + 1):
        if ports is not None and node == 1:
            chosen[node] = (ports["port"], ports["controller_port"])
        elif ports is not None and f"node{node}_port" in ports:
            chosen[node] = (ports[f"node{node}_port"], ports[f"node{node}_controller_port"])
        else:
            chosen[node] = (free_port(), free_port())
    return chosen


def _node_config(
    start: ProcessStart,
    node: int,
    ports: dict[int, tuple[int, int]],
    data: Path,
    slots: list[tuple[int, int]],
) -> str:
    port, controller_port = ports[node]
    voters = ",".join(f"{n}@{LOOPBACK}:{c}" for n, (_, c) in sorted(ports.items()))
    base = templates.render(
        "kafka/server.properties",
        port=port,
        controller_port=controller_port,
        data_dir=data,
        **template_values(slots),
    )
    # A later line wins in a properties file: the cluster's lines, then the project's own.
    cluster = {"node.id": str(node), "controller.quorum.voters": voters}
    cluster.update(replication_settings(len(ports)))
    block = "\n# A cluster of brokers (kinds/kafka/cluster.py)\n" + "".join(
        f"{name}={value}\n" for name, value in cluster.items()
    )
    return start.with_settings(KIND, base + block)


def _jvm(java: JavaInfo, dist: KafkaDist, log_config: Path) -> list[str]:
    heap = cluster_heap()
    return [
        str(java.path),
        *templates.option_lines("kafka/jvm.options"),
        *archive_options(java, dist),  # the classes parsed once at install (class_archive.py)
        f"-Xmx{heap}",
        f"-Dlog4j2.configurationFile={log_config}",
        "-cp",
        dist.classpath,
    ]


def _node_home(stack_dir: Path, node: int) -> Path:
    return stack_dir / KIND / f"node-{node}"


async def start_cluster(start: ProcessStart, count: int) -> ServiceRecord:
    """Format (on a first start) and spawn `count` nodes, then hand the first to `started` once
    every node's ports accept connections."""
    java = find_java()
    dist = require_kafka(start.paths.cache_dir, kafka_version())
    ports = _node_ports(start, count)
    log_config = start.stack_dir / KIND / "log4j2.properties"
    log_config.parent.mkdir(parents=True, exist_ok=True)
    log_config.write_text(templates.render("kafka/log4j2.properties"), encoding="utf-8")
    jvm = _jvm(java, dist, log_config)
    homes = {node: _node_home(start.stack_dir, node) for node in ports}
    # ONEX_KAFKA_SECURITY=sasl_ssl: one CA, certificate and SCRAM user for the whole cluster,
    # kept beside the nodes (the certificate names 127.0.0.1, which every node advertises).
    secured = secured_broker(start, log_config.parent)
    slots: dict[int, list[tuple[int, int]]] = {}
    for node, home in homes.items():
        home.mkdir(parents=True, exist_ok=True)
        slots[node] = broker_slots(home, start.ports, node)
        config = home / "server.properties"
        text = _node_config(start, node, ports, home / "data", slots[node])
        config.write_text(secured.properties(text) if secured else text, encoding="utf-8")
        config.chmod(0o600)  # a secured node's holds the passwords
    formatted = [(home / "data" / "meta.properties").exists() for home in homes.values()]
    if start.ports is None or not any(formatted):
        await _format(jvm, homes, secured)
    elif not all(formatted):
        # A node formatted alone would carry another cluster id than its peers.
        raise ServiceStartError(
            "some nodes of the Kafka cluster lost their data and others did not",
            fix="stop the stack and start it again: `onex services stop`",
        )
    listening = {node: (*ports[node], *(listen for listen, _ in slots[node])) for node in ports}
    spawned = [_spawn_node(start, jvm, n, listening[n], homes[n]) for n in sorted(ports)]
    await asyncio.gather(*(_await_member(member) for member in spawned[1:]))
    first = spawned[0]
    details = {
        BROKERS: str(count),
        "controller_port": str(ports[1][1]),
        "version": dist.version,
        "members": format_members(spawned),
        **record_details(*(slots[node] for node in sorted(slots))),
        **(secured.publish(start.paths.state_dir, ports[1][0]) if secured else {}),
    }
    for node, (port, controller_port) in ports.items():
        if node > 1:
            details[f"node{node}_port"] = str(port)
            details[f"node{node}_controller_port"] = str(controller_port)
    record = await start.started(
        _process(first),
        first.port,
        Path(first.log_path),
        details,
        also_listens=(ports[1][1],),
    )
    servers = ",".join(f"{LOOPBACK}:{member.port}" for member in spawned)
    return record.model_copy(update={"url": servers})


async def _format(jvm: list[str], homes: dict[int, Path], secured: SecuredBroker | None) -> None:
    """Format the first node's storage, then copy it to the others with their own node id and
    directory id: one run of the storage tool instead of one per node (a JVM start each, the
    dearest part of a cluster's start on two cores). With a static quorum
    (`controller.quorum.voters`) nothing else in the formatted storage differs per node; a
    secured cluster's SCRAM users are in that storage too, so every node has them."""
    cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    first = homes[min(homes)]
    config = str(first / "server.properties")
    # `=`: an id may start with "-", which the tool would take for an option.
    tool = ["kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}", "-c", config]
    try:
        await run_step(
            [*jvm, secured.format_argfile(tool)] if secured else [*jvm, *tool],
            log_path=first / "kafka.log",
            what="format the storage of the Kafka cluster's first node",
            fix="check that the Kafka jars in the cache are complete: `onex services install`",
        )
    finally:
        if secured:
            secured.forget_argfile()
    for node, home in homes.items():
        if home == first:
            continue
        shutil.rmtree(home / "data", ignore_errors=True)
        shutil.copytree(first / "data", home / "data")
        meta = home / "data" / "meta.properties"
        meta.write_text(_own_meta(meta.read_text(encoding="utf-8"), node), encoding="utf-8")


def _own_meta(text: str, node: int) -> str:
    """meta.properties of another node: its node id, and a directory id of its own."""
    directory = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    own = {"node.id": str(node), "directory.id": directory}
    lines = []
    for line in text.splitlines():
        name = line.partition("=")[0]
        lines.append(f"{name}={own[name]}" if name in own else line)
    return "\n".join(lines) + "\n"


def _spawn_node(
    start: ProcessStart, jvm: list[str], node: int, ports: tuple[int, ...], home: Path
) -> Member:
    """Node `node`, listening on `ports` (the client port first)."""
    log_path = home / "kafka.log"
    check_ports_free(f"{KIND} node {node}", ports, log_path)
    ref = spawn(
        [*jvm, "kafka.Kafka", str(home / "server.properties")],
        log_path=log_path,
        cwd=home,
        ledger=start.ledger,
    )
    from onex_services.kinds.kafka.leaders import member_name

    return Member(
        name=member_name(node), node=node, port=ports[0], process=ref, log_path=str(log_path)
    )


def _process(member: Member) -> ProcessRef:
    if member.process is None:  # a compose cluster's member is a container (compose_cluster)
        raise ServiceStartError(f"Kafka {member.name} is not a process of the process backend")
    return member.process


async def _await_member(member: Member) -> None:
    from onex_services import launcher

    async def accepts() -> bool:
        return await port_accepts_async(LOOPBACK, member.port)

    def died() -> None:
        if not launcher.is_alive(_process(member)):
            raise ServiceStartError(
                f"Kafka {member.name} exited while starting",
                log_path=member.log_path,
                log_tail=launcher.tail(member.log_path),
                fix="read the log above for the reason",
            )

    if not await wait_until(accepts, MEMBER_PORT_WAIT_S, give_up=died):
        raise ServiceStartError(
            f"Kafka {member.name} did not accept connections on port {member.port} "
            f"within {MEMBER_PORT_WAIT_S:.0f} s",
            log_path=member.log_path,
            log_tail=launcher.tail(member.log_path),
        )


async def restart_member(record: ServiceRecord, name: str, paths: Paths) -> ServiceRecord:
    """Start one stopped member again with its config, ports and data (a healed kill); the
    record with that member's new process."""
    member = next((m for m in members(record) if m.name == name), None)
    if member is None:
        raise ServiceStartError(f"the Kafka cluster has no member {name!r}")
    home = Path(member.log_path).parent
    ledger = home.parent.parent / LEDGER_DIR  # <stack>/kafka/node-<n>
    dist = require_kafka(paths.cache_dir, kafka_version())
    jvm = _jvm(find_java(), dist, home.parent / "log4j2.properties")
    config = home / "server.properties"
    ports = (member.port, _controller_port(config))
    check_ports_free(f"{KIND} {name}", ports, Path(member.log_path))
    argv = [*jvm, "kafka.Kafka", str(config)]
    ref = spawn(argv, log_path=Path(member.log_path), cwd=home, ledger=ledger)
    fresh = member.model_copy(update={"process": ref})
    await _await_member(fresh)
    return with_member(record, fresh)


def _controller_port(config: Path) -> int:
    """The node's controller port, from its own config (the last `listeners=` line)."""
    text = config.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("listeners=")]
    controller = lines[-1].split("CONTROLLER://", 1)[1].split(",", 1)[0]
    return int(controller.rsplit(":", 1)[1])
