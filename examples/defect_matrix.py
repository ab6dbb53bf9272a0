"""Run the example suite once per defect, on mocks and on real services, and print which tier
caught it. A defect counts as caught by a tier when at least one scenario of that tier fails with
the defect switched on, while every scenario passes with it off (the baseline).

    python -m examples.defect_matrix           # each defect against the whole tier
    python -m examples.defect_matrix --quick   # each defect against the scenarios tagged for it
    python -m examples.defect_matrix --events reports/events.jsonl --html reports/demo.html
                                               # also into a run's event stream and its report
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from pathlib import Path

from onex_runner.engine import RunOptions, ScenarioRunner
from onex_runner.events import EventStream, read_events
from onex_runner.history import HISTORY_FILE
from onex_runner.report_page import write_report
from onex_runner.results import OutcomeEnum
from onex_runner.selection import select
from onex_scenario import LoadedScenario
from rich.console import Console
from rich.table import Table

from examples.defects import (
    CAUGHT_ONLY_BY_THE_RESOURCE_CHECK,
    DEFECTS,
    ENV,
    FAULT_ONLY,
    MISSED_BY_THE_SQLITE_MOCK,
    REAL_ONLY_IN_THE_ORIGINAL,
)

ROOT = Path(__file__).resolve().parent.parent
TIERS = {
    "mock tier": [ROOT / "scenarios" / "unit"],
    # The fault scenarios run on real services of private stacks (mocks for what they do not
    # fault), so they belong to the real tier.
    "real tier": [
        ROOT / "scenarios" / "integration",
        ROOT / "scenarios" / "e2e",
        ROOT / "scenarios" / "faults",
    ],
}


async def _failures(runner: ScenarioRunner, scenarios: list[LoadedScenario]) -> list[str]:
    failed = []
    for loaded in scenarios:
        result = await runner.run(loaded)
        if result.outcome is not OutcomeEnum.PASSED:
            failed.append(f"{result.name}: {result.message}")
    return failed


async def matrix(quick: bool, console: Console, rows: list[dict[str, object]]) -> int:
    """Print the matrix; `rows` receives it as data (defect, what, caught by tier)."""
    runner = ScenarioRunner(RunOptions())
    suites: dict[str, list[LoadedScenario]] = {}
    for tier, paths in TIERS.items():
        loaded, issues = select(paths)
        if issues:
            for issue in issues:
                console.print(str(issue), markup=False)
            return 2
        suites[tier] = loaded
    caught: dict[str, dict[str, bool]] = {}
    try:
        os.environ.pop(ENV, None)
        for tier, scenarios in suites.items():
            baseline = await _failures(runner, scenarios)
            if baseline:
                console.print(f"[red]baseline of the {tier} fails; the matrix would lie:[/]")
                for line in baseline:
                    console.print(f"  {line}", markup=False)
                return 1
        for name in DEFECTS:
            os.environ[ENV] = name
            started = time.perf_counter()
            caught[name] = {}
            for tier, scenarios in suites.items():
                chosen = scenarios
                if quick:
                    chosen = [s for s in scenarios if f"defect:{name}" in s.scenario.tags]
                caught[name][tier] = bool(await _failures(runner, chosen))
            console.print(f"[dim]{name}: {time.perf_counter() - started:.1f}s[/]")
    finally:
        os.environ.pop(ENV, None)
        await runner.close()
    table = Table(title="Defects caught, by tier")
    for column in ("defect", "what goes wrong", *TIERS):
        table.add_column(column)
    for name, by_tier in caught.items():
        label = name + (
            " (real-only in the original report)" if name in REAL_ONLY_IN_THE_ORIGINAL else ""
        )
        if name in MISSED_BY_THE_SQLITE_MOCK:
            label += " (missed by the old sqlite mock)"
        if name in CAUGHT_ONLY_BY_THE_RESOURCE_CHECK:
            label += " (caught only by the resource check)"
        if name in FAULT_ONLY:
            label += " (fault scenarios only: no mock models the fault)"
        marks = ["[green]caught[/]" if hit else "[red]missed[/]" for hit in by_tier.values()]
        table.add_row(label, DEFECTS[name], *marks)
        rows.append({"defect": label, "what": DEFECTS[name], "caught": by_tier})
    console.print(table)
    totals = {tier: sum(by[tier] for by in caught.values()) for tier in TIERS}
    console.print(", ".join(f"{tier}: {n}/{len(DEFECTS)} caught" for tier, n in totals.items()))
    return 0 if totals["real tier"] == len(DEFECTS) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.defect_matrix")
    parser.add_argument("--quick", action="store_true", help="only the scenarios tagged per defect")
    parser.add_argument("--events", type=Path, help="add the matrix to this run's event stream")
    parser.add_argument("--html", type=Path, help="and draw the HTML report from the stream")
    options = parser.parse_args(argv)
    if options.html and not options.events:
        parser.error("--html needs --events (the report is drawn from the event stream)")
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    rows: list[dict[str, object]] = []
    console = Console()
    code = asyncio.run(matrix(options.quick, console, rows))
    if options.events and rows:
        _record(options.events, options.html, rows, console)
    return code


def _record(
    events: Path, html: Path | None, rows: list[dict[str, object]], console: Console
) -> None:
    """The matrix as a `defect_matrix` event of the run's stream (a stream of its own when there
    is none yet), and the report redrawn from it."""
    stream = EventStream(events, append=events.exists())
    stream.emit("defect_matrix", tiers=list(TIERS), rows=rows)
    stream.close()
    if html is not None:
        history = events.parent / HISTORY_FILE
        write_report(read_events(events), html, history if history.exists() else None)
        console.print("HTML report with the defect matrix:", str(html.resolve()), markup=False)


if __name__ == "__main__":
    sys.exit(main())
