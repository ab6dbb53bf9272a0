"""Crash drivers: an isolated service stack, `onex run` as a subprocess, and kills mid-run.

Used by the real-tier tests (packages/onex-runner/tests/test_real_broker_killed.py) and by the
figures of the `reliability` nox session (reliability/figures.py), so both kill the same way.
Waits have generous guards that fail a check instead of hanging it; they are not speed claims.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from onex_services import ServiceKind
from onex_services.members import processes
from onex_services.state import StackState, StateStore

ROOT = Path(__file__).resolve().parent.parent
NODES = ROOT / "packages" / "onex-runner" / "tests"
"""Where `nodes.counter:CounterNode` lives (its `hold` step is the point to kill at)."""
GUARD_S = 300.0


def onex_command() -> str:
    found = shutil.which("onex", path=str(Path(sys.executable).parent)) or shutil.which("onex")
    if found is None:
        raise RuntimeError("the onex command is not installed in this environment")
    return found


def wait_until(predicate: Callable[[], bool], what: str, guard_s: float = GUARD_S) -> None:
    deadline = time.monotonic() + guard_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {guard_s:.0f} s")
        time.sleep(0.05)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (killed, not yet reaped by its parent) is gone for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


@dataclass
class IsolatedStack:
    """A state dir and a run dir of their own: kills here never touch anyone else's stack."""

    base: Path
    backend: str = "process"

    def __post_init__(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.state_dir = self.base / f"state-{tag}"
        self.run_dir = Path(f"/tmp/onex-rel-{tag}")
        for folder in (self.state_dir, self.run_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "ONEX_STATE_DIR": str(self.state_dir),
            "ONEX_RUN_DIR": str(self.run_dir),
            "ONEX_SERVICES_BACKEND": self.backend,
            "ONEX_DISCOVER": "0",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(NODES), os.environ.get("PYTHONPATH")])),
        }
        for name in ("ONEX_KAFKA_BOOTSTRAP_SERVERS", "ONEX_DB_URL", "ONEX_REDIS_URL"):
            env.pop(name, None)
        return {**env, **extra}

    def state(self) -> StackState | None:
        return StateStore(self.state_dir).load()

    def pids_of(self, kind: ServiceKind) -> list[int]:
        """Every process of the kind's server: one, or each broker of a cluster (the tier may
        run with ONEX_KAFKA_BROKERS=3, which this stack inherits)."""
        state = self.state()
        record = state.services.get(kind) if state else None
        return [ref.pid for ref in processes(record)] if record else []

    def services(self, *args: str, guard_s: float = GUARD_S) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [onex_command(), "services", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=guard_s,
            check=False,
        )

    def stop(self) -> int:
        """Stop the stack; the number of processes still working inside the run dir after it.

        A process the stop missed would lose its evidence (log, data dir) with the run dir, so
        then the dir is kept and the count is returned for a figure to fail on; nothing is
        killed here (the stop is what has to be fixed, not hidden)."""
        self.services("stop", "--force")
        strays = processes_inside(self.run_dir)
        if not strays:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        return len(strays)


def processes_inside(folder: Path) -> list[int]:
    """Live processes of this user whose working directory is `folder` or below it."""
    inside: list[int] = []
    root = folder.resolve()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = (entry / "cwd").resolve(strict=True)
        except (OSError, RuntimeError):  # gone, or another user's process
            continue
        if (cwd == root or root in cwd.parents) and pid_alive(int(entry.name)):
            inside.append(int(entry.name))
    return inside


def write_broker_kill_scenario(folder: Path, marker: Path) -> Path:
    """Publish, hold (the broker is killed here), publish again: a kill between two publishes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scenario_broker_killed.yaml"
    document: dict[str, Any] = {
        "name": "broker_killed",
        "tier": "integration",
        "node": "nodes.counter:CounterNode",
        "dependency_mode": "real",
        "external_services": {"kafka": {"kind": "kafka"}},
        "resources": {"kafka": {"topics": [{"name": "orders"}]}},
        "timeout_profiles": {
            "default": {"step": "3s"},
            "kafka": {"publish_ack": "3s", "connect": "5s"},
        },
        "steps": [
            {"id": "first", "publish": {"topic": "orders", "key": "a", "value": {"n": 1}}},
            {"id": "hold", "call": "hold", "kwargs": {"marker": str(marker)}},
            {"id": "second", "publish": {"topic": "orders", "key": "b", "value": {"n": 2}}},
        ],
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@dataclass(frozen=True)
class RunEnd:
    """How an `onex run` ended after something was killed under it."""

    returncode: int
    report: dict[str, Any] | None
    seconds_to_end: float  # from the kill to the process's exit
    output: str


def run_and_kill_broker(
    stack: IsolatedStack, workdir: Path, *, cleanup_timeout_s: float = 3.0
) -> RunEnd:
    """`onex run` one scenario on `stack`; SIGKILL its broker while the scenario holds between
    its two publishes; let it go on and wait for it to end.

    On a cluster every broker is killed: one broker's loss is what a cluster survives (the
    leader-kill tests prove that), and this drives the loss of the whole server."""
    marker = workdir / "holding"
    marker.unlink(missing_ok=True)
    scenario = write_broker_kill_scenario(workdir / "scenarios", marker)
    report = workdir / "report.json"
    report.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [onex_command(), "run", str(scenario), "--json", str(report), "--snapshots", "-"],
        env=stack.env(ONEX_CLEANUP_TIMEOUT_S=str(cleanup_timeout_s)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(lambda: marker.exists() or proc.poll() is not None, "the scenario to hold")
        if proc.poll() is not None:
            output = proc.communicate()[0]
            raise RuntimeError(f"onex run ended before the kill ({proc.returncode}):\n{output}")
        pids = stack.pids_of("kafka")
        if not pids:
            raise RuntimeError("the stack state names no broker process")
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not any(pid_alive(pid) for pid in pids), "the brokers to die")
        killed_at = time.monotonic()
        marker.unlink()
        output = proc.communicate(timeout=GUARD_S)[0]
        seconds = time.monotonic() - killed_at
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    data = json.loads(report.read_text()) if report.exists() else None
    return RunEnd(proc.returncode, data, seconds, output)
