"""PostgreSQL's part of a seeded state in test namespaces: the SQL runs once into a seed schema
`onex_seed_<hash of the SQL>` (the same seed a scenario's `start_from` uses, see
onex_runner.seeded_states), and each test's schema gets a copy of it (`postgres_clone`, one
round trip on the seeder's connection)."""

from __future__ import annotations

import asyncio
from typing import Any

from onex_scenario.sql_files import read_statements, seed_name

from onex_services.kinds.postgres_state import PostgresStateReader


class PostgresSeeder:
    """Seed schemas built once, copied into namespaces, over one connection kept open."""

    def __init__(self, dsn: str) -> None:
        self._reader = PostgresStateReader(dsn)

    async def prepare(self, section: Any) -> str | None:
        files = [section.schema_file, *section.seed]
        statements = await asyncio.to_thread(read_statements, files)
        if not statements:
            return None
        seed = seed_name(statements)
        await self._reader.build_seed(seed, statements)
        return seed

    async def put(self, prepared: Any, namespace: str) -> str:
        await self._reader.clone_seed(str(prepared), namespace)
        return f"copied from {prepared}"

    async def close(self) -> None:
        await self._reader.close()
