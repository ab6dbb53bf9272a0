"""The compose backend against a real Docker engine: start, deep health, clean teardown, and a
stack whose owner was killed with kill -9 reaped by the next start. Skipped, with the reason,
where no Docker engine answers (the `compose` nox session starts one where it can)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from onex_scenario.kafka_security import kafka_client_options
from onex_services import docker_engine
from onex_services.backends.compose import leftover_containers
from onex_services.manager import ToolServiceManager
from onex_services.models import HealthStatus
from onex_services.settings import Paths

pytestmark = [
    pytest.mark.compose,
    pytest.mark.skipif(
        not docker_engine.engine_answers() or not docker_engine.compose_available(),
        reason="no Docker engine with the compose plugin answers (run `invoke images.engine`)",
    ),
]
ALL = ["kafka", "postgres", "redis"]


@pytest.fixture
def paths(tmp_path: Path) -> Iterator[Paths]:
    run_dir = Path(f"/tmp/onex-{os.getuid()}-compose-tests") / uuid.uuid4().hex[:8]
    yield dataclasses.replace(Paths.from_env(), state_dir=tmp_path / "state", run_dir=run_dir)
    shutil.rmtree(run_dir, ignore_errors=True)


def _docker_names(*args: str) -> list[str]:
    found = subprocess.run(["docker", *args], capture_output=True, text=True, check=True)
    return found.stdout.split()


def _env(path: str) -> dict[str, str]:
    lines = Path(path).read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_a_compose_stack_is_healthy_and_leaves_nothing(paths: Paths) -> None:
    manager = ToolServiceManager(paths=paths, backend="compose", reuse=False)
    projects: set[str] = set()

    async def scenario() -> None:
        lease = await manager.acquire(ALL, label="compose-test")
        try:
            assert {e.backend for e in lease.endpoints.values()} == {"compose"}
            assert all(h.status is HealthStatus.HEALTHY for h in lease.health.values())
            assert all(e.host == "127.0.0.1" for e in lease.endpoints.values())
            state = manager.current()
            assert state is not None
            projects.update(r.details["project"] for r in state.services.values())
            # `onex services logs` and the nox sessions read the containers' logs from these
            # files; the generated passwords never reach them.
            secrets = {
                v for r in state.services.values() for k, v in _env(r.details["env_file"]).items()
                if k.endswith("_PASSWORD")
            }  # fmt: skip
            for kind, marker in (("kafka", "Kafka Server started"),
                                 ("postgres", "ready to accept connections"),
                                 ("redis", "Ready to accept connections")):  # fmt: skip
                text = manager.log_path(kind).read_text()
                assert marker in text, f"{kind} log:\n{text[-1500:]}"
                assert not [secret for secret in secrets if secret in text]
        finally:
            await manager.release(lease)

    asyncio.run(scenario())
    assert len(projects) == 1
    project = projects.pop()
    label = f"label=com.docker.compose.project={project}"
    assert manager.current() is None
    assert _docker_names("ps", "-a", "--filter", label, "--format", "{{.Names}}") == []
    assert _docker_names("network", "ls", "--filter", label, "--format", "{{.Name}}") == []
    assert _docker_names("volume", "ls", "--filter", label, "--format", "{{.Name}}") == []
    assert not [c for c in leftover_containers() if project in c]


_OWNER = """
import asyncio, json, time
from onex_services.manager import ToolServiceManager
lease = asyncio.run(ToolServiceManager(backend="compose").acquire(["redis"], label="doomed"))
print(json.dumps({k: v.port for k, v in lease.endpoints.items()}), flush=True)
time.sleep(600)
"""


def test_a_killed_owners_stack_is_reaped_by_the_next_start(paths: Paths) -> None:
    env = dict(
        os.environ, ONEX_STATE_DIR=str(paths.state_dir), ONEX_RUN_DIR=str(paths.run_dir),
        ONEX_SERVICES_BACKEND="compose", ONEX_REUSE="0",
    )  # fmt: skip
    owner = subprocess.Popen(
        [sys.executable, "-c", _OWNER], env=env, stdout=subprocess.PIPE, text=True
    )
    manager = ToolServiceManager(paths=paths, backend="compose", reuse=False)
    try:
        assert owner.stdout is not None
        assert json.loads(owner.stdout.readline()).keys() == {"redis"}
        orphan = manager.current()
        assert orphan is not None
        project = next(iter(orphan.services.values())).details["project"]
    finally:
        owner.kill()
        owner.wait()
    running = subprocess.run(
        ["docker", "ps", "--filter", f"label=com.docker.compose.project={project}", "-q"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert running  # left behind by the kill -9

    lease = asyncio.run(manager.up(["redis"]))
    try:
        left = subprocess.run(
            ["docker", "ps", "-a", "--filter", f"label=com.docker.compose.project={project}", "-q"],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        assert left == []
        assert lease.endpoints["redis"].backend == "compose"
    finally:
        asyncio.run(manager.down(force=True))


def test_server_settings_reach_the_compose_services(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEX_KAFKA_SERVER_AUTO_CREATE_TOPICS_ENABLE", "true")
    monkeypatch.setenv("ONEX_KAFKA_SERVER_NUM_PARTITIONS", "2")
    monkeypatch.setenv("ONEX_POSTGRES_SERVER_WORK_MEM", "7MB")
    monkeypatch.setenv("ONEX_REDIS_SERVER_MAXMEMORY_POLICY", "allkeys-lru")
    manager = ToolServiceManager(paths=paths, backend="compose", reuse=False)

    async def scenario() -> None:
        import asyncpg
        import redis.asyncio as aioredis
        from aiokafka import AIOKafkaProducer

        lease = await manager.acquire(ALL, label="compose-settings")
        try:
            urls = {kind: endpoint.url for kind, endpoint in lease.endpoints.items()}
            producer = AIOKafkaProducer(bootstrap_servers=urls["kafka"], **kafka_client_options())
            await producer.start()
            try:
                topic = f"auto-{uuid.uuid4().hex[:8]}"  # never created: the broker makes it
                await producer.send_and_wait(topic, b"x")
                assert await producer.partitions_for(topic) == {0, 1}
            finally:
                await producer.stop()
            conn = await asyncpg.connect(urls["postgres"])
            try:
                assert await conn.fetchval("SHOW work_mem") == "7MB"
            finally:
                await conn.close()
            cache = aioredis.Redis.from_url(urls["redis"], decode_responses=True)
            try:
                policy = await cache.config_get("maxmemory-policy")
            finally:
                await cache.aclose()
            assert policy == {"maxmemory-policy": "allkeys-lru"}
        finally:
            await manager.release(lease)

    asyncio.run(scenario())
