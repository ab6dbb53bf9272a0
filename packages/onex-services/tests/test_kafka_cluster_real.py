"""A 3-broker KRaft cluster in the process backend (ONEX_KAFKA_BROKERS=3): it forms, replicates,
survives its partition leader stopping, and is never shared with a stack of one broker.

The stack is a test's own (own state and run directories, process backend).
"""

from __future__ import annotations

import os
from pathlib import Path

import own_stack
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from onex_scenario.kafka_security import kafka_client_options
from onex_services import members, server_settings
from onex_services.kinds.connect import worker_group
from onex_services.kinds.kafka.janitor import ToolKafkaResourceManager
from onex_services.kinds.kafka.leaders import check_replication, partition_state
from onex_services.manager import ToolServiceManager
from onex_services.member_faults import MemberFaults
from onex_services.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.requires_kafka]

paths = pytest.fixture(own_stack.paths)
manager = pytest.fixture(own_stack.manager)


async def test_three_brokers_form_a_cluster_that_keeps_a_record_when_its_leader_stops(
    manager: ToolServiceManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEX_KAFKA_BROKERS", "3")
    # Kafka Connect too: its worker's internal topics take the cluster's replication factor.
    lease = await manager.up(["kafka", "connect"])
    url = lease.endpoints["kafka"].url
    assert len(url.split(",")) == 3
    state = manager.current()
    assert state is not None
    record = state.services["kafka"]
    assert [m.name for m in members.members(record)] == ["broker-1", "broker-2", "broker-3"]
    # The integration tier secures every broker it starts (ONEX_KAFKA_SECURITY=sasl_ssl): then
    # each node listens SASL_SSL only, and the replication check below goes through it.
    secured = os.environ.get("ONEX_KAFKA_SECURITY", "")
    expected = {"brokers": "3"} | ({"security": secured} if secured else {})
    assert state.settings_fingerprint == server_settings.fingerprint({"kafka": expected})
    if secured:
        assert record.details["security_protocol"] == "SASL_SSL"
        for node in (1, 2, 3):
            config = Path(state.stack_dir) / "kafka" / f"node-{node}" / "server.properties"
            lines = config.read_text(encoding="utf-8").splitlines()
            listeners = next(line for line in lines if line.startswith("listeners="))
            assert listeners.startswith("listeners=SASL_SSL://")
            assert "PLAINTEXT://" not in listeners

    admin = AIOKafkaAdminClient(bootstrap_servers=url, **kafka_client_options())
    await admin.start()
    try:
        assert sorted(b["node_id"] for b in (await admin.describe_cluster())["brokers"]) == [
            1,
            2,
            3,
        ]
        # A topic made without a factor gets the cluster's default of 3, and 2 in sync at least.
        janitor = ToolKafkaResourceManager(url, "onex_cluster")
        try:
            await janitor.create_topics(["defaults"])
        finally:
            await janitor.close()
        partition = await partition_state(admin, "onex_cluster.defaults", 0)
        assert sorted(partition["replicas"]) == [1, 2, 3]
        # The worker's configs, offsets and status survive a broker's loss too (its
        # worker.properties asks for the broker's default factor, 1 on a single broker).
        group = worker_group(Path(state.stack_dir).name)
        for internal in ("configs", "offsets", "status"):
            kept = await partition_state(admin, f"{group}.{internal}", 0)
            assert sorted(kept["replicas"]) == [1, 2, 3], internal
    finally:
        await admin.close()

    faults = MemberFaults(manager)

    async def stop(name: str) -> None:
        await faults.stop("kafka", name)

    async def start(name: str) -> None:
        await faults.start("kafka", name)

    proved = await check_replication(url, stop, start)
    assert "after its leader broker-" in proved
    # Every broker runs again, and the stack's state names their processes.
    state = manager.current()
    assert state is not None
    assert all(members.processes(state.services["kafka"]))
    rows = await manager.status(deep=True)
    kafka = next(row for row in rows if row.kind == "kafka")
    assert kafka.health is not None
    assert kafka.health.healthy
    assert [(m.name, m.state.value) for m in kafka.members] == [
        ("broker-1", "running"),
        ("broker-2", "running"),
        ("broker-3", "running"),
    ]
    # A broker that died makes the cluster down in the status, and named as such.
    await faults.kill("kafka", "broker-2")
    rows = await manager.status(deep=False)
    kafka = next(row for row in rows if row.kind == "kafka")
    assert kafka.state.value == "down"
    assert [m.state.value for m in kafka.members] == ["running", "down", "running"]


async def test_a_stack_of_one_broker_is_not_reused_for_three(
    paths: Paths, manager: ToolServiceManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONEX_KAFKA_BROKERS", raising=False)  # one broker, whatever the tier
    await manager.up(["kafka"])
    single = manager.current()
    assert single is not None
    assert not members.members(single.services["kafka"])
    monkeypatch.setenv("ONEX_KAFKA_BROKERS", "3")
    await manager.up(["kafka"])
    cluster = manager.current()
    assert cluster is not None
    assert cluster.settings_fingerprint != single.settings_fingerprint
    assert len(members.members(cluster.services["kafka"])) == 3
