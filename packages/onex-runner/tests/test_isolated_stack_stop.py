"""`IsolatedStack.stop()` counts what its `services stop --force` missed in the run dir, and keeps
the dir (the evidence) instead of removing it from under a live process.

The stray here is this test's own `sleep`, started with its cwd in the stack's run dir: the kind
of server a harness killed before it recorded one would leave.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reliability.kills import IsolatedStack

pytestmark = pytest.mark.integration


def test_a_process_left_in_the_run_dir_is_counted_and_its_dir_kept(tmp_path: Path) -> None:
    stack = IsolatedStack(tmp_path)
    work = stack.run_dir / "redis"
    work.mkdir()
    stray = subprocess.Popen(["sleep", "120"], cwd=work)
    try:
        assert stack.stop() == 1
        assert work.is_dir()
    finally:
        stray.kill()
        stray.wait(timeout=10)
    assert stack.stop() == 0
    assert not stack.run_dir.exists()
