"""What `onex services <cmd>` and `invoke services.<task>` do: one function per command.

Each takes plain arguments and a rich `Console`, prints, and returns the process exit code;
`ServiceError` (and bad input) comes back as one message and exit code 1, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from onex_scenario.display import log_text, plain_text
from onex_scenario.private_files import write_private
from onex_scenario.redaction import known_secrets, redact_text
from rich.console import Console
from rich.text import Text

from onex_services import launcher
from onex_services.app_nodes import with_apps
from onex_services.catalog import kind_specs, parse_kinds
from onex_services.envconfig import EndpointConfigError
from onex_services.errors import ServiceError
from onex_services.install import install_services
from onex_services.long_work import showing_progress
from onex_services.manager import ToolServiceManager
from onex_services.models import RunState, ServiceKind
from onex_services.namespaces import NamespaceError
from onex_services.render import health_table, status_table, to_json

KindsInput = str | Sequence[str] | None
PIPE_WIDTH = 140


def make_console() -> Console:
    """A console for command output: a terminal's own width, or 140 columns into a pipe/CI log
    (rich's 80-column default would cut the endpoints)."""
    return Console(width=None if sys.stdout.isatty() else PIPE_WIDTH)


def _kinds(names: KindsInput) -> list[ServiceKind]:
    if names is None or (not isinstance(names, str) and not names):
        return parse_kinds(None)
    return parse_kinds(names if isinstance(names, str) else list(names))


def guarded(console: Console, action: Callable[[], int]) -> int:
    """Run a command body; user-facing failures become a message and exit code 1."""
    # The probes' Kafka clients log connection retries as warnings; the command reports outcomes.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        return action()
    except (ServiceError, EndpointConfigError, NamespaceError, ValueError) as exc:
        console.print(Text.assemble(("error:", "red"), " ", plain_text(exc)), soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        console.print("interrupted")
        return 130


def _manager(console: Console, backend: str | None, *, quiet: bool = False) -> ToolServiceManager:
    def progress(message: str) -> None:
        if not quiet:
            console.print(plain_text(message, "dim"), soft_wrap=True)

    return ToolServiceManager(backend=backend, progress=progress)


def install(console: Console, kinds: KindsInput = None) -> int:
    def body() -> int:
        # Installing "everything" includes the on-demand kinds: a run may start them later.
        wanted = _kinds(kinds) if kinds else [ServiceKind(k) for k in kind_specs()]

        def say(message: str) -> None:
            console.print(plain_text(message), soft_wrap=True)

        with showing_progress(console, say):
            items = install_services(wanted, say)
        for item in items:
            line = plain_text(f"{item.name}: {item.detail}")
            console.print(Text.assemble(("ok", "green"), " ", line))
        return 0

    return guarded(console, body)


def start(
    console: Console, kinds: KindsInput = None, *, backend: str | None = None, as_json: bool = False
) -> int:
    def body() -> int:
        manager = _manager(console, backend, quiet=as_json)
        started = time.perf_counter()
        with contextlib.nullcontext() if as_json else showing_progress(console):
            lease = asyncio.run(manager.up(_kinds(kinds)))
        for note in lease.notes:
            console.print(Text.assemble(("note:", "yellow"), " ", plain_text(note)))
        rows = asyncio.run(manager.status(deep=False))
        wanted = set(lease.endpoints)
        rows = [row for row in rows if row.kind in wanted]
        rows = [row.model_copy(update={"health": lease.health.get(row.kind)}) for row in rows]
        if as_json:
            console.print_json(to_json(rows))
        else:
            console.print(status_table(rows))
            console.print(f"ready in {time.perf_counter() - started:.1f} s", highlight=False)
        return 0

    return guarded(console, body)


def stop(console: Console, *, backend: str | None = None, force: bool = False) -> int:
    def body() -> int:
        for line in asyncio.run(_manager(console, backend).down(force=force)):
            console.print(plain_text(line))
        return 0

    return guarded(console, body)


def reap(console: Console, *, older_than_s: float | None = None) -> int:
    """Reap dead stacks, apps under test of dead runs, and the namespaces of dead runs (with
    `older_than_s`, also marked ones of gone runs on shared servers); say what went and what
    stayed."""

    def body() -> int:
        lines = asyncio.run(_manager(console, None).reap(older_than_s))
        for line in lines:
            console.print(plain_text(line))
        if not lines:
            console.print("nothing to reap")
        return 0

    return guarded(console, body)


def status(
    console: Console, *, backend: str | None = None, as_json: bool = False, deep: bool = True
) -> int:
    """Exit code 0 when every service listed runs (and is healthy when `deep`), else 3."""

    def body() -> int:
        manager = _manager(console, backend)
        rows, _ = with_apps(asyncio.run(manager.status(deep=deep)), manager.paths, deep=deep)
        if as_json:
            console.print_json(to_json(rows))
        elif rows:
            console.print(status_table(rows))
        else:
            console.print("no services: start them with `onex services start`")
        bad = [
            row
            for row in rows
            if row.state is RunState.DOWN or (row.health is not None and not row.health.healthy)
        ]
        return 3 if bad else 0

    return guarded(console, body)


def env(console: Console, target: Path) -> int:
    """Write the running stack's attach variables to `target` (0600); print only their names."""

    def body() -> int:
        from onex_services.stack_env import stack_env, write_env

        state = _manager(console, None).current()
        if state is None or not state.services:
            console.print("no services: start them with `onex services start`")
            return 3
        values = stack_env(state)
        write_env(target, values)
        console.print(plain_text(f"wrote {', '.join(values)} to {target}"), soft_wrap=True)
        return 0

    return guarded(console, body)


def health(
    console: Console,
    kinds: KindsInput = None,
    *,
    backend: str | None = None,
    as_json: bool = False,
    deep: bool = False,
) -> int:
    """Exit code 0 when every service checked is healthy, 3 when one is not or none runs.
    `deep` adds the deep check of each cluster (`member_checks`), which stops a member."""

    def body() -> int:
        # No names: every service that runs, on-demand ones (Kafka Connect) too.
        wanted = _kinds(kinds) if kinds else None
        manager = _manager(console, backend)
        results = asyncio.run(manager.health(wanted))
        if as_json:
            console.print_json(to_json(results))
        elif results:
            console.print(health_table(results))
        else:
            console.print("no services are running: start them with `onex services start`")
        healthy = bool(results) and all(r.healthy for r in results)
        if deep and healthy:
            from onex_services.member_checks import prove_members

            proofs = asyncio.run(prove_members(manager))
            for kind, passed, line in proofs:
                verdict = "proved" if passed else "FAILED"
                console.print(plain_text(f"{kind} deep check {verdict}: {line}"), soft_wrap=True)
            if not proofs:
                console.print("no server of the stack runs as several processes: no deep check")
            healthy = all(passed for _, passed, _ in proofs)
        return 0 if healthy else 3

    return guarded(console, body)


def logs(
    console: Console,
    kind: str,
    *,
    lines: int = 40,
    follow: bool = False,
    path_only: bool = False,
    save: Path | None = None,
) -> int:
    def body() -> int:
        # The named kind's own log, not its first dependency's (the list starts with those).
        named = kind.strip().lower()
        service = next((k for k in _kinds(kind) if k == named), None) or _kinds(kind)[0]
        path = _manager(console, None).log_path(service)
        if save is not None:
            save_log(path, save)
            console.print(plain_text(f"saved {path} to {save}"), soft_wrap=True)
            return 0
        if path_only:
            console.print(plain_text(path), soft_wrap=True)
            return 0
        console.print(plain_text(f"==> {path} <==", "dim"))
        console.out(log_text(launcher.tail(path, lines)), highlight=False)
        if follow:
            _follow(console, path)
        return 0

    return guarded(console, body)


def save_log(source: Path, target: Path) -> None:
    """A service's log copied for a report: the same text with its secrets redacted, 0600."""
    text = source.read_text(encoding="utf-8", errors="replace")
    write_private(target, redact_text(text, known_secrets(os.environ)))


def _follow(console: Console, path: Path) -> None:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        while True:
            chunk = handle.read()
            if chunk:
                text = log_text(chunk.decode("utf-8", errors="replace"))
                console.out(text, end="", highlight=False)
            else:
                time.sleep(0.2)


def graph(console: Console, *, fmt: str = "text", deep: bool = True) -> int:
    """Print the stack's dependency graph (`text` or `mermaid`); exit 3 when a node that runs
    is not usable (down, unhealthy, or blocked by a dependency)."""
    from onex_services.graph_view import graph_nodes, render_mermaid, render_text

    def body() -> int:
        manager = _manager(console, None, quiet=True)
        rows, with_app = with_apps(asyncio.run(manager.status(deep=deep)), manager.paths, deep=deep)
        nodes = graph_nodes(rows, with_app)
        if fmt == "mermaid":
            console.file.write(render_mermaid(nodes))
        else:
            console.print(render_text(nodes), end="")
        return 3 if any(row.state is RunState.DOWN or row.blocked_by for row in rows) else 0

    return guarded(console, body)
