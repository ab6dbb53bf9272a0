"""The process starter of the Kafka kind: one KRaft broker (a cluster when the stack's settings
ask for more than one broker, see `cluster`), its storage formatted once, then `kafka.Kafka` with
the infra/process/kafka configs, its proxy slots and, when asked, its SASL_SSL listener."""

from __future__ import annotations

import base64
import uuid

from onex_services import templates
from onex_services.backends.process_kit import check_ports_free, run_step, spawn
from onex_services.kinds.kafka.class_archive import archive_options
from onex_services.kinds.kafka.dist import require_kafka
from onex_services.kinds.kafka.java import find_java
from onex_services.kinds.kafka.proxy_slots import broker_slots, record_details, template_values
from onex_services.kinds.kafka.secured import secured_broker
from onex_services.kinds.kafka.settings import kafka_heap_max, kafka_version
from onex_services.kinds.spec import ProcessStart
from onex_services.models import ServiceRecord
from onex_services.ports import free_port

KIND = "kafka"


async def start_broker(start: ProcessStart) -> ServiceRecord:
    from onex_services import server_settings
    from onex_services.kinds.kafka.cluster import broker_count, start_cluster

    brokers = broker_count(server_settings.read(start.stack_dir).get(KIND, {}))
    if brokers > 1:
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
