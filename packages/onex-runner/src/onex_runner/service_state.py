"""The state of a scenario's namespace on its real services: snapshots, checkpoints, resources.

`StateReaders` belongs to a runner: one `StateReader` per kind and server (from the kind's
`KindSpec.state`), so a snapshot reuses its connections instead of opening new ones for every
scenario. `NamespaceState` belongs to one scenario: it reads every real service of the
namespace at once (concurrently), keeps the checkpoints the steps take, and counts the
connections the namespace still holds after the tools are closed (a leak when any are left);
`onex replay` loads a recorded state into it.
A kind without a state reader is left out of snapshots, and says so.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from onex_services.catalog import kind_spec
from onex_services.kinds.spec import StateLoader, StateReader
from onex_services.state_values import StateLimits

LEAK_SETTLE_S = 1.0
"""How long closed connections may take to leave the server's lists before they count."""
_LEAK_POLL_S = 0.05


class StateError(RuntimeError):
    """A checkpoint or restore that cannot be done (named, with why)."""


class StateReaders:
    """The run's state readers, made on first use, closed with the runner."""

    def __init__(self) -> None:
        self._readers: dict[tuple[str, str], StateReader] = {}

    def reader(self, kind: str, url: str) -> StateReader | None:
        key = (kind, url)
        if key not in self._readers:
            make = kind_spec(kind).state
            if make is None:
                return None
            self._readers[key] = make(url)
        return self._readers[key]

    async def close(self) -> None:
        readers, self._readers = list(self._readers.values()), {}
        for reader in readers:
            await reader.close()


@dataclass
class NamespaceState:
    """One scenario's namespace on the real services it uses (`endpoints`: kind → client URL)."""

    readers: StateReaders
    namespace: str
    endpoints: Mapping[str, str]
    limits: StateLimits = field(default_factory=StateLimits)

    def __post_init__(self) -> None:
        self.checkpoints: dict[str, dict[str, Any]] = {}
        self.cost_ms = 0.0

    def _readers(self) -> dict[str, StateReader]:
        found = {}
        for kind, url in sorted(self.endpoints.items()):
            reader = self.readers.reader(kind, url)
            if reader is not None:
                found[kind] = reader
        return found

    async def snapshot(self) -> dict[str, Any]:
        """The namespace on every service, read at once; a service that cannot be read gives
        `{"error": ...}` in its place (the snapshot never fails the scenario by itself)."""
        started = time.perf_counter()
        readers = self._readers()
        answers = await asyncio.gather(
            *(r.read(self.namespace, self.limits) for r in readers.values()),
            return_exceptions=True,
        )
        self.cost_ms += (time.perf_counter() - started) * 1000
        state: dict[str, Any] = {}
        for kind, answer in zip(readers, answers, strict=True):
            if isinstance(answer, BaseException):
                state[kind] = {"error": f"{type(answer).__name__}: {answer}"}
            else:
                state[kind] = answer
        for kind in sorted(set(self.endpoints) - set(readers)):
            state[kind] = {"error": f"kind {kind} has no state reader"}
        return state

    async def checkpoint(self, name: str) -> list[str]:
        readers = self._readers()
        if not readers:
            raise StateError(f"checkpoint {name}: the scenario uses no real service with state")
        old = self.checkpoints.pop(name, None)
        if old is not None:
            await self._discard(old)
        saved = await asyncio.gather(
            *(r.checkpoint(self.namespace, name) for r in readers.values())
        )
        self.checkpoints[name] = dict(zip(readers, saved, strict=True))
        return sorted(readers)

    async def restore(self, name: str) -> list[str]:
        saved = self.checkpoints.get(name)
        if saved is None:
            taken = ", ".join(sorted(self.checkpoints)) or "none"
            raise StateError(f"restore {name}: no checkpoint of that name (taken: {taken})")
        readers = self._readers()
        done = await asyncio.gather(
            *(readers[kind].restore(self.namespace, value) for kind, value in saved.items())
        )
        return [line for lines in done for line in lines]

    async def load(self, recorded: Mapping[str, Any]) -> list[str]:
        """Put a recorded state (kind → what its reader read) into the namespace, each kind by
        its own `StateLoader`; a recorded kind that is not a real service here is named, not
        loaded (the replay's comparison of the start states then shows it)."""
        readers = self._readers()
        done: list[str] = []
        for kind, value in sorted(recorded.items()):
            reader = readers.get(kind)
            if reader is None:
                done.append(f"{kind}: not a real service of this run, its recorded state left out")
            elif not isinstance(reader, StateLoader):
                raise StateError(f"kind {kind} cannot load a recorded state (no `load`)")
            else:
                try:
                    done += await reader.load(self.namespace, value)
                except ValueError as exc:
                    raise StateError(f"the recorded start state: {exc}") from None
        return done

    @property
    def latest_checkpoint(self) -> str | None:
        return next(reversed(self.checkpoints), None)

    async def held_connections(self) -> dict[str, Any]:
        """What the namespace still holds on each service; connections that were just closed
        are given `LEAK_SETTLE_S` to leave the server's lists first."""
        deadline = time.monotonic() + LEAK_SETTLE_S
        while True:
            held = await self._held()
            if not leaks(held) or time.monotonic() >= deadline:
                return held
            await asyncio.sleep(_LEAK_POLL_S)

    async def _held(self) -> dict[str, Any]:
        readers = self._readers()
        answers = await asyncio.gather(
            *(r.held_connections(self.namespace) for r in readers.values()),
            return_exceptions=True,
        )
        return {
            kind: {"error": f"{type(a).__name__}: {a}"} if isinstance(a, BaseException) else a
            for kind, a in zip(readers, answers, strict=True)
        }

    async def _discard(self, saved: dict[str, Any]) -> None:
        readers = self._readers()
        for kind, value in saved.items():
            await readers[kind].discard(self.namespace, value)

    async def close(self) -> None:
        """Drop every checkpoint's copy (a checkpoint lives as long as its scenario)."""
        checkpoints, self.checkpoints = self.checkpoints, {}
        for saved in checkpoints.values():
            await self._discard(saved)


def leaks(held: Mapping[str, Any]) -> list[str]:
    """The connections a namespace still holds once its tools are closed, one line each kind."""
    found = []
    for kind, counts in sorted(held.items()):
        if not isinstance(counts, Mapping):
            continue
        for what in ("connections", "clients"):
            number = counts.get(what)
            if isinstance(number, int) and number > 0:
                found.append(f"{kind}: {number} {what} of the namespace still open")
    return found
