"""The `onex` command line: the root group and the `onex scenarios` commands.

The root group `main` loads further command groups (`services`, `tools`, `run`, ...) from the
`onex.commands` entry points of the installed distributions (see `onex_scenario.plugins`).

Exit codes of `onex scenarios ...`: 0 success, 1 invalid scenarios (one line per problem,
`file:line:col: key.path: message`), 2 usage errors (bad options, missing paths, unusable
`ONEX_*` variables, unknown scenario name).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
import yaml
from rich.console import Console
from rich.table import Table

from onex_scenario import __version__
from onex_scenario.display import plain_text
from onex_scenario.errors import (
    EnvOverrideError,
    ScenarioValidationError,
    ValidationIssue,
    sort_issues,
)
from onex_scenario.index import find_index, index_problems, load_index
from onex_scenario.loader import (
    LoadedScenario,
    ScenarioLoader,
    discover_scenario_files,
    load_scenarios,
)
from onex_scenario.modes import plan_modes
from onex_scenario.plugins import PluginGroup
from onex_scenario.project_settings import (
    ProjectSettings,
    ProjectSettingsError,
    default_targets,
    load_project_settings,
)
from onex_scenario.schema import render_scenario_json_schema

EXIT_INVALID = 1
EXIT_USAGE = 2
_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=PluginGroup, context_settings=_CONTEXT)
@click.version_option(__version__, prog_name="onex")
def main() -> None:
    """ONEX Scenario Harness: run YAML scenarios against mock or real Kafka, PostgreSQL and
    Redis, and know which one you got."""


@click.group(context_settings=_CONTEXT)
def scenarios() -> None:
    """Check, list and show scenario files; export their JSON Schema."""


_paths_argument = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
bases_option = click.option(
    "--bases",
    "base_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder searched for `extends: base:<name>` after the nearest _bases/ folders "
    "(repeatable; default: bases in [tool.onex]; the shipped bases come last).",
)


def project_settings_or_exit() -> ProjectSettings:
    """The current project's settings; a broken `[tool.onex]` is a usage error (exit 2)."""
    try:
        return load_project_settings()
    except ProjectSettingsError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(EXIT_USAGE) from None


def _targets(paths: Sequence[Path]) -> list[Path]:
    if paths:
        return list(paths)
    try:
        return default_targets(project_settings_or_exit())
    except ProjectSettingsError as exc:
        raise click.UsageError(str(exc)) from None


def _bases(base_dirs: Sequence[Path]) -> list[Path]:
    """The command line's --bases, else the project's (command line > env > [tool.onex])."""
    return list(base_dirs) or list(project_settings_or_exit().bases)


def _load(
    targets: list[Path], base_dirs: Sequence[Path]
) -> tuple[list[LoadedScenario], list[ValidationIssue]]:
    try:
        return load_scenarios(targets, base_dirs=_bases(base_dirs))
    except EnvOverrideError as exc:
        _usage_failure(exc)


def _usage_failure(exc: ScenarioValidationError) -> NoReturn:
    for issue in exc.issues:
        click.echo(str(issue), err=True)
    raise SystemExit(EXIT_USAGE)


def _index_issues(targets: list[Path], loaded: list[LoadedScenario]) -> list[ValidationIssue]:
    issues: list[ValidationIssue] = []
    for folder in (t for t in targets if t.is_dir()):
        index_path = find_index(folder)
        if index_path is None:
            continue
        try:
            index = load_index(index_path)
        except ScenarioValidationError as exc:
            issues.extend(exc.issues)
            continue
        issues.extend(index_problems(index, within=folder, scenarios=loaded))
    return issues


@scenarios.command()
@_paths_argument
@bases_option
@click.option(
    "--index/--no-index",
    "check_index",
    default=True,
    show_default=True,
    help="Also check scenarios/index.yaml against the folders given.",
)
def validate(paths: tuple[Path, ...], base_dirs: tuple[Path, ...], check_index: bool) -> None:
    """Check scenario files (default: the project's scenario roots): schema, bases, references.

    Prints one line per problem, `file:line:col: key.path: message`; exits 1 if there is any.
    """
    targets = _targets(paths)
    loaded, issues = _load(targets, base_dirs)
    if check_index:
        issues = issues + _index_issues(targets, loaded)
    issues = sort_issues(issues)
    for issue in issues:
        click.echo(str(issue))
    checked = len(discover_scenario_files(targets))
    bad_files = len({issue.file for issue in issues})
    if issues:
        click.echo(
            f"{checked} scenario file(s) checked: {len(issues)} problem(s) in {bad_files} file(s)",
            err=True,
        )
        raise SystemExit(EXIT_INVALID)
    click.echo(f"{checked} scenario file(s) checked: all valid", err=True)


