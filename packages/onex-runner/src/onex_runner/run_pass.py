"""One pass of `onex run` over its scenarios: each run (with its repeats) under a worker limit,
a progress bar, a line per result, the golden snapshot check and the event stream; and the two
ways of using passes, `--compare-modes` (mock, then real) and `--repeat` (name flaky scenarios).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onex_scenario import DependencyModeEnum, LoadedScenario
from onex_scenario.compare_paths import Pattern
from onex_scenario.display import plain_text
from onex_services.models import HealthResult
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from onex_runner.app_health import app_round
from onex_runner.capacity_check import check_capacity
from onex_runner.engine import RunOptions, ScenarioRunner
from onex_runner.events import EventStream, HealthRound, sample
from onex_runner.interrupts import RunInterrupt, run_to_end
from onex_runner.mode_diff import compare_runs
from onex_runner.results import ModelScenarioResult, OutcomeEnum
from onex_runner.snapshots import append_jsonl, compare_golden

# Lines are built as rich `Text` from parts: our own styles, and values from scenarios and
# services through `plain_text`, so no value is ever read as markup (see onex_scenario.display).
_MARK = {
    OutcomeEnum.PASSED: ("✓ passed", "green"),
    OutcomeEnum.FAILED: ("✗ failed", "red"),
    OutcomeEnum.ERROR: ("✗ error", "red"),
    OutcomeEnum.SKIPPED: ("⚠ skipped", "yellow"),
}


def _result_line(result: ModelScenarioResult) -> Text:
    line = Text.assemble(
        _MARK[result.outcome],
        " ",
        plain_text(result.name),
        " ",
        plain_text(f"({result.tier_label}, {result.duration_ms:.0f} ms)", "dim"),
        " ",
        plain_text(result.message),
        *(
            part
            for w in result.warnings
            for part in ("\n  ", plain_text(f"warning: {w}", "yellow"))
        ),
    )
    if result.log_tail and result.outcome is not OutcomeEnum.PASSED:
        # The last lines of the app's and the services' logs: often the why of a failure.
        line.append_text(Text.assemble("\n", plain_text(result.log_tail, "dim")))
    return line


@dataclass(frozen=True)
class PassSetup:
    """What every pass over the scenarios of one `onex run` shares."""

    workers: int
    console: Console
    snapshots: Path | None
    interrupt: RunInterrupt
    finished: list[ModelScenarioResult]  # in the order they ended, for the second SIGINT
    stream: EventStream | None = None  # the run's event stream, when it is recorded


async def run_pass(
    scenarios: list[LoadedScenario],
    options: RunOptions,
    setup: PassSetup,
    update_snapshots: bool,
    repeat: int = 1,
    first_id: int = 0,
) -> list[ModelScenarioResult]:
    console, snapshots, interrupt = setup.console, setup.snapshots, setup.interrupt
    stream = setup.stream
    runner = ScenarioRunner(options, interrupt=interrupt)
    # Each repetition is a run of its own: its own namespace, its own result.
    runs = [(loaded, k) for loaded in scenarios for k in range(1, repeat + 1)]
    names = [_display_name(loaded, k, repeat) for loaded, k in runs]
    sampler = None
    if stream is not None:
        for i, (loaded, _) in enumerate(runs):
            scenario = loaded.scenario
            stream.emit("scenario_queued", id=first_id + i, name=names[i], path=str(loaded.path),
                        tier=str(scenario.tier), tags=list(scenario.tags))  # fmt: skip
        sampler = asyncio.create_task(sample(stream, lambda: _health_round(runner)))
    for warning in await check_capacity(runner, scenarios, setup.workers):
        console.print(Text(warning, style="yellow"), soft_wrap=True)
    limit = asyncio.Semaphore(max(1, setup.workers))
    results: dict[int, ModelScenarioResult] = {}
    with Progress(
        TextColumn("[bold]onex run[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}", markup=False),  # a scenario's name, as text
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(runs))

        async def one(index: int, loaded: LoadedScenario) -> None:
            async with limit:
                if interrupt.requested:  # a stopped run starts nothing new
                    return
                progress.update(task, description=loaded.scenario.name)
                events = stream.scenario(first_id + index) if stream is not None else None
                result = await runner.run(loaded, events)
                problem = compare_golden(result, update=update_snapshots)
                if problem and result.outcome is OutcomeEnum.PASSED:
                    result.outcome, result.message = OutcomeEnum.FAILED, problem
                result.name = names[index]  # after the golden comparison (by the plain name)
                if events is not None:
                    events.finished(result)
                if snapshots is not None:
                    append_jsonl(result, snapshots)
                results[index] = result
                setup.finished.append(result)
                progress.console.print(_result_line(result), soft_wrap=True)
                progress.advance(task)

        try:
            with interrupt.on_sigint():
                await asyncio.gather(*(one(i, s) for i, (s, _) in enumerate(runs)))
        finally:
            if sampler is not None:
                sampler.cancel()
                await asyncio.gather(sampler, return_exceptions=True)
            await runner.close()
    return [results[i] for i in sorted(results)]


def _display_name(loaded: LoadedScenario, attempt: int, repeat: int) -> str:
    name = loaded.scenario.name
    return f"{name} [run {attempt}/{repeat}]" if repeat > 1 else name


def _health_round(runner: ScenarioRunner) -> HealthRound | None:
    held = runner.held_services
    if not runner.live_apps:
        return held.health_round if held is not None else None
    apps = list(runner.live_apps.values())

    async def with_apps() -> tuple[list[HealthResult], dict[str, tuple[str, ...]]]:
        found = await held.health_round() if held is not None else []
        return await app_round(apps, held, found)

    return with_apps


def compare_mock_and_real(
    scenarios: list[LoadedScenario],
    options_for: Callable[[DependencyModeEnum | None], RunOptions],
    setup: PassSetup,
    ignore: Sequence[Pattern],
) -> tuple[list[ModelScenarioResult], list[dict[str, Any]] | None]:
    """Every scenario in mock mode, then in real mode; the differences (none when stopped)."""
    runs = [
        run_to_end(
            run_pass(scenarios, options_for(mode), setup, False, first_id=k * len(scenarios))
        )
        for k, mode in enumerate((DependencyModeEnum.MOCK, DependencyModeEnum.REAL))
    ]
    if setup.interrupt.requested:
        return runs[0] + runs[1], None
    differences = compare_runs(scenarios, runs[0], runs[1], ignore)
    return runs[0] + runs[1], differences


def report_flaky(
    scenarios: list[LoadedScenario],
    results: list[ModelScenarioResult],
    repeat: int,
    console: Console,
) -> None:
    """With --repeat: name every scenario whose runs did not all end the same way."""
    if repeat == 1:
        return
    # Runs are told apart by their file (one scenario per file), not by their display name.
    outcomes: dict[str, set[OutcomeEnum]] = {}
    for result in results:
        outcomes.setdefault(result.path, set()).add(result.outcome)
    names = {str(loaded.path): loaded.scenario.name for loaded in scenarios}
    flaky = sorted(names[path] for path, seen in outcomes.items() if len(seen) > 1)
    for name in flaky:
        console.print(
            Text.assemble(("flaky:", "yellow"), " ", plain_text(name)),
            f"ended differently across {repeat} runs",
        )
