"""Reaping: remove what a harness that died left behind (processes, containers, temp dirs).

A stack is an orphan when none of its owners lives and nobody asked to keep it. The reaper runs
as whoever runs the harness, often root, in a run dir whose name anyone can guess; so it touches
only what is provably its own:
- the run dir must be ours (`ownership.private_dir`), or nothing in it is read;
- a stack dir is removed only when it lies directly in the run dir, is ours, and carries the
  marker file the harness wrote into it with the stack's id;
- a process is killed only when /proc still shows the pid, start time, command line and
  executable the harness recorded (the backend checks, see `launcher.reap_process`). Processes are
  never looked for by what their command line mentions: a `tail -f` of a service's log is not
  a service.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import time
from pathlib import Path

from pydantic import ValidationError

from onex_services.backends import load_backend
from onex_services.errors import ServiceError
from onex_services.ownership import (
    NotOwnedError,
    private_dir,
    read_owned,
    untrusted_reason,
    write_private,
)
from onex_services.passwords import forget_stack_passwords
from onex_services.settings import Paths
from onex_services.state import MANIFEST, StackState

STACK_DIR_PREFIX = "stack-"
MARKER = ".onex-stack"
UNCLAIMED_GRACE_S = 60.0
# A kept stack whose manifest has not changed for this long, with no owner alive and no service
# running, outlived whatever kept it (a reboot, a killed engine or harness).
KEPT_STACK_STALE_S = 300.0


def run_dir(paths: Paths) -> Path:
    """The run dir, created private; `UntrustedPathError` when it is not provably ours."""
    return private_dir(paths.run_dir, what="run dir", env_var="ONEX_RUN_DIR")


def create_stack_dir(paths: Paths, stack_id: str) -> Path:
    """A new stack dir in the run dir, marked as the harness's own before anything goes in."""
    stack_dir = run_dir(paths) / f"{STACK_DIR_PREFIX}{stack_id}"
    stack_dir.mkdir(mode=0o700)
    write_private(stack_dir / MARKER, stack_id.encode())
    return stack_dir


def stack_dir_refusal(stack_dir: Path, stack_id: str, run: Path) -> str | None:
    """Why `stack_dir` is not provably the directory of stack `stack_id` (None when it is)."""
    if stack_dir.parent != run or stack_dir.name != f"{STACK_DIR_PREFIX}{stack_id}":
        return f"it is not the directory of stack {stack_id} in the run dir {run}"
    try:
        reason = untrusted_reason(stack_dir.lstat(), want_dir=True)
    except FileNotFoundError:
        return "it does not exist"
    if reason is not None:
        return reason
    try:
        marker = read_owned(stack_dir / MARKER).decode("utf-8", errors="replace").strip()
    except FileNotFoundError:
        return f"it carries no {MARKER} marker of the harness"
    except NotOwnedError as exc:
        return f"its marker is not the harness's: {exc}"
    if marker != stack_id:
        return f"its marker names stack {marker!r}, not {stack_id}"
    return None


def reap_stack(state: StackState, paths: Paths) -> list[str]:
    """Kill the stack's recorded services without grace and remove its directory, each only
    when provably the harness's own; one line per thing removed or left alone."""
    lines: list[str] = []
    stack_dir = Path(state.stack_dir)
    refusal = stack_dir_refusal(stack_dir, state.stack_id, run_dir(paths))
    try:
        backend = load_backend(state.backend, paths)
    except ServiceError as exc:
        lines.append(f"cannot load backend {state.backend} to reap it: {exc.summary}")
    else:
        if backend.manages_processes:
            # An untrusted dir's ledger is not read; the state's own records still are.
            ledger_dir = stack_dir if refusal is None else None
            lines.extend(backend.reap(list(state.services.values()), ledger_dir))
    if refusal is not None:
        if stack_dir.exists() or stack_dir.is_symlink():
            lines.append(f"left {stack_dir} alone: {refusal}")
    else:
        shutil.rmtree(stack_dir, ignore_errors=True)
        lines.append(f"removed {stack_dir}")
    forget_stack_passwords(paths.state_dir, f"{STACK_DIR_PREFIX}{state.stack_id}")
    return lines


def reap_unclaimed_dirs(paths: Paths, current: str | None) -> list[str]:
    """Reap stack dirs in the run dir that no live owner claims (except `current`)."""
    lines: list[str] = []
    run = run_dir(paths)
    for stack_dir in sorted(run.glob(f"{STACK_DIR_PREFIX}*")):
        if current is not None and stack_dir == Path(current):
            continue
        stack_id = stack_dir.name.removeprefix(STACK_DIR_PREFIX)
        refusal = stack_dir_refusal(stack_dir, stack_id, run)
        if refusal is not None:
            lines.append(f"left {stack_dir} alone: {refusal}")
            continue
        try:
            manifest = _read_manifest(stack_dir / MANIFEST)
        except NotOwnedError as exc:
            lines.append(f"left {stack_dir} alone: its manifest is not the harness's: {exc}")
            continue
        if manifest is None:
            with contextlib.suppress(FileNotFoundError):
                if time.time() - stack_dir.stat().st_mtime < UNCLAIMED_GRACE_S:
                    continue  # being created right now by a harness under another state dir
            # Marked but without a manifest: its harness died before it could start anything.
            shutil.rmtree(stack_dir, ignore_errors=True)
            lines.append(f"removed {stack_dir} (no manifest)")
        elif manifest.stack_id != stack_id or Path(manifest.stack_dir) != stack_dir:
            lines.append(f"left {stack_dir} alone: its manifest describes another stack")
        elif manifest.orphaned or _kept_but_dead(manifest, stack_dir, paths):
            lines.extend(reap_stack(manifest, paths))
    return lines


def reap_dead_run_dirs(paths: Paths, parent: Path, deadline_s: float = 30.0) -> list[str]:
    """Reap the run dirs directly under `parent` (a test's own, `/tmp/onex-<uid>-tests/<id>`):
    each one's stacks that no live owner claims (`reap_unclaimed_dirs`), then the dir itself
    once it is empty and past the grace time. A live test's stack (an owner alive, or a stack
    dir being created) is never touched; what the deadline cuts off waits for the next start."""
    lines: list[str] = []
    if not parent.is_dir() or untrusted_reason(parent.lstat(), want_dir=True) is not None:
        return lines
    deadline = time.monotonic() + deadline_s
    for child in sorted(parent.iterdir()):
        if time.monotonic() > deadline:
            lines.append(f"deadline of {deadline_s:g}s passed: the rest of {parent} is left")
            break
        if child.is_symlink() or not child.is_dir():
            continue
        try:
            # Its age before the reaping, which itself touches the dir.
            settled = time.time() - child.stat().st_mtime >= UNCLAIMED_GRACE_S
            lines.extend(reap_unclaimed_dirs(dataclasses.replace(paths, run_dir=child), None))
            if settled:
                child.rmdir()  # only an empty dir goes: whatever is left in it is kept
                lines.append(f"removed {child}")
        except (OSError, ServiceError):
            continue  # not empty, not ours (UntrustedPathError), or gone meanwhile
    return lines


def _read_manifest(path: Path) -> StackState | None:
    """The manifest in a stack dir; None when missing or unreadable (a torn write, another
    version); `NotOwnedError` when someone else's file sits there."""
    try:
        return StackState.model_validate_json(read_owned(path))
    except FileNotFoundError:
        return None
    except (ValidationError, OSError):
        return None


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
