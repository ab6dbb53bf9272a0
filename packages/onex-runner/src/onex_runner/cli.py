"""`onex run`: run scenarios with a progress display and write reports.

Exit 0 when every scenario passed (or was skipped by its own setting), 1 when any failed, 2 for
a usage or configuration error (a broken scenario file is reported as file:line:col), 130 when
SIGINT stopped the run (the reports then hold what finished and are marked interrupted).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from onex_scenario import DependencyModeEnum, TierEnum
from onex_scenario.cli import bases_option
from onex_scenario.display import plain_text
from rich.console import Console

from onex_runner.engine import RunOptions
from onex_runner.interrupts import RunInterrupt, run_to_end
from onex_runner.mode_diff import difference_line
from onex_runner.recording import Recording
from onex_runner.reports import write_html, write_json, write_junit
from onex_runner.results import ModelRunSummary, ModelScenarioResult
from onex_runner.run_inputs import (
    checked_options,
    project_settings,
    run_targets,
    select_or_exit,
    shard_option,
    shard_or_exit,
)
from onex_runner.run_pass import PassSetup, compare_mock_and_real, report_flaky, run_pass


@dataclass(frozen=True)
class _Reports:
    """The report files a run asked for, written at its end or on the second SIGINT."""

    junit: Path | None
    json: Path | None
    html: Path | None

    def write(
        self,
        results: list[ModelScenarioResult],
        differences: list[dict[str, Any]] | None,
        *,
        interrupted: bool,
        html: bool = True,
    ) -> None:
        """`html=False`: the run's event stream draws the HTML report instead (`Recording`)."""
        if self.junit:
            write_junit(results, self.junit, interrupted=interrupted)
        if self.json:
            write_json(results, self.json, differences, interrupted=interrupted)
        if self.html and html:
            write_html(results, self.html, differences, interrupted=interrupted)

    def abort(self, finished: list[ModelScenarioResult], console: Console) -> None:
        """The second SIGINT: write what finished and end the process without waiting."""
        self.write(list(finished), None, interrupted=True)
        console.print("[red]interrupted twice: stopped at once[/] (reports hold what finished)")
        os._exit(130)


def _print_summary(
    console: Console, summary: ModelRunSummary, differences: list[dict[str, Any]] | None
) -> None:
    if differences is not None:
        console.print(f"mock versus real: {len(differences)} difference(s)")
        for diff in differences:
            console.print(plain_text(f"  {difference_line(diff)}"), soft_wrap=True)
    console.print(
        f"{summary.passed} passed, {summary.failed + summary.errors} failed, "
        f"{summary.skipped} skipped in {summary.duration_ms / 1000:.1f}s",
        highlight=False,
    )


