"""Network faults a mock can model honestly, so a unit scenario can test retry logic fast.

A mock that takes faults holds a `MockFaults` and calls `await faults.before_call()` at the start
of each call that would talk to its server. While a fault is on:

- `down` and `reset_peer`: the call raises the error the real tool raises when its connection
  breaks (each mock passes its own: `ToolConnectionError`, `KvConnectionLost`, `ConnectionLost`);
- `timeout`: the call waits `ms` and then raises that error (`ms: 0`: it waits until the
  caller's deadline, as a connection whose data stopped does);
- `latency`: the call waits `ms` (+/- `jitter`) first.

`bandwidth` and `slicer` shape bytes on a wire, which a mock has not: they are refused by name
(`NotSupportedByMockError`), never ignored. `up` and `heal` are the runner's (they call the undo
this returns).
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Callable, Mapping
from typing import Any

from onex_registry.errors import NotSupportedByMockError

MODELLED_FAULTS = ("down", "reset_peer", "timeout", "latency")
"""The network faults every mock with a `MockFaults` models."""


class MockFaults:
    def __init__(self, tool: str, broken: Callable[[str], Exception]) -> None:
        self.tool = tool
        self._broken = broken
        self._on: dict[int, tuple[str, Mapping[str, Any]]] = {}
        self._ids = itertools.count()

    def inject(self, action: str, params: Mapping[str, Any]) -> Callable[[], None]:
        """Switch `action` on; the callable switches it off again."""
        if action not in MODELLED_FAULTS:
            raise NotSupportedByMockError(
                self.tool,
                f"the fault {action!r} (it models {', '.join(MODELLED_FAULTS)})",
            )
        key = next(self._ids)
        self._on[key] = (action, dict(params))

        def undo() -> None:
            self._on.pop(key, None)

        return undo

    async def before_call(self) -> None:
        """Apply the faults that are on to the call about to run (latency first)."""
        faults = sorted(self._on.values(), key=lambda fault: fault[0] != "latency")
        for action, params in faults:
            if action == "latency":
                jitter = float(params.get("jitter", 0))
                delay = float(params.get("ms", 0)) + random.uniform(-jitter, jitter)
                await asyncio.sleep(max(delay, 0.0) / 1000)
            elif action == "timeout":
                ms = float(params.get("ms", 0))
                if ms <= 0:
                    await asyncio.Event().wait()  # held until the caller gives up
                await asyncio.sleep(ms / 1000)
                raise self._broken(f"connection timed out (fault timeout, {ms:g} ms)")
            else:
                raise self._broken(f"connection lost (fault {action})")
