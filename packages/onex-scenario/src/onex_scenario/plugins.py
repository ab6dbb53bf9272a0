"""The `onex` command finds its subcommand groups through entry points, loaded on demand.

Each distribution registers a click command or group under the entry-point group `onex.commands`
(`scenarios = "onex_scenario.cli:scenarios"`, `services = ...`, `run = ...`). Listing the
commands reads only the entry-point metadata; a plugin is imported when its command is used
(or when help needs its summary). A plugin that fails to import, or is not a click command, is
replaced by a stand-in that says so and exits 1, so one broken package does not break `onex`.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any

import click

ENTRY_POINT_GROUP = "onex.commands"


def _entry_points(group: str) -> dict[str, list[EntryPoint]]:
    found: dict[str, list[EntryPoint]] = {}
    for entry in entry_points(group=group):
        same = found.setdefault(entry.name, [])
        if all(other.value != entry.value for other in same):
            same.append(entry)
    return found


class PluginGroup(click.Group):
    """A click group whose subcommands also come from an entry-point group, imported lazily."""

    def __init__(
        self, *args: Any, entry_point_group: str = ENTRY_POINT_GROUP, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entry_point_group = entry_point_group

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_entry_points(self.entry_point_group)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        candidates = _entry_points(self.entry_point_group).get(cmd_name)
        if not candidates:
            return None
        # Not cached on the group: Python already caches the imported module, and a cache here
        # would be state that outlives one invocation.
        return _load(cmd_name, candidates)


def _load(name: str, candidates: list[EntryPoint]) -> click.Command:
    if len(candidates) > 1:
        sources = ", ".join(f"{e.value} ({_dist(e)})" for e in candidates)
        return _broken(name, f"the command name is registered more than once: {sources}")
    entry = candidates[0]
    try:
        loaded = entry.load()
    except Exception as exc:  # noqa: BLE001 - any import failure of a plugin is reported, not raised
        return _broken(
            name, f"{entry.value} ({_dist(entry)}) failed to load: {type(exc).__name__}: {exc}"
        )
    if not isinstance(loaded, click.Command):
        return _broken(name, f"{entry.value} ({_dist(entry)}) is not a click command")
    return loaded


def _dist(entry: EntryPoint) -> str:
    return entry.dist.name if entry.dist is not None else "unknown distribution"


def _broken(name: str, reason: str) -> click.Command:
    def fail(**_: object) -> None:
        raise click.ClickException(f"the '{name}' commands are unavailable: {reason}")

    return click.Command(
        name,
        callback=fail,
        help=f"(unavailable: {reason})",
        short_help="(unavailable; run it to see why)",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