@click.command("run")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--tier", type=click.Choice([t.value for t in TierEnum]), help="Only this tier.")
@click.option("-k", "keyword", help="Only scenarios whose name or tags match (words, 'not').")
@click.option(
    "-n",
    "workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Scenarios run at once (each in its own namespace).",
)
@click.option(
    "--repeat",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Run each scenario this many times, each in its own namespace (finds flaky ones).",
)
@click.option(
    "--force-dependency-mode",
    "force_mode",
    type=click.Choice(["real", "mock"]),
    help="Run every dependency in this mode (beats ONEX_FORCE_DEPENDENCY_MODE).",
)
@click.option(
    "--skip-preconditions", is_flag=True, help="Do not health-check services; marked in results."
)
@click.option(
    "--backend",
    type=click.Choice(["auto", "process", "compose", "external"]),
    help="Service backend for real dependencies (default: auto).",
)
@click.option(
    "--compare-modes",
    is_flag=True,
    help="Run each scenario in mock and in real mode and report differences.",
)
@click.option(
    "--compare-ignore",
    "compare_ignore",
    multiple=True,
    metavar="PATH",
    help="With --compare-modes: a value not to compare, e.g. $.id or steps.place.output.at "
    "(repeatable; adds to each scenario's compare_ignore).",
)
@click.option(
    "--update-snapshots", is_flag=True, help="Write golden snapshots instead of comparing."
)
@click.option(
    "--snapshots",
    "snapshot_file",
    type=click.Path(path_type=Path),
    help="JSONL record per scenario, '-' for none (default: snapshots.jsonl in the reports "
    "folder of [tool.onex], else reports/).",
)
@bases_option
@click.option("--profile", help="Fill unset variables from this profile of [tool.onex].profiles.")
@shard_option
@click.option(
    "--allow-path",
    "allowed_paths",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="A folder outside the project that scenarios may name files in (repeatable; "
    "[tool.onex] allowed_paths holds the project's own).",
)
@click.option("--junit", type=click.Path(path_type=Path), help="Write a JUnit XML report.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write a JSON report.")
@click.option("--html", "html_path", type=click.Path(path_type=Path), help="Write an HTML report.")
@click.option(
    "--events",
    "events_path",
    type=click.Path(path_type=Path),
    help="The run's event stream (JSON lines; '-' for none). Default: events.jsonl beside the "
    "first report asked for, or reports/ with --dashboard.",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(path_type=Path),
    help="SQLite history the run's summary is appended to ('-' for none). Default: "
    "$ONEX_HISTORY, else history.sqlite beside the event stream.",
)
@click.option(
    "--dashboard",
    is_flag=True,
    help="Serve a live dashboard of the run on 127.0.0.1 (URL printed).",
)
def run(
    paths: tuple[Path, ...],
    tier: str | None,
    keyword: str | None,
    workers: int,
    repeat: int,
    force_mode: str | None,
    skip_preconditions: bool,
    backend: str | None,
    compare_modes: bool,
    compare_ignore: tuple[str, ...],
    update_snapshots: bool,
    snapshot_file: Path | None,
    base_dirs: tuple[Path, ...],
    profile: str | None,
    shard: str | None,
    allowed_paths: tuple[Path, ...],
    junit: Path | None,
    json_path: Path | None,
    html_path: Path | None,
    events_path: Path | None,
    history_path: Path | None,
    dashboard: bool,
) -> None:
    """Run scenario files (default: the project's scenario roots, see [tool.onex]) against mock
    or real dependencies. The command line beats the environment, which beats [tool.onex]."""
    console = Console()
    # aiokafka logs retriable coordinator hiccups at ERROR; real failures reach the results.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    settings = project_settings(profile)
    targets = run_targets(paths, settings)
    bases = list(base_dirs) or list(settings.bases)
    scenarios = select_or_exit(targets, tier, keyword, allowed_paths, bases, console)
    scenarios = shard_or_exit(scenarios, shard, history_path, console)
    backend = backend or settings.backend
    if snapshot_file is None:
        snapshot_file = settings.reports / "snapshots.jsonl"
    mode, cleanup_timeout, ignored = checked_options(
        force_mode, compare_modes, repeat, compare_ignore
    )
    recording = Recording.choose(
        events_path, history_path, [html_path, json_path, junit], dashboard, console
    )
    recording.begin(len(scenarios) * (2 if compare_modes else repeat), workers, force_mode)
    started = time.perf_counter()
    try:
        differences: list[dict[str, Any]] | None = None
        snapshots = None if snapshot_file == Path("-") else snapshot_file
        reports = _Reports(junit, json_path, html_path)
        interrupt = RunInterrupt()
        finished: list[ModelScenarioResult] = []
        interrupt.hard_exit = lambda: reports.abort(finished, console)

        def options_for(forced: DependencyModeEnum | None) -> RunOptions:
            return RunOptions(
                forced, skip_preconditions, backend, cleanup_timeout_s=cleanup_timeout
            )

        setup = PassSetup(workers, console, snapshots, interrupt, finished, recording.stream)
        if compare_modes:
            results, differences = compare_mock_and_real(scenarios, options_for, setup, ignored)
        else:
            results = run_to_end(
                run_pass(scenarios, options_for(mode), setup, update_snapshots, repeat)
            )
            report_flaky(scenarios, results, repeat, console)
        summary = ModelRunSummary.of(results, (time.perf_counter() - started) * 1000)
        drawn = recording.finish(
            summary, differences, reports.html, interrupted=interrupt.requested
        )
        reports.write(results, differences, interrupted=interrupt.requested, html=drawn is None)
        if reports.html:
            console.print("HTML report:", plain_text(reports.html.resolve()), soft_wrap=True)
        _print_summary(console, summary, differences)
        recording.linger()
        if interrupt.requested:
            console.print("[red]interrupted: the reports hold what finished[/]")
            raise SystemExit(130)
        raise SystemExit(0 if summary.failed + summary.errors == 0 else 1)
    finally:
        recording.close()
