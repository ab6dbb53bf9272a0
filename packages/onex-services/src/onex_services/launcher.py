"""Start service processes detached from the harness, and find or stop them again later.

A service of the shared stack must outlive the process that started it (`invoke services.up`
exits at once; a pytest worker may finish before its sibling). So it is started through a tiny
Python trampoline that spawns it in a new session and exits: the service is not our child, leaves
no zombie in a long-lived harness and is not killed when a terminal closes. Its pid and start time
go to the state file, so a later run can tell the service from a process that reused the pid.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil

from onex_services.models import ProcessRef

_TRAMPOLINE = """
import json, subprocess, sys
spec = json.loads(sys.argv[1])
log = open(spec["log"], "ab", buffering=0)
proc = subprocess.Popen(
    spec["argv"], cwd=spec["cwd"], env=spec["env"], stdin=subprocess.DEVNULL, stdout=log,
    stderr=subprocess.STDOUT, start_new_session=True, user=spec["user"], group=spec["group"],
    extra_groups=spec["extra_groups"], close_fds=True,
)
sys.stdout.write(str(proc.pid))
"""


def spawn_detached(
    argv: Sequence[str],
    *,
    log_path: Path,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    user: str | None = None,
) -> ProcessRef:
    """Start `argv` in its own session with output appended to `log_path`; return its identity.

    `user` runs the program as that user (needs root); its primary group is used and no
    supplementary groups are kept.
    """
    group: int | None = None
    extra_groups: list[int] | None = None
    if user is not None:
        import pwd

        entry = pwd.getpwnam(user)
        group = entry.pw_gid
        extra_groups = []
    spec = {
        "argv": list(argv),
        "cwd": str(cwd),
        "env": dict(env if env is not None else os.environ),
        "log": str(log_path),
        "user": user,
        "group": group,
        "extra_groups": extra_groups,
    }
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _TRAMPOLINE, json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip().isdigit():
        raise OSError(f"could not start {argv[0]}: {done.stderr.strip() or done.stdout.strip()}")
    pid = int(done.stdout.strip())
    return ProcessRef(pid=pid, create_time=_create_time(pid))


def _create_time(pid: int) -> float:
    try:
        return psutil.Process(pid).create_time()
    except psutil.NoSuchProcess:
        # It died at once; the start-up check reads its log and reports why.
        return 0.0


def find_process(ref: ProcessRef) -> psutil.Process | None:
    """The live process `ref` names, or None when it exited, is a zombie or the pid was reused."""
    try:
        proc = psutil.Process(ref.pid)
        if abs(proc.create_time() - ref.create_time) > 0.01:
            return None
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.AccessDenied:
        return None
    return proc


def is_alive(ref: ProcessRef | None) -> bool:
    return ref is not None and find_process(ref) is not None


def owner_ref() -> ProcessRef:
    """This process, as an owner of a shared stack."""
    pid = os.getpid()
    return ProcessRef(pid=pid, create_time=psutil.Process(pid).create_time())


def stop_process(ref: ProcessRef, *, sig: int = signal.SIGTERM, timeout: float = 10.0) -> bool:
    """Stop the process (and its session's process group) gracefully, then kill it.

    Returns True when the process was running. The whole process group goes, so PostgreSQL's
    backends and anything else the service forked do not outlive it.
    """
    proc = find_process(ref)
    if proc is None:
        return False
    members = _group_members(ref.pid) | {proc}
    _signal_group(ref.pid, proc, sig)
    alive = _wait_gone(members, timeout)
    if alive:
        _signal_group(ref.pid, proc, signal.SIGKILL)
        for leftover in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                leftover.kill()
        _wait_gone(alive, 5.0)
    return True


def _wait_gone(procs: set[psutil.Process], timeout: float) -> set[psutil.Process]:
    """Wait until the processes exited; return those still running after `timeout`.

    A zombie counts as gone: our services are not our children, and how soon init reaps them
    varies (psutil.wait_procs would wait for the reaping too).
    """
    deadline = time.monotonic() + timeout
    alive = set(procs)
    while alive:
        alive = {p for p in alive if process_running(p)}
        if not alive or time.monotonic() >= deadline:
            break
        time.sleep(0.02)
    return alive


def process_running(proc: psutil.Process) -> bool:
    """Running, and not a zombie waiting for init to reap it (which counts as gone)."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False


def kill_process(ref: ProcessRef) -> bool:
    """SIGKILL the process and its group at once (reaping orphans: no grace for the dead)."""
    return stop_process(ref, sig=signal.SIGKILL, timeout=5.0)


def _group_members(pgid: int) -> set[psutil.Process]:
    members: set[psutil.Process] = set()
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied, ProcessLookupError):
            if os.getpgid(proc.pid) == pgid:
                members.add(proc)
    return members


def _signal_group(pgid: int, proc: psutil.Process, sig: int) -> None:
    """Signal the group led by the service (it is a session leader), else the process alone."""
    try:
        if os.getpgid(proc.pid) == pgid:
            os.killpg(pgid, sig)
            return
    except ProcessLookupError:
        return
    with contextlib.suppress(psutil.NoSuchProcess):
        proc.send_signal(sig)


def wait_for_exit(ref: ProcessRef, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if find_process(ref) is None:
            return True
        time.sleep(0.02)
    return find_process(ref) is None


def tail(path: Path | str | None, lines: int = 15) -> str:
    """The last lines of a log file, for error messages ('' when there is none)."""
    if path is None:
        return ""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 16384))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
