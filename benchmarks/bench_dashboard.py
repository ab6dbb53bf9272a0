"""What the event stream and the live dashboard cost a run of 100 mock scenarios.

1. End to end: `onex run` on 100 mock scenarios without an event stream (`--events -`), with one
   (a JSON report, so events and history are written) and with `--dashboard` (a page served
   while it runs, no browser connected). ROUNDS rounds, each running every variant once, in an
   order that alternates from round to round, so that a change of the machine's load touches
   all variants alike. Per variant: the wall clock and the CPU time of the process (user +
   system, `getrusage` of the child), as the median of its ratios to the plain run of the same
   round and as the ratio of the fastest runs (the least disturbed on a shared machine).
2. By parts, in process, each the fastest of many repeats: the event path (what the engine's
   observer writes for each scenario: redaction, JSON, one flushed line per event), the end of
   the run (the stream read back, the history row appended), the dashboard server's start and
   stop, and one resource sample (taken once a second). Their sum for a run of 100 scenarios
   against the plain run's CPU time (its fastest) is the figure a loaded machine disturbs
   least; the share of its wall clock is printed too.
Target: the dashboard run at most 2 % over the run without a stream. Prints numbers and ratios,
and the machine's load average before and after; asserts nothing.
"""

from __future__ import annotations

import asyncio
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import yaml
from bench_runner import SCENARIO  # the same mock scenario as the runner benchmark
from onex_runner import RunOptions, ScenarioRunner
from onex_runner.dashboard import DashboardServer
from onex_runner.events import EventStream, read_events
from onex_runner.history import HISTORY_EVENTS, append
from onex_runner.results import ModelRunSummary, ModelScenarioResult
from onex_scenario import LoadedScenario, ScenarioLoader

COUNT = 100
ROUNDS = 7
REPEAT = 15


