"""`onex init [FOLDER]`: scaffold a project for the harness; `onex init --check`: what is missing.

Exit codes: 0 done (or nothing missing), 1 `--check` found something missing or different,
2 the folder cannot be used.
"""

from __future__ import annotations

from pathlib import Path

import click

from onex_runner.scaffold import check, scaffold


@click.command("init")
@click.argument(
    "folder", default=".", type=click.Path(file_okay=False, path_type=Path), required=False
)
@click.option(
    "--check",
    "only_check",
    is_flag=True,
    help="Write nothing; list what is missing or differs (exit 1 when anything is).",
)
def init(folder: Path, only_check: bool) -> None:
    """Scaffold a project: scenarios/{unit,integration,mixed}/ with a starter scenario and its
    stub node, a noxfile with the tiers, GitHub, GitLab and Jenkins pipelines calling it, and
    [tool.onex] in pyproject.toml. An existing file is never overwritten."""
    if only_check:
        if not folder.is_dir():
            raise click.UsageError(f"{folder} is not a folder")
        problems = check(folder)
        for line in problems:
            click.echo(line)
        if problems:
            click.echo(f"{len(problems)} problem(s); `onex init` writes what is missing", err=True)
            raise SystemExit(1)
        click.echo("onex init --check: everything is in place")
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        changes = scaffold(folder)
    except OSError as exc:
        raise click.ClickException(f"cannot write into {folder}: {exc}") from None
    for change in changes:
        click.echo(f"{change.done}: {change.path}")
    created = sum(change.done == "created" for change in changes)
    click.echo(f"{created} file(s) created, {len(changes) - created} skipped; next: onex run")
