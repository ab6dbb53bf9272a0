"""procfs.cpu_seconds and waited_children_cpu_seconds: the CPU time a process used, and that of
the children it waited for, as the benchmarks report them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from onex_services import procfs

pytestmark = pytest.mark.unit

SPIN = """
import sys, time
while time.process_time() < 0.3:
    pass
print(time.process_time(), flush=True)
sys.stdin.read()
"""


@contextmanager
def _waiting(code: str) -> Iterator[tuple[int, float]]:
    """A Python child running `code`: its pid and the first number it prints, while it waits on
    its stdin (it is ended after)."""
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        yield child.pid, float(child.stdout.readline())
    finally:
        child.communicate("")


def test_cpu_seconds_counts_what_the_process_used() -> None:
    with _waiting(SPIN) as (pid, used):  # the child's own count, after its busy loop
        seen = procfs.cpu_seconds(pid)
        assert seen is not None
        assert seen >= used - 0.05  # clock ticks are 10 ms; the interpreter's start adds more


def test_cpu_seconds_of_a_gone_process_is_none() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert procfs.cpu_seconds(child.pid) is None


# A parent that runs SPIN's busy loop in a child it waits for (as a container's entrypoint runs
# the storage format before it execs the broker), then prints its own count of its children.
PARENT = """
import os, subprocess, sys
subprocess.run([sys.executable, "-c", "import time\\nwhile time.process_time() < 0.3: pass"])
times = os.times()
print(times.children_user + times.children_system, flush=True)
sys.stdin.read()
"""


def test_waited_children_cpu_seconds_counts_the_children_it_waited_for() -> None:
    with _waiting(PARENT) as (pid, counted):  # the parent's own count (os.times)
        seen = procfs.waited_children_cpu_seconds(pid)
        assert seen is not None
        assert seen >= 0.25  # the child's busy loop, not the parent's own time
        assert abs(seen - counted) <= 0.02  # the same kernel counters, read two ways
    assert procfs.waited_children_cpu_seconds(pid) is None
