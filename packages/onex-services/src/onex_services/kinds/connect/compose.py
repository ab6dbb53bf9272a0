"""Kafka Connect's compose service: the worker of the process backend, in a container.

The image (`onex/connect:local`) holds the same jars as the process worker (Apache Kafka's
`connect-runtime`, `connect-file` and `connect-json` at the broker's version, with their
dependencies from Maven Central) on the same JDK layer as the broker's image, and the process
backend's worker.properties template, filled in by the entrypoint: one source for both.

It runs in the host's network, as the process worker does: the broker advertises 127.0.0.1
addresses (that is what lets the harness's clients use it), so a worker must reach it there
too, whether the broker is a container of the stack, a process or an external server. The
host's temp dir is mounted at the same path, so a file source reads the files the probe and a
scenario's `files:` write (see `probe`, `onex_runner.connectors`), as on the process backend.
Its group and internal topics are `onex-connect.<stack>`, as on the process backend.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from onex_services import templates
from onex_services.kinds.connect.dist import require_connect
from onex_services.kinds.kafka.settings import kafka_version
from onex_services.kinds.spec import ComposeFragment
from onex_services.settings import Paths

BOOTSTRAP = "ONEX_CONNECT_BOOTSTRAP"
FILES = "ONEX_CONNECT_FILES"
GROUP_PREFIX = "onex-connect."


def _prepare_image(context: Path, paths: Paths) -> None:
    dist = require_connect(paths.cache_dir, kafka_version())
    shutil.copytree(dist.libs, context / "libs")
    for name in ("worker.properties", "log4j2.properties", "jvm.options"):
        shutil.copyfile(templates.infra_dir() / "connect" / name, context / name)


def _url(host: str, port: int, values: Mapping[str, str]) -> str:
    return f"http://{host}:{port}"


def _files() -> dict[str, str]:
    return {FILES: tempfile.gettempdir()}


def _bootstrap(dependencies: Mapping[str, str]) -> dict[str, str]:
    """The bootstrap servers of the Kafka it runs on (the stack's, started and healthy)."""
    return {BOOTSTRAP: dependencies.get("kafka", "")}


def _details(values: Mapping[str, str]) -> dict[str, str]:
    return {
        "group": GROUP_PREFIX + values.get("ONEX_RUN_ID", ""),
        "kafka": values.get(BOOTSTRAP, ""),
        "version": kafka_version(),
    }


COMPOSE = ComposeFragment(
    # No official image runs Apache Kafka's own worker this way: the local one is the image.
    image="onex/connect:local",
    local_image="onex/connect:local",
    client_url=_url,
    environment={
        "CONNECT_BOOTSTRAP": f"${{{BOOTSTRAP}:?}}",
        "CONNECT_GROUP": GROUP_PREFIX + "${ONEX_RUN_ID:?}",
        "CONNECT_PORT": "${ONEX_CONNECT_PORT:?}",
    },
    healthcheck="bash -c '</dev/tcp/127.0.0.1/${ONEX_CONNECT_PORT}' || exit 1",
    start_period="5s",
    env=_files,
    dependency_env=_bootstrap,
    details=_details,
    network_mode="host",
    volumes=(f"${{{FILES}:?}}:${{{FILES}:?}}",),
    prepare_image=_prepare_image,
)