def _run(argv: list[str]) -> tuple[float, float]:
    """Wall clock and CPU time (user + system) of one `onex run`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        argv, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"onex run failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _end_to_end(folder: Path, out: Path) -> dict[str, dict[str, list[float]]]:
    """Per variant: its wall and CPU seconds, and its ratios to the plain run of each round."""
    onex = str(Path(sys.executable).parent / "onex")
    base = [onex, "run", str(folder), "--snapshots", "-"]
    variants = {
        "no event stream": [*base, "--events", "-"],
        "event stream + history": [*base, "--json", str(out / "r.json")],
        "--dashboard": [*base, "--dashboard", "--events", str(out / "d" / "events.jsonl")],
    }
    found: dict[str, dict[str, list[float]]] = {
        name: {"wall": [], "cpu": [], "wall_ratio": [], "cpu_ratio": []} for name in variants
    }
    _run(variants["no event stream"])  # warm-up: imports compiled, files cached
    names = list(variants)
    for round_no in range(ROUNDS):
        order = names if round_no % 2 == 0 else names[::-1]
        measured = {name: _run(variants[name]) for name in order}
        plain_wall, plain_cpu = measured["no event stream"]
        for name, (wall, cpu) in measured.items():
            found[name]["wall"].append(wall)
            found[name]["cpu"].append(cpu)
            found[name]["wall_ratio"].append(wall / plain_wall)
            found[name]["cpu_ratio"].append(cpu / plain_cpu)
    return found


async def _results(scenarios: list[LoadedScenario]) -> list[ModelScenarioResult]:
    runner = ScenarioRunner(RunOptions())
    try:
        return [await runner.run(loaded) for loaded in scenarios]
    finally:
        await runner.close()


def _fastest(action: Callable[[], object], repeat: int = REPEAT) -> float:
    """Seconds of the fastest of `repeat` calls (the one the machine's other work hit least)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def _write_events(stream: EventStream, results: list[ModelScenarioResult]) -> None:
    """What a run writes for each scenario: queued (at the start), then what the engine's
    observer tells."""
    for index, result in enumerate(results):
        stream.emit("scenario_queued", id=index, name=result.name, path=result.path,
                    tier=result.tier, tags=[])  # fmt: skip
    for index, result in enumerate(results):
        observer = stream.scenario(index)
        observer.started()
        observer.prepared(list(result.tools), result.preconditions.model_dump(mode="json"))
        for step in [*result.steps, *result.expectations]:
            observer.step(step, 0.0)
        observer.finished(result)


def _parts(results: list[ModelScenarioResult], folder: Path) -> dict[str, float]:
    """Seconds that each part of the stream and the dashboard adds to one run."""
    stream = EventStream(folder / "parts" / "repeated.jsonl")
    found = {"event path": _fastest(lambda: _write_events(stream, results))}
    stream.close()
    events = folder / "parts" / "events.jsonl"  # the stream of one run, read back at its end
    stream = EventStream(events)
    stream.emit("run_started", run_id="bench", total=len(results), workers=1, force_mode=None)
    _write_events(stream, results)
    summary = ModelRunSummary.of(results, sum(r.duration_ms for r in results))
    stream.emit("run_finished", summary=summary.model_dump(mode="json"), interrupted=False)
    stream.close()
    history = folder / "parts" / "history.sqlite"
    found["end: stream read, history row"] = _fastest(
        lambda: append(history, read_events(events, HISTORY_EVENTS))
    )

    def serve() -> None:
        server = DashboardServer(events)
        server.start()
        server.stop()

    found["dashboard server start + stop"] = _fastest(serve)
    process = psutil.Process()
    found["resource sample (1 per second)"] = _fastest(
        lambda: (process.cpu_percent(None), process.memory_info(), psutil.cpu_percent(None))
    )
    return found


def _spread(values: list[float]) -> str:
    return f"{min(values):.3f}..{max(values):.3f}"


def main() -> None:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "unit"
        folder.mkdir()
        for i in range(COUNT):
            document = {"name": f"dash_{i}", **SCENARIO}
            (folder / f"scenario_dash_{i}.yaml").write_text(yaml.safe_dump(document))
        found = _end_to_end(folder, Path(tmp))
        loader = ScenarioLoader()
        results = asyncio.run(_results([loader.load(p) for p in sorted(folder.glob("*.yaml"))]))
        parts = _parts(results, Path(tmp))
    load_after = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after (1 min)"
    )
    print(
        f"onex run, {COUNT} mock scenarios, {ROUNDS} interleaved rounds (ratio: median of the "
        "ratios to the plain run of the same round; fastest: of the fastest runs):"
    )
    plain = found["no event stream"]
    for name, figures in found.items():
        print(
            f"  {name:<24} wall {statistics.median(figures['wall']):6.3f} s  ratio "
            f"{statistics.median(figures['wall_ratio']):.3f} ({_spread(figures['wall_ratio'])}) "
            f"fastest {min(figures['wall']) / min(plain['wall']):.3f}   CPU "
            f"{statistics.median(figures['cpu']):6.3f} s  ratio "
            f"{statistics.median(figures['cpu_ratio']):.3f} fastest "
            f"{min(figures['cpu']) / min(plain['cpu']):.3f}"
        )
    dashboard = found["--dashboard"]
    print(
        "end to end, dashboard + event stream: "
        f"{100 * (statistics.median(dashboard['wall_ratio']) - 1):+.1f} % wall, "
        f"{100 * (statistics.median(dashboard['cpu_ratio']) - 1):+.1f} % CPU (medians), "
        f"{100 * (min(dashboard['wall']) / min(plain['wall']) - 1):+.1f} % wall (fastest)"
    )
    fastest_plain = min(plain["wall"])
    plain_cpu = min(plain["cpu"])
    print(
        f"by parts, fastest of {REPEAT}, for one run of {COUNT} scenarios (share: of the "
        f"plain run's fastest CPU time, {plain_cpu:.3f} s):"
    )
    for name, seconds in parts.items():  # the resource sample: per sample
        print(f"  {name:<32} {seconds * 1000:7.2f} ms  {100 * seconds / plain_cpu:5.2f} %")
    sample = parts.pop("resource sample (1 per second)")
    per_run = sum(parts.values()) + sample * math.ceil(fastest_plain)
    print(
        f"dashboard + event stream cost: {per_run * 1000:.1f} ms per run = "
        f"{100 * per_run / plain_cpu:.2f} % of the plain run's CPU time, "
        f"{100 * per_run / fastest_plain:.2f} % of its fastest wall clock ({fastest_plain:.3f} s) "
        f"(target: <= 2 %); event path {parts['event path'] / COUNT * 1e6:.0f} µs per scenario"
    )


if __name__ == "__main__":
    main()
