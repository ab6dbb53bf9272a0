"""Cleanup ends by its deadlines, and what goes wrong inside it is a result line (unit tier).

The real-tier counterpart (a broker SIGKILLed mid-scenario) is test_real_broker_killed.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from onex_registry import BaseOnexRegistry, InMemoryEventBus
from onex_runner import OutcomeEnum, RunOptions, ScenarioRunner
from onex_runner.cleanup import (
    CLEANUP_TIMEOUT_ENV,
    DEFAULT_CLEANUP_TIMEOUT_S,
    CleanupSettingError,
    ScenarioCleanup,
    cleanup_deadline,
    cleanup_timeout_from_env,
)
from onex_scenario.loader import ScenarioLoader

pytestmark = pytest.mark.unit
KAFKA = {"kafka": {"kind": "kafka"}}


class _StubbornTool:
    """Closes like a producer whose broker is gone: waits, and shrugs off the first cancel."""

    def __init__(self) -> None:
        self.cancels = 0

    async def close(self) -> None:
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                self.cancels += 1
                if self.cancels > 1:
                    raise


class _CancelledTool:
    async def close(self) -> None:
        raise asyncio.CancelledError


class _BrokenTool:
    async def close(self) -> None:
        raise RuntimeError("socket already gone")


class _GoodTool:
    closed = False

    async def close(self) -> None:
        self.closed = True


async def test_a_close_that_never_returns_is_given_up_and_left_for_the_reaper() -> None:
    stubborn, good = _StubbornTool(), _GoodTool()
    registry = BaseOnexRegistry(tools={"kafka": stubborn, "redis": good})
    report = await ScenarioCleanup("ns_a", deadline=0.05).run(registry, {}, remove=True)
    assert report.timed_out
    assert report.summary == "cleanup: timed out, namespace ns_a left for the reaper"
    assert good.closed  # the other tools are still closed
    assert stubborn.cancels >= 1


async def test_a_cancelled_error_or_exception_in_cleanup_is_reported_not_raised() -> None:
    good = _GoodTool()
    registry = BaseOnexRegistry(tools={"a": _CancelledTool(), "b": _BrokenTool(), "c": good})
    report = await ScenarioCleanup("ns_b", deadline=5).run(registry, {}, remove=True)
    assert not report.timed_out
    assert [p.split(":")[0] for p in report.problems] == ["closing a", "closing b"]
    assert "RuntimeError: socket already gone" in report.problems[1]
    assert good.closed


async def test_a_scenario_whose_cleanup_hangs_fails_with_the_reaper_line_and_the_run_goes_on(
    write_scenario: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hang_once = {"left": 1}
    original_close = InMemoryEventBus.close

    async def close(self: InMemoryEventBus) -> None:
        if hang_once["left"]:
            hang_once["left"] -= 1
            await asyncio.sleep(3600)
        await original_close(self)

    monkeypatch.setattr(InMemoryEventBus, "close", close)
    first = write_scenario("hangs", external_services=KAFKA, steps=[{"id": "b", "call": "bump"}])
    second = write_scenario("after", external_services=KAFKA, steps=[{"id": "b", "call": "bump"}])
    runner = ScenarioRunner(RunOptions(cleanup_timeout_s=0.05))
    try:
        hung = await runner.run(ScenarioLoader().load(first))
        later = await runner.run(ScenarioLoader().load(second))
    finally:
        await runner.close()
    assert hung.outcome is OutcomeEnum.FAILED
    assert hung.message == f"cleanup: timed out, namespace {hung.namespace} left for the reaper"
    assert any("closing kafka: no answer" in line for line in hung.leftovers)
    assert later.outcome is OutcomeEnum.PASSED, later.message


def test_the_deadline_comes_from_the_run_else_the_scenario_else_ten_seconds(
    write_scenario: Any,
) -> None:
    plain = ScenarioLoader().load(write_scenario("plain", steps=[{"id": "b", "call": "bump"}]))
    assert cleanup_deadline(plain.scenario) == DEFAULT_CLEANUP_TIMEOUT_S
    own = ScenarioLoader().load(
        write_scenario(
            "own",
            steps=[{"id": "b", "call": "bump"}],
            external_services=KAFKA,
            timeout_profiles={"default": {"cleanup": "3s"}, "kafka": {"publish_ack": "1s"}},
        )
    )
    assert cleanup_deadline(own.scenario) == 3.0
    assert cleanup_deadline(own.scenario, override=1.5) == 1.5


def test_the_environment_setting_is_parsed_and_bad_values_are_refused() -> None:
    assert cleanup_timeout_from_env({}) is None
    assert cleanup_timeout_from_env({CLEANUP_TIMEOUT_ENV: "2.5"}) == 2.5
    assert cleanup_timeout_from_env({CLEANUP_TIMEOUT_ENV: "4s"}) == 4.0
    for bad in ("soon", "0", "-1"):
        with pytest.raises(CleanupSettingError, match=CLEANUP_TIMEOUT_ENV):
            cleanup_timeout_from_env({CLEANUP_TIMEOUT_ENV: bad})


def test_onex_run_refuses_a_bad_cleanup_timeout(
    write_scenario: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner
    from onex_runner.cli import run

    path: Path = write_scenario("ok", steps=[{"id": "b", "call": "bump"}])
    monkeypatch.setenv(CLEANUP_TIMEOUT_ENV, "soon")
    outcome = CliRunner().invoke(run, [str(path), "--snapshots", "-"])
    assert outcome.exit_code == 2
    assert CLEANUP_TIMEOUT_ENV in outcome.output
    assert "Traceback" not in outcome.output
