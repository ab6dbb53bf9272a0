"""`ONEX_POSTGRES_SECURITY=tls` and `ONEX_REDIS_SECURITY=tls_acl` on the process backend: the
servers the harness starts really refuse what is not TLS (and, for Redis, what is not the ACL
user), and the harness's own clients (probe, janitor, namespace admin, markers, state reader,
capacity reader) work through the client strings alone.

One stack of its own for the module (state and run dirs of their own), so the shared stack the
other integration tests use is never touched.
"""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import own_stack
import pytest
import redis.asyncio as aioredis
from onex_services.catalog import kind_spec
from onex_services.models import ServiceKind
from onex_services.server_marks import MARK_TAG
from onex_services.state_values import StateLimits
from onex_services.tls import server_tls
from own_stack import Stack
from redis.exceptions import AuthenticationError, ConnectionError, ResponseError

pytestmark = pytest.mark.integration
SECURED = {"ONEX_POSTGRES_SECURITY": "tls", "ONEX_REDIS_SECURITY": "tls_acl"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with own_stack.started(tmp_path_factory, ["postgres", "redis"], SECURED) as started:
        yield started


def _plain(url: str) -> str:
    """`url` without its query (the TLS settings)."""
    return url.split("?", 1)[0]


def _ca(url: str, name: str) -> Path:
    ca = Path(parse_qs(urlsplit(url).query)[name][0])
    assert ca.is_file()
    return ca


async def test_postgres_takes_tls_connections_only(stack: Stack) -> None:
    dsn = stack.url("postgres")
    query = parse_qs(urlsplit(dsn).query)
    assert query["sslmode"] == ["verify-full"]
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        rules = await conn.fetch("SELECT type, auth_method FROM pg_hba_file_rules")
    finally:
        await conn.close()
    assert {(rule["type"], rule["auth_method"]) for rule in rules} == {("hostssl", "scram-sha-256")}
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError, match="no encryption"):
        await asyncpg.connect(_plain(dsn) + "?sslmode=disable")


async def test_postgres_is_trusted_through_its_own_ca_only(stack: Stack, tmp_path: Path) -> None:
    dsn = stack.url("postgres")
    assert _ca(dsn, "sslrootcert").read_bytes() != server_tls(tmp_path).ca.read_bytes()
    other = f"{_plain(dsn)}?sslmode=verify-full&sslrootcert={server_tls(tmp_path).ca}"
    with pytest.raises(ssl.SSLCertVerificationError):
        await asyncpg.connect(other)


async def test_redis_speaks_tls_only_and_to_its_acl_user(stack: Stack) -> None:
    url = stack.url("redis")
    parts = urlsplit(url)
    assert parts.scheme == "rediss"
    assert parts.username == "onex"
    ca = _ca(url, "ssl_ca_certs")
    client = aioredis.Redis.from_url(url)
    try:
        assert await client.acl_whoami() == "onex"
    finally:
        await client.aclose()
    where = f"{parts.hostname}:{parts.port}/0"
    refused = {
        # no TLS: the server has no plain port, it resets the connection
        f"redis://onex:{parts.password}@{where}": ConnectionError,
        # TLS but no login: the default user is off
        f"rediss://{where}?ssl_ca_certs={ca}": AuthenticationError,
        # the password without the user name: AUTH of the default user
        f"rediss://:{parts.password}@{where}?ssl_ca_certs={ca}": AuthenticationError,
        # TLS without trusting the stack's CA
        f"rediss://onex:{parts.password}@{where}": ConnectionError,
    }
    for wrong, error in refused.items():
        stranger = aioredis.Redis.from_url(wrong, socket_timeout=10, socket_connect_timeout=10)
        try:
            with pytest.raises((error, ResponseError)) as raised:
                await stranger.ping()
            assert isinstance(raised.value, error), (wrong.split("@")[-1], raised.value)
        finally:
            await stranger.aclose()


@pytest.mark.parametrize("kind", ["postgres", "redis"])
async def test_the_harness_clients_work_through_the_client_string(
    stack: Stack, kind: ServiceKind
) -> None:
    spec, url = kind_spec(kind), stack.url(kind)
    namespace = f"tls{uuid.uuid4().hex[:8]}"
    probe = spec.make_probe(url)
    try:
        await probe.run(10.0)
    finally:
        await probe.close()
    assert spec.namespace_admin is not None
    admin = spec.namespace_admin(url)
    try:
        await admin.create(namespace)
        scoped = admin.scoped_url(namespace)
        if kind == "postgres":
            conn = await asyncpg.connect(scoped)
            try:
                await conn.execute("CREATE TABLE orders (id text)")
            finally:
                await conn.close()
        else:
            client = aioredis.Redis.from_url(scoped)
            try:
                await client.set(f"{admin.prefix(namespace)}cart", "1")
            finally:
                await client.aclose()
        assert await admin.leftovers(namespace)
    finally:
        await admin.close()
    assert spec.state is not None
    reader = spec.state(url)
    try:
        assert await reader.read(namespace, StateLimits())
    finally:
        await reader.close()
    assert spec.namespace_marks is not None
    marks = spec.namespace_marks(url)
    try:
        await marks.write(namespace, f"{MARK_TAG} of this test")
        assert (await marks.read_all())[namespace] == f"{MARK_TAG} of this test"
    finally:
        await marks.close()
    assert spec.capacity is not None
    capacity = spec.capacity.reader(url)
    try:
        assert (await capacity.read()).limit is not None
    finally:
        await capacity.close()
    janitor = spec.janitor(url, namespace)
    try:
        assert await janitor.cleanup()
        assert await janitor.verify_clean() == []
    finally:
        await janitor.close()
