"""The reaper cannot be turned against its user: every refusal, with planted files and processes.

Each test plants what another local user (or a confused earlier run) could leave in the run dir
and checks that the reaper, running as the current user (root here), leaves the victim alone.
A sleeping Python counts as a server program (`python_is_a_service`), so the only thing between
the reaper and the victim is the check under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import stand_ins
from onex_services import launcher, procfs
from onex_services.backends.process import LEDGER_DIR
from onex_services.errors import UntrustedPathError
from onex_services.models import ProcessRef, ServiceRecord
from onex_services.reaper import MARKER, create_stack_dir, reap_stack, reap_unclaimed_dirs
from onex_services.settings import Paths
from onex_services.state import MANIFEST, Owner, StackState, StateStore

pytestmark = pytest.mark.unit
SpawnService = stand_ins.SpawnService
Bystander = Callable[..., subprocess.Popen[bytes]]
reaper_paths = pytest.fixture(stand_ins.reaper_paths)
python_is_a_service = pytest.fixture(stand_ins.python_is_a_service)
spawn_service = pytest.fixture(stand_ins.spawn_service)
bystander = pytest.fixture(stand_ins.bystander)
dead_ref = pytest.fixture(stand_ins.dead_ref)

NOBODY = 65534
needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="planting a file of another uid (os.chown) needs root"
)


def _state(stack_dir: Path, stack_id: str, dead: ProcessRef, victim: ProcessRef) -> StackState:
    """An orphaned stack whose one service record names `victim`."""
    record = ServiceRecord(
        kind="redis", backend="process", host="127.0.0.1", port=1, url="redis://x",
        process=victim,
    )  # fmt: skip
    return StackState(
        stack_id=stack_id,
        backend="process",
        stack_dir=str(stack_dir),
        owners=[Owner(process=dead, lease_id="gone")],
        services={"redis": record},
    )


def _plant(stack_dir: Path, state: StackState, *, marker: str | None) -> None:
    """Write a stack dir by hand, as someone other than the harness would."""
    stack_dir.mkdir(parents=True, exist_ok=True)
    if marker is not None:
        (stack_dir / MARKER).write_text(marker)
    (stack_dir / MANIFEST).write_text(state.model_dump_json())
    old = time.time() - 3600
    os.utime(stack_dir, (old, old))  # past every grace period


def _chown_tree(path: Path, uid: int) -> None:
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            os.chown(Path(root) / name, uid, uid)
    os.chown(path, uid, uid)


def test_the_run_dir_is_created_with_mode_0700(reaper_paths: Paths) -> None:
    assert reap_unclaimed_dirs(reaper_paths, current=None) == []
    assert reaper_paths.run_dir.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda run: os.chown(run, NOBODY, NOBODY), marks=needs_root, id="other-owner"),
        pytest.param(lambda run: run.chmod(0o777), id="world-writable"),
        pytest.param(lambda run: run.chmod(0o770), id="group-writable"),
    ],
)
def test_a_run_dir_that_is_not_ours_is_refused_and_nothing_in_it_is_touched(
    reaper_paths: Paths,
    spawn_service: SpawnService,
    dead_ref: ProcessRef,
    python_is_a_service: frozenset[str],
    spoil: Callable[[Path], None],
) -> None:
    stack_dir = create_stack_dir(reaper_paths, "abc")
    victim = spawn_service(stack_dir / "redis", ledger=stack_dir / LEDGER_DIR)
    _plant(stack_dir, _state(stack_dir, "abc", dead_ref, victim), marker="abc")
    spoil(reaper_paths.run_dir)

    with pytest.raises(UntrustedPathError) as info:
        reap_unclaimed_dirs(reaper_paths, current=None)

    message = str(info.value)
    assert message.startswith(f"refusing to use the run dir {reaper_paths.run_dir}")
    assert "fix:   set ONEX_RUN_DIR" in message
    assert launcher.is_alive(victim)
    assert (stack_dir / MANIFEST).exists()


def test_a_run_dir_that_is_a_symlink_is_refused(
    reaper_paths: Paths,
    spawn_service: SpawnService,
    dead_ref: ProcessRef,
    python_is_a_service: frozenset[str],
) -> None:
    elsewhere = reaper_paths.run_dir.parent / "elsewhere"
    stack_dir = elsewhere / "stack-abc"
    victim = spawn_service(stack_dir / "redis")
    recorded_dir = reaper_paths.run_dir / "stack-abc"
    _plant(stack_dir, _state(recorded_dir, "abc", dead_ref, victim), marker="abc")
    reaper_paths.run_dir.symlink_to(elsewhere)

    with pytest.raises(UntrustedPathError, match="it is a symlink"):
        reap_unclaimed_dirs(reaper_paths, current=None)
    assert launcher.is_alive(victim)
    assert stack_dir.exists()


@needs_root
def test_a_state_dir_of_another_uid_is_refused(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    os.chown(state_dir, NOBODY, NOBODY)
    with pytest.raises(UntrustedPathError, match=f"owned by uid {NOBODY}"):
        StateStore(state_dir)


@needs_root
def test_a_state_file_planted_by_another_uid_is_not_read(
    reaper_paths: Paths, spawn_service: SpawnService, dead_ref: ProcessRef
) -> None:
    store = StateStore(reaper_paths.state_dir)
    victim = spawn_service(reaper_paths.run_dir.parent / "victim")
    planted = _state(reaper_paths.run_dir / "stack-x", "x", dead_ref, victim)
    store.path.write_text(planted.model_dump_json())
    os.chown(store.path, NOBODY, NOBODY)

    with pytest.raises(UntrustedPathError) as info:
        store.load()
    assert f"{store.path}: it is owned by uid {NOBODY}" in str(info.value)
    assert launcher.is_alive(victim)


@needs_root
@pytest.mark.parametrize("planted", ["manifest", "whole-dir", "marker"])
def test_a_stack_planted_by_another_uid_is_left_alone(
    reaper_paths: Paths,
    spawn_service: SpawnService,
    dead_ref: ProcessRef,
    python_is_a_service: frozenset[str],
    planted: str,
) -> None:
    stack_dir = create_stack_dir(reaper_paths, "abc")
    victim = spawn_service(reaper_paths.run_dir.parent / "victim")
    _plant(stack_dir, _state(stack_dir, "abc", dead_ref, victim), marker="abc")
    if planted == "whole-dir":
        _chown_tree(stack_dir, NOBODY)
    else:
        os.chown(stack_dir / (MANIFEST if planted == "manifest" else MARKER), NOBODY, NOBODY)

    lines = reap_unclaimed_dirs(reaper_paths, current=None)

    assert len(lines) == 1
    assert lines[0].startswith(f"left {stack_dir} alone: ")
    assert f"owned by uid {NOBODY}" in lines[0]
    assert launcher.is_alive(victim)
    assert (stack_dir / MANIFEST).exists()


@needs_root
def test_a_process_record_planted_by_another_uid_is_ignored(
    reaper_paths: Paths,
    spawn_service: SpawnService,
    dead_ref: ProcessRef,
    python_is_a_service: frozenset[str],
) -> None:
    stack_dir = create_stack_dir(reaper_paths, "abc")
    victim = spawn_service(reaper_paths.run_dir.parent / "victim", ledger=stack_dir / LEDGER_DIR)
    state = _state(stack_dir, "abc", dead_ref, dead_ref)
    StateStore(reaper_paths.state_dir).save(state)
    for record in (stack_dir / LEDGER_DIR).iterdir():
        os.chown(record, NOBODY, NOBODY)

    lines = reap_stack(state, reaper_paths)

    assert any(line.startswith("ignored the process record") for line in lines)
    assert launcher.is_alive(victim)


def test_a_planted_pid_of_an_unrelated_program_survives(
    reaper_paths: Paths,
    bystander: Bystander,
    dead_ref: ProcessRef,
    python_is_a_service: frozenset[str],
) -> None:
    sleep = bystander("sleep", "120")
    # Everything about it is right: only its program is not one the harness starts.
    identity = procfs.started(sleep.pid, ["sleep", "120"])
    assert identity is not None
    # Right after the exec /proc can still show the parent's command line (see procfs.started);
    # the reaper then refuses for that reason instead. Wait until the kernel shows the new one,
    # so this test checks the refusal it is about.
    guard = time.monotonic() + 10
    while (now := procfs.identity(sleep.pid)) is None or now.cmdline != identity.cmdline:
        assert time.monotonic() < guard, "the sleep's command line never showed in /proc"
        time.sleep(0.01)
    stack_dir = create_stack_dir(reaper_paths, "abc")
    StateStore(reaper_paths.state_dir).save(_state(stack_dir, "abc", dead_ref, identity))

    lines = reap_unclaimed_dirs(reaper_paths, current=None)

    assert sleep.poll() is None
    why = f"its executable {identity.exe} is not a program the harness starts"
    assert f"left pid {sleep.pid} alone (redis): {why}" in lines


@pytest.mark.parametrize(
    "change",
    [{"start_ticks": 1}, {"cmdline": ("redis-server", "127.0.0.1:6379")}],
    ids=["reused-pid", "other-command-line"],
)
def test_a_recorded_pid_that_is_now_another_process_survives(
    reaper_paths: Paths,
    spawn_service: SpawnService,
    dead_ref: ProcessRef,
    python_is_a_service: frozenset[str],
    change: dict[str, object],
) -> None:
    victim = spawn_service(reaper_paths.run_dir.parent / "victim")
    stack_dir = create_stack_dir(reaper_paths, "abc")
    record = victim.model_copy(update=change)
    StateStore(reaper_paths.state_dir).save(_state(stack_dir, "abc", dead_ref, record))

    reap_unclaimed_dirs(reaper_paths, current=None)

    assert launcher.is_alive(victim)


def test_a_recorded_stack_dir_outside_the_run_dir_survives(
    reaper_paths: Paths, dead_ref: ProcessRef
) -> None:
    victim = reaper_paths.run_dir.parent / "victim"
    victim.mkdir()
    (victim / MARKER).write_text("abc")  # even with a marker: it is not in the run dir
    (victim / "precious").write_text("keep me")
    reaper_paths.run_dir.mkdir(mode=0o700)

    lines = reap_stack(_state(victim, "abc", dead_ref, dead_ref), reaper_paths)

    assert (victim / "precious").exists()
    why = f"it is not the directory of stack abc in the run dir {reaper_paths.run_dir}"
    assert lines == [f"left {victim} alone: {why}"]


def test_a_manifest_that_names_a_dir_outside_the_run_dir_is_left_alone(
    reaper_paths: Paths, dead_ref: ProcessRef
) -> None:
    victim = reaper_paths.run_dir.parent / "victim"
    victim.mkdir()
    stack_dir = create_stack_dir(reaper_paths, "abc")
    _plant(stack_dir, _state(victim, "abc", dead_ref, dead_ref), marker="abc")

    lines = reap_unclaimed_dirs(reaper_paths, current=None)

    assert victim.exists()
    assert lines == [f"left {stack_dir} alone: its manifest describes another stack"]


@pytest.mark.parametrize(("marker", "why"), [(None, "carries no"), ("xyz", "names stack 'xyz'")])
def test_a_stack_dir_without_the_harness_marker_survives(
    reaper_paths: Paths, dead_ref: ProcessRef, marker: str | None, why: str
) -> None:
    reaper_paths.run_dir.mkdir(mode=0o700)
    stack_dir = reaper_paths.run_dir / "stack-abc"
    _plant(stack_dir, _state(stack_dir, "abc", dead_ref, dead_ref), marker=marker)

    lines = reap_unclaimed_dirs(reaper_paths, current=None)
    lines += reap_stack(_state(stack_dir, "abc", dead_ref, dead_ref), reaper_paths)

    assert stack_dir.exists()
    assert len(lines) == 2
    assert all(line.startswith(f"left {stack_dir} alone: ") and why in line for line in lines)


def test_stop_refuses_an_unsafe_run_dir_with_one_clear_message(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o777)
    run_dir.chmod(0o777)
    env = dict(os.environ, ONEX_STATE_DIR=str(tmp_path / "state"), ONEX_RUN_DIR=str(run_dir))
    done = subprocess.run(
        [sys.executable, "-m", "onex_services", "stop"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert f"refusing to use the run dir {run_dir}" in done.stdout
    assert "others may write to it (mode 0777)" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
