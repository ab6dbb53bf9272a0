"""A tiny node for the runner's own tests."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

from onex_registry import BaseOnexRegistry
from onex_runner.context import current_correlation_id


class CounterNode:
    def __init__(self, registry: BaseOnexRegistry) -> None:
        self.registry = registry
        self.count = 0

    async def bump(self, by: int = 1) -> dict[str, Any]:
        self.count += by
        return {"count": self.count}

    def slow_sync(self) -> dict[str, Any]:
        time.sleep(0.05)  # blocks: must run in a worker thread, not on the loop
        return {"correlation_id": current_correlation_id.get()}

    async def forward(self) -> int:
        bus = self.registry.event_bus
        [message] = await bus.consume("in", group="counter", timeout_s=5)
        await bus.publish("out", {"seen": message.value}, key=message.key,
                          correlation_id=message.correlation_id)  # fmt: skip
        return 1

    async def token(self) -> dict[str, Any]:
        """A value that differs on every run (as generated ids do), longer than a line."""
        return {"id": "-".join(uuid.uuid4().hex for _ in range(4)), "kind": "token"}

    async def hold(self, marker: str, limit_s: float = 120.0) -> dict[str, Any]:
        """Create `marker` and wait until someone removes it: a point where a test can kill a
        service mid-scenario (between two publishes) without guessing at timings."""
        path = Path(marker)
        await asyncio.to_thread(path.touch)
        deadline = time.monotonic() + limit_s
        while await asyncio.to_thread(path.exists):  # another process removes it
            if time.monotonic() > deadline:
                return {"held": False}
            await asyncio.sleep(0.05)
        return {"held": True}

    async def explode(self) -> None:
        await asyncio.sleep(0)
        raise ValueError("boom")

    async def echo(self, **values: Any) -> dict[str, Any]:
        """Return what the scenario passed: how a secret reaches a step's output."""
        await asyncio.sleep(0)
        return values

    async def stall(self, seconds: float) -> None:
        """Outlast a short step deadline: the runner's timeout, not the node's fault."""
        await asyncio.sleep(seconds)

    async def time_out_itself(self) -> None:
        """A TimeoutError of the node's own (a client giving up), well inside the deadline."""
        await asyncio.sleep(0)
        raise TimeoutError("the broker did not answer")

    async def fail_with(self, message: str) -> None:
        """Raise with the scenario's own text: how a hostile message reaches the reports."""
        await asyncio.sleep(0)
        raise ValueError(message)


class FlakyNode:
    """Fails every second run in this process: the kind of scenario --repeat is for."""

    runs = 0

    def __init__(self, registry: BaseOnexRegistry) -> None:
        self.registry = registry

    async def once(self) -> dict[str, Any]:
        type(self).runs += 1
        return {"even": type(self).runs % 2 == 0}
