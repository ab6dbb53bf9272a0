"""Who a process is, read from /proc: its start time, command line and executable.

A pid alone names nothing for long (pids are reused), and a command line alone names whatever
mentions the same words. A `ProcessRef` keeps all four facts from the moment the harness started
the process; `mismatch` says which of them a live process no longer shares.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from onex_services.models import ProcessRef

PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces and
    parentheses, so the split is at the last ')'): index 0 is field 3 (state)."""
    try:
        raw = (PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    return raw[raw.rfind(b")") + 2 :].decode("ascii", errors="replace").split()


def start_ticks(pid: int) -> int | None:
    """Field 22 of /proc/<pid>/stat: when the process started, in clock ticks after boot.
    None when there is no such process or it is a zombie (it has exited; only its entry is left)."""
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def cpu_seconds(pid: int) -> float | None:
    """Fields 14 and 15 of /proc/<pid>/stat: the CPU time the process used so far, user and
    system, in seconds. None when there is no such process."""
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 13:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def waited_children_cpu_seconds(pid: int) -> float | None:
    """Fields 16 and 17 of /proc/<pid>/stat: the CPU time, user and system, of the children
    the process has waited for (a container's entrypoint: the storage format it ran before it
    exec'd the broker), in seconds. None when there is no such process."""
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 15:
        return None
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def cmdline(pid: int) -> tuple[str, ...] | None:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    if not raw:
        return ()  # a kernel thread, or a process on its way out
    if raw.endswith(b"\0"):
        raw = raw[:-1]
    return tuple(part.decode("utf-8", errors="surrogateescape") for part in raw.split(b"\0"))


def exe(pid: int) -> str | None:
    try:
        return os.readlink(PROC / str(pid) / "exe")
    except OSError:
        return None


def identity(pid: int) -> ProcessRef | None:
    """The process `pid` now, or None when it is gone or cannot be read."""
    ticks = start_ticks(pid)
    args = cmdline(pid)
    program = exe(pid)
    if ticks is None or args is None or program is None:
        return None
    return ProcessRef(pid=pid, start_ticks=ticks, cmdline=args, exe=program)


def started(pid: int, argv: Sequence[str]) -> ProcessRef | None:
    """The ref of a process we just started with `argv`: its start time from /proc, and the
    command line and program we asked for (None when it is gone already).

    Not read back from /proc: right after an exec, /proc may still show the old command line
    (the kernel sets the new one up a moment after the exec's point of no return).
    """
    ticks = start_ticks(pid)
    program = program_path(argv)
    if ticks is None or program is None:
        return None
    return ProcessRef(pid=pid, start_ticks=ticks, cmdline=tuple(argv), exe=program)


def program_path(argv: Sequence[str]) -> str | None:
    """The real path of the program `argv` runs (what /proc/<pid>/exe will show), None when it
    is not found: the `exe` every record of a started process carries."""
    program = argv[0] if os.path.isabs(argv[0]) else shutil.which(argv[0])
    return os.path.realpath(program) if program is not None else None


def is_running(ref: ProcessRef) -> bool:
    """The recorded process still runs: same pid, same start time, not a zombie."""
    return start_ticks(ref.pid) == ref.start_ticks


def mismatch(ref: ProcessRef, executables: frozenset[str]) -> str | None:
    """Why the running process `ref.pid` is not provably the one recorded in `ref` (and one of
    `executables`, real paths of the programs the harness starts), or None when it is."""
    now = identity(ref.pid)
    if now is None:
        return "it cannot be read in /proc"
    if now.start_ticks != ref.start_ticks:
        return "it started at another time than the recorded process (the pid was reused)"
    if now.cmdline != ref.cmdline:
        return "its command line is not the recorded one"
    if now.exe != ref.exe:
        return f"its executable {now.exe} is not the recorded {ref.exe}"
    if now.exe not in executables:
        return f"its executable {now.exe} is not a program the harness starts"
    return None
