"""The fault ledger: every fault ends (by `for:`, a heal step or the scenario's end), its record
tells when, who saw it, and how long the node took to recover."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from onex_runner.fault_ledger import FaultLedger

pytestmark = pytest.mark.unit


class _Clock:
    """Milliseconds since the scenario started, set by the test."""

    def __init__(self) -> None:
        self.ms = 0.0

    def __call__(self) -> float:
        return self.ms


class _Switch:
    """A fault's off switch that counts its calls (and can fail)."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls = 0
        self.error = error

    async def __call__(self) -> dict[str, Any]:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return {"ready_s": 1.5}


def _ledger() -> tuple[FaultLedger, _Clock, list[dict[str, Any]]]:
    clock, events = _Clock(), list[dict[str, Any]]()
    return FaultLedger(clock, events.append), clock, events


async def test_a_heal_step_ends_the_targets_faults_and_says_so() -> None:
    ledger, clock, events = _ledger()
    switch = _Switch()
    ledger.begin("kill_it", "kafka", "kill", switch, began_ms=10.0)
    clock.ms = 500.0
    healed = await ledger.heal("heal_it", target="kafka")
    assert [r.step for r in healed] == ["kill_it"]
    record = ledger.records[0]
    assert (record.began_ms, record.ended_ms, record.healed_by) == (10.0, 500.0, "heal_it")
    assert record.details == {"ready_s": 1.5}
    assert switch.calls == 1
    assert [(e["on"], e["at_ms"]) for e in events] == [(True, 10.0), (False, 500.0)]
    assert await ledger.heal("again", target="kafka") == []  # nothing left to heal
    assert switch.calls == 1


async def test_a_fault_with_for_heals_itself() -> None:
    ledger, _, _ = _ledger()
    switch = _Switch()
    ledger.begin("pause_it", "redis", "pause", switch, began_ms=0.0, lasts_s=0.01)
    for _ in range(200):
        if not ledger.active():
            break
        await asyncio.sleep(0.01)
    assert ledger.records[0].healed_by == "for"
    assert switch.calls == 1


async def test_the_end_of_the_scenario_heals_what_is_left_newest_first() -> None:
    ledger, _, _ = _ledger()
    order: list[str] = []

    def switch(name: str) -> Any:
        async def off() -> None:
            order.append(name)

        return off

    ledger.begin("a", "kafka", "kill", switch("a"), began_ms=0.0)
    ledger.begin("b", "redis", "pause", switch("b"), began_ms=1.0, lasts_s=3600)
    assert await ledger.heal_all() == []
    assert order == ["b", "a"]
    assert [r.healed_by for r in ledger.records] == ["end", "end"]


async def test_a_heal_that_fails_is_reported_and_the_others_still_heal() -> None:
    ledger, _, _ = _ledger()
    good = _Switch()
    ledger.begin("a", "kafka", "kill", good, began_ms=0.0)
    ledger.begin("b", "redis", "kill", _Switch(OSError("no way back")), began_ms=0.0)
    problems = await ledger.heal_all()
    assert problems == ["fault b (kill redis): OSError: no way back"]
    assert good.calls == 1
    assert ledger.active() == []


async def test_a_heal_past_its_deadline_is_reported() -> None:
    ledger, _, _ = _ledger()

    async def never() -> None:
        await asyncio.sleep(3600)

    ledger.begin("a", "kafka", "pause", never, began_ms=0.0)
    assert await ledger.heal_all(deadline_s=0.01) == [
        "fault a (pause kafka): not healed within 0.01s"
    ]


async def test_steps_that_saw_a_fault_and_the_nodes_recovery_are_recorded() -> None:
    ledger, clock, _ = _ledger()
    ledger.begin("kill", "kafka", "kill", _Switch(), began_ms=100.0)
    ledger.step_finished("kill", "passed", 100.0, 110.0)  # the fault's own step
    ledger.step_finished("submit", "failed", 110.0, 400.0)
    clock.ms = 450.0
    await ledger.heal("heal", target="kafka")
    ledger.step_finished("heal", "passed", 400.0, 450.0)
    ledger.step_finished("retry", "failed", 460.0, 500.0)  # not recovered yet
    ledger.step_finished("process", "passed", 500.0, 700.0)
    record = ledger.records[0]
    assert record.seen_by == [
        {"step": "submit", "outcome": "failed"},
        {"step": "heal", "outcome": "passed"},
    ]
    assert record.recovered_ms == 250.0  # from 450 (healed) to 700 (first passing step's end)


async def test_a_fault_that_ended_at_once_needs_no_heal() -> None:
    ledger, clock, events = _ledger()
    clock.ms = 900.0
    record = ledger.begin("restart", "postgres", "restart", None, began_ms=100.0)
    assert (record.ended_ms, record.healed_by) == (900.0, "-")
    assert ledger.active() == []
    assert [e["on"] for e in events] == [True, False]
