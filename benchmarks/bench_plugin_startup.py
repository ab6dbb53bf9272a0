"""What the harness's pytest plugins cost at start-up: 20 empty tests, harness against plain pytest.

Builds the workspace's distributions as wheels (`uv build`), installs them into a fresh venv
(`onex-harness`, the one install, and what it pulls in; bytecode compiled as pip does) and
pytest alone into another, then times `python -m pytest` on a folder of 20 empty tests in each,
alternating. Prints the best and median times, the difference (the plugins' start-up cost;
target <= 150 ms), the pytest11 plugins the harness's venv auto-loads, and the heavy modules a
run of empty tests imported (none is the point). Asserts nothing.

    python benchmarks/bench_plugin_startup.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTIONS = ("onex-scenario", "onex-registry", "onex-services", "onex-runner", "onex-harness")
TARGET_MS = 150.0
HEAVY = ("pydantic", "aiokafka", "asyncpg", "redis", "rich", "yaml", "python_on_whales", "psutil")
LIST_PLUGINS = """
from importlib.metadata import entry_points
print(" ".join(sorted(entry.name for entry in entry_points(group="pytest11"))))
"""
PROBE = """
import sys, json, pytest
code = pytest.main(["-q", "-p", "no:cacheprovider", sys.argv[1]])
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))
print("HEAVY=" + json.dumps(heavy))
"""


def _ms(values: list[float]) -> str:
    return f"best {min(values) * 1000:6.0f} ms, median {statistics.median(values) * 1000:6.0f} ms"


def _uv() -> str:
    found = shutil.which("uv")
    if found is None:
        raise SystemExit("bench_plugin_startup: uv is not on PATH (run it through ./dev)")
    return found


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def _pytest_version() -> str:
    import pytest

    return pytest.__version__


def _venv(uv: str, where: Path, *requirements: str, wheels: Path | None = None) -> Path:
    _run(uv, "venv", "--quiet", "--python", f"{sys.version_info[0]}.{sys.version_info[1]}", where)
    python = where / "bin" / "python"
    links = ("--find-links", str(wheels)) if wheels else ()
    _run(uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", python, *links,
         *requirements)  # fmt: skip
    return python


def _time(python: Path, tests: Path) -> tuple[float, float]:
    """Wall time, and the CPU time (user + system) of the run: on a loaded machine the wall time
    mostly measures the wait for a core, the CPU time what the run itself costs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    _run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", tests, cwd=tests)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(rounds: int) -> None:
    uv = _uv()
    with tempfile.TemporaryDirectory(prefix="onex-startup-") as tmp:
        base = Path(tmp)
        wheels = base / "wheels"
        for dist in DISTRIBUTIONS:
            _run(uv, "build", "--quiet", "--wheel", "--package", dist, "-o", wheels, cwd=ROOT)
        pytest_pin = f"pytest=={_pytest_version()}"
        plain = _venv(uv, base / "plain", pytest_pin)
        harness = _venv(uv, base / "harness", pytest_pin, "onex-harness", wheels=wheels)
        tests = base / "project"
        tests.mkdir()
        body = "".join(f"def test_empty_{index}() -> None:\n    pass\n\n\n" for index in range(20))
        (tests / "test_empty.py").write_text(body)
        _time(plain, tests), _time(harness, tests)  # warm the page cache
        plain_s: list[tuple[float, float]] = []
        harness_s: list[tuple[float, float]] = []
        for _ in range(rounds):
            plain_s.append(_time(plain, tests))
            harness_s.append(_time(harness, tests))
        plugins = _run(harness, "-c", LIST_PLUGINS)
        probe = _run(harness, "-c", PROBE, tests, json.dumps(HEAVY), cwd=tests)
        heavy = probe.rsplit("HEAVY=", 1)[-1].strip()
    print(f"pytest start-up, 20 empty tests, fresh venvs from the wheels ({rounds} rounds each)")
    # The best of the rounds is the cost itself; the median adds what the machine's load adds.
    for index, measure in ((0, "wall"), (1, "CPU")):
        plain_v = [run[index] for run in plain_s]
        harness_v = [run[index] for run in harness_s]
        print(f"  {'plain pytest, ' + measure:<40} {_ms(plain_v)}")
        print(f"  {'with the harness installed, ' + measure:<40} {_ms(harness_v)}")
        cost = (min(harness_v) - min(plain_v)) * 1000
        median_cost = (statistics.median(harness_v) - statistics.median(plain_v)) * 1000
        print(f"  {'the plugins cost, ' + measure + ' (best, median)':<40} {cost:6.0f} ms, "
              f"{median_cost:6.0f} ms   (target <= {TARGET_MS:.0f} ms)")  # fmt: skip
    print(f"  {'pytest11 plugins auto-loaded':<40} {plugins.strip() or '(none)'}")
    print(f"  {'heavy modules a run of them imported':<40} {heavy}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=10)
    main(parser.parse_args().rounds)
