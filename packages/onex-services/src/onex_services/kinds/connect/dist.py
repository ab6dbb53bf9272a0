"""Kafka Connect's jars: Apache Kafka's own `connect-runtime`, `connect-file` and `connect-json`
from Maven Central, the same version as the broker (`ONEX_KAFKA_VERSION`).

They live in the cache beside the broker's, `<cache>/connect/<version>/libs`, complete only when
its `.complete` marker exists (an interrupted fetch is fetched again). mvn's own settings.xml
applies, so a corporate mirror works.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from onex_services.errors import InstallError, MissingBinaryError
from onex_services.install.system import INSTALL_HINT, Progress
from onex_services.kinds.kafka.dist import COMPLETE_MARKER, kafka_pom, maven_jars

ARTIFACTS = ("connect-runtime", "connect-file", "connect-json")


@dataclass(frozen=True)
class ConnectDist:
    version: str
    libs: Path

    @property
    def classpath(self) -> str:
        return f"{self.libs}/*"


def cache_dir(cache_root: Path, version: str) -> Path:
    return cache_root / "connect" / version


def find_connect(cache_root: Path, version: str) -> ConnectDist | None:
    cached = cache_dir(cache_root, version)
    if (cached / COMPLETE_MARKER).is_file() and (cached / "libs").is_dir():
        return ConnectDist(version=version, libs=cached / "libs")
    return None


def require_connect(cache_root: Path, version: str) -> ConnectDist:
    found = find_connect(cache_root, version)
    if found is None:
        raise MissingBinaryError(
            f"Kafka Connect {version} is not installed",
            cause=f"no complete {cache_dir(cache_root, version)}",
            fix=INSTALL_HINT,
        )
    return found


def install_connect(cache_root: Path, version: str, progress: Progress) -> ConnectDist:
    """Connect's jars, fetched into the cache with mvn when they are not there yet."""
    found = find_connect(cache_root, version)
    if found is not None:
        progress(f"connect {version}: found ({found.libs})")
        return found
    if shutil.which("mvn") is None:
        raise InstallError(
            f"cannot install Kafka Connect {version}",
            cause="`mvn` is not installed",
            fix="install Maven (apt-get install maven); it fetches the jars from Maven Central "
            "or your mirror",
        )
    target = cache_dir(cache_root, version)
    pom = kafka_pom("Kafka Connect's jars", "kafka-connect-libs", version, ARTIFACTS)
    partial = maven_jars(target, pom, f"connect {version}: jars from Maven Central", progress)
    libs = target / "libs"
    shutil.rmtree(libs, ignore_errors=True)
    partial.rename(libs)
    missing = [name for name in ARTIFACTS if not (libs / f"{name}-{version}.jar").is_file()]
    if missing:
        raise InstallError(
            f"mvn did not fetch all of Kafka Connect {version}",
            cause="missing: " + ", ".join(f"{name}-{version}.jar" for name in missing),
            log_path=target / "mvn.log",
        )
    (target / COMPLETE_MARKER).write_text("Maven Central\n", encoding="utf-8")
    return ConnectDist(version=version, libs=libs)
