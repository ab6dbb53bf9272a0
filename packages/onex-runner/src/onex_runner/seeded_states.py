"""Seeded states: a scenario that says `start_from: NAME` starts from the state `states.NAME`.

The SQL of a state is the expensive part, so on a real server it is run once into a seed schema
`onex_seed_<hash of the SQL>` (built in one transaction, under the stack's lock and a lock of
this process, so parallel workers and scenarios build it once) and each scenario gets a copy of
that schema (`KindSpec.state`'s `SeedCloner`, the schema copy of docs/state.md). The seed schema
is named by its content: a changed file is a new seed; an unchanged one is reused by later runs
on the same stack and goes with the stack. On a mock SQL store the statements run per scenario.
Redis data and Kafka records are small: they are written per scenario through the run's tools,
real or mock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from onex_registry import BaseOnexRegistry, SqlStore
from onex_scenario import ScenarioConfigModel
from onex_scenario.models import ModelSeededState
from onex_scenario.sql_files import seed_name, sql_statements
from onex_scenario.steps import ModelPublishSpec
from onex_services.kinds.spec import SeedCloner

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
        statements = await _statements(state)
        if statements:
            done["postgres"] = await self._sql(statements, registry, namespace, sql_endpoint)
        for key, value in state.redis.seed.items():
            await write_seed(registry.kv_store, key, value)
        if state.redis.seed:
            done["redis"] = f"{len(state.redis.seed)} key(s) written"
        for record in records:
            await registry.event_bus.publish(
                record.topic,
                record.value,
                key=record.key,
                headers=record.headers or None,
                correlation_id=record.correlation_id,
            )
        if records:
            done["kafka"] = f"{len(records)} record(s) produced"
        return done

    async def _sql(
        self,
        statements: list[str],
        registry: BaseOnexRegistry,
        namespace: str,
        sql_endpoint: tuple[str, str] | None,
    ) -> str:
        cloner: SeedCloner | None = None
        if sql_endpoint is not None:
            reader: object = self.readers.reader(*sql_endpoint)
            cloner = reader if isinstance(reader, SeedCloner) else None
        if cloner is None:  # a mock store (or a kind that cannot clone): run the SQL here
            sql: SqlStore = registry.sql_store
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
    """The Kafka records the scenario's seeded state produces when it starts."""
    if scenario.start_from is None:
        return ()
    return scenario.states[scenario.start_from].kafka.records


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


async def _statements(state: ModelSeededState) -> list[str]:
    files = [state.postgres.schema_file, *state.postgres.seed]
    found: list[str] = []
    for file in [f for f in files if f]:
        found += sql_statements(await asyncio.to_thread(Path(file).read_text))
    return found