def _summary(item: LoadedScenario) -> dict[str, Any]:
    scenario = item.scenario
    return {
        "name": scenario.name,
        "tier": scenario.tier.value,
        "dependency_mode": scenario.dependency_mode.value,
        "services": {name: s.declared.value for name, s in plan_modes(scenario).services.items()},
        "steps": len(scenario.steps),
        "tags": list(scenario.tags),
        "path": str(item.path),
        "description": scenario.description,
    }


@scenarios.command("list")
@_paths_argument
@bases_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def list_scenarios(paths: tuple[Path, ...], base_dirs: tuple[Path, ...], as_json: bool) -> None:
    """List the valid scenarios (default: the project's scenario roots) with tier, modes and steps.

    Problems of invalid files go to stderr, and the exit code is then 1.
    """
    loaded, issues = _load(_targets(paths), base_dirs)
    rows = [_summary(item) for item in sorted(loaded, key=lambda i: (i.scenario.tier, i.path))]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        table = Table(title=f"{len(rows)} scenario(s)")
        widest = max((len(row["name"]) for row in rows), default=4)
        table.add_column("name", no_wrap=True, min_width=widest)
        table.add_column("tier", no_wrap=True)
        for column in ("services", "steps", "tags", "path"):
            table.add_column(column, overflow="fold")
        for row in rows:
            services = ", ".join(f"{n}={m}" for n, m in row["services"].items()) or "-"
            cells = (row["name"], row["tier"], services, row["steps"], ", ".join(row["tags"]),
                     row["path"])  # fmt: skip
            table.add_row(*(plain_text(cell) for cell in cells))
        Console().print(table)
    for issue in issues:
        click.echo(str(issue), err=True)
    if issues:
        raise SystemExit(EXIT_INVALID)


def _find_scenario(name: str, folders: list[Path], loader: ScenarioLoader) -> Path:
    files = discover_scenario_files(folders)
    for folder in folders:
        index_path = find_index(folder)
        if index_path is None:
            continue
        try:
            entry = load_index(index_path).by_id(name)
        except ScenarioValidationError:
            entry = None
        if entry is not None:
            return index_path.parent / entry.path
    names: dict[str, Path] = {}
    for file in files:
        try:
            names.setdefault(loader.load(file).scenario.name, file)
        except ScenarioValidationError:
            names.setdefault(file.stem, file)
    if name in names:
        return names[name]
    close = difflib.get_close_matches(name, list(names), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    where = ", ".join(str(f) for f in folders)
    raise click.UsageError(f"no scenario named '{name}' in {where}{hint}")


@scenarios.command()
@click.argument("name")
@click.option(
    "--resolved",
    is_flag=True,
    help="Show the scenario after inheritance, interpolation and ONEX_* overrides.",
)
@click.option(
    "--in",
    "folders",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder to search for NAME (default: the project's scenario roots).",
)
@bases_option
def show(name: str, resolved: bool, folders: tuple[Path, ...], base_dirs: tuple[Path, ...]) -> None:
    """Print the scenario NAME (a scenario name, an index id or a file path) as YAML."""
    try:
        loader = ScenarioLoader(base_dirs=_bases(base_dirs))
    except EnvOverrideError as exc:
        _usage_failure(exc)
    given = Path(name)
    path = given if given.is_file() else _find_scenario(name, _targets(folders), loader)
    if not resolved:
        try:
            click.echo(path.read_text(encoding="utf-8"), nl=False)
        except (OSError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"cannot read {path}: {exc}") from None
        return
    try:
        item = loader.load(path)
    except ScenarioValidationError as exc:
        for issue in exc.issues:
            click.echo(str(issue))
        raise SystemExit(EXIT_INVALID) from None
    data = item.scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("extends", None)
    chain = " <- ".join(str(p) for p in item.chain)
    click.echo(f"# resolved: {chain}")
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)


@scenarios.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the schema to this file instead of stdout.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of scenario files (committed as schemas/scenario.schema.json)."""
    text = render_scenario_json_schema()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
