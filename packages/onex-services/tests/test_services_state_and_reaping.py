"""State file, owners and reaping, with real (harmless) processes standing in for services."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from onex_services import launcher
from onex_services.models import ProcessRef, ServiceKind, ServiceRecord
from onex_services.reaper import kill_processes_in, reap_unclaimed_dirs
from onex_services.settings import Paths
from onex_services.state import Owner, StackState, StateStore, read_state

pytestmark = pytest.mark.unit


@pytest.fixture
def sleeper(tmp_path: Path) -> Iterator[ProcessRef]:
    """A detached process whose command line names a stack dir, as a service's would."""
    stack_dir = tmp_path / "run" / "stack-abc"
    stack_dir.mkdir(parents=True)
    ref = launcher.spawn_detached(
        [sys.executable, "-c", "import time; time.sleep(60)", str(stack_dir)],
        log_path=stack_dir / "sleeper.log",
        cwd=stack_dir,
    )
    yield ref
    launcher.kill_process(ref)


def _dead_ref() -> ProcessRef:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    created = psutil.Process(proc.pid).create_time()
    proc.wait()
    return ProcessRef(pid=proc.pid, create_time=created)


def test_a_detached_process_is_found_by_pid_and_start_time(sleeper: ProcessRef) -> None:
    assert launcher.is_alive(sleeper)
    impostor = ProcessRef(pid=sleeper.pid, create_time=sleeper.create_time - 100)
    assert not launcher.is_alive(impostor)  # a reused pid is not our process


def test_stop_process_ends_a_running_process(sleeper: ProcessRef) -> None:
    assert launcher.stop_process(sleeper, timeout=5)
    assert not launcher.is_alive(sleeper)
    assert not launcher.stop_process(sleeper)  # nothing left to stop


def test_state_round_trips_and_garbage_reads_as_no_state(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state")
    assert store.load() is None
    state = StackState(backend="process", stack_dir=str(tmp_path / "stack"))
    state.services[ServiceKind.REDIS] = ServiceRecord(
        kind=ServiceKind.REDIS, backend="process", host="127.0.0.1", port=1, url="redis://x"
    )
    store.save(state)
    assert store.load() == state
    store.path.write_text("{not json")
    assert store.load() is None


def test_a_stack_is_orphaned_only_when_no_owner_lives_and_nobody_keeps_it() -> None:
    dead = Owner(process=_dead_ref(), lease_id="a")
    alive = Owner(process=launcher.owner_ref(), lease_id="b")

    def stack(owners: list[Owner], keep: bool = False) -> StackState:
        return StackState(backend="process", stack_dir="/nowhere", owners=owners, keep=keep)

    assert stack([dead]).orphaned
    assert stack([]).orphaned
    assert not stack([dead, alive]).orphaned
    assert not stack([dead], keep=True).orphaned


def test_reaping_kills_the_processes_of_an_orphaned_stack_and_removes_its_dir(
    sleeper: ProcessRef, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    stack_dir = run_dir / "stack-abc"
    state = StackState(
        backend="process",
        stack_dir=str(stack_dir),
        owners=[Owner(process=_dead_ref(), lease_id="gone")],
    )
    StateStore(tmp_path / "state").save(state)  # also writes the manifest into the stack dir
    assert read_state(stack_dir / "stack.json") is not None
    paths = Paths(state_dir=tmp_path / "state", cache_dir=tmp_path / "cache", run_dir=run_dir)

    removed = reap_unclaimed_dirs(paths, current=None)

    assert not launcher.is_alive(sleeper)
    assert not stack_dir.exists()
    assert f"removed {stack_dir}" in removed


def test_reaping_leaves_a_stack_whose_owner_lives(sleeper: ProcessRef, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    state = StackState(
        backend="process",
        stack_dir=str(run_dir / "stack-abc"),
        owners=[Owner(process=launcher.owner_ref(), lease_id="me")],
    )
    StateStore(tmp_path / "state").save(state)
    paths = Paths(state_dir=tmp_path / "state", cache_dir=tmp_path / "cache", run_dir=run_dir)

    assert reap_unclaimed_dirs(paths, current=None) == []
    assert launcher.is_alive(sleeper)


def test_kill_processes_in_spares_processes_of_other_dirs(
    sleeper: ProcessRef, tmp_path: Path
) -> None:
    other = tmp_path / "run" / "stack-abd"
    other.mkdir()
    assert kill_processes_in(other) == []
    assert launcher.is_alive(sleeper)


def _kept_stack(tmp_path: Path, service: ProcessRef, *, age_s: float) -> tuple[Path, Paths]:
    """A kept stack under another state dir, its one service `service`, its manifest `age_s` old."""
    run_dir = tmp_path / "run"
    stack_dir = run_dir / "stack-abc"
    stack_dir.mkdir(parents=True, exist_ok=True)
    state = StackState(
        backend="process",
        stack_dir=str(stack_dir),
        keep=True,
        owners=[Owner(process=_dead_ref(), lease_id="gone")],
    )
    state.services[ServiceKind.REDIS] = ServiceRecord(
        kind=ServiceKind.REDIS, backend="process", host="127.0.0.1", port=1, url="redis://x",
        process=service,
    )  # fmt: skip
    StateStore(tmp_path / "other-state").save(state)
    then = time.time() - age_s
    os.utime(stack_dir / "stack.json", (then, then))
    return stack_dir, Paths(state_dir=tmp_path / "mine", cache_dir=tmp_path / "c", run_dir=run_dir)


def test_a_kept_stack_whose_services_died_long_ago_is_reaped(tmp_path: Path) -> None:
    stack_dir, paths = _kept_stack(tmp_path, _dead_ref(), age_s=3600)
    removed = reap_unclaimed_dirs(paths, current=None)
    assert not stack_dir.exists()
    assert f"removed {stack_dir}" in removed


def test_a_kept_stack_with_a_running_service_is_left_alone(
    sleeper: ProcessRef, tmp_path: Path
) -> None:
    stack_dir, paths = _kept_stack(tmp_path, sleeper, age_s=3600)
    assert reap_unclaimed_dirs(paths, current=None) == []
    assert stack_dir.exists()
    assert launcher.is_alive(sleeper)


def test_a_kept_stack_that_changed_recently_is_left_alone(tmp_path: Path) -> None:
    # Its services may be down only because someone is restarting them right now.
    stack_dir, paths = _kept_stack(tmp_path, _dead_ref(), age_s=10)
    assert reap_unclaimed_dirs(paths, current=None) == []
    assert stack_dir.exists()
