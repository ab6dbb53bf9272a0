"""`onex state show NAMESPACE` (the live state of a namespace on the running stack, e.g. one a
scenario kept with `cleanup_after: false`) and `onex state diff A B` (two recorded states).

Both print redacted text: `show` passes what it read through `redact` like every report, and a
recorded snapshot was redacted when it was written.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import click
from onex_scenario.display import plain_text
from onex_scenario.redaction import known_secrets, redact
from onex_services.catalog import kind_spec
from onex_services.namespaces import NamespaceError, validate_namespace
from onex_services.state_values import StateLimits
from rich.console import Console

from onex_runner.service_state import NamespaceState, StateReaders
from onex_runner.state_diff import MISSING, state_diff

WHICH = ("after", "before")


@click.group("state")
def state() -> None:
    """Service state of namespaces: live (`show`) or recorded (`diff`). See docs/state.md."""


@state.command("show")
@click.argument("namespace")
@click.option("--rows", type=click.IntRange(0), default=20, show_default=True,
              help="Rows kept per table.")  # fmt: skip
@click.option("--keys", type=click.IntRange(0), default=100, show_default=True,
              help="Redis keys kept.")  # fmt: skip
def show(namespace: str, rows: int, keys: int) -> None:
    """Print what NAMESPACE holds now on each service of the running stack (JSON)."""
    try:
        validate_namespace(namespace)
    except NamespaceError as exc:
        raise click.UsageError(str(exc)) from None
    endpoints = _running_endpoints()
    limits = StateLimits(rows=rows, keys=keys)
    found = asyncio.run(_read(namespace, endpoints, limits))
    click.echo(json.dumps(redact(found, known_secrets(os.environ)), indent=2, default=str))


def _running_endpoints() -> dict[str, str]:
    from onex_services import ToolServiceManager

    stack = ToolServiceManager().current()
    if stack is None or not stack.services:
        raise click.ClickException(
            "no stack is running here (start one with `onex services start`, or run a scenario "
            "with `cleanup_after: false` and ONEX_REUSE=1)"
        )
    return {
        str(kind): record.url
        for kind, record in stack.services.items()
        if kind_spec(str(kind)).state is not None
    }


async def _read(namespace: str, endpoints: dict[str, str], limits: StateLimits) -> dict[str, Any]:
    readers = StateReaders()
    try:
        return await NamespaceState(readers, namespace, endpoints, limits).snapshot()
    finally:
        await readers.close()


@state.command("diff")
@click.argument("first", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("second", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--scenario", help="The scenario's record in a snapshots JSONL file (default: "
              "the last record).")  # fmt: skip
@click.option("--which", type=click.Choice(WHICH), default="after", show_default=True,
              help="Which state of a scenario record to compare.")  # fmt: skip
def diff(first: Path, second: Path, scenario: str | None, which: str) -> None:
    """Compare two states: each a snapshots JSONL file (one scenario's record in it) or a JSON
    file written by `onex state show`. Exit 1 when they differ."""
    left = _recorded(first, scenario, which)
    right = _recorded(second, scenario, which)
    differences = state_diff(left, right)
    console = Console(highlight=False)
    if not differences:
        console.print("the states are the same")
        return
    for item in differences:
        console.print(plain_text(_line(item)), soft_wrap=True)
    console.print(f"{len(differences)} difference(s)")
    raise SystemExit(1)


def _line(item: dict[str, Any]) -> str:
    if "added" in item:
        return f"{item['path']}: added {json.dumps(item['added'], default=str)}"
    if "removed" in item:
        return f"{item['path']}: removed {json.dumps(item['removed'], default=str)}"
    before = item["before"] if item["before"] == MISSING else json.dumps(item["before"])
    after = item["after"] if item["after"] == MISSING else json.dumps(item["after"])
    return f"{item['path']}: {before} → {after}"


def _recorded(path: Path, scenario: str | None, which: str) -> dict[str, Any]:
    """The state in `path`: a record of a snapshots JSONL (its `state.<which>`) or a JSON state."""
    text = path.read_text(encoding="utf-8")
    try:  # JSON lines (snapshots), else one JSON document (`onex state show` prints it indented)
        documents = [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError:
        try:
            documents = [json.loads(text)]
        except ValueError as exc:
            raise click.UsageError(f"{path}: neither JSON lines nor JSON ({exc})") from None
    if scenario is not None:
        documents = [d for d in documents if isinstance(d, dict) and d.get("name") == scenario]
        if not documents:
            raise click.UsageError(f"{path}: no record of scenario {scenario!r}")
    if not documents:
        raise click.UsageError(f"{path}: empty")
    record = documents[-1]
    if isinstance(record, dict) and "state" in record and "name" in record:
        states = record["state"]
        if which not in states:
            raise click.UsageError(
                f"{path}: scenario {record['name']} has no {which!r} state "
                "(it used no real service, or its snapshot was off)"
            )
        found: dict[str, Any] = states[which]
        return found
    if not isinstance(record, dict):
        raise click.UsageError(f"{path}: expected a JSON object")
    return record
