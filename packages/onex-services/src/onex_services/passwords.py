"""Passwords of the servers the harness starts, and the clean environment they start with.

PostgreSQL (scram-sha-256, no `trust`) and Redis (`requirepass`) get a password generated per
stack. It is kept in `<state dir>/passwords/stack-<id>.json` (0600, in the private state dir), so
a restart of a service reuses it, and it reaches fixtures and tools only inside the endpoint's
URL, whose password every writer redacts (`onex_scenario.redaction`). It never goes on a command
line (/proc/<pid>/cmdline is readable by every local user).
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
from pathlib import Path

from onex_services.models import ServiceKind
from onex_services.ownership import NotOwnedError, read_owned, write_private

PASSWORD_DIR = "passwords"
# What a server needs from its environment; nothing of the caller's (tokens, cloud keys, the
# harness's own ONEX_* secrets) reaches it, where SQL (`pg_read_file('/proc/self/environ')`)
# or a module could read it.
SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SERVICE_LOCALE = "C.UTF-8"


def _file(state_dir: Path, stack_name: str) -> Path:
    return state_dir / PASSWORD_DIR / f"{stack_name}.json"


def stack_password(state_dir: Path, stack_name: str, kind: ServiceKind) -> str:
    """The password of `kind` in the stack whose directory is named `stack_name`: made on first
    use, the same ever after."""
    path = _file(state_dir, stack_name)
    try:
        known: dict[str, str] = json.loads(read_owned(path))
    except (FileNotFoundError, NotOwnedError, ValueError):
        known = {}
    if kind not in known:
        known[kind] = secrets.token_urlsafe(24)  # URL-safe: it goes into the DSN as is
        path.parent.mkdir(mode=0o700, exist_ok=True)
        write_private(path, json.dumps(known).encode())
    return known[kind]


def forget_stack_passwords(state_dir: Path, stack_name: str) -> None:
    """Remove the passwords of a stack that is gone."""
    _file(state_dir, stack_name).unlink(missing_ok=True)


def service_env(user: str | None = None) -> dict[str, str]:
    """The whole environment of a server: a fixed PATH, a UTF-8 C locale, UTC, and the HOME of
    the user it runs as."""
    account = pwd.getpwnam(user) if user is not None else pwd.getpwuid(os.geteuid())
    return {
        "PATH": SERVICE_PATH,
        "LANG": SERVICE_LOCALE,
        "LC_ALL": SERVICE_LOCALE,
        "TZ": "UTC",
        "HOME": account.pw_dir,
    }
