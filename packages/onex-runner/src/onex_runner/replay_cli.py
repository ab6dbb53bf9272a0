"""`onex replay REPORT --scenario NAME [--step ID] [--mode real|mock]` (onex_runner.replay)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import click
from onex_scenario import DependencyModeEnum
from onex_scenario.display import plain_text
from onex_scenario.errors import ScenarioValidationError
from rich.console import Console

from onex_runner.replay import ReplayError, replay
from onex_runner.replay_log import read_replay


@click.command("replay")
@click.argument("report", type=click.Path(exists=True, path_type=Path))
@click.option("--scenario", required=True, help="The recorded scenario's name.")
@click.option("--step", "step_id", help="Replay up to this step and compare it (no expectations).")
@click.option(
    "--mode",
    type=click.Choice([m.value for m in DependencyModeEnum]),
    help="Force every service to this mode (default: the scenario file's modes).",
)
def replay_command(report: Path, scenario: str, step_id: str | None, mode: str | None) -> None:
    """Run a recorded scenario's inputs again and compare each step's outputs with the
    recording. REPORT is a replay log, the snapshots file it lies beside, or their folder.
    Prints the first difference with its path; exit 1 when there is one."""
    console = Console(highlight=False)
    try:
        record = read_replay(report, scenario)
    except LookupError as exc:
        raise click.UsageError(str(exc)) from None
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    forced = DependencyModeEnum(mode) if mode else None
    try:
        outcome = asyncio.run(replay(record, step=step_id, mode=forced))
    except (ReplayError, ScenarioValidationError) as exc:
        raise click.UsageError(str(exc)) from None
    where = f"{scenario} ({outcome.result.tier_label})"
    loaded = outcome.result.state.get("seeded", {}).get("recorded_start")
    if loaded:
        console.print(plain_text(f"start state: loaded from the recording ({'; '.join(loaded)})"))
    if outcome.difference is None:
        console.print(
            plain_text(f"replayed {where}: {outcome.compared} step(s) compared, as recorded")
        )
        return
    console.print(plain_text(f"replayed {where}: {outcome.difference}"), soft_wrap=True)
    if outcome.result.message:
        console.print(plain_text(f"  the replayed run: {outcome.result.message}"), soft_wrap=True)
    raise SystemExit(1)
