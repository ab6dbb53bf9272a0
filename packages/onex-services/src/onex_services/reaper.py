"""Reaping: remove what a harness that died left behind (processes, ports, temp dirs).

A stack is an orphan when none of its owners lives and nobody asked to keep it. Its processes are
found twice over: by the pids in its state (checked against their start time) and by scanning for
processes whose command line or working directory lies in the stack's directory, which also
catches a service started by a harness killed before it could write the pid down.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

import psutil

from onex_services import launcher
from onex_services.backends import load_backend
from onex_services.errors import ServiceError
from onex_services.models import ProcessRef
from onex_services.settings import Paths
from onex_services.state import MANIFEST, StackState, read_state

STACK_DIR_PREFIX = "stack-"
UNCLAIMED_GRACE_S = 60.0
# A kept stack whose manifest has not changed for this long, with no owner alive and no service
# running, outlived whatever kept it (a reboot, a killed engine or harness).
KEPT_STACK_STALE_S = 300.0


def reap_stack(state: StackState, paths: Paths) -> list[str]:
    """Kill the stack's services without grace and remove its directory; say what went."""
    removed: list[str] = []
    stack_dir = Path(state.stack_dir)
    try:
        backend = load_backend(state.backend, paths)
    except ServiceError as exc:
        removed.append(f"cannot load backend {state.backend} to reap it: {exc.summary}")
    else:
        if backend.manages_processes:
            removed.extend(backend.reap(list(state.services.values()), stack_dir))
    removed.extend(kill_processes_in(stack_dir))
    if stack_dir.exists():
        shutil.rmtree(stack_dir, ignore_errors=True)
        removed.append(f"removed {stack_dir}")
    return removed


def reap_unclaimed_dirs(paths: Paths, current: str | None) -> list[str]:
    """Reap stack directories under the run dir that no live owner claims (except `current`)."""
    removed: list[str] = []
    run_dir = paths.run_dir
    if not run_dir.is_dir():
        return removed
    for stack_dir in sorted(run_dir.glob(f"{STACK_DIR_PREFIX}*")):
        if current is not None and stack_dir == Path(current):
            continue
        manifest = read_state(stack_dir / MANIFEST)
        if manifest is None:
            with contextlib.suppress(FileNotFoundError):
                if time.time() - stack_dir.stat().st_mtime < UNCLAIMED_GRACE_S:
                    continue  # being created right now by a harness under another state dir
            removed.extend(kill_processes_in(stack_dir))
            shutil.rmtree(stack_dir, ignore_errors=True)
            removed.append(f"removed {stack_dir} (no manifest)")
        elif manifest.orphaned or _kept_but_dead(manifest, stack_dir, paths):
            removed.extend(reap_stack(manifest, paths))
    return removed


def _kept_but_dead(state: StackState, stack_dir: Path, paths: Paths) -> bool:
    """A stack someone asked to keep (`services.up`, ONEX_REUSE=1), under another state dir,
    that nothing keeps alive any more: no owner lives, none of its services runs, and its
    manifest is stale. Without this a machine restart would leak it for good (its containers,
    volumes and directory), since only its own state dir would ever look at it again."""
    if not state.keep or state.live_owners():
        return False
    try:
        age = time.time() - (stack_dir / MANIFEST).stat().st_mtime
        backend = load_backend(state.backend, paths)
    except (OSError, ServiceError):
        return False
    if age < KEPT_STACK_STALE_S:
        return False
    return not any(backend.is_running(record) for record in state.services.values())


def kill_processes_in(stack_dir: Path) -> list[str]:
    """SIGKILL every process whose command line or working directory is in `stack_dir`."""
    marker = str(stack_dir.resolve()) if stack_dir.exists() else str(stack_dir)
    needles = {marker, str(stack_dir)}
    victims: list[psutil.Process] = []
    me = os.getpid()
    for proc in psutil.process_iter(["cmdline", "cwd"]):
        if proc.pid == me:
            continue
        info = proc.info
        cmdline = " ".join(info.get("cmdline") or [])
        cwd = info.get("cwd") or ""
        if any(needle in cmdline or cwd.startswith(needle) for needle in needles):
            victims.append(proc)
    removed: list[str] = []
    for proc in victims:
        with contextlib.suppress(psutil.NoSuchProcess):
            ref = ProcessRef(pid=proc.pid, create_time=proc.create_time())
            name = proc.name()
            if launcher.kill_process(ref):
                removed.append(f"killed pid {proc.pid} ({name})")
    return removed
