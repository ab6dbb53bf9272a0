"""The faults of one scenario: which are on, when each began and ended, who saw them, and how
long the node took to recover. Every fault is healed at the end, whatever happened.

A fault handler (onex_runner.fault_api) switches a fault on and hands back how to switch it off.
The ledger keeps that until a `for:` runs out, a `heal` step asks, or the scenario ends (passed,
failed or interrupted): `heal_all` then heals what is left, each within a deadline, so a killed
broker is started again and a paused server continued before cleanup needs them.

Times are milliseconds since the scenario started (like `at_ms` of step events). A fault's
record tells:
- `began_ms`/`ended_ms`: switched on / healed (the heal finished: a restarted server passed its
  deep probe);
- `seen_by`: each step that ran while it was on, with its outcome;
- `recovered_ms`: from `ended_ms` to the end of the first step that started after the fault
  ended and passed: how long the node took to work again (None when no such step came).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Heal = Callable[[], Awaitable[dict[str, Any] | None]]
"""Switches a fault off; may return details for the report (a restart's probe time, say)."""
Emit = Callable[[dict[str, Any]], None]
HEAL_DEADLINE_S = 60.0
"""Deadline of each heal at the end of a scenario (a Kafka restart on a loaded machine)."""


class ModelFaultRecord(BaseModel):
    """One fault of a scenario, as its report shows it."""

    model_config = ConfigDict(extra="forbid")

    step: str
    target: str
    action: str
    began_ms: float
    ended_ms: float | None = None
    healed_by: str = ""
    """`for` (its duration ran out), a step id (a heal step), `end` (the scenario's end), or
    `-` (a fault with nothing to undo, such as a restart: it ends when it is done)."""
    seen_by: list[dict[str, str]] = Field(default_factory=list)
    recovered_ms: float | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    error: str = ""


@dataclass
class _Active:
    record: ModelFaultRecord
    heal: Heal
    timer: asyncio.Task[None] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _stop_timer(active: _Active) -> None:
    """Cancel a `for:` timer that still sleeps; one that is healing already is let finish (a
    cancelled restart would leave the server half started)."""
    if active.timer is not None and not active.lock.locked():
        active.timer.cancel()


class FaultLedger:
    def __init__(self, elapsed_ms: Callable[[], float], emit: Emit | None = None) -> None:
        self._elapsed_ms = elapsed_ms
        self._emit = emit or (lambda _event: None)
        self.records: list[ModelFaultRecord] = []
        self._active: list[_Active] = []

    def begin(
        self,
        step: str,
        target: str,
        action: str,
        heal: Heal | None,
        *,
        began_ms: float,
        lasts_s: float | None = None,
        details: dict[str, Any] | None = None,
    ) -> ModelFaultRecord:
        """Record a fault that is on since `began_ms`; `heal` None: it ended already."""
        record = ModelFaultRecord(
            step=step, target=target, action=action, began_ms=round(began_ms, 3),
            details=details or {},
        )  # fmt: skip
        self.records.append(record)
        self._tell(record, on=True)
        if heal is None:
            record.ended_ms, record.healed_by = round(self._elapsed_ms(), 3), "-"
            self._tell(record, on=False)
            return record
        active = _Active(record, heal)
        self._active.append(active)
        if lasts_s is not None:
            active.timer = asyncio.create_task(self._after(active, lasts_s))
        return record

    def now_ms(self) -> float:
        return self._elapsed_ms()

    def active(self, target: str | None = None) -> list[ModelFaultRecord]:
        return [a.record for a in self._active if target is None or a.record.target == target]

    async def heal(
        self, by: str, *, target: str | None = None, step: str | None = None,
        actions: frozenset[str] | None = None,
    ) -> list[ModelFaultRecord]:  # fmt: skip
        """Heal the active faults that match (all of `target`'s, one step's, some actions),
        newest first."""
        chosen = [
            active for active in reversed(self._active)
            if (target is None or active.record.target == target)
            and (step is None or active.record.step == step)
            and (actions is None or active.record.action in actions)
        ]  # fmt: skip
        for active in chosen:
            _stop_timer(active)
            await self._heal(active, by)
        return [active.record for active in chosen]

    async def heal_all(self, deadline_s: float = HEAL_DEADLINE_S) -> list[str]:
        """Heal everything still on, newest first (a pause on a killed server makes no sense
        to lift after its restart), each within `deadline_s`; the problems, one line each."""
        problems: list[str] = []
        for active in reversed(list(self._active)):
            _stop_timer(active)
            try:
                await asyncio.wait_for(self._heal(active, "end"), deadline_s)
            except TimeoutError:
                active.record.error = f"not healed within {deadline_s:g}s"
            if active.record.error:
                problems.append(f"fault {active.record.step} ({active.record.action} "
                                f"{active.record.target}): {active.record.error}")  # fmt: skip
        return problems

    def step_finished(self, step: str, outcome: str, started_ms: float, ended_ms: float) -> None:
        """A step ran from `started_ms` to `ended_ms`: note who saw which fault, and the node's
        recovery after faults that ended before it started."""
        for record in self.records:
            ended = record.ended_ms
            if record.began_ms <= ended_ms and (ended is None or ended >= started_ms):
                if record.step != step:
                    record.seen_by.append({"step": step, "outcome": outcome})
            elif (
                ended is not None and started_ms >= ended and record.recovered_ms is None
                and outcome == "passed" and record.healed_by != "-"
            ):  # fmt: skip
                record.recovered_ms = round(ended_ms - ended, 3)

    async def _after(self, active: _Active, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self._heal(active, "for")

    async def _heal(self, active: _Active, by: str) -> None:
        async with active.lock:  # a `for:` timer and a heal step may meet here
            if active not in self._active:
                return
            try:
                details = await active.heal()
            except Exception as exc:  # noqa: BLE001 - the report says why, the run goes on
                # A heal that fails (the server will not come back) must not hide the
                # scenario's result or keep the other faults on: it is recorded and reported.
                active.record.error = f"{type(exc).__name__}: {exc}"
                details = None
            finally:
                with contextlib.suppress(ValueError):
                    self._active.remove(active)
            active.record.details.update(details or {})
            active.record.ended_ms = round(self._elapsed_ms(), 3)
            active.record.healed_by = by
            self._tell(active.record, on=False)

    def _tell(self, record: ModelFaultRecord, *, on: bool) -> None:
        self._emit({
            "service": record.target, "fault": record.action, "on": on, "step": record.step,
            "at_ms": record.began_ms if on else record.ended_ms, "error": record.error or None,
        })  # fmt: skip
