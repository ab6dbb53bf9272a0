"""The shared stack's state file and lock, and who owns the stack.

One JSON file (`<state dir>/stack.json`) under one file lock (`stack.lock`) describes the stack
that every pytest-xdist worker and every separate process of this user shares: its services with
their pids, and its owners (pid + start time + lease id). A copy of the file sits in the stack's
own directory, so a stack whose state file was lost can still be found and reaped.

The state dir must be the current user's own (created 0700, see `ownership`), and so must every
file read from it: a state file planted by someone else would name processes to kill.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from filelock import FileLock, Timeout
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from onex_services import launcher
from onex_services.errors import ServiceError, UntrustedPathError
from onex_services.models import ProcessRef, ServiceKind, ServiceRecord
from onex_services.ownership import NotOwnedError, private_dir, read_owned, write_private

STATE_FILE = "stack.json"
LOCK_FILE = "stack.lock"
MANIFEST = "stack.json"


class Owner(BaseModel):
    """A process using the stack through one lease."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    process: ProcessRef
    lease_id: str
    label: str = ""
    since: float = Field(default_factory=time.time)

    @property
    def alive(self) -> bool:
        return launcher.is_alive(self.process)


class StackState(BaseModel):
    """The shared stack: where it lives, what runs in it and who uses it."""

    model_config = ConfigDict(extra="forbid")

    stack_id: str = Field(default_factory=lambda: uuid.uuid4().hex[:10])
    backend: str
    stack_dir: str
    created_at: float = Field(default_factory=time.time)
    keep: bool = False
    owners: list[Owner] = Field(default_factory=list)
    services: dict[ServiceKind, ServiceRecord] = Field(default_factory=dict)
    settings_fingerprint: str = ""
    """Of the server settings it was started with (`server_settings`; empty: the defaults)."""

    def live_owners(self) -> list[Owner]:
        return [owner for owner in self.owners if owner.alive]

    @property
    def orphaned(self) -> bool:
        """Nobody uses it and nobody asked to keep it: what a crashed owner leaves behind."""
        return not self.keep and not self.live_owners()


class StateStore:
    """Reads and writes the state file; `lock()` serialises every change across processes."""

    def __init__(self, state_dir: Path, lock_timeout: float = 300.0) -> None:
        self.state_dir = state_dir
        self.path = state_dir / STATE_FILE
        self._lock_timeout = lock_timeout
        private_dir(state_dir, what="state dir", env_var="ONEX_STATE_DIR")
        self._lock = FileLock(state_dir / LOCK_FILE, timeout=lock_timeout, thread_local=False)

    def acquire(self) -> None:
        try:
            self._lock.acquire()
        except Timeout:
            raise ServiceError(
                f"the service state is locked for more than {self._lock_timeout:.0f} s",
                cause=f"another harness process holds {self._lock.lock_file}",
                fix="wait for it to finish starting services, or stop it",
            ) from None

    def release(self) -> None:
        self._lock.release()

    def load(self) -> StackState | None:
        try:
            return read_state(self.path)
        except NotOwnedError as exc:
            raise UntrustedPathError(
                "refusing to read the service state: it is not the harness's own file",
                cause=str(exc),
                fix=f"remove {self.path} if you trust it, or set ONEX_STATE_DIR elsewhere",
            ) from None

    def save(self, state: StackState) -> None:
        _write_json(self.path, state)
        stack_dir = Path(state.stack_dir)
        if stack_dir.is_dir():
            _write_json(stack_dir / MANIFEST, state)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def read_state(path: Path) -> StackState | None:
    """The state in `path`, or None when there is none (an unreadable file counts as none);
    `NotOwnedError` when the file is not provably ours."""
    try:
        return StackState.model_validate_json(read_owned(path))
    except FileNotFoundError:
        return None
    except (ValidationError, json.JSONDecodeError, OSError):
        # A file from another version or a torn write: the reaper scans stack dirs as well.
        return None


def _write_json(path: Path, state: StackState) -> None:
    write_private(path, state.model_dump_json(indent=2).encode())
