"""`onex tools ...`: inspect the tool factories and check real/mock parity."""

from __future__ import annotations

import json

import click
from onex_scenario.display import plain_text
from rich.console import Console
from rich.table import Table
from rich.text import Text

from onex_registry.factories import discover_factories, qualified_name
from onex_registry.parity import check_factories


@click.group("tools")
def tools() -> None:
    """Tool factories and real/mock parity."""


@tools.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(as_json: bool) -> None:
    """Compare every real tool with its mock (signatures, async-ness, return types).

    Exit 0 when they match, 1 when anything diverges.
    """
    factories = discover_factories()
    issues = check_factories(factories.values())
    if as_json:
        click.echo(json.dumps([i.model_dump() for i in issues], indent=2))
    else:
        console = Console()
        table = Table(title="Tool factories")
        for column in ("kind", "factory", "real", "mock", "divergences"):
            table.add_column(column)
        for kind, factory in sorted(factories.items()):
            count = sum(1 for i in issues if i.real == factory.real_class.__name__)
            table.add_row(
                kind,
                type(factory).__name__,
                qualified_name(factory.real_class),
                qualified_name(factory.mock_class),
                "[green]0[/]" if count == 0 else f"[red]{count}[/]",
            )
        console.print(table)
        for i in issues:
            line = f"{i.real} vs {i.mock}: {i.member}: {i.problem}"
            console.print(Text.assemble(("✗", "red"), " ", plain_text(line)))
        if not issues:
            console.print("[green]✓[/] every real tool matches its mock")
    raise SystemExit(1 if issues else 0)
