"""What a kind's process starter uses: spawn a detached server, run a set-up program, refuse a
taken port, run as another user when we are root. The starters themselves live with their kinds
(`KindSpec.start_process`); the process backend drives them.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import time
from pathlib import Path

from onex_services import launcher
from onex_services.errors import PortClashError, ServiceStartError
from onex_services.models import ProcessRef
from onex_services.passwords import service_env
from onex_services.ports import LOOPBACK, port_is_free

LEDGER_DIR = "processes"
"""The stack's process ledger: `<stack dir>/processes/` (see `launcher`)."""


def is_root() -> bool:
    return os.geteuid() == 0


def chown(path: Path, user: str) -> None:
    account = pwd.getpwnam(user)
    os.chown(path, account.pw_uid, account.pw_gid)


def check_ports_free(kind: str, ports: tuple[int, ...], log_path: Path) -> None:
    """Refuse to start on a port that something already listens on: the server would fail to
    bind, and worse, a health probe would talk to the other program."""
    for port in ports:
        if not port_is_free(LOOPBACK, port):
            raise PortClashError(
                f"{kind} cannot listen on {LOOPBACK}:{port}",
                cause=f"port {port} is in use by another process",
                log_path=log_path,
                fix="run `onex services start` again (ports are picked afresh), or free the port",
            )


def spawn(
    argv: list[str], *, log_path: Path, cwd: Path, ledger: Path, user: str | None = None
) -> ProcessRef:
    """Start a server detached with a clean environment (`passwords.service_env`), its
    identity recorded in the stack's `ledger` first."""
    name = Path(argv[0]).name
    with open(log_path, "ab") as log:
        log.write(f"--- onex: starting {name} at {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
    try:
        return launcher.spawn_detached(
            argv, log_path=log_path, cwd=cwd, env=service_env(user), user=user, ledger=ledger
        )
    except OSError as exc:
        raise ServiceStartError(
            f"cannot start {name}",
            cause=str(exc),
            log_path=log_path,
            fix="check the program runs by hand: " + " ".join(argv[:3]),
        ) from exc


async def run_step(
    argv: list[str],
    *,
    log_path: Path,
    what: str,
    fix: str,
    user: str | None = None,
    cwd: Path | None = None,
) -> None:
    """Run a short set-up program to completion, its output appended to the service log."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        log.write(f"--- onex: {what}\n".encode())
        log.flush()
        extra: dict[str, object] = {}
        if user is not None:
            extra = {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            cwd=cwd,
            env=service_env(user),
            **extra,  # type: ignore[arg-type]
        )
        code = await proc.wait()
    if code != 0:
        raise ServiceStartError(
            f"could not {what} (exit {code})",
            cause=f"`{' '.join(argv[-6:])}` failed",
            log_path=log_path,
            log_tail=launcher.tail(log_path),
            fix=fix,
        )
