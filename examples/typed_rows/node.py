"""TypedRowsNode: opens an account whose row holds a bool, a timestamp with time zone, a
NUMERIC amount and a JSONB document, as a node would write them through asyncpg."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from onex_registry import BaseOnexRegistry, requires_registry

from examples.defects import defect

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id varchar(16) PRIMARY KEY,
    active boolean NOT NULL DEFAULT true,
    opened timestamptz NOT NULL,
    balance numeric(10, 2) NOT NULL CHECK (balance >= 0),
    profile jsonb NOT NULL,
    note varchar(8)
)
"""


@requires_registry
class TypedRowsNode:
    def __init__(self, registry: BaseOnexRegistry) -> None:
        self.sql = registry.sql_store

    async def open_account(self, account: str) -> dict[str, Any]:
        await self.sql.execute(SCHEMA)
        opened = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        profile = {"tier": "gold", "tags": ["new", "eu"], "limits": {"daily": 500}}
        note = "opened via the web app" if defect("note_too_long") else "web"
        inserted = await self.sql.execute(
            "INSERT INTO accounts (id, opened, balance, profile, note)"
            " VALUES ($1, $2, $3, $4, $5)",
            account, opened, Decimal("12.50"), profile, note,
        )  # fmt: skip
        return {"inserted": inserted}
