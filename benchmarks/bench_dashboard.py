"""What the event stream and the live dashboard cost a run of 100 mock scenarios.

1. End to end: `onex run` on 100 mock scenarios without an event stream (`--events -`), with one
   (a JSON report, so events and history are written) and with `--dashboard` (a page served
   while it runs, no browser connected), each ROUNDS times, alternating; medians of the wall
   clock. Target: the dashboard run at most 2 % slower than the run without a stream.
2. In process: the same scenarios through `ScenarioRunner.run` with and without an observer
   writing the stream, which isolates the cost of the events themselves.
Prints numbers and ratios; asserts nothing.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from bench_runner import SCENARIO  # the same mock scenario as the runner benchmark
from onex_runner import RunOptions, ScenarioRunner
from onex_runner.events import EventStream
from onex_scenario import LoadedScenario, ScenarioLoader

COUNT = 100
ROUNDS = 5


def _wall(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        argv, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"onex run failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def _end_to_end(folder: Path, out: Path) -> dict[str, float]:
    onex = str(Path(sys.executable).parent / "onex")
    base = [onex, "run", str(folder), "--snapshots", "-"]
    variants = {
        "no event stream": [*base, "--events", "-"],
        "event stream + history": [*base, "--json", str(out / "r.json")],
        "--dashboard": [*base, "--dashboard", "--events", str(out / "d" / "events.jsonl")],
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    _wall(variants["no event stream"])  # warm-up: imports compiled, files cached
    for _ in range(ROUNDS):
        for name, argv in variants.items():
            times[name].append(_wall(argv))
    return {name: statistics.median(values) for name, values in times.items()}


async def _in_process(scenarios: list[LoadedScenario], events: Path | None) -> float:
    runner = ScenarioRunner(RunOptions())
    stream = EventStream(events) if events is not None else None
    started = time.perf_counter()
    for index, loaded in enumerate(scenarios):
        observer = stream.scenario(index) if stream is not None else None
        result = await runner.run(loaded, observer)
        if observer is not None:
            observer.finished(result)
    elapsed = time.perf_counter() - started
    if stream is not None:
        stream.close()
    await runner.close()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "unit"
        folder.mkdir()
        for i in range(COUNT):
            document = {"name": f"dash_{i}", **SCENARIO}
            (folder / f"scenario_dash_{i}.yaml").write_text(yaml.safe_dump(document))
        walls = _end_to_end(folder, Path(tmp))
        loader = ScenarioLoader()
        loaded = [loader.load(p) for p in sorted(folder.glob("scenario_*.yaml"))]
        asyncio.run(_in_process(loaded, None))  # warm-up
        plain: list[float] = []
        streamed: list[float] = []
        for _ in range(ROUNDS):
            plain.append(asyncio.run(_in_process(loaded, None)))
            streamed.append(asyncio.run(_in_process(loaded, Path(tmp) / "e.jsonl")))
    reference = walls["no event stream"]
    print(f"onex run, {COUNT} mock scenarios, median of {ROUNDS} (wall clock, whole process):")
    for name, seconds in walls.items():
        print(f"  {name:<24} {seconds:7.3f} s   ratio {seconds / reference:.3f}")
    ratio = walls["--dashboard"] / reference
    print(f"dashboard + event stream cost: {100 * (ratio - 1):+.1f} % (target: <= +2 %)")
    p, s = statistics.median(plain), statistics.median(streamed)
    print(
        f"in process, {COUNT} scenarios: {p * 1000:.1f} ms without events, {s * 1000:.1f} ms "
        f"with them: ratio {s / p:.3f} ({(s - p) / COUNT * 1e6:.0f} µs per scenario)"
    )


if __name__ == "__main__":
    main()
