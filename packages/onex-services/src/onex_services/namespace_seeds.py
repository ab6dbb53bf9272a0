"""Seeded states in test namespaces: each state is prepared once and put into every test's
namespace that starts from it (`@pytest.mark.onex_state`, see `pytest_states`).

Each kind does its own part (`KindSpec.namespace_seeder`): PostgreSQL builds a seed schema once
and copies it into the test's schema, Redis writes the keys in one round trip, Kafka creates the
topics and produces the records. Nothing here names a kind: the state's section for a kind is
its attribute of that name (`ModelSeededState.postgres`, ...).

"Once" means once per process and state, under the shared stack's lock (the state dir's lock
file), so the xdist workers of a run build a seed schema once between them: the seed is named by
its content, and a worker that finds it built reuses it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from onex_services.catalog import kind_spec
from onex_services.kinds.hooks import NamespaceSeeder
from onex_services.models import ServiceKind

StackLock = Callable[[], Any]
"""Gives the shared stack's lock across processes: an object with blocking `acquire()` and
`release()` (`onex_services.state.StateStore`)."""


class SeedError(ValueError):
    """A state the namespace cannot start from (the message says which kind and why)."""


def seeded_kinds(state: Any) -> list[ServiceKind]:
    """The kinds whose section of `state` holds anything (a pydantic model per kind)."""
    sections = {name: getattr(state, name) for name in type(state).model_fields}
    return sorted(
        name for name, section in sections.items() if section.model_dump(exclude_defaults=True)
    )


class NamespaceSeeds:
    """The seeders of one set of servers, and what each state's preparation gave them."""

    def __init__(
        self, urls: Mapping[ServiceKind, str], stack_lock: StackLock | None = None
    ) -> None:
        self._urls = dict(urls)
        self._stack_lock = stack_lock
        self._seeders: dict[ServiceKind, NamespaceSeeder] = {}
        self._prepared: dict[str, dict[ServiceKind, Any]] = {}

    def _seeder(self, kind: ServiceKind, state_name: str) -> NamespaceSeeder:
        if kind not in self._urls:
            raise SeedError(
                f"state {state_name} seeds {kind}, which this test's namespace does not cover "
                f"(it covers {', '.join(sorted(self._urls))}; mark the test requires_{kind})"
            )
        if kind not in self._seeders:
            factory = kind_spec(kind).namespace_seeder
            if factory is None:
                raise SeedError(f"state {state_name} seeds {kind}, whose kind has no seeder")
            self._seeders[kind] = factory(self._urls[kind])
        return self._seeders[kind]

    async def apply(self, key: str, state_name: str, state: Any, namespace: str) -> dict[str, str]:
        """Put state `state_name` (`key` names it uniquely, e.g. with its file) into the
        namespace; per kind, what was done."""
        prepared = self._prepared.get(key)
        if prepared is None:
            prepared = self._prepared[key] = await self._prepare(state_name, state)
        kinds = sorted(prepared)
        done = await asyncio.gather(
            *(self._seeders[kind].put(prepared[kind], namespace) for kind in kinds)
        )
        return dict(zip(kinds, done, strict=True))

    async def _prepare(self, state_name: str, state: Any) -> dict[ServiceKind, Any]:
        seeders = {kind: self._seeder(kind, state_name) for kind in seeded_kinds(state)}
        lock = self._stack_lock() if self._stack_lock is not None else None
        if lock is not None:
            await asyncio.to_thread(lock.acquire)
        try:
            prepared = {
                kind: await seeder.prepare(getattr(state, kind)) for kind, seeder in seeders.items()
            }
        finally:
            if lock is not None:
                lock.release()
        return {kind: value for kind, value in prepared.items() if value is not None}

    async def close(self) -> None:
        seeders, self._seeders = self._seeders, {}
        await asyncio.gather(*(seeder.close() for seeder in seeders.values()))
