"""An application class-data archive (AppCDS) of the broker: made once at install, used by every
broker start after.

Most of a broker's start on a small machine is the JVM loading and verifying a few thousand
classes from the jars; a kill-and-restart pays it again. A dynamic archive (JDK 13+) holds those
classes already parsed and verified: measured on this project's two-core machine, the CPU time
until "Kafka Server started" fell from about 4.6 s to 2.9 s. The archive is made by running a
broker once with `-XX:ArchiveClassesAtExit` in a temporary directory and stopping it cleanly
(the JVM writes the archive as it exits), then moved into the cache under a name that hashes
what it depends on: the java, the jars and the JVM options. A start that finds no archive runs
without one; a JVM that cannot use it (`-Xshare:auto`, the default) ignores it with a warning.
`ONEX_KAFKA_CLASS_ARCHIVE=0` starts brokers without it (benchmarks/bench_broker_restart.py
measures both ways in one run).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from onex_services import templates
from onex_services.kinds.kafka.dist import KafkaDist
from onex_services.kinds.kafka.java import JavaInfo
from onex_services.kinds.kafka.proxy_slots import template_values
from onex_services.ports import free_port

SWITCH = "ONEX_KAFKA_CLASS_ARCHIVE"
STARTED = "Kafka Server started"
DUMP_DEADLINE_S = 300.0
"""Start and clean stop of the archiving broker, on a loaded machine."""


def archive_path(java: JavaInfo, dist: KafkaDist) -> Path:
    key = "\n".join(
        [str(java.path), java.version_line, dist.classpath, *templates.option_lines(_OPTIONS)]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return dist.libs.parent / f"broker-classes-{digest}.jsa"


def archive_options(java: JavaInfo, dist: KafkaDist) -> list[str]:
    """The JVM option that uses the archive, when it was made and not switched off; else none."""
    if os.environ.get(SWITCH, "").strip() == "0":
        return []
    path = archive_path(java, dist)
    return [f"-XX:SharedArchiveFile={path}"] if path.is_file() else []


def make_archive(java: JavaInfo, dist: KafkaDist, heap_max: str) -> tuple[Path, str]:
    """Make the archive unless it exists; (its path, what happened)."""
    path = archive_path(java, dist)
    if path.is_file():
        return path, "found"
    work = Path(tempfile.mkdtemp(prefix="onex-kafka-cds-"))
    try:
        dumped = work / "classes.jsa"
        log_path = work / "kafka.log"
        config = work / "server.properties"
        config.write_text(
            templates.render(
                "kafka/server.properties",
                port=free_port(),
                controller_port=free_port(),
                data_dir=work / "data",
                **template_values([]),
            ),
            encoding="utf-8",
        )
        log_config = work / "log4j2.properties"
        log_config.write_text(templates.render("kafka/log4j2.properties"), encoding="utf-8")
        jvm = [
            str(java.path),
            *templates.option_lines(_OPTIONS),
            f"-Xmx{heap_max}",
            f"-Dlog4j2.configurationFile={log_config}",
            "-cp",
            dist.classpath,
        ]
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        with log_path.open("ab") as log:
            format_storage = ["kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}"]
            subprocess.run(
                [*jvm, *format_storage, "-c", str(config)],
                stdout=log, stderr=subprocess.STDOUT, check=True, timeout=DUMP_DEADLINE_S,
            )  # fmt: skip
            broker = subprocess.Popen(
                [*jvm, f"-XX:ArchiveClassesAtExit={dumped}", "kafka.Kafka", str(config)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        try:
            started = _wait_started(broker, log_path)
        finally:
            broker.send_signal(signal.SIGTERM)  # a clean exit: the JVM writes the archive then
            try:
                broker.wait(timeout=DUMP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                broker.kill()
                broker.wait()
        if not started or not dumped.is_file():
            tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-5:]
            return path, "not made (brokers start without it): " + " | ".join(tail)
        os.replace(dumped, path)  # atomic: a start sees the whole archive or none
        return path, "made"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _wait_started(broker: subprocess.Popen[bytes], log_path: Path) -> bool:
    deadline = time.monotonic() + DUMP_DEADLINE_S
    while time.monotonic() < deadline:
        if STARTED in log_path.read_text(encoding="utf-8", errors="replace"):
            return True
        if broker.poll() is not None:
            return False
        time.sleep(0.2)
    return False


_OPTIONS = "kafka/jvm.options"
