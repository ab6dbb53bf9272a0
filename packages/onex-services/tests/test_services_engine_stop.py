"""The compose session stops the dockerd it started, and no other process."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from onex_services.docker_engine import ENGINE_RECORD, stop_started_engine

pytestmark = pytest.mark.unit


@pytest.fixture
def fake_dockerd(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A process named dockerd (a `sleep` run through a link of that name), not an engine."""
    link = tmp_path / "bin" / "dockerd"
    link.parent.mkdir()
    link.symlink_to("/bin/sleep")
    process = subprocess.Popen([str(link), "300"])
    yield process
    process.kill()
    process.wait()


def record(cache: Path, pid: int, owner: str, create_time: float | None = None) -> None:
    started = psutil.Process(pid).create_time() if create_time is None else create_time
    (cache / ENGINE_RECORD).write_text(
        json.dumps({"pid": pid, "create_time": started, "owner": owner})
    )


def test_the_recorded_dockerd_of_this_owner_is_stopped(
    tmp_path: Path, fake_dockerd: subprocess.Popen[bytes]
) -> None:
    record(tmp_path, fake_dockerd.pid, "session-1")
    assert stop_started_engine(tmp_path, "session-1", say=lambda _: None)
    assert fake_dockerd.wait(timeout=30) is not None
    assert not (tmp_path / ENGINE_RECORD).exists()


def test_an_engine_of_another_owner_or_another_process_is_left_alone(
    tmp_path: Path, fake_dockerd: subprocess.Popen[bytes]
) -> None:
    record(tmp_path, fake_dockerd.pid, "someone-else")
    assert not stop_started_engine(tmp_path, "session-1", say=lambda _: None)
    record(tmp_path, fake_dockerd.pid, "session-1", create_time=1.0)  # pid reused since
    assert not stop_started_engine(tmp_path, "session-1", say=lambda _: None)
    assert fake_dockerd.poll() is None  # still running
    record(tmp_path, os.getpid(), "session-1")  # the right owner, but not a dockerd
    assert not stop_started_engine(tmp_path, "session-1", say=lambda _: None)


def test_nothing_recorded_stops_nothing(tmp_path: Path) -> None:
    assert not stop_started_engine(tmp_path, "session-1", say=lambda _: None)
