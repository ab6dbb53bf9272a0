"""What `onex run` takes in before it starts: the files to run, the scenarios chosen from them,
and the options that must be usable (a problem here ends the run with exit 2, nothing started).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click
from onex_registry import parse_mode
from onex_registry.errors import InvalidDependencyModeError
from onex_scenario import DependencyModeEnum, LoadedScenario
from onex_scenario.cli import project_settings_or_exit
from onex_scenario.compare_paths import Pattern
from onex_scenario.project_settings import (
    ProjectSettings,
    ProjectSettingsError,
    apply_profile,
    default_targets,
    read_profile,
)
from rich.console import Console

from onex_runner.cleanup import CleanupSettingError, cleanup_timeout_from_env
from onex_runner.history import history_path, recorded_durations
from onex_runner.mode_diff import ignore_patterns
from onex_runner.selection import select
from onex_runner.sharding import ShardSpecError, path_key, shard_from, take_shard


def project_settings(profile: str | None) -> ProjectSettings:
    """The project's settings, after the named profile filled the variables the environment
    leaves unset (so a profile's ONEX_SERVICES_BACKEND counts as the environment's)."""
    settings = project_settings_or_exit()
    if profile is None:
        return settings
    try:
        apply_profile(read_profile(settings.profile(profile)), os.environ)
    except ProjectSettingsError as exc:
        raise click.UsageError(str(exc)) from None
    return project_settings_or_exit()


def run_targets(paths: tuple[Path, ...], settings: ProjectSettings) -> list[Path]:
    """PATHS, else the project's scenario roots; a missing one is a usage error."""
    try:
        targets = list(paths) or default_targets(settings)
    except ProjectSettingsError as exc:
        raise click.UsageError(str(exc)) from None
    missing = [p for p in targets if not p.exists()]
    if missing:
        raise click.UsageError(f"no such file or folder: {', '.join(map(str, missing))}")
    return targets


def select_or_exit(
    targets: list[Path],
    tier: str | None,
    keyword: str | None,
    allowed_paths: tuple[Path, ...],
    bases: list[Path],
    console: Console,
) -> list[LoadedScenario]:
    """The scenarios to run; a broken file or an empty selection ends the run (exit 2)."""
    scenarios, issues = select(
        targets, tier=tier, keyword=keyword, allowed_paths=allowed_paths, base_dirs=bases
    )
    if issues:
        for issue in issues:
            # One unwrapped line per problem, so editors and CI annotators can parse it.
            click.echo(str(issue), err=True)  # escaped and redacted by ValidationIssue
        console.print(f"[red]{len(issues)} problem(s) in scenario files; nothing was run[/]")
        raise SystemExit(2)
    if not scenarios:
        console.print("[yellow]no scenario matched[/]")
        raise SystemExit(2)
    return scenarios


def checked_options(
    force_mode: str | None, compare_modes: bool, repeat: int, compare_ignore: tuple[str, ...]
) -> tuple[DependencyModeEnum | None, float | None, tuple[Pattern, ...]]:
    """The forced mode, the cleanup deadline and the paths to ignore; UsageError when unusable."""
    if compare_modes and repeat > 1:
        raise click.UsageError("--repeat and --compare-modes cannot be combined")
    try:
        mode = parse_mode(force_mode) if force_mode else None
        cleanup_timeout = cleanup_timeout_from_env()
    except (InvalidDependencyModeError, CleanupSettingError) as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        ignored = ignore_patterns(compare_ignore)
    except ValueError as exc:
        raise click.UsageError(f"--compare-ignore {exc}") from exc
    return mode, cleanup_timeout, ignored


def shard_option(command: Callable[..., None]) -> Callable[..., None]:
    """`--shard I/N`: run only shard I of N (see onex_runner.sharding)."""
    return click.option(
        "--shard",
        metavar="I/N",
        help="Run only shard I of N, balanced by the durations in the run history (equal counts "
        "without one); default $ONEX_SHARD.",
    )(command)


def shard_or_exit(
    scenarios: list[LoadedScenario], given: str | None, history: Path | None, console: Console
) -> list[LoadedScenario]:
    """The scenarios of the shard asked for (all without one); a bad spec is a usage error.
    An empty shard (more shards than scenarios) ends the run with exit 0: nothing is its to run."""
    try:
        shard = shard_from(given)
    except ShardSpecError as exc:
        raise click.UsageError(str(exc)) from None
    if shard is None:
        return scenarios
    db = None if history == Path("-") else history_path(history)
    recorded = recorded_durations(db) if db is not None else {}
    mine = take_shard(scenarios, lambda s: path_key(s.path), shard, recorded)
    weighed = "recorded durations" if recorded else "equal counts (no run history)"
    console.print(f"shard {shard}: {len(mine)} of {len(scenarios)} scenario(s), by {weighed}")
    if not mine:
        raise SystemExit(0)
    return mine
