"""Against a SASL_SSL-only cluster, a TLS-only PostgreSQL and a Redis with TLS and an ACL user,
given by the ONEX_* variables alone (the `secured` session): the servers really refuse clients
that ignore the settings, the registry's own SQL and key-value tools work through the URLs, a
whole run passes through them, and none of their passwords reaches a report, a log or what
`onex services` prints.

These tests fail, never skip, when the environment does not point at such a cluster.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from onex_registry import building_tools
from onex_registry.errors import ToolConnectionError
from onex_registry.tools.kv import RedisKeyValueStore
from onex_registry.tools.sql import PostgresSqlStore
from onex_scenario.kafka_security import client_options, kafka_security
from onex_scenario.redaction import known_secrets
from redis.exceptions import RedisError

pytestmark = pytest.mark.secured

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = ROOT / "scenarios" / "integration" / "scenario_orders_app_http.yaml"


@pytest.fixture(scope="module")
def servers() -> str:
    security = kafka_security()
    assert security.protocol == "SASL_SSL", "the secured session sets ONEX_KAFKA_SECURITY_PROTOCOL"
    assert os.environ.get("ONEX_SERVICES_BACKEND") == "external"
    return os.environ["ONEX_KAFKA_BOOTSTRAP_SERVERS"]


async def _topics(servers: str, **options: object) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers, request_timeout_ms=5000, **options)
    try:
        await admin.start()
        return set(await admin.list_topics())
    finally:
        await admin.close()


def test_clients_that_ignore_the_settings_are_refused(servers: str) -> None:
    asyncio.run(_topics(servers, **client_options(kafka_security())))  # the settings work
    with pytest.raises(KafkaError):
        asyncio.run(_topics(servers))  # PLAINTEXT: no listener speaks it
    no_password = {
        **os.environ,
        "ONEX_KAFKA_SASL_PASSWORD_FILE": "",
        "ONEX_KAFKA_SASL_PASSWORD": "x",
    }
    with pytest.raises(KafkaError):
        asyncio.run(_topics(servers, **client_options(kafka_security(no_password))))


def test_postgres_refuses_a_connection_without_tls() -> None:
    dsn = os.environ["ONEX_DB_URL"]
    query = parse_qs(urlsplit(dsn).query)
    assert query["sslmode"] == ["verify-full"]
    assert Path(query["sslrootcert"][0]).is_file()

    async def check() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            assert await conn.fetchval("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        finally:
            await conn.close()
        with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError):
            await asyncpg.connect(dsn.split("?", 1)[0] + "?sslmode=disable")

    asyncio.run(check())


def test_redis_refuses_plain_clients_and_the_default_user() -> None:
    url = os.environ["ONEX_REDIS_URL"]
    parts = urlsplit(url)
    assert (parts.scheme, parts.username) == ("rediss", "onex")
    where = f"{parts.hostname}:{parts.port}/0"

    async def answer(target: str) -> object:
        client = aioredis.Redis.from_url(target, socket_timeout=10, socket_connect_timeout=10)
        try:
            return await client.acl_whoami()
        finally:
            await client.aclose()

    assert asyncio.run(answer(url)) == "onex"
    for wrong in (
        f"redis://onex:{parts.password}@{where}",  # no TLS
        f"rediss://:{parts.password}@{where}?{parts.query}",  # the default user
        f"rediss://{where}?{parts.query}",  # no login at all
    ):
        with pytest.raises(RedisError):
            asyncio.run(answer(wrong))


def test_the_registry_tools_work_through_the_urls_and_hide_the_password() -> None:
    namespace = f"secured_{os.getpid()}"
    dsn, url = os.environ["ONEX_DB_URL"], os.environ["ONEX_REDIS_URL"]

    async def use() -> None:
        with building_tools():
            sql, kv = PostgresSqlStore(dsn, namespace), RedisKeyValueStore(url, namespace)
        await sql.connect()
        await kv.connect()
        try:
            await sql.execute("CREATE TABLE t (id int)")
            assert await sql.execute("INSERT INTO t VALUES (1)") == 1
            await kv.set("k", "v")
            assert await kv.get("k") == "v"
        finally:
            await sql.execute(f'DROP SCHEMA "{namespace}" CASCADE')
            await kv.delete("k")
            await sql.close()
            await kv.close()

    asyncio.run(use())
    password = urlsplit(url).password
    assert password
    with building_tools():
        stranger = RedisKeyValueStore(url.split("?", 1)[0], namespace)  # without the CA
    with pytest.raises(ToolConnectionError) as raised:
        asyncio.run(stranger.connect())
    assert password not in str(raised.value)


def _onex(*args: str) -> subprocess.CompletedProcess[str]:
    onex = Path(sys.executable).with_name("onex")
    return subprocess.run(
        [str(onex), *args], capture_output=True, text=True, cwd=ROOT, check=False, timeout=300
    )


def test_no_password_reaches_a_report_a_log_or_status(servers: str, tmp_path: Path) -> None:
    secrets = known_secrets(os.environ)
    kafka_password = kafka_security().password
    assert kafka_password in secrets  # read from ONEX_KAFKA_SASL_PASSWORD_FILE
    for variable in ("ONEX_DB_URL", "ONEX_REDIS_URL"):
        assert urlsplit(os.environ[variable]).password in secrets
    reports = tmp_path / "reports"
    run = _onex(
        "run",
        str(SCENARIO),
        "--junit", str(reports / "junit.xml"),
        "--json", str(reports / "report.json"),
        "--html", str(reports / "report.html"),
        "--snapshots", str(reports / "snapshots.jsonl"),
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    outputs = {
        "onex run": run.stdout + run.stderr,
        **{
            f"onex services {' '.join(args)}": (done := _onex("services", *args)).stdout
            + done.stderr
            for args in (("status",), ("status", "--json"), ("health", "--json"))
        },
    }
    written = {
        str(path): path.read_text(errors="replace") for path in reports.rglob("*") if path.is_file()
    }
    assert len(written) >= 4
    state = Path(os.environ["ONEX_STATE_DIR"])
    logs = {str(p): p.read_text(errors="replace") for p in state.rglob("*.log") if p.is_file()}
    for where, text in {**outputs, **written, **logs}.items():
        leaked = [len(secret) for secret in secrets if secret in text]
        assert not leaked, f"{where} holds a password (of {leaked} characters)"
