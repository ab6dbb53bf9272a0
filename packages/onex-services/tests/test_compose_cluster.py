"""A 3-broker KRaft cluster in the compose backend (ONEX_KAFKA_BROKERS=3 under compose): three
containers of one quorum, each its own host port, that replicate; its partition leader's
container stopped or killed, a record written with acks=all is still read, and the broker comes
back; paused, it is down in the status until resumed. The stack is the test's own (own state
dir, own compose project). Skipped, with the reason, where no Docker engine answers (the
`compose` nox session starts one where it can)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from onex_scenario.kafka_security import kafka_client_options
from onex_services import docker_engine, members
from onex_services.kinds.kafka.admin import admin_client
from onex_services.kinds.kafka.janitor import ToolKafkaResourceManager
from onex_services.kinds.kafka.leaders import leader_member, partition_state
from onex_services.manager import ToolServiceManager
from onex_services.member_checks import prove_members
from onex_services.member_faults import MemberFaults
from onex_services.settings import Paths

pytestmark = [
    pytest.mark.compose,
    pytest.mark.skipif(
        not docker_engine.engine_answers() or not docker_engine.compose_available(),
        reason="no Docker engine with the compose plugin answers (run `invoke images.engine`)",
    ),
]


@pytest.fixture
def paths(tmp_path: Path) -> Iterator[Paths]:
    run_dir = Path(f"/tmp/onex-{os.getuid()}-compose-tests") / uuid.uuid4().hex[:8]
    yield dataclasses.replace(Paths.from_env(), state_dir=tmp_path / "state", run_dir=run_dir)
    shutil.rmtree(run_dir, ignore_errors=True)


def _running(project: str) -> list[str]:
    """The services of the project's running containers."""
    found = subprocess.run(
        ["docker", "ps", "--filter", f"label=com.docker.compose.project={project}",
         "--format", '{{.Label "com.docker.compose.service"}}'],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return sorted(found.stdout.split())


def test_three_broker_containers_replicate_and_survive_their_leader(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEX_KAFKA_BROKERS", "3")
    monkeypatch.delenv("ONEX_KAFKA_SECURITY", raising=False)  # compose has no secured broker
    manager = ToolServiceManager(paths=paths, backend="compose", reuse=False)
    projects: list[str] = []

    async def scenario() -> None:
        lease = await manager.up(["kafka"])
        state = manager.current()
        assert state is not None
        record = state.services["kafka"]
        projects.append(record.details["project"])
        assert record.backend == "compose"
        # Three containers, one compose service each, each advertising a host port of its own.
        assert _running(projects[0]) == ["kafka", "kafka-2", "kafka-3"]
        listed = members.members(record)
        assert [m.name for m in listed] == ["broker-1", "broker-2", "broker-3"]
        assert all(m.container and m.process is None for m in listed)
        url = lease.endpoints["kafka"].url
        assert url == ",".join(f"127.0.0.1:{m.port}" for m in listed)
        assert len({m.port for m in listed}) == 3

        async with admin_client(url) as admin:
            cluster = await admin.describe_cluster()
            assert sorted(b["node_id"] for b in cluster["brokers"]) == [1, 2, 3]
            assert sorted(b["port"] for b in cluster["brokers"]) == sorted(m.port for m in listed)
            # Every broker has the cluster's defaults (the process cluster's replication_settings).
            for node in ("1", "2", "3"):
                (response,) = await admin.describe_configs(
                    [ConfigResource(ConfigResourceType.BROKER, node)]
                )
                config = {entry[0]: entry[1] for entry in response.resources[0][4]}
                assert config["default.replication.factor"] == "3", node
                assert config["min.insync.replicas"] == "2", node
                assert config["offsets.topic.replication.factor"] == "3", node
            # A topic made by the harness without a factor gets 3 replicas.
            janitor = ToolKafkaResourceManager(url, "onex_ccluster")
            try:
                await janitor.create_topics(["defaults"])
            finally:
                await janitor.close()
            partition = await partition_state(admin, "onex_ccluster.defaults", 0)
            assert sorted(partition["replicas"]) == [1, 2, 3]

        # The deep probe's proof (`onex services health --deep`): the partition leader's
        # container is stopped, the record read from another broker, the container started.
        [(kind, passed, proved)] = await prove_members(manager)
        assert (kind, passed) == ("kafka", True), proved
        assert "after its leader broker-" in proved
        assert _running(projects[0]) == ["kafka", "kafka-2", "kafka-3"]

        # A leader fault: the container leading the topic's partition is killed; a producer
        # with acks=all (min.insync.replicas=2 of 3) goes on, and the broker comes back.
        selector = {"leader_of": {"topic": "onex_ccluster.defaults", "partition": 0}}
        leader = await leader_member(url, selector)
        faults = MemberFaults(manager)
        # Paused (`docker pause`), the leader's container is down in the status until resumed.
        await faults.pause("kafka", leader)
        rows = await manager.status(deep=False)
        kafka = next(row for row in rows if row.kind == "kafka")
        assert [m.name for m in kafka.members if m.state.value == "down"] == [leader]
        await faults.resume("kafka", leader)
        rows = await manager.status(deep=False)
        kafka = next(row for row in rows if row.kind == "kafka")
        assert [m.state.value for m in kafka.members] == ["running"] * 3
        await faults.kill("kafka", leader)
        rows = await manager.status(deep=False)
        kafka = next(row for row in rows if row.kind == "kafka")
        assert kafka.state.value == "down"
        down = [m.name for m in kafka.members if m.state.value == "down"]
        assert down == [leader]
        producer = AIOKafkaProducer(
            bootstrap_servers=url, **kafka_client_options(), acks="all", request_timeout_ms=30000
        )
        await producer.start()
        try:
            await producer.send_and_wait("onex_ccluster.defaults", b"after the kill")
        finally:
            await producer.stop()
        assert await leader_member(url, selector) != leader
        await faults.start("kafka", leader)
        rows = await manager.status(deep=True)
        kafka = next(row for row in rows if row.kind == "kafka")
        assert kafka.health is not None
        assert kafka.health.healthy
        assert [m.state.value for m in kafka.members] == ["running"] * 3

    try:
        asyncio.run(scenario())
    finally:
        asyncio.run(manager.down(force=True))
    assert projects
    assert _running(projects[0]) == []
