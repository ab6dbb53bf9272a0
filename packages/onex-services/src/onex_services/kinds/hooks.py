"""Kind hooks for per-test seeded states and the capacity check (see `KindSpec`), kept apart
from `spec` so that it stays under 400 lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class NamespaceSeeder(Protocol):
    """Puts the kind's part of a seeded state into test namespaces (see `namespace_seeds`).

    `prepare(section)` runs once per state and session, under the shared stack's lock: it keeps
    on the server what can be copied there (a seed schema) and returns what `put` needs (a
    seed's name, encoded records); None when the section holds nothing for the kind. `put`
    gives one namespace (already made) that state and says what it did in a few words.
    """

    async def prepare(self, section: Any) -> Any: ...

    async def put(self, prepared: Any, namespace: str) -> str: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class ServerCapacity:
    """One limit of a server, read from it: what it counts ("connections", "partitions"...),
    how many it allows (None: no limit known), how many are taken now, and where the limit
    comes from (a server setting, a harness variable)."""

    what: str
    limit: int | None
    in_use: int
    source: str


class CapacityReader(Protocol):
    async def read(self) -> ServerCapacity: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class KindCapacity:
    """How a run uses up a server of the kind (see `onex_services.capacity`): `reader(url)`
    reads its limit and use; `need(workers, scenarios)` is the most a run of `workers`
    scenarios at once takes of it, given the scenarios that use the kind for real."""

    reader: Callable[[str], CapacityReader]
    need: Callable[[int, Sequence[Any]], int]
