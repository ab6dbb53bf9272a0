"""The secured set-ups: the integration tier on process stacks whose brokers speak SASL_SSL only
(`secured_tier`), and the `secured` session's stack (a SASL_SSL broker, a PostgreSQL that takes
TLS only, a Redis with TLS and an ACL user), to which the integration scenarios attach as to
managed services through the ONEX_* variables alone (`secured_stack`).

The stack lives in its own state dir (.onex/nox-secured-stack) and the tier in another
(.onex/nox-secured): the tier's clients cannot find the broker's published settings there, so
each of them authenticates with what the environment says or not at all (docs/scale.md).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nox

from nox_helpers import ROOT, _service_stack

SERVICES = ("python", "-m", "onex_services")
STACK_KINDS = ("echo", "kafka", "postgres", "redis", "connect")


@contextmanager
def secured_stack(session: nox.Session) -> Iterator[dict[str, str]]:
    """Start the secured stack, yield the variables that attach to it, stop it after."""
    state = ROOT / ".onex" / "nox-secured-stack"
    stack = {
        "ONEX_STATE_DIR": str(state),
        "ONEX_SERVICES_BACKEND": "process",
        "ONEX_KAFKA_SECURITY": "sasl_ssl",
        "ONEX_KAFKA_BROKERS": "",  # one broker, whatever the environment: the attach needs no more
        # TLS only for PostgreSQL; TLS and one ACL user for Redis: their URLs (ONEX_DB_URL,
        # ONEX_REDIS_URL) carry the CA, the user and the password to every client.
        "ONEX_POSTGRES_SECURITY": "tls",
        "ONEX_REDIS_SECURITY": "tls_acl",
    }
    attach = state / "attach.env"
    session.run(*SERVICES, "install", env=stack)
    try:
        # Connect as well (an on-demand kind): its worker is one more client of the secured
        # broker, and the Connect scenarios run through it.
        session.run(*SERVICES, "start", *STACK_KINDS, env=stack)
        session.run(*SERVICES, "env", "--write", str(attach), env=stack)
        yield _read_env_file(attach)
    finally:
        session.run(*SERVICES, "stop", "--force", env=stack)
        attach.unlink(missing_ok=True)


def attach_env(session: nox.Session, values: dict[str, str]) -> None:
    """The session's environment for a run against the stack as an external cluster."""
    session.env.update(values)
    session.env.update(
        {
            "ONEX_SERVICES_BACKEND": "external",
            "ONEX_STATE_DIR": str(ROOT / ".onex" / "nox-secured"),
            "ONEX_DISCOVER": "0",
            "ONEX_KAFKA_SECURITY": "",
            "ONEX_POSTGRES_SECURITY": "",
            "ONEX_REDIS_SECURITY": "",
        }
    )


@contextmanager
def secured_tier(session: nox.Session, state: str) -> Iterator[None]:
    """The tier's shared stack with every broker the tier starts secured (the shared one and
    each private stack a test starts: they inherit the variables), all with one identity (CA,
    certificate, SASL password: `ONEX_KAFKA_SECURITY_DIR`), and every client of the tier given
    its settings through the environment. There is no PLAINTEXT listener on any of them: a
    client that ignored the settings fails."""
    # `ONEX_KAFKA_SECURITY=` (empty or plaintext) in nox's environment runs the tier PLAINTEXT:
    # the baseline its cost is measured against.
    if os.environ.get("ONEX_KAFKA_SECURITY", "sasl_ssl").strip().lower() in ("", "plaintext"):
        with _service_stack(session, state):
            yield
        return
    identity = ROOT / ".onex" / f"{state}-identity"
    session.env["ONEX_KAFKA_SECURITY"] = "sasl_ssl"
    session.env["ONEX_KAFKA_SECURITY_DIR"] = str(identity)
    with _service_stack(session, state):
        attach = identity / "attach.env"
        session.run(*SERVICES, "env", "--write", str(attach))
        values = _read_env_file(attach)
        attach.unlink()
        # The security settings only: each client keeps its own broker's address.
        session.env.update(
            {
                name: value
                for name, value in values.items()
                if name.startswith("ONEX_KAFKA_") and name != "ONEX_KAFKA_BOOTSTRAP_SERVERS"
            }
        )
        yield


def _read_env_file(path: Path) -> dict[str, str]:
    """The KEY=VALUE lines `onex services env --write` wrote (values quoted as for a shell)."""
    text = path.read_text(encoding="utf-8")
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {name: "".join(shlex.split(value)) for name, value in pairs}
