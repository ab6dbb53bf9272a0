"""A broker SIGKILLed mid-scenario (between two publishes) cannot hang `onex run`: it ends with
a report and a non-zero status, and says what its cleanup could not do.

The broker is this test's own (an isolated process-backend stack), never the shared one. On the
cluster tier (ONEX_KAFKA_BROKERS=3) the stack is a cluster and every broker is killed: a cluster
that loses one broker carries on, which the leader-kill tests check instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability.kills import IsolatedStack, run_and_kill_broker

pytestmark = pytest.mark.integration


def test_a_broker_killed_mid_scenario_ends_the_run_with_a_report(tmp_path: Path) -> None:
    stack = IsolatedStack(tmp_path)
    try:
        end = run_and_kill_broker(stack, tmp_path / "work")
    finally:
        stack.stop()
    assert end.returncode == 1, end.output
    assert end.report is not None, end.output
    [scenario] = end.report["scenarios"]
    assert scenario["outcome"] in ("failed", "error")
    assert [step["id"] for step in scenario["steps"]][:2] == ["first", "hold"]
    assert "Traceback" not in end.output
