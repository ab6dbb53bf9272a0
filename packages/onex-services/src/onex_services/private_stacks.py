"""Private stacks: a stack of one scenario's own (`isolation: private`), and their reaping.

A private stack is an ordinary managed stack with a state dir of its own,
`<state dir>/private/<name>/`, beside the shared stack's state: own lock, own state file, own
ports (the process backend picks free ones), and a stack dir in the same run dir as every other
stack. Its only owner is the harness process that started it, which stops it when the scenario
ends. When that process dies (SIGKILL), the stack is an orphan like any other:
- its servers and stack dir are reaped by the next start of any stack in the run dir (the
  manifest in the stack dir names no live owner; see `reaper.reap_unclaimed_dirs`), and
- its state dir is removed by `sweep_private_stacks`, which the stack reaper runs (every start
  of a stack in the state dir above, and `onex services reap`) and every private start runs
  first. It reaps the stack itself as well when nothing did yet.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from onex_services.errors import ServiceError
from onex_services.ownership import private_dir
from onex_services.reaper import UNCLAIMED_GRACE_S, reap_stack
from onex_services.settings import Paths
from onex_services.state import StateStore

PRIVATE_DIR = "private"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def private_paths(base: Paths, name: str) -> Paths:
    """The paths of the private stack `name`: its own state dir, the shared cache and run dir."""
    if not _NAME.match(name) or name in {".", ".."}:
        raise ValueError(f"not a private stack name: {name!r}")
    root = private_dir(
        base.state_dir / PRIVATE_DIR, what="private stacks dir", env_var="ONEX_STATE_DIR"
    )
    return Paths(state_dir=root / name, cache_dir=base.cache_dir, run_dir=base.run_dir)


def remove_private_state(paths: Paths) -> None:
    """Remove a private stack's state dir once its stack is stopped."""
    if paths.state_dir.parent.name == PRIVATE_DIR:  # never anything but a private state dir
        shutil.rmtree(paths.state_dir, ignore_errors=True)


def sweep_private_stacks(base: Paths) -> list[str]:
    """Reap private stacks whose owners all died, and remove their state dirs; one line each.

    A state dir whose lock is held belongs to a harness starting or stopping it right now and is
    passed over; so is one whose owner still lives.
    """
    root = base.state_dir / PRIVATE_DIR
    if not root.is_dir():
        return []
    lines: list[str] = []
    for state_dir in sorted(path for path in root.iterdir() if path.is_dir()):
        paths = Paths(state_dir=state_dir, cache_dir=base.cache_dir, run_dir=base.run_dir)
        try:
            store = StateStore(state_dir, lock_timeout=0.0)
            store.acquire()
        except ServiceError:
            continue  # in use right now, or not ours: left alone
        try:
            state = store.load()
            if state is not None and not state.orphaned:
                continue
            if state is None and _young(state_dir):
                continue  # being set up right now: its lock is not taken yet
            if state is not None:
                lines.extend(reap_stack(state, paths))
        except ServiceError as exc:
            lines.append(f"left private stack {state_dir.name} alone: {exc.summary}")
            continue
        finally:
            store.release()
        remove_private_state(paths)
        lines.append(f"removed private stack state {state_dir}")
    return lines


def _young(state_dir: Path) -> bool:
    try:
        return time.time() - state_dir.stat().st_mtime < UNCLAIMED_GRACE_S
    except FileNotFoundError:
        return False
