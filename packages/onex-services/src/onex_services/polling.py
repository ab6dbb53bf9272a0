"""One way to wait for a state: check it, pause a little longer each time, stop at a deadline.

The poll loops of the service manager (a server's port accepts, a killed server's ports are
free again, a stopped process is gone) all wait for a *state* to be reached, check it every
20-200 ms and give up at a deadline; some must stop early when a second condition says waiting
is pointless (the server process died). That is a small helper of ours, not tenacity or stamina:
those retry a *call that raises*, and would put a dependency and its machinery on the path every
service start and stop takes for what fits in twenty lines. (Not measured against them; the
deep health probe keeps its own backoff with jitter in `health.Backoff`, since it retries calls.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Pace:
    """The pauses between checks: `first_s`, then times `factor`, at most `cap_s`."""

    first_s: float = 0.02
    factor: float = 1.5
    cap_s: float = 0.2

    def pauses(self) -> Callable[[], float]:
        current = self.first_s

        def next_pause() -> float:
            nonlocal current
            pause, current = current, min(current * self.factor, self.cap_s)
            return pause

        return next_pause


STEADY = Pace(first_s=0.02, factor=1.0, cap_s=0.02)
"""Every 20 ms: for states that arrive within a fraction of a second (a signalled process)."""


async def wait_until(
    reached: Callable[[], Awaitable[bool]],
    within_s: float,
    *,
    pace: Pace = Pace(),
    give_up: Callable[[], None] | None = None,
) -> bool:
    """True once `reached()` says so, False when `within_s` passed first. `give_up()` runs
    before every check and may raise to end the wait at once (e.g. the process died)."""
    deadline = time.monotonic() + within_s
    pause = pace.pauses()
    while True:
        if give_up is not None:
            give_up()
        if await reached():
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(pause())


def wait_until_sync(reached: Callable[[], bool], within_s: float, *, pace: Pace = STEADY) -> bool:
    """`wait_until` for code without an event loop (stopping and reaping processes)."""
    deadline = time.monotonic() + within_s
    pause = pace.pauses()
    while True:
        if reached():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause())
