"""Install what the process backend needs: Java (checked), Kafka's jars, PostgreSQL, Redis.

`install_services` is what `onex services install` and `invoke setup` run; it is idempotent and
fast when everything is there already.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from onex_services.errors import MissingBinaryError
from onex_services.install.kafka import KafkaDist, find_kafka, install_kafka, require_kafka
from onex_services.install.system import (
    JavaInfo,
    Progress,
    apt_install,
    find_java,
    find_postgres_bindir,
    find_redis_server,
    java_path,
)
from onex_services.models import ServiceKind
from onex_services.settings import Paths, kafka_version

__all__ = [
    "InstalledItem",
    "JavaInfo",
    "KafkaDist",
    "find_java",
    "find_kafka",
    "find_postgres_bindir",
    "find_redis_server",
    "install_services",
    "java_path",
    "require_kafka",
]


@dataclass(frozen=True)
class InstalledItem:
    name: str
    detail: str


def install_services(
    kinds: Sequence[ServiceKind], progress: Progress, paths: Paths | None = None
) -> list[InstalledItem]:
    """Make every program the process backend needs for `kinds` available, or raise why not."""
    paths = paths or Paths.from_env()
    items: list[InstalledItem] = []
    apt_packages: list[str] = []
    if ServiceKind.POSTGRES in kinds:
        try:
            find_postgres_bindir()
        except MissingBinaryError:
            apt_packages.append("postgresql")
    if ServiceKind.REDIS in kinds:
        try:
            find_redis_server()
        except MissingBinaryError:
            apt_packages.append("redis-server")
    if ServiceKind.KAFKA in kinds:
        try:
            find_java()
        except MissingBinaryError:
            apt_packages.append("openjdk-17-jre-headless")
    apt_install(apt_packages, progress)
    if ServiceKind.KAFKA in kinds:
        java = find_java()
        items.append(InstalledItem("java", f"{java.path} ({java.version_line})"))
        dist = install_kafka(paths.cache_dir, kafka_version(), progress)
        items.append(InstalledItem("kafka", f"{dist.version} ({dist.source}: {dist.libs})"))
    if ServiceKind.POSTGRES in kinds:
        items.append(InstalledItem("postgresql", str(find_postgres_bindir())))
    if ServiceKind.REDIS in kinds:
        items.append(InstalledItem("redis", str(find_redis_server())))
    return items
