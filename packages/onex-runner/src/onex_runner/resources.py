"""The resources a scenario declares, made inside its namespace before the steps run.

Topics (with their configs), the PostgreSQL schema and seed SQL, and Redis seed keys, all through
the registry's tools, so mocks and real services get the same treatment.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from onex_registry import BaseOnexRegistry, KeyValueStore, SqlStore
from onex_scenario import ModelResources
from onex_scenario.sql_files import sql_statements

from onex_runner.redis_values import write_seed


async def create_resources(resources: ModelResources, registry: BaseOnexRegistry) -> None:
    """Topics, schema and seed SQL, and Redis seed keys, all inside the scenario's namespace."""
    if resources.kafka is not None and resources.kafka.topics:
        bus = registry.event_bus
        for topic in resources.kafka.topics:
            configs = {
                k: str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in topic.configs.items()
            }
            await bus.create_topic(topic.name, partitions=topic.partitions, configs=configs)
    if resources.postgres is not None and (
        resources.postgres.schema_file or resources.postgres.seed
    ):
        sql: SqlStore = registry.sql_store
        files = [resources.postgres.schema_file, *resources.postgres.seed]
        for file in [f for f in files if f]:
            script = await asyncio.to_thread(Path(file).read_text)
            for statement in sql_statements(script):
                await sql.execute(statement)
    if resources.redis is not None and resources.redis.seed:
        kv: KeyValueStore = registry.kv_store
        for key, value in resources.redis.seed.items():
            await write_seed(kv, key, value)
