"""`invoke services.*`: the shared stack of real services (the same code as `onex services`).

invoke services.up [--kinds kafka,redis] [--backend process] [--json]
invoke services.down [--force]
invoke services.status [--json] [--no-health]
invoke services.health [--kinds ...] [--json]
invoke services.logs --kind kafka [--lines 80] [--follow] [--path]
"""

from __future__ import annotations

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task
from onex_services import commands

KINDS = "services, comma separated: kafka,postgres,redis (default: all)"
BACKEND = "auto (default), process, compose or external"
JSON = "print JSON instead of a table"


def _done(code: int) -> None:
    if code:
        raise Exit(code=code)


@task(help={"kinds": KINDS, "backend": BACKEND, "json": JSON})
def up(c: Context, kinds: str = "", backend: str = "", json: bool = False) -> None:
    """Start the shared stack (or repair it) and keep it running until services.down."""
    _done(
        commands.start(
            commands.make_console(), kinds or None, backend=backend or None, as_json=json
        )
    )


@task(help={"force": "stop even while test runs still use the stack"})
def down(c: Context, force: bool = False) -> None:
    """Stop the shared stack and remove its data (external services are never stopped)."""
    _done(commands.stop(commands.make_console(), force=force))


@task
def reap(c: Context) -> None:
    """Reap stacks of dead runs, and reclaim namespaces of dead runs on the running services."""
    _done(commands.reap(commands.make_console()))


@task(help={"json": JSON, "no_health": "only processes and ports, no deep probes"})
def status(c: Context, json: bool = False, no_health: bool = False) -> None:
    """Show each service: backend, endpoint, running or down, health, pid, uptime."""
    _done(commands.status(commands.make_console(), as_json=json, deep=not no_health))


@task(help={"kinds": KINDS, "json": JSON})
def health(c: Context, kinds: str = "", json: bool = False) -> None:
    """Deep-probe each running service (exit 3 when one is unhealthy)."""
    _done(commands.health(commands.make_console(), kinds or None, as_json=json))


@task(
    help={
        "kind": "kafka, postgres or redis",
        "lines": "how many lines to show",
        "follow": "keep printing what the service writes",
        "path": "print the log file's path only",
    }
)
def logs(c: Context, kind: str, lines: int = 40, follow: bool = False, path: bool = False) -> None:
    """Show the log of one service of the stack."""
    _done(commands.logs(commands.make_console(), kind, lines=lines, follow=follow, path_only=path))
