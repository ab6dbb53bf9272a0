"""One way for the real tools to report health: time a real round trip, report its failure."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from onex_registry.errors import NotConnectedError
from onex_registry.models import ToolHealth


async def timed_health(
    round_trip: Callable[[], Awaitable[Any]], failures: tuple[type[BaseException], ...]
) -> ToolHealth:
    """Healthy when `round_trip` completes; `failures` (and not being connected) mean unhealthy."""
    started = time.perf_counter()
    caught: tuple[type[BaseException], ...] = (*failures, NotConnectedError)
    try:
        await round_trip()
    except caught as exc:
        return ToolHealth(
            healthy=False, latency_ms=(time.perf_counter() - started) * 1000, detail=str(exc)
        )
    return ToolHealth(healthy=True, latency_ms=(time.perf_counter() - started) * 1000)
