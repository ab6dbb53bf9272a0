"""`onex services reap --older-than`, and the same at every start against an external cluster:
the marked namespaces of gone runs are dropped on the real servers; a live run's (its marker
renewed, or its claim held here), an unmarked one and a look-alike outside the harness's prefix
are not.

Every namespace gets the same resources on the real Kafka, PostgreSQL and Redis (a topic, a
schema with a table, a key). Markers are written as another machine would have written them:
- `dead`: made 90 min ago by a run that stopped renewing then (lease 60 s), with no claim here;
- `leased`: made 90 min ago, its run renewed the marker just now;
- `claimed`: made 90 min ago, lease long expired, but this machine holds a claim for a live run;
- `bare`: a harness-named namespace with no marker at all;
- `alien`: carries a copy of a valid marker but is not named like a harness namespace.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from click.testing import CliRunner
from filelock import FileLock
from onex_services import ServiceEndpoint, cleanup_namespace, verify_clean
from onex_services.catalog import kind_spec
from onex_services.cli import services
from onex_services.errors import SettingError
from onex_services.kinds.kafka.janitor import ToolKafkaResourceManager, TopicSpec
from onex_services.kinds.postgres import PostgresSchemaManager
from onex_services.manager import ToolServiceManager
from onex_services.mark_keeper import keeper
from onex_services.models import ServiceKind
from onex_services.namespace_pool import NamespacePool
from onex_services.polling import wait_until
from onex_services.pytest_fixtures import ServicesHolder
from onex_services.server_marks import NamespaceMark, mark_namespace, parse_mark
from onex_services.settings import Paths
from onex_services.shared_reap import parse_duration
from onex_services.start_reap import reap_age_s

pytestmark = pytest.mark.integration

AGO = 90 * 60.0
"""How old the planted namespaces are: past the 1 h the tests reap at, short of the 2 h that
every start against an external server reaps at by default (`start_reap`), so another test's
start in the same tier never takes them first."""


async def _fill(namespace: str, urls: Mapping[ServiceKind, str]) -> None:
    topics = ToolKafkaResourceManager(urls["kafka"], namespace)
    try:
        await topics.create_topics([TopicSpec("orders")])
    finally:
        await topics.close()
    await PostgresSchemaManager(urls["postgres"], namespace).create()
    conn = await asyncpg.connect(urls["postgres"])
    try:
        await conn.execute(f'CREATE TABLE "{namespace}".orders (id text)')
    finally:
        await conn.close()
    client = aioredis.Redis.from_url(urls["redis"])
    try:
        await client.set(f"{namespace}:cart", "1")
    finally:
        await client.aclose()


def _mark(run_id: str, *, renewed_ago: float, lease_s: float) -> NamespaceMark:
    now = time.time()
    return NamespaceMark(
        run_id=run_id,
        host="ci-machine-that-crashed",
        created_at=now - AGO,
        renewed_at=now - renewed_ago,
        lease_s=lease_s,
    )


@pytest.fixture
async def planted(
    onex_namespace: str,
    onex_services: ServicesHolder,
    real_kafka: ServiceEndpoint,
    real_postgres: ServiceEndpoint,
    real_redis: ServiceEndpoint,
) -> AsyncIterator[dict[str, str]]:
    # A reap by age takes every dead run's namespace on the servers, another test's planted one
    # too: the tests that reap take turns on a stack (xdist workers run them at once otherwise).
    lock = FileLock(onex_services.manager.paths.state_dir / "reap-test.lock")
    await asyncio.to_thread(lock.acquire)
    try:
        async for names in _planted(onex_namespace, real_kafka, real_postgres, real_redis):
            yield names
    finally:
        lock.release()


async def _planted(
    onex_namespace: str,
    real_kafka: ServiceEndpoint,
    real_postgres: ServiceEndpoint,
    real_redis: ServiceEndpoint,
) -> AsyncIterator[dict[str, str]]:
    suffix = uuid.uuid4().hex[:5]
    base = onex_namespace[:24]
    names = {
        "dead": f"{base}_dead{suffix}",
        "leased": f"{base}_lease{suffix}",
        "claimed": f"{base}_claim{suffix}",
        "bare": f"{base}_bare{suffix}",
        "alien": f"hygiene_alien{suffix}",
    }
    urls: dict[ServiceKind, str] = {
        "kafka": real_kafka.url,
        "postgres": real_postgres.url,
        "redis": real_redis.url,
    }
    for name in names.values():
        await _fill(name, urls)
    await mark_namespace(names["dead"], urls, _mark("deadrun", renewed_ago=AGO, lease_s=60))
    await mark_namespace(names["leased"], urls, _mark("otherrun", renewed_ago=0, lease_s=3600))
    await mark_namespace(names["claimed"], urls, _mark("thisrun", renewed_ago=AGO, lease_s=60))
    await mark_namespace(names["alien"], urls, _mark("deadrun", renewed_ago=AGO, lease_s=60))
    yield names
    for name in names.values():
        await cleanup_namespace(name, urls)


async def test_reap_older_than_drops_only_the_dead_runs_marked_namespace(
    onex_services: ServicesHolder,
    planted: dict[str, str],
    real_kafka: ServiceEndpoint,
    real_postgres: ServiceEndpoint,
    real_redis: ServiceEndpoint,
) -> None:
    urls: dict[ServiceKind, str] = {
        "kafka": real_kafka.url,
        "postgres": real_postgres.url,
        "redis": real_redis.url,
    }
    manager = onex_services.manager
    endpoints = [real_kafka, real_postgres, real_redis]
    manager.claims.claim(planted["claimed"], endpoints, label="live", lease=0)
    before = {role: await verify_clean(name, urls) for role, name in planted.items()}
    # topic and marker topic, schema (its comment is the marker), key and marker key
    assert len(before["dead"]) == 5
    try:
        lines = await manager.reap(parse_duration("1h"))
        after = {role: await verify_clean(name, urls) for role, name in planted.items()}
    finally:
        manager.claims.release(planted["claimed"])

    assert after["dead"] == []
    for role in ("leased", "claimed", "bare", "alien"):
        assert after[role] == before[role], role
    text = "\n".join(lines)
    for kind in urls:
        assert f"removed namespace {planted['dead']} on {kind} (run deadrun" in text
        assert (
            f"left namespace {planted['leased']} on {kind} (run otherrun): its run's lease" in text
        )
        assert f"left namespace {planted['claimed']} on {kind} (run thisrun): its run holds" in text
        assert f"left {kind} {planted['alien']}: not a harness namespace" in text
    assert planted["bare"] not in text


def test_a_bad_duration_is_a_usage_error_naming_what_was_expected() -> None:
    result = CliRunner().invoke(services, ["reap", "--older-than", "2 hours"])
    assert result.exit_code == 2
    assert "expected a number and a unit s, m, h or d" in result.output
    assert "Traceback" not in result.output


async def _marks_on(urls: Mapping[ServiceKind, str]) -> dict[ServiceKind, dict[str, str]]:
    found: dict[ServiceKind, dict[str, str]] = {}
    for kind, url in urls.items():
        factory = kind_spec(kind).namespace_marks
        assert factory is not None, kind
        marks = factory(url)
        try:
            found[kind] = await marks.read_all()
        finally:
            await marks.close()
    return found


def test_a_pool_namespace_carries_its_marker_on_every_server_until_dropped(
    monkeypatch: pytest.MonkeyPatch,
    real_kafka: ServiceEndpoint,
    real_postgres: ServiceEndpoint,
    real_redis: ServiceEndpoint,
) -> None:
    monkeypatch.setenv("ONEX_NAMESPACE_MARKS", "1")
    monkeypatch.setenv("ONEX_RUN_ID", "hygienerun")
    endpoints = {"kafka": real_kafka, "postgres": real_postgres, "redis": real_redis}
    urls: dict[ServiceKind, str] = {kind: ep.url for kind, ep in endpoints.items()}
    pool = NamespacePool(endpoints)
    try:
        namespace = pool.open()
        marked = asyncio.run(_marks_on(urls))
        pool.drop(namespace)
        pool.flush()
        after = asyncio.run(_marks_on(urls))
    finally:
        pool.close()
    for kind in urls:
        mark = parse_mark(marked[kind][namespace.name])
        assert mark is not None, kind
        assert mark.run_id == "hygienerun"
        assert mark.created_at == mark.renewed_at
        assert namespace.name not in after[kind]


def _external_manager(
    monkeypatch: pytest.MonkeyPatch, state_dir: Path, endpoints: list[ServiceEndpoint]
) -> tuple[ToolServiceManager, list[str]]:
    """A manager of another CI machine pointed at the real servers as an external cluster."""
    for endpoint in endpoints:
        monkeypatch.setenv(kind_spec(endpoint.kind).env_var, endpoint.url)
    paths = dataclasses.replace(Paths.from_env(), state_dir=state_dir, run_dir=state_dir / "run")
    said: list[str] = []
    return ToolServiceManager(backend="external", paths=paths, progress=said.append), said


async def test_a_start_against_an_external_cluster_reaps_by_age_and_spares_a_live_run(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    planted: dict[str, str],
    real_kafka: ServiceEndpoint,
    real_postgres: ServiceEndpoint,
    real_redis: ServiceEndpoint,
) -> None:
    endpoints = [real_kafka, real_postgres, real_redis]
    urls: dict[ServiceKind, str] = {ep.kind: ep.url for ep in endpoints}
    # A live run of this machine whose namespace is 90 min old: its marker's lease (2 s) runs out
    # again and again, and the keeper renews it each time before it does.
    live = f"{planted['dead'][:30]}_live"
    await _fill(live, urls)
    monkeypatch.setenv("ONEX_NAMESPACE_LEASE_S", "2")
    first = _mark("liverun", renewed_ago=0, lease_s=2)
    try:
        await keeper().hold_async(live, urls, first)

        async def renewed_twice() -> bool:
            marks = await _marks_on(urls)
            seen = [parse_mark(found.get(live, "")) for found in marks.values()]
            return all(m is not None and m.renewed_at > first.renewed_at + 2 for m in seen)

        assert await wait_until(renewed_twice, 20), "the live run's marker was not renewed"
        before = {role: await verify_clean(name, urls) for role, name in planted.items()}

        monkeypatch.setenv("ONEX_REAP_OLDER_THAN", "off")
        manager, said = _external_manager(monkeypatch, tmp_path / "off", endpoints)
        lease = await manager.acquire(list(urls), label="ci machine, reaping off")
        await manager.release(lease)
        assert await verify_clean(planted["dead"], urls) == before["dead"]
        assert not [line for line in said if "removed" in line]

        monkeypatch.setenv("ONEX_REAP_OLDER_THAN", "1h")
        manager, said = _external_manager(monkeypatch, tmp_path / "on", endpoints)
        lease = await manager.acquire(list(urls), label="ci machine")
        await manager.release(lease)
        after = {role: await verify_clean(name, urls) for role, name in planted.items()}
        live_left = await verify_clean(live, urls)
    finally:
        keeper().let_go(live)
        await cleanup_namespace(live, urls)
    assert after["dead"] == []
    for role in ("leased", "bare", "alien"):
        assert after[role] == before[role], role
    assert len(live_left) == 5  # topic and marker topic, schema, key and marker key
    text = "\n".join(said)
    for kind in urls:
        assert f"reaper: removed namespace {planted['dead']} on {kind} (run deadrun" in text
    assert live not in text


def test_a_bad_reap_age_is_a_setting_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ONEX_REAP_OLDER_THAN", "two hours")
    with pytest.raises(SettingError, match=r"ONEX_REAP_OLDER_THAN='two hours': .* or off"):
        reap_age_s()
