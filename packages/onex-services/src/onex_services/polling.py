"""One way to wait for a state: check it, pause a little longer each time, stop at a deadline.

Every wait of the harness is this loop: a server's port accepts, a killed server's ports are
free again, a stopped process is gone, a deep probe passes (with jitter, so many probes started
together spread out), a step's expected event, rows or key arrive. Each checks, pauses (never
past the deadline, so the last check falls on it), and may stop early when a second condition
says waiting is pointless (the server process died).

That is a small helper of ours, not tenacity or stamina: those retry a *call that raises*, while
most of these waits poll a *state*; and a step's waits run on the step context's clock (a test
can give its own), which the helper takes as a parameter. It fits in a page, with nothing added
to the path every service start and every step takes.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Pace:
    """The pauses between checks: `first_s`, then times `factor`, at most `cap_s`; with
    `jitter`, each pause is multiplied by a random factor in [0.5, 1]."""

    first_s: float = 0.02
    factor: float = 1.5
    cap_s: float = 0.2
    jitter: bool = False

    def pause(self, attempt: int, rng: random.Random | None = None) -> float:
        """The pause after check number `attempt` (0-based)."""
        plain = min(self.cap_s, self.first_s * self.factor**attempt)
        return plain * (rng or random).uniform(0.5, 1.0) if self.jitter else plain


STEADY = Pace(first_s=0.02, factor=1.0, cap_s=0.02)
"""Every 20 ms: for states that arrive within a fraction of a second (a signalled process)."""


def every(seconds: float) -> Pace:
    """The same pause after each check."""
    return Pace(first_s=seconds, factor=1.0, cap_s=seconds)


class Clock(Protocol):
    """Where a wait reads the time and sleeps (the step context passes its own)."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


SYSTEM_CLOCK = SystemClock()


async def wait_until(
    reached: Callable[[], Awaitable[bool]],
    within_s: float,
    *,
    pace: Pace = Pace(),
    give_up: Callable[[], None] | None = None,
    clock: Clock = SYSTEM_CLOCK,
    rng: random.Random | None = None,
) -> bool:
    """True once `reached()` says so, False when `within_s` passed first (`reached` is checked
    at least once, and last at the deadline). `give_up()` runs after every check that fails and
    may raise to end the wait at once (e.g. the process died)."""
    deadline = clock.monotonic() + within_s
    attempt = 0
    while True:
        if await reached():
            return True
        if give_up is not None:
            give_up()
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            return False
        await clock.sleep(min(pace.pause(attempt, rng), remaining))
        attempt += 1


def wait_until_sync(reached: Callable[[], bool], within_s: float, *, pace: Pace = STEADY) -> bool:
    """`wait_until` for code without an event loop (stopping and reaping processes)."""
    deadline = time.monotonic() + within_s
    attempt = 0
    while True:
        if reached():
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(pace.pause(attempt), remaining))
        attempt += 1
