"""`onex services env --write FILE`: the running stack as the variables that attach another run
to it with the external backend (a shared cluster on this machine, as CI's secured job does).

Each service gives its kind's endpoint variable (`ONEX_KAFKA_BOOTSTRAP_SERVERS`, `ONEX_DB_URL`,
`ONEX_REDIS_URL` ...) with its client string, passwords included; a record whose `client_env`
detail names a file of `NAME=value` lines (a secured broker's SASL and TLS settings) adds those.
The file is written 0600 and nothing of it is printed: it holds the stack's passwords. Its values
are quoted for a shell where they must be (`shlex.quote`).
"""

from __future__ import annotations

import shlex
from pathlib import Path

from onex_services.catalog import kind_spec
from onex_services.ownership import read_owned, write_private
from onex_services.state import StackState

CLIENT_ENV = "client_env"


def stack_env(state: StackState) -> dict[str, str]:
    """The variables of every service of `state`, by name."""
    found: dict[str, str] = {}
    for kind, record in sorted(state.services.items()):
        found[kind_spec(kind).env_var] = record.url
        extra = record.details.get(CLIENT_ENV)
        if extra:
            text = read_owned(Path(extra)).decode()
            found |= dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    return found


def write_env(target: Path, values: dict[str, str]) -> None:
    """`NAME=value` lines, each value quoted for a POSIX shell where it must be (a TLS DSN's
    `&`), so that `set -a; . FILE; set +a` reads back exactly what was written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"{name}={shlex.quote(value)}\n" for name, value in values.items())
    write_private(target, lines.encode())
