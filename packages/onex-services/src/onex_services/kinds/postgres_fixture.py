"""PostgreSQL's client fixture `postgres_dsn` (entry point `onex.kind_fixtures`, see
client_fixtures): a DSN whose search_path is the run's schema."""

from __future__ import annotations

from onex_scenario.redaction import SecretUrl

from onex_services.pytest_fixtures import run_sync


def postgres_dsn(dsn: str, namespace: str) -> str:
    """A DSN of the real PostgreSQL whose search_path is the run's schema (created here, and
    dropped with everything in it when the session ends)."""
    from onex_services.kinds.postgres import PostgresSchemaManager
    from onex_services.kinds.postgres_schemas import scoped_dsn

    schema = PostgresSchemaManager(dsn, namespace)

    async def create() -> None:
        try:
            await schema.create()
        finally:
            await schema.close()

    run_sync(create())
    # Its repr, printed in a failing test's traceback, hides the password.
    return SecretUrl(scoped_dsn(dsn, namespace))
