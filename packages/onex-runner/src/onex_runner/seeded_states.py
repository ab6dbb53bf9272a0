"""Seeded states: a scenario that says `start_from: NAME` starts from the state `states.NAME`.

The SQL of a state is the expensive part, so on a real server it is run once into a seed schema
`onex_seed_<hash of the SQL>` (built in one transaction, under the stack's lock and a lock of
this process, so parallel workers and scenarios build it once) and each scenario gets a copy of
that schema (`KindSpec.state`'s `SeedCloner`, the schema copy of docs/state.md). The seed schema
is named by its content: a changed file is a new seed; an unchanged one is reused by later runs
on the same stack and goes with the stack. On a mock SQL store the statements run per scenario.
Key-value seeds (Redis) and records (Kafka) are small: they are written per scenario through
the run's tools, real or mock. Nothing here names a kind: each section of the state is its
kind's (`ModelSeededState.<kind>`), written through the run's tool for the scenario's service of
that kind, as that tool's family takes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from onex_registry import BaseOnexRegistry, EventBus, KeyValueStore, OnexToolError, SqlStore
from onex_scenario import ScenarioConfigModel
from onex_scenario.models import ModelSeededState
from onex_scenario.sql_files import seed_name, sql_statements
from onex_scenario.steps import ModelPublishSpec
from onex_services.kinds.spec import SeedCloner
from onex_services.namespace_seeds import seeded_kinds

from onex_runner.redis_values import write_seed
from onex_runner.service_state import StateReaders

StackLock = Callable[[], Any]
"""Gives the shared stack's lock (across processes): an object with `acquire()` (blocking)
and `release()`, such as `onex_services.state.StateStore`."""


class SeededStates:
    """The runner's seeds: built once, cloned per scenario."""

    def __init__(self, readers: StateReaders, stack_lock: StackLock | None = None) -> None:
        self.readers = readers
        self._stack_lock = stack_lock
        self._lock = asyncio.Lock()
        self._built: set[tuple[str, str]] = set()

    async def apply(
        self,
        scenario: ScenarioConfigModel,
        registry: BaseOnexRegistry,
        namespace: str,
        sql_endpoint: tuple[str, str] | None,
        records: Sequence[ModelPublishSpec] | None = None,
    ) -> dict[str, Any]:
        """Give the scenario's namespace the state `scenario.start_from`; what was done.
        `sql_endpoint` is (kind, url) of the real SQL server, None when the SQL store is a mock.
        `records`: the Kafka records to produce instead of the state's (a replay's recorded)."""
        if scenario.start_from is None:
            return {}
        state = scenario.states[scenario.start_from]
        records = start_records(scenario) if records is None else records
        done: dict[str, Any] = {"state": scenario.start_from}
        for kind in _kinds_to_seed(state, bool(records)):
            tool = _tool_of_kind(scenario, registry, kind)
            section = getattr(state, kind)
            said = await self._seed(tool, section, namespace, sql_endpoint, records)
            if said is not None:
                done[kind] = said
        return done

    async def _seed(
        self,
        tool: object,
        section: Any,
        namespace: str,
        sql_endpoint: tuple[str, str] | None,
        records: Sequence[ModelPublishSpec],
    ) -> str | None:
        """Write one kind's section of the state through the run's tool for that kind, as the
        tool's family takes it (SQL files, key-value seeds, `records` for an event bus); what
        was done, None when nothing."""
        if isinstance(tool, SqlStore):
            statements = await _statements(section)
            if not statements:
                return None
            return await self._sql(statements, tool, namespace, sql_endpoint)
        if isinstance(tool, KeyValueStore):
            for key, value in section.seed.items():
                await write_seed(tool, key, value)
            return f"{len(section.seed)} key(s) written"
        if isinstance(tool, EventBus):
            if not records:
                return None
            for record in records:
                await tool.publish(
                    record.topic,
                    record.value,
                    key=record.key,
                    headers=record.headers or None,
                    correlation_id=record.correlation_id,
                )
            return f"{len(records)} record(s) produced"
        raise OnexToolError(f"a {type(tool).__name__} cannot be given a seeded state")

    async def _sql(
        self,
        statements: list[str],
        sql: SqlStore,
        namespace: str,
        sql_endpoint: tuple[str, str] | None,
    ) -> str:
        cloner: SeedCloner | None = None
        if sql_endpoint is not None:
            reader: object = self.readers.reader(*sql_endpoint)
            cloner = reader if isinstance(reader, SeedCloner) else None
        if cloner is None:  # a mock store (or a kind that cannot clone): run the SQL here
            for statement in statements:
                await sql.execute(statement)
            return f"{len(statements)} statement(s) run"
        seed = seed_name(statements)
        key = (sql_endpoint[1] if sql_endpoint is not None else "", seed)
        async with self._lock:
            built = False
            if key not in self._built:
                lock = self._stack_lock() if self._stack_lock is not None else None
                if lock is not None:
                    await asyncio.to_thread(lock.acquire)
                try:
                    built = await cloner.build_seed(seed, statements)
                finally:
                    if lock is not None:
                        lock.release()
                self._built.add(key)
        await cloner.clone_seed(seed, namespace)
        return f"copied from {seed}" + (" (built now)" if built else "")


def start_records(scenario: ScenarioConfigModel) -> tuple[ModelPublishSpec, ...]:
    """The records the scenario's seeded state produces when it starts (its sections that hold
    `records`: Kafka's)."""
    if scenario.start_from is None:
        return ()
    state = scenario.states[scenario.start_from]
    return tuple(record for kind in _record_kinds(state) for record in getattr(state, kind).records)


def _record_kinds(state: ModelSeededState) -> list[str]:
    """The kinds whose section of a seeded state lists records to produce."""
    return [kind for kind in type(state).model_fields if hasattr(getattr(state, kind), "records")]


def _kinds_to_seed(state: ModelSeededState, has_records: bool) -> list[str]:
    """The kinds whose section holds anything, and those of records when some are given (a
    replay's recorded ones stand in for the state's)."""
    kinds = set(seeded_kinds(state)) | (set(_record_kinds(state)) if has_records else set())
    return sorted(kinds)


def real_sql_endpoint(
    scenario: ScenarioConfigModel, registry: BaseOnexRegistry, endpoints: dict[str, str]
) -> tuple[str, str] | None:
    """(kind, url) of the real server behind the run's SQL store; None when it is a mock."""
    for record in registry.audit:
        if record.mode == "real" and isinstance(registry.tools.get(record.service), SqlStore):
            kind = str(scenario.external_services[record.service].kind)
            if kind in endpoints:
                return kind, endpoints[kind]
    return None


def _tool_of_kind(scenario: ScenarioConfigModel, registry: BaseOnexRegistry, kind: str) -> object:
    """The run's tool for the scenario's one service of `kind` (real or mock)."""
    names = [n for n, s in scenario.external_services.items() if str(s.kind) == kind]
    if len(names) != 1:
        raise OnexToolError(
            f"state {scenario.start_from} seeds {kind}: expected exactly one {kind} service "
            f"in the scenario, found {len(names)}"
        )
    return registry.tool(names[0])


async def _statements(section: Any) -> list[str]:
    """The statements of a SQL section's files (`schema`, then each `seed`)."""
    files = [section.schema_file, *section.seed]
    found: list[str] = []
    for file in [f for f in files if f]:
        found += sql_statements(await asyncio.to_thread(Path(file).read_text))
    return found
