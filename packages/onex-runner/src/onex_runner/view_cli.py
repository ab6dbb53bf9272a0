"""`onex dashboard REPORT_DIR` (reopen a run's dashboard) and `onex history` (trends in the
terminal). Both read what `onex run` recorded: the event stream and the SQLite history."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import click
from onex_scenario.display import plain_text
from onex_scenario.redaction import redact_text
from rich.console import Console
from rich.table import Table
from rich.text import Text

from onex_runner.dashboard import DashboardServer
from onex_runner.events import EVENTS_FILE
from onex_runner.history import SLOW_FACTOR, history_path, trends

_BLOCKS = "▁▂▃▄▅▆▇█"


@click.command("dashboard")
@click.argument("report_dir", type=click.Path(path_type=Path), default=Path("reports"))
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="0: a free port.")
def dashboard(report_dir: Path, port: int) -> None:
    """Serve the dashboard of a recorded run (REPORT_DIR/events.jsonl, or an events file) on
    127.0.0.1 until Ctrl-C; a run still going on shows live."""
    events = report_dir / EVENTS_FILE if report_dir.is_dir() else report_dir
    if not events.is_file():
        raise click.UsageError(f"{events}: no event stream (run `onex run --html ...` first)")
    server = DashboardServer(events, port=port)
    console = Console()
    console.print("dashboard:", plain_text(server.start()), "(Ctrl-C stops it)", soft_wrap=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    finally:
        server.stop()


def sparkline(values: list[float]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(_BLOCKS[round((v - low) / span * (len(_BLOCKS) - 1))] for v in values)


@click.command("history")
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    help="History file (default: $ONEX_HISTORY, else reports/history.sqlite).",
)
@click.option("--last", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="How many of the latest runs.")  # fmt: skip
def history(db: Path | None, last: int) -> None:
    """Each scenario's duration over the last runs, its pass rate, and the ones that got more
    than 1.5 times slower than their median."""
    path = history_path(db)
    if not path.is_file():
        raise click.UsageError(f"{path}: no history yet (`onex run` with a report writes one)")
    data = trends(path, last)
    console = Console()
    runs = data["runs"]
    rates = [100 * r["passed"] / r["total"] if r["total"] else 0.0 for r in runs]
    console.print(
        Text.assemble(f"{len(runs)} run(s); pass rate ", sparkline(rates), " ",
                      " ".join(f"{rate:.0f}%" for rate in rates)),
        soft_wrap=True,
    )  # fmt: skip
    table = Table(title=f"Scenarios over the last {len(runs)} run(s)")
    for column in ("scenario", "duration", "runs", "passed", "median", "last", ""):
        table.add_column(column)
    slow = 0
    for name in sorted(data["scenarios"]):
        trend = data["scenarios"][name]
        flag = Text("")
        if trend["slow"]:
            slow += 1
            flag = Text(f"{trend['ratio']:.1f}x slower than its median", style="bold red")
        table.add_row(
            plain_text(redact_text(name)),
            sparkline(trend["durations_ms"]),
            str(len(trend["durations_ms"])),
            f"{100 * trend['pass_rate']:.0f}%",
            f"{trend['median_ms']:.1f} ms",
            f"{trend['last_ms']:.1f} ms",
            flag,
        )
    console.print(table)
    console.print(f"{slow} scenario(s) more than {SLOW_FACTOR}x slower than their median")
