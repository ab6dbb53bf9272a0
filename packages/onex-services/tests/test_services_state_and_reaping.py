"""State file, owners and reaping, with real (harmless) processes standing in for services."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import Popen

import pytest
import stand_ins
from onex_services import launcher, procfs
from onex_services.backends.process import LEDGER_DIR
from onex_services.models import ProcessRef, ServiceRecord
from onex_services.reaper import (
    create_stack_dir,
    reap_dead_run_dirs,
    reap_stack,
    reap_unclaimed_dirs,
)
from onex_services.settings import Paths
from onex_services.state import Owner, StackState, StateStore, read_state

pytestmark = pytest.mark.unit
PYTHON = stand_ins.PYTHON
SpawnService = stand_ins.SpawnService
reaper_paths = pytest.fixture(stand_ins.reaper_paths)
python_is_a_service = pytest.fixture(stand_ins.python_is_a_service)
spawn_service = pytest.fixture(stand_ins.spawn_service)
bystander = pytest.fixture(stand_ins.bystander)
dead_ref = pytest.fixture(stand_ins.dead_ref)


def _record(process: ProcessRef | None) -> ServiceRecord:
    return ServiceRecord(
        kind="redis", backend="process", host="127.0.0.1", port=1, url="redis://x",
        process=process,
    )  # fmt: skip


def _orphan(paths: Paths, stack_id: str, dead: ProcessRef, **fields: object) -> StackState:
    """A stack whose one owner died, its state saved (with the manifest in its dir)."""
    stack_dir = create_stack_dir(paths, stack_id)
    state = StackState(
        stack_id=stack_id,
        backend="process",
        stack_dir=str(stack_dir),
        owners=[Owner(process=dead, lease_id="gone")],
        **fields,
    )
    StateStore(paths.state_dir).save(state)
    return state


def test_a_detached_process_is_found_by_pid_and_start_time(
    spawn_service: SpawnService, tmp_path: Path
) -> None:
    sleeper = spawn_service(tmp_path / "svc")
    assert launcher.is_alive(sleeper)
    impostor = sleeper.model_copy(update={"start_ticks": sleeper.start_ticks - 100})
    assert not launcher.is_alive(impostor)  # a reused pid is not our process


def test_stop_process_ends_a_running_process(spawn_service: SpawnService, tmp_path: Path) -> None:
    sleeper = spawn_service(tmp_path / "svc")
    assert launcher.stop_process(sleeper, executables=PYTHON, timeout=5)
    assert not launcher.is_alive(sleeper)
    assert not launcher.stop_process(sleeper, executables=PYTHON)  # nothing left to stop


@pytest.mark.parametrize(
    ("change", "executables"),
    [
        ({"cmdline": (sys.executable, "-c", "pass")}, PYTHON),
        ({"exe": "/usr/bin/redis-server"}, PYTHON | {"/usr/bin/redis-server"}),
        ({}, frozenset({"/usr/bin/redis-server"})),
    ],
    ids=["other-command-line", "other-executable", "not-a-server-program"],
)
def test_a_process_that_is_not_exactly_the_recorded_one_is_never_signalled(
    spawn_service: SpawnService,
    tmp_path: Path,
    change: dict[str, object],
    executables: frozenset[str],
) -> None:
    sleeper = spawn_service(tmp_path / "svc")
    record = sleeper.model_copy(update=change)
    assert not launcher.kill_process(record, executables=executables)
    line = launcher.reap_process(record, executables, "redis")
    assert line is not None
    assert line.startswith(f"left pid {sleeper.pid} alone")
    assert launcher.is_alive(sleeper)


def test_state_round_trips_and_garbage_reads_as_no_state(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state")
    assert store.load() is None
    state = StackState(backend="process", stack_dir=str(tmp_path / "stack"))
    state.services["redis"] = _record(None)
    store.save(state)
    assert store.load() == state
    assert store.path.stat().st_mode & 0o777 == 0o600
    store.path.write_text("{not json")
    assert store.load() is None


def test_a_stack_is_orphaned_only_when_no_owner_lives_and_nobody_keeps_it(
    dead_ref: ProcessRef,
) -> None:
    dead = Owner(process=dead_ref, lease_id="a")
    alive = Owner(process=launcher.owner_ref(), lease_id="b")

    def stack(owners: list[Owner], keep: bool = False) -> StackState:
        return StackState(backend="process", stack_dir="/nowhere", owners=owners, keep=keep)

    assert stack([dead]).orphaned
    assert stack([]).orphaned
    assert not stack([dead, alive]).orphaned
    assert not stack([dead], keep=True).orphaned


def test_reaping_kills_the_recorded_services_of_an_orphaned_stack_and_removes_its_dir(
    reaper_paths: Paths,
    spawn_service: SpawnService,
    dead_ref: ProcessRef,
    python_is_a_service: frozenset[str],
) -> None:
    state = _orphan(reaper_paths, "abc", dead_ref)
    sleeper = spawn_service(Path(state.stack_dir) / "redis")
    state.services["redis"] = _record(sleeper)
    StateStore(reaper_paths.state_dir).save(state)
    assert read_state(Path(state.stack_dir) / "stack.json") is not None

    removed = reap_unclaimed_dirs(reaper_paths, current=None)

    assert not launcher.is_alive(sleeper)
    assert not Path(state.stack_dir).exists()
    assert f"killed redis (pid {sleeper.pid})" in removed
    assert f"removed {state.stack_dir}" in removed


def test_a_server_whose_harness_died_before_saving_its_record_is_reaped_by_the_ledger(
    reaper_paths: Paths,
    spawn_service: SpawnService,
    dead_ref: ProcessRef,
    python_is_a_service: frozenset[str],
) -> None:
    state = _orphan(reaper_paths, "abc", dead_ref)  # no service records yet
    stack_dir = Path(state.stack_dir)
    sleeper = spawn_service(stack_dir / "kafka", ledger=stack_dir / LEDGER_DIR)

    removed = reap_stack(state, reaper_paths)

    assert not launcher.is_alive(sleeper)
    assert any(line.startswith("killed ") and f"(pid {sleeper.pid})" in line for line in removed)
    assert not stack_dir.exists()


def test_a_tail_of_a_service_log_survives_the_reaping_of_its_stack(
    reaper_paths: Paths,
    spawn_service: SpawnService,
    bystander: Callable[..., Popen[bytes]],
    dead_ref: ProcessRef,
    python_is_a_service: frozenset[str],
) -> None:
    state = _orphan(reaper_paths, "abc", dead_ref)
    stack_dir = Path(state.stack_dir)
    broker = spawn_service(stack_dir / "kafka", ledger=stack_dir / LEDGER_DIR)
    log = stack_dir / "kafka" / "kafka.log"
    log.touch()
    # Its command line names the stack dir and it runs inside it: neither makes it ours.
    tail = bystander("tail", "-f", str(log), cwd=stack_dir / "kafka")

    removed = reap_unclaimed_dirs(reaper_paths, current=None)

    assert not launcher.is_alive(broker)
    assert tail.poll() is None, removed
    assert not any(f"pid {tail.pid}" in line for line in removed)


def test_reaping_leaves_a_stack_whose_owner_lives(
    reaper_paths: Paths, spawn_service: SpawnService, python_is_a_service: frozenset[str]
) -> None:
    stack_dir = create_stack_dir(reaper_paths, "abc")
    sleeper = spawn_service(stack_dir / "redis", ledger=stack_dir / LEDGER_DIR)
    state = StackState(
        stack_id="abc",
        backend="process",
        stack_dir=str(stack_dir),
        owners=[Owner(process=launcher.owner_ref(), lease_id="me")],
    )
    StateStore(reaper_paths.state_dir).save(state)

    assert reap_unclaimed_dirs(reaper_paths, current=None) == []
    assert launcher.is_alive(sleeper)


def _kept_stack(paths: Paths, service: ProcessRef, dead: ProcessRef, *, age_s: float) -> Path:
    """A kept stack under another state dir, its one service `service`, its manifest `age_s` old."""
    stack_dir = create_stack_dir(paths, "abc")
    state = StackState(
        stack_id="abc",
        backend="process",
        stack_dir=str(stack_dir),
        keep=True,
        owners=[Owner(process=dead, lease_id="gone")],
    )
    state.services["redis"] = _record(service)
    StateStore(paths.state_dir.parent / "other-state").save(state)
    then = time.time() - age_s
    os.utime(stack_dir / "stack.json", (then, then))
    return stack_dir


def test_a_kept_stack_whose_services_died_long_ago_is_reaped(
    reaper_paths: Paths, dead_ref: ProcessRef
) -> None:
    stack_dir = _kept_stack(reaper_paths, dead_ref, dead_ref, age_s=3600)
    removed = reap_unclaimed_dirs(reaper_paths, current=None)
    assert not stack_dir.exists()
    assert f"removed {stack_dir}" in removed


def test_a_kept_stack_with_a_running_service_is_left_alone(
    reaper_paths: Paths,
    spawn_service: SpawnService,
    dead_ref: ProcessRef,
    python_is_a_service: frozenset[str],
) -> None:
    sleeper = spawn_service(reaper_paths.run_dir.parent / "svc")
    stack_dir = _kept_stack(reaper_paths, sleeper, dead_ref, age_s=3600)
    assert reap_unclaimed_dirs(reaper_paths, current=None) == []
    assert stack_dir.exists()
    assert launcher.is_alive(sleeper)


def test_a_kept_stack_that_changed_recently_is_left_alone(
    reaper_paths: Paths, dead_ref: ProcessRef
) -> None:
    # Its services may be down only because someone is restarting them right now.
    stack_dir = _kept_stack(reaper_paths, dead_ref, dead_ref, age_s=10)
    assert reap_unclaimed_dirs(reaper_paths, current=None) == []
    assert stack_dir.exists()


def test_test_run_dirs_of_dead_runs_are_reaped_and_a_live_runs_are_left(
    tmp_path: Path,
    spawn_service: SpawnService,
    dead_ref: ProcessRef,
    python_is_a_service: frozenset[str],
) -> None:
    parent = tmp_path / "tests"
    parent.mkdir(mode=0o700)
    dead = Paths(state_dir=tmp_path / "s1", cache_dir=tmp_path / "c", run_dir=parent / "dead")
    live = Paths(state_dir=tmp_path / "s2", cache_dir=tmp_path / "c", run_dir=parent / "live")
    orphan = _orphan(dead, "d1", dead_ref)
    sleeper = spawn_service(Path(orphan.stack_dir) / "redis")
    orphan.services["redis"] = _record(sleeper)
    StateStore(dead.state_dir).save(orphan)
    kept_dir = create_stack_dir(live, "l1")
    StateStore(live.state_dir).save(
        StackState(stack_id="l1", backend="process", stack_dir=str(kept_dir),
                   owners=[Owner(process=launcher.owner_ref(), lease_id="me")])
    )  # fmt: skip
    old = time.time() - 3600  # both run dirs are past the grace time; only one owner is dead
    for folder in (dead.run_dir, live.run_dir):
        os.utime(folder, (old, old))

    lines = reap_dead_run_dirs(dead, parent)

    assert not launcher.is_alive(sleeper)
    assert not dead.run_dir.exists(), lines
    assert (kept_dir / "stack.json").exists(), lines
    assert live.run_dir.is_dir(), lines


def test_a_harness_killed_right_after_a_spawn_leaves_a_record_the_reaper_acts_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = tmp_path / "processes"

    def harness_dies(pid: int, argv: object) -> None:
        raise SystemExit("SIGKILL stand-in: the harness is gone before it reads the pid")

    monkeypatch.setattr(procfs, "started", harness_dies)
    with pytest.raises(SystemExit):
        launcher.spawn_detached(["sleep", "120"], log_path=tmp_path / "log", cwd=tmp_path,
                                ledger=ledger)  # fmt: skip
    monkeypatch.undo()
    [ref], refused = launcher.recorded_spawns(ledger)
    try:
        assert refused == []
        assert launcher.is_alive(ref)  # the record names the very process: pid and start time
        assert ref.cmdline == ("sleep", "120")
    finally:
        os.kill(ref.pid, 9)
