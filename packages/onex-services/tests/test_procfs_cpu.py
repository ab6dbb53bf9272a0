"""procfs.cpu_seconds: the CPU time a process used, as the benchmarks report it."""

from __future__ import annotations

import subprocess
import sys

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


def test_cpu_seconds_counts_what_the_process_used() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", SPIN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        used = float(child.stdout.readline())  # the child's own count, after its busy loop
        seen = procfs.cpu_seconds(child.pid)
        assert seen is not None
        assert seen >= used - 0.05  # clock ticks are 10 ms; the interpreter's start adds more
    finally:
        child.communicate("")


def test_cpu_seconds_of_a_gone_process_is_none() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert procfs.cpu_seconds(child.pid) is None
