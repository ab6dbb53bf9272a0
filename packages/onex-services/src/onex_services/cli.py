"""`onex services ...`: install, start, stop, status, health and logs of the real services.

Registered in the `onex.commands` entry-point group, so the root `onex` command lists it; the
invoke tasks (`invoke services.up` ...) call the same functions in `commands`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from onex_services import commands

BACKEND_HELP = "auto (external if given, else compose, else process), process, compose, external"
KINDS_HELP = "registered service kinds (see `onex services kinds`; default: all)"


def _console() -> Console:
    return commands.make_console()


def _exit(code: int) -> None:
    if code:
        sys.exit(code)


@click.group(name="services")
def services() -> None:
    """Real services of every registered kind for scenarios and tests (one shared stack)."""


@services.command()
def kinds() -> None:
    """List the registered service kinds, one per line (name, then title)."""
    from onex_services.catalog import kind_specs

    for name, spec in kind_specs().items():
        click.echo(f"{name}\t{spec.title}")


@services.command()
@click.argument("kinds", nargs=-1, metavar="[SERVICE]...")
def install(kinds: tuple[str, ...]) -> None:
    """Install what the process backend needs for each kind (apt packages, jars...)."""
    _exit(commands.install(_console(), kinds))


@services.command()
@click.argument("kinds", nargs=-1, metavar="[SERVICE]...")
@click.option("--backend", default=None, help=BACKEND_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the services as JSON.")
def start(kinds: tuple[str, ...], backend: str | None, as_json: bool) -> None:
    """Start the shared stack (or repair it) and keep it running until `onex services stop`."""
    _exit(commands.start(_console(), kinds, backend=backend, as_json=as_json))


@services.command()
@click.option("--force", is_flag=True, help="Stop even while test runs still use the stack.")
def stop(force: bool) -> None:
    """Stop the shared stack and remove its data (external services are never stopped)."""
    _exit(commands.stop(_console(), force=force))


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from onex_services.shared_reap import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@services.command()
@click.option(
    "--older-than",
    callback=_duration,
    metavar="DURATION",
    help="Also drop namespaces whose server-side marker is older than this (e.g. 2h) and whose "
    "run is not live, on the stack's servers and the external endpoints (docs/scale.md).",
)
def reap(older_than: float | None) -> None:
    """Reap stacks of dead runs, and reclaim namespaces of dead runs on the running services."""
    _exit(commands.reap(_console(), older_than_s=older_than))


@services.command()
@click.option("--json", "as_json", is_flag=True, help="Print the services as JSON.")
@click.option("--no-health", is_flag=True, help="Only look at processes and ports; no probes.")
def status(as_json: bool, no_health: bool) -> None:
    """Show each service: backend, endpoint, running or down, health, pid, uptime (exit 3: down)."""
    _exit(commands.status(_console(), as_json=as_json, deep=not no_health))


@services.command()
@click.option(
    "--write",
    "target",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The file (0600) to write the ONEX_* attach variables to; nothing is printed.",
)
def env(target: Path) -> None:
    """Write the running stack as the variables that attach a run to it (external backend)."""
    _exit(commands.env(_console(), target))


@services.command()
@click.argument("kinds", nargs=-1, metavar="[SERVICE]...")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--deep",
    is_flag=True,
    help="Also the deep check of each cluster (Kafka: a record is read after its partition's "
    "leader stopped); it stops a broker for a moment, so not while others use the stack.",
)
def health(kinds: tuple[str, ...], as_json: bool, deep: bool) -> None:
    """Deep-probe each running service (exit 3 when one is unhealthy)."""
    _exit(commands.health(_console(), kinds, as_json=as_json, deep=deep))


@services.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "mermaid"]), default="text", show_default=True
)
@click.option("--no-health", is_flag=True, help="Only look at processes and ports; no probes.")
def graph(fmt: str, no_health: bool) -> None:
    """Show the stack's dependency graph, each service's state and health (exit 3: one down)."""
    _exit(commands.graph(_console(), fmt=fmt, deep=not no_health))


@services.command()
@click.argument("kind", metavar="SERVICE")
@click.option("-n", "--lines", default=40, show_default=True, help="How many lines to show.")
@click.option("-f", "--follow", is_flag=True, help="Keep printing what the service writes.")
@click.option("--path", "path_only", is_flag=True, help="Print the log file's path only.")
@click.option(
    "--save",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Copy the whole log here instead, secrets redacted, mode 0600 (for reports/).",
)
def logs(kind: str, lines: int, follow: bool, path_only: bool, save: Path | None) -> None:
    """Show the log of one service of the stack."""
    _exit(
        commands.logs(_console(), kind, lines=lines, follow=follow, path_only=path_only, save=save)
    )
