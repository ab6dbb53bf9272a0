"""Kafka Connect (distributed mode, one worker on the stack's Kafka), everything the harness
knows about it. It is written as one kind module plus an entry point, like any user's kind.

- vocabulary: `ONEX_CONNECT_URL`, the client string is the REST API's URL (`connect_url`);
- depends on: kafka (started and healthy first; its bootstrap servers go into the worker);
- on demand: a default stack leaves it out (a JVM that only some tests need);
- installer: Java 17+, Apache Kafka's `connect-runtime`, `connect-file` and `connect-json` from
  Maven Central at the broker's version (`dist`);
- process starter: `ConnectDistributed` with infra/process/connect configs; its group and its
  config, offsets and status topics are named after the stack (`onex-connect.<stack>`);
- compose: `onex/connect:local`, the same worker, jars and config template in a container
  (`compose`);
- probe: a FileStream source connector moves fresh lines into a topic, read back (`probe`);
- janitor: connectors `<ns>.<name>` (`janitor`).
"""

from __future__ import annotations

from collections.abc import Mapping

from onex_scenario.vocabulary import KindVocabulary

from onex_services import templates
from onex_services.backends.process_kit import check_ports_free, spawn
from onex_services.errors import ServiceStartError
from onex_services.kinds.connect.compose import COMPOSE
from onex_services.kinds.connect.dist import install_connect, require_connect
from onex_services.kinds.connect.security import worker_security_lines
from onex_services.kinds.kafka.java import find_java, java_path, missing_java_packages
from onex_services.kinds.kafka.settings import kafka_version
from onex_services.kinds.spec import (
    InstalledItem,
    Installer,
    Janitor,
    KindSpec,
    Probe,
    ProcessStart,
    Progress,
)
from onex_services.models import ServiceRecord
from onex_services.ownership import write_private
from onex_services.ports import free_port
from onex_services.settings import Paths

KIND = "connect"
NEEDS = "kafka"

VOCABULARY = KindVocabulary(
    name=KIND,
    title="Kafka Connect",
    env_prefix="ONEX_CONNECT_",
    env_fields={"URL": "url"},
    endpoint_field="url",
    url_schemes=("http", "https"),
    endpoint_example="http://127.0.0.1:8083",
    client_attribute="connect_url",
)


def _check(paths: Paths) -> None:
    find_java()
    require_connect(paths.cache_dir, kafka_version())


def _install(paths: Paths, progress: Progress) -> list[InstalledItem]:
    dist = install_connect(paths.cache_dir, kafka_version(), progress)
    return [InstalledItem(KIND, f"{dist.version} (Maven Central: {dist.libs})")]


def worker_group(stack_name: str) -> str:
    """The worker group of a stack; its internal topics are `<group>.configs` and so on."""
    return f"onex-connect.{stack_name}"


async def _start(start: ProcessStart) -> ServiceRecord:
    kafka = start.dependencies.get(NEEDS)
    if kafka is None:
        raise ServiceStartError(
            "Kafka Connect needs a running Kafka",
            cause="no kafka in the stack to run the worker on",
            fix="start it with kafka: `onex services start connect` starts both",
        )
    java = find_java()
    dist = require_connect(start.paths.cache_dir, kafka_version())
    home = start.stack_dir / KIND
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "connect.log"
    port = start.ports["port"] if start.ports is not None else free_port()
    group = worker_group(start.stack_dir.name)
    config = home / "worker.properties"
    rendered = templates.render(
        "connect/worker.properties", bootstrap=kafka.url, group=group, port=port
    )
    # A secured broker's settings follow the template; they hold its password, hence 0600.
    text = "\n".join([rendered.rstrip("\n"), *worker_security_lines(kafka.url)]) + "\n"
    write_private(config, text.encode())
    log_config = home / "log4j2.properties"
    log_config.write_text(templates.render("connect/log4j2.properties"), encoding="utf-8")
    argv = [
        str(java.path),
        *templates.option_lines("connect/jvm.options"),
        f"-Dlog4j2.configurationFile={log_config}",
        "-cp",
        dist.classpath,
        "org.apache.kafka.connect.cli.ConnectDistributed",
        str(config),
    ]
    check_ports_free(KIND, (port,), log_path)
    ref = spawn(argv, log_path=log_path, cwd=home, ledger=start.ledger)
    details = {"version": dist.version, "group": group, "kafka": kafka.url}
    return await start.started(ref, port, log_path, details)


def _client_url(host: str, port: int, password: str | None = None) -> str:
    return f"http://{host}:{port}"


def _dependent_probe(url: str, dependencies: Mapping[str, str]) -> Probe:
    from onex_services.kinds.connect.probe import ConnectProbe

    return ConnectProbe(url, dependencies)


def _probe(url: str) -> Probe:
    return _dependent_probe(url, {})


def _janitor(url: str, namespace: str) -> Janitor:
    from onex_services.kinds.connect.janitor import ConnectorJanitor

    return ConnectorJanitor(url, namespace)


SPEC = KindSpec(
    vocabulary=VOCABULARY,
    default_port=8083,
    client_url=_client_url,
    installer=Installer(check=_check, missing_packages=missing_java_packages, install=_install),
    start_process=_start,
    make_probe=_probe,
    janitor=_janitor,
    server_program=java_path,
    depends_on=(NEEDS,),
    make_dependent_probe=_dependent_probe,
    compose=COMPOSE,
    on_demand=True,
)
