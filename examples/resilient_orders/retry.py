"""Retry with exponential backoff, for calls that fail while a dependency is away."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """`attempts` tries, waiting `first_s`, then `factor` times longer each time, at most
    `cap_s`: 0.2, 0.4, 0.8, 1.6, 2, 2, ... seconds by default (about 30 s in all)."""

    attempts: int = 18
    first_s: float = 0.2
    factor: float = 2.0
    cap_s: float = 2.0

    def pauses(self) -> list[float]:
        return [min(self.cap_s, self.first_s * self.factor**n) for n in range(self.attempts - 1)]


async def with_retry(
    call: Callable[[], Awaitable[T]],
    retry_on: tuple[type[BaseException], ...],
    backoff: Backoff = Backoff(),
) -> tuple[T, int]:
    """`call()`'s result and how many attempts it took; the last error when none succeeded."""
    for attempt, pause in enumerate([*backoff.pauses(), None], start=1):
        try:
            return await call(), attempt
        except retry_on:
            if pause is None:
                raise
            await asyncio.sleep(pause)
    raise AssertionError("unreachable: the last attempt returns or raises")
