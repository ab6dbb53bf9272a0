"""Start service processes detached from the harness, and find or stop them again later.

A service of the shared stack must outlive the process that started it (`invoke services.up`
exits at once; a pytest worker may finish before its sibling). So it is started through a tiny
Python trampoline that spawns it in a new session and exits: the service is not our child, leaves
no zombie in a long-lived harness and is not killed when a terminal closes.

Its identity (pid, start time, command line, executable: a `ProcessRef`) is written to the
stack's process ledger by the trampoline the moment it exists (not by the harness after the
trampoline returns, a window a SIGKILL could fall into), before the harness waits for it to be
ready: a harness killed while a service starts leaves a record the next run can reap by.
Nothing is ever signalled unless /proc still shows exactly the recorded process (see
`procfs.mismatch`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil
from pydantic import ValidationError

from onex_services import procfs
from onex_services.models import ProcessRef
from onex_services.ownership import NotOwnedError, read_owned
from onex_services.polling import wait_until_sync

_TRAMPOLINE = """
import json, subprocess, sys
spec = json.loads(sys.argv[1])
log = open(spec["log"], "ab", buffering=0)
proc = subprocess.Popen(
    spec["argv"], cwd=spec["cwd"], env=spec["env"], stdin=subprocess.DEVNULL, stdout=log,
    stderr=subprocess.STDOUT, start_new_session=True, user=spec["user"], group=spec["group"],
    extra_groups=spec["extra_groups"], close_fds=True,
)
ledger = spec["ledger"]
if ledger is not None:
    # The record is written here, not by the harness after this returns: a harness SIGKILLed
    # meanwhile would leave the server running with no record the reaper can act on.
    # It reads /proc itself rather than import onex_services.procfs: the trampoline imports
    # nothing of the harness (pydantic among it), which every server's start would pay for.
    import os
    with open(f"/proc/{proc.pid}/stat") as stat:
        ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    record = {"pid": proc.pid, "start_ticks": ticks, "cmdline": spec["argv"], "exe": spec["exe"]}
    final = os.path.join(ledger, f"{proc.pid}-{ticks}.json")
    fd = os.open(final + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(record))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(final + ".tmp", final)
sys.stdout.write(str(proc.pid))
"""


def spawn_detached(
    argv: Sequence[str],
    *,
    log_path: Path,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    user: str | None = None,
    ledger: Path | None = None,
) -> ProcessRef:
    """Start `argv` in its own session with output appended to `log_path`; return its identity,
    recorded in the directory `ledger` too when given.

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
    if ledger is not None:
        ledger.mkdir(mode=0o700, exist_ok=True)
    spec = {
        "argv": list(argv),
        "ledger": str(ledger) if ledger is not None else None,
        "exe": procfs.program_path(argv) or "",
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
    return procfs.started(pid, argv) or _gone(pid, argv)


def _gone(pid: int, argv: Sequence[str]) -> ProcessRef:
    """A ref for a process that died at once: it matches no live process (the start-up check
    reads its log and reports why)."""
    return ProcessRef(pid=pid, start_ticks=-1, cmdline=tuple(argv), exe="")


def recorded_spawns(ledger: Path) -> tuple[list[ProcessRef], list[str]]:
    """The processes recorded in `ledger`, and one line for each record that is not ours."""
    refs: list[ProcessRef] = []
    refused: list[str] = []
    if not ledger.is_dir() or ledger.is_symlink():
        return refs, refused
    for path in sorted(ledger.glob("*.json")):
        try:
            refs.append(ProcessRef.model_validate_json(read_owned(path)))
        except NotOwnedError as exc:
            refused.append(f"ignored the process record {exc}")
        except (OSError, ValidationError):
            refused.append(f"ignored the process record {path}: not a record of this harness")
    return refs, refused


def is_alive(ref: ProcessRef | None) -> bool:
    """The recorded process still runs (same pid and start time, not a zombie)."""
    return ref is not None and procfs.is_running(ref)


def owner_ref() -> ProcessRef:
    """This process, as an owner of a shared stack."""
    ref = procfs.identity(os.getpid())
    assert ref is not None, "/proc shows no entry for this very process"
    return ref


def stop_process(
    ref: ProcessRef,
    *,
    executables: frozenset[str],
    sig: int = signal.SIGTERM,
    timeout: float = 10.0,
) -> bool:
    """Stop the process (and its session's process group) gracefully, then kill it.

    Returns True when it stopped a process: only the one `ref` records, running one of
    `executables`. The whole process group goes, so PostgreSQL's backends and anything else the
    service forked do not outlive it (only the service's own descendants can be in the group of
    a session leader).
    """
    if not is_alive(ref) or procfs.mismatch(ref, executables) is not None:
        return False
    try:
        proc = psutil.Process(ref.pid)
    except psutil.NoSuchProcess:
        return False
    members = group_members(ref.pid) | {proc}
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
    alive = set(procs)

    def gone() -> bool:
        nonlocal alive
        alive = {p for p in alive if process_running(p)}
        return not alive

    wait_until_sync(gone, timeout)
    return alive


def process_running(proc: psutil.Process) -> bool:
    """Running, and not a zombie waiting for init to reap it (which counts as gone)."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False


def kill_process(ref: ProcessRef, *, executables: frozenset[str]) -> bool:
    """SIGKILL the process and its group at once (reaping orphans: no grace for the dead)."""
    return stop_process(ref, executables=executables, sig=signal.SIGKILL, timeout=5.0)


def signal_process(ref: ProcessRef, *, executables: frozenset[str], sig: int) -> bool:
    """Send `sig` to the recorded service, its process group and its descendants (SIGSTOP and
    SIGCONT of a pause must reach PostgreSQL's backends, each of which is a session of its own);
    only when it is provably the recorded process."""
    if not is_alive(ref) or procfs.mismatch(ref, executables) is not None:
        return False
    try:
        proc = psutil.Process(ref.pid)
        descendants = set(proc.children(recursive=True))
    except psutil.NoSuchProcess:
        return False
    _signal_group(ref.pid, proc, sig)
    for child in descendants - group_members(ref.pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            child.send_signal(sig)
    return True


def reap_process(ref: ProcessRef, executables: frozenset[str], what: str) -> str | None:
    """Kill a recorded process of a dead stack if it is provably the one recorded; say what
    happened (None when it is gone already)."""
    if not is_alive(ref):
        return None
    refusal = procfs.mismatch(ref, executables)
    if refusal is not None:
        return f"left pid {ref.pid} alone ({what}): {refusal}"
    if kill_process(ref, executables=executables):
        return f"killed {what} (pid {ref.pid})"
    return None


def group_members(pgid: int) -> set[psutil.Process]:
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
    return wait_until_sync(lambda: not is_alive(ref), timeout)


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
