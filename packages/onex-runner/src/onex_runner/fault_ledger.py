"""The faults of one scenario: which are on, when each began and ended, and what heals them.
Every fault is healed at the end, whatever happened.

A fault handler (onex_runner.fault_api) switches a fault on and hands back how to switch it off.
The ledger keeps that until a `for:` runs out, a `heal` step asks, or the scenario ends:
`heal_all` then heals what is left, each within a deadline, before the scenario's tools are
closed and its namespace cleaned up. Times are milliseconds since the scenario started.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Heal = Callable[[], Awaitable[dict[str, Any] | None]]
"""Switches a fault off; may return details for the report."""
HEAL_DEADLINE_S = 60.0
"""Deadline of each heal at the end of a scenario."""


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
    `-` (a fault with nothing to undo: it ends when it is done)."""
    details: dict[str, Any] = Field(default_factory=dict)
    error: str = ""


@dataclass
class _Active:
    record: ModelFaultRecord
    heal: Heal
    timer: asyncio.Task[None] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class FaultLedger:
    def __init__(self, elapsed_ms: Callable[[], float]) -> None:
        self._elapsed_ms = elapsed_ms
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
        if heal is None:
            record.ended_ms, record.healed_by = round(self._elapsed_ms(), 3), "-"
            return record
        active = _Active(record, heal)
        self._active.append(active)
        if lasts_s is not None:
            active.timer = asyncio.ensure_future(self._after(active, lasts_s))
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
        """Heal everything still on, newest first, each within `deadline_s`; the problems,
        one line each."""
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
                active.record.error = f"{type(exc).__name__}: {exc}"
                details = None
            finally:
                with contextlib.suppress(ValueError):
                    self._active.remove(active)
            active.record.details.update(details or {})
            active.record.ended_ms = round(self._elapsed_ms(), 3)
            active.record.healed_by = by


def _stop_timer(active: _Active) -> None:
    """Cancel a `for:` timer that still sleeps; one that is healing already is let finish."""
    if active.timer is not None and not active.lock.locked():
        active.timer.cancel()
