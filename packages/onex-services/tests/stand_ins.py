"""Harmless real processes standing in for services, for the reaper's tests.

Fixture functions, not a conftest (a second `conftest` module would shadow the ones other
packages' tests import from): a test module takes one with `name = pytest.fixture(stand_ins.name)`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from onex_services import launcher, procfs
from onex_services.backends import process as process_backend
from onex_services.models import ProcessRef
from onex_services.settings import Paths

PYTHON = frozenset({os.path.realpath(sys.executable)})
SpawnService = Callable[..., ProcessRef]


def reaper_paths(tmp_path: Path) -> Paths:
    """State and run dirs of their own under tmp_path (nothing is created yet)."""
    return Paths(
        state_dir=tmp_path / "state", cache_dir=tmp_path / "cache", run_dir=tmp_path / "run"
    )


def python_is_a_service(monkeypatch: pytest.MonkeyPatch) -> frozenset[str]:
    """Let this Python count as a server program of the process backend, so a sleeping Python
    can stand in for a service (the reaper signals nothing else)."""
    real = process_backend.service_executables
    monkeypatch.setattr(process_backend, "service_executables", lambda: real() | PYTHON)
    return PYTHON


def spawn_service() -> Iterator[SpawnService]:
    """Start a detached sleeping Python in a directory, as the process backend starts a server
    (recorded in `ledger` when given); every one still running is killed after the test."""
    started: list[ProcessRef] = []

    def spawn(directory: Path, *, ledger: Path | None = None) -> ProcessRef:
        directory.mkdir(parents=True, exist_ok=True)
        ref = launcher.spawn_detached(
            [sys.executable, "-c", "import time; time.sleep(120)", str(directory)],
            log_path=directory / "sleeper.log",
            cwd=directory,
            ledger=ledger,
        )
        started.append(ref)
        return ref

    yield spawn
    for ref in started:
        launcher.kill_process(ref, executables=PYTHON)


def bystander() -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start an unrelated program (a `sleep`, a `tail -f`): the reaper must never kill it."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(*argv: str, cwd: Path | None = None) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.DEVNULL)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGKILL)
        proc.wait()


def dead_ref() -> ProcessRef:
    """The identity of a process that has exited (its pid is free or someone else's now)."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                            stdin=subprocess.PIPE)  # fmt: skip
    ref = procfs.started(proc.pid, [sys.executable, "-c", "import sys; sys.stdin.read()"])
    assert ref is not None
    proc.communicate(b"")
    return ref
