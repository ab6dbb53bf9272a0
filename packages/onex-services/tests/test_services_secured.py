"""The servers the harness starts are not open to other local users, nor to SQL that reads
/proc: PostgreSQL demands a per-stack password (scram-sha-256, no trust), Redis a `requirepass`,
and each server runs with a clean environment instead of the caller's.

One stack of its own for the module (state and run dirs of their own), so the shared stack the
other integration tests use is never touched.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import own_stack
import pytest
import redis.asyncio as aioredis
from onex_services.manager import ToolServiceManager
from onex_services.models import ServiceKind
from onex_services.passwords import PASSWORD_DIR
from onex_services.settings import Paths
from own_stack import Stack
from redis.exceptions import AuthenticationError, ResponseError

pytestmark = pytest.mark.integration
SENTINEL = "ONEX_TEST_CALLERS_SECRET"
CLEAN_KEYS = {"PATH", "LANG", "LC_ALL", "TZ", "HOME"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    secret = f"caller-secret-{uuid.uuid4().hex}"  # what a caller's token would be
    with own_stack.started(tmp_path_factory, ["postgres", "redis"], {SENTINEL: secret}) as started:
        yield started  # no server may see the secret (below)


def _without_password(url: str, password: str = "") -> str:
    parts = urlsplit(url)
    user = parts.username or ""
    netloc = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return urlunsplit(parts._replace(netloc=f"{netloc}{parts.hostname}:{parts.port}"))


def _stored_passwords(stack: Stack) -> dict[str, str]:
    state = stack.manager.current()
    assert state is not None
    path = stack.paths.state_dir / PASSWORD_DIR / f"stack-{state.stack_id}.json"
    assert path.stat().st_mode & 0o777 == 0o600
    stored: dict[str, str] = json.loads(path.read_text())
    return stored


async def test_postgres_takes_the_stack_password_and_nothing_else(stack: Stack) -> None:
    dsn = stack.url("postgres")
    password = urlsplit(dsn).password
    assert password
    assert _stored_passwords(stack)["postgres"] == password

    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT current_user") == "postgres"
        rules = await conn.fetch("SELECT type, auth_method FROM pg_hba_file_rules")
    finally:
        await conn.close()
    assert rules
    assert {rule["auth_method"] for rule in rules} == {"scram-sha-256"}

    for wrong in (_without_password(dsn), _without_password(dsn, "guess")):
        with pytest.raises((asyncpg.InvalidPasswordError, asyncpg.InterfaceError)):
            await asyncpg.connect(wrong)


async def test_redis_requires_the_stack_password(stack: Stack) -> None:
    url = stack.url("redis")
    password = urlsplit(url).password
    assert password
    assert _stored_passwords(stack)["redis"] == password
    state = stack.manager.current()
    assert state is not None
    config = Path(state.stack_dir) / "redis" / "redis.conf"
    assert config.stat().st_mode & 0o777 == 0o600

    client = aioredis.Redis.from_url(url)
    try:
        assert await client.ping()
    finally:
        await client.aclose()
    for wrong in (_without_password(url), _without_password(url, "guess")):
        stranger = aioredis.Redis.from_url(wrong)
        try:
            with pytest.raises((AuthenticationError, ResponseError)):
                await stranger.ping()
        finally:
            await stranger.aclose()


@pytest.mark.parametrize("kind", ["postgres", "redis"])
def test_a_server_runs_with_a_clean_environment_not_the_callers(
    stack: Stack, kind: ServiceKind
) -> None:
    state = stack.manager.current()
    assert state is not None
    process = state.services[kind].process
    assert process is not None
    raw = Path(f"/proc/{process.pid}/environ").read_bytes()
    environ = dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)
    assert set(environ) == CLEAN_KEYS
    assert SENTINEL.encode() not in raw
    assert environ["TZ"] == "UTC"


def test_the_stack_passwords_go_with_the_stack(tmp_path: Path) -> None:
    run_dir = Path(f"/tmp/onex-{os.getuid()}-tests") / uuid.uuid4().hex[:8]
    paths = dataclasses.replace(Paths.from_env(), state_dir=tmp_path / "state", run_dir=run_dir)
    manager = ToolServiceManager(paths=paths, backend="process", reuse=False)
    try:
        asyncio.run(manager.up(["redis"]))
        assert len(list((paths.state_dir / PASSWORD_DIR).iterdir())) == 1
    finally:
        asyncio.run(manager.down(force=True))
        shutil.rmtree(run_dir, ignore_errors=True)
    assert list((paths.state_dir / PASSWORD_DIR).iterdir()) == []
