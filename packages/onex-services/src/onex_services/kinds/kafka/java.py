"""The Java that runs the Kafka broker: `$JAVA_HOME/bin/java`, else `java` on PATH (17+)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from onex_services.errors import MissingBinaryError

MIN_JAVA = 17
JAVA_PACKAGE = "openjdk-17-jre-headless"


@dataclass(frozen=True)
class JavaInfo:
    path: Path
    major: int
    version_line: str


def java_path() -> Path | None:
    """Where the java that runs the broker is (`$JAVA_HOME/bin/java`, else `java` on PATH),
    without running it; `find_java` checks its version."""
    home = os.environ.get("JAVA_HOME")
    candidate = Path(home) / "bin" / "java" if home else None
    if candidate is None or not candidate.is_file():
        found = shutil.which("java")
        candidate = Path(found) if found else None
    return candidate


def find_java() -> JavaInfo:
    """The java that will run the broker: `$JAVA_HOME/bin/java`, else `java` on PATH (17+)."""
    candidate = java_path()
    if candidate is None:
        raise MissingBinaryError(
            "Java is not installed (Kafka needs Java 17 or newer)",
            cause="no $JAVA_HOME/bin/java and no `java` on PATH",
            fix="apt-get install openjdk-17-jre-headless, or set JAVA_HOME",
        )
    done = subprocess.run(
        [str(candidate), "-version"], capture_output=True, text=True, check=False, timeout=30
    )
    line = (done.stderr or done.stdout).splitlines()[0] if (done.stderr or done.stdout) else ""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', line)
    if not match:
        raise MissingBinaryError(
            f"cannot tell the version of {candidate}",
            cause=line or f"`{candidate} -version` printed nothing",
            fix="set JAVA_HOME to a Java 17+ installation",
        )
    major = int(match.group(1))
    if major == 1 and match.group(2):
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise MissingBinaryError(
            f"Java {major} is too old for Kafka 4 (needs {MIN_JAVA}+)",
            cause=f"{candidate}: {line}",
            fix="apt-get install openjdk-17-jre-headless, or set JAVA_HOME to Java 17+",
        )
    return JavaInfo(path=candidate, major=major, version_line=line)


def missing_java_packages() -> list[str]:
    """The Debian package that brings a usable Java, when this machine has none (else [])."""
    try:
        find_java()
    except MissingBinaryError:
        return [JAVA_PACKAGE]
    return []
