"""Server settings reach the real servers, and a stack with other settings is never shared.

Each test runs a stack of its own (own state and run directories, process backend).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

import asyncpg
import own_stack
import pytest
import redis.asyncio as aioredis
from aiokafka import AIOKafkaProducer
from onex_scenario.kafka_security import kafka_client_options
from onex_services.errors import ServiceError
from onex_services.manager import ToolServiceManager
from onex_services.settings import Paths

pytestmark = pytest.mark.integration


paths = pytest.fixture(own_stack.paths)
manager = pytest.fixture(own_stack.manager)


async def test_settings_of_every_kind_reach_their_servers(
    manager: ToolServiceManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEX_KAFKA_SERVER_AUTO_CREATE_TOPICS_ENABLE", "true")
    monkeypatch.setenv("ONEX_KAFKA_SERVER_NUM_PARTITIONS", "2")
    monkeypatch.setenv("ONEX_POSTGRES_SERVER_WORK_MEM", "7MB")
    monkeypatch.setenv("ONEX_REDIS_SERVER_MAXMEMORY_POLICY", "allkeys-lru")
    lease = await manager.up(["kafka", "postgres", "redis"])
    endpoints = lease.endpoints

    producer = AIOKafkaProducer(bootstrap_servers=endpoints["kafka"].url, **kafka_client_options())
    await producer.start()
    try:
        topic = f"auto-{uuid.uuid4().hex[:8]}"  # never created: the broker makes it on use
        await producer.send_and_wait(topic, b"x")
        assert await producer.partitions_for(topic) == {0, 1}
    finally:
        await producer.stop()
    conn = await asyncpg.connect(endpoints["postgres"].url)
    try:
        assert await conn.fetchval("SHOW work_mem") == "7MB"
    finally:
        await conn.close()
    cache = aioredis.Redis.from_url(endpoints["redis"].url)
    try:
        assert await cache.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
    finally:
        await cache.aclose()


async def _policy(url: str) -> str:
    cache = aioredis.Redis.from_url(url, decode_responses=True)
    try:
        return str((await cache.config_get("maxmemory-policy"))["maxmemory-policy"])
    finally:
        await cache.aclose()


async def test_a_kept_stack_with_other_settings_is_restarted(
    manager: ToolServiceManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await manager.up(["redis"])  # the defaults, kept
    assert await _policy(first.endpoints["redis"].url) == "noeviction"
    monkeypatch.setenv("ONEX_REDIS_SERVER_MAXMEMORY_POLICY", "allkeys-lru")
    second = await manager.up(["redis"])
    assert second.stack_id != first.stack_id
    assert await _policy(second.endpoints["redis"].url) == "allkeys-lru"
    monkeypatch.delenv("ONEX_REDIS_SERVER_MAXMEMORY_POLICY")
    third = await manager.up(["redis"])  # back to the defaults: restarted again
    assert third.stack_id != second.stack_id
    assert await _policy(third.endpoints["redis"].url) == "noeviction"


_HOLDER = """
import asyncio, sys
from onex_services.manager import ToolServiceManager
lease = asyncio.run(ToolServiceManager(backend="process").acquire(["redis"], label="holder"))
print(lease.stack_id, flush=True)
sys.stdin.read()
"""


def test_a_stack_in_use_with_other_settings_is_refused(
    manager: ToolServiceManager, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The holder's stack runs the defaults, whatever profile the tier runs under (the nightly
    # job sets ONEX_KAFKA_PROFILE): the message below names them.
    monkeypatch.delenv("ONEX_KAFKA_PROFILE", raising=False)
    monkeypatch.delenv("ONEX_KAFKA_BROKERS", raising=False)  # the nightly cluster job sets it
    monkeypatch.delenv("ONEX_KAFKA_SECURITY", raising=False)  # the integration tier sets it
    env = {**os.environ, "ONEX_STATE_DIR": str(paths.state_dir), "ONEX_RUN_DIR": str(paths.run_dir)}
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER], env=env, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        stack_id = holder.stdout.readline().strip()
        assert stack_id, "the holder did not get the stack"
        monkeypatch.setenv("ONEX_REDIS_SERVER_MAXMEMORY_POLICY", "allkeys-lru")
        with pytest.raises(ServiceError) as info:
            asyncio.run(manager.acquire(["redis"]))
        message = str(info.value)
        assert f"stack {stack_id} runs with other server settings (the defaults)" in message
        assert "redis: maxmemory-policy=allkeys-lru" in message
        assert "holder" in message
        current = manager.current()  # the holder's stack, untouched
        assert current is not None
        assert current.stack_id == stack_id
    finally:
        holder.communicate(input="", timeout=60)


async def _broker_config(url: str, names: set[str]) -> dict[str, str]:
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    admin = AIOKafkaAdminClient(bootstrap_servers=url, **kafka_client_options())
    await admin.start()
    try:
        (response,) = await admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, "1")])
        entries = response.resources[0][4]
        return {entry[0]: entry[1] for entry in entries if entry[0] in names}
    finally:
        await admin.close()


async def test_the_production_like_profile_gives_the_broker_kafkas_defaults(
    manager: ToolServiceManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEX_KAFKA_PROFILE", "production-like")
    lease = await manager.up(["kafka"])
    wanted = {"group.initial.rebalance.delay.ms", "offsets.topic.num.partitions"}
    assert await _broker_config(lease.endpoints["kafka"].url, wanted) == {
        "group.initial.rebalance.delay.ms": "3000",
        "offsets.topic.num.partitions": "50",
    }
