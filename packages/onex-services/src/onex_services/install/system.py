"""Programs from the operating system: Java, PostgreSQL's server binaries, redis-server.

Finding them is separate from installing them: a start only finds (and says which command
installs what is missing); `onex services install` / `invoke setup` installs through apt-get.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from onex_services.errors import InstallError, MissingBinaryError

INSTALL_HINT = "run `onex services install` (or `invoke setup`)"
MIN_JAVA = 17

Progress = Callable[[str], None]


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


def find_postgres_bindir() -> Path:
    """The directory holding initdb and postgres: $ONEX_PG_BINDIR, Debian's newest, or PATH."""
    explicit = os.environ.get("ONEX_PG_BINDIR")
    candidates: list[Path] = [Path(explicit)] if explicit else []
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted(
            (p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: int(p.name)
        )
        candidates.extend(p / "bin" for p in reversed(versions))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    raise MissingBinaryError(
        "PostgreSQL's server programs (initdb, postgres) are not installed",
        cause="looked in $ONEX_PG_BINDIR, /usr/lib/postgresql/*/bin and PATH",
        fix=f"{INSTALL_HINT}, or apt-get install postgresql",
    )


def find_redis_server() -> Path:
    explicit = os.environ.get("ONEX_REDIS_SERVER")
    found = explicit if explicit and Path(explicit).is_file() else shutil.which("redis-server")
    if not found:
        raise MissingBinaryError(
            "redis-server is not installed",
            cause="no `redis-server` on PATH (nor $ONEX_REDIS_SERVER)",
            fix=f"{INSTALL_HINT}, or apt-get install redis-server",
        )
    return Path(found)


def apt_install(packages: list[str], progress: Progress) -> None:
    """Install Debian packages (root only); one `apt-get update` first so the lists are fresh."""
    if not packages:
        return
    if shutil.which("apt-get") is None:
        raise InstallError(
            f"cannot install {' '.join(packages)}: this machine has no apt-get",
            fix=f"install {' '.join(packages)} with the system's package manager",
        )
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            raise InstallError(
                f"installing {' '.join(packages)} needs root",
                fix=f"run as root, or: sudo apt-get install -y {' '.join(packages)}",
            )
        prefix = ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    progress("apt-get update")
    _run_logged([*prefix, "apt-get", "update", "-q"], env, progress)
    progress(f"apt-get install {' '.join(packages)}")
    _run_logged(
        [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        env,
        progress,
    )


def _run_logged(argv: list[str], env: dict[str, str], progress: Progress) -> None:
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line.rstrip())
        if line.startswith(("Get:", "Setting up", "Unpacking")):
            progress("  " + line.strip())
    if proc.wait() != 0:
        raise InstallError(
            f"`{' '.join(argv)}` failed (exit {proc.returncode})",
            log_tail="\n".join(lines[-15:]),
            fix="check the apt sources and network access to the Debian mirror",
        )
