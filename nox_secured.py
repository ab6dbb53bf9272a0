"""The `secured` session's set-up: a process stack whose broker speaks SASL_SSL only, and the
integration tier attached to it as to a managed cluster, through the ONEX_* variables alone.

The stack lives in its own state dir (.onex/nox-secured-stack) and the tier in another
(.onex/nox-secured): the tier's clients cannot find the broker's published settings there, so
each of them authenticates with what the environment says or not at all (docs/scale.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nox

from nox_helpers import ROOT

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
        "ONEX_KAFKA_BROKERS": "",  # one broker: a secured cluster is not supported yet
    }
    attach = state / "attach.env"
    session.run(*SERVICES, "install", env=stack)
    try:
        # Connect as well (an on-demand kind): its worker is one more client of the secured
        # broker, and the Connect scenarios run through it.
        session.run(*SERVICES, "start", *STACK_KINDS, env=stack)
        session.run(*SERVICES, "env", "--write", str(attach), env=stack)
        text = Path(attach).read_text(encoding="utf-8")
        yield dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
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
        }
    )
