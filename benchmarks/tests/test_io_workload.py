"""The io workload of sim_shards.py: the option that picks it, its scenarios load, and its node
writes later what the harness's expect_* steps wait for (against the mock tools: unit tier; the
simulation runs it against the real stack)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from onex_registry import (
    BaseOnexRegistry,
    InMemoryEventBus,
    InMemoryKeyValueStore,
    InMemorySqlStore,
    building_tools,
)
from onex_scenario import load_scenarios

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from io_workload.node import IoWaitNode
from sim_shards import WORKLOADS, parse_args

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit


def test_the_workload_defaults_to_integration_and_io_picks_the_io_scenarios() -> None:
    assert WORKLOADS[parse_args([]).workload] == ROOT / "scenarios" / "integration"
    assert parse_args(["--workload", "io"]).workload == "io"


def test_an_unknown_workload_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parse_args(["--workload", "cpu"])
    assert exit_.value.code == 2
    assert "invalid choice: 'cpu'" in capsys.readouterr().err


def test_the_io_scenarios_load_and_are_integration_tier() -> None:
    loaded, issues = load_scenarios([WORKLOADS["io"]])
    assert issues == []
    assert len(loaded) >= 8
    assert {item.scenario.tier for item in loaded} == {"integration"}


def _node() -> tuple[IoWaitNode, InMemoryEventBus, InMemoryKeyValueStore]:
    with building_tools():
        bus, kv = InMemoryEventBus("ns"), InMemoryKeyValueStore("ns")
        sql = InMemorySqlStore("ns")
    registry = BaseOnexRegistry("mock", tools={"kafka": bus, "redis": kv, "postgres": sql})
    return IoWaitNode(registry), bus, kv


def test_writes_land_only_after_their_delay_and_settle_awaits_them() -> None:
    async def scenario() -> None:
        node, bus, kv = _node()
        await bus.connect()
        await kv.connect()
        await bus.create_topic("signals")
        sent = await node.publish_later("signals", "e1", 0.2)
        keyed = await node.set_later("ready:k1", 0.2)
        assert await kv.get("ready:k1") is None  # not yet
        assert await bus.consume("signals", group="g", timeout_s=0) == []
        assert await node.settle() == {"settled": 2}
        [record] = await bus.consume("signals", group="g", timeout_s=1)
        assert (record.key, record.correlation_id) == ("e1", sent["correlation_id"])
        assert json.loads(await kv.get("ready:k1") or "{}") == {
            "correlation_id": keyed["correlation_id"]
        }
        assert sent["correlation_id"] != keyed["correlation_id"]

    asyncio.run(scenario())


def test_consume_nothing_counts_what_arrived() -> None:
    async def scenario() -> None:
        node, bus, _ = _node()
        await bus.connect()
        await bus.create_topic("quiet")
        assert await node.consume_nothing("quiet", 0.1) == {"received": 0}
        await bus.publish("quiet", {"x": 1}, key="a")
        assert await node.consume_nothing("quiet", 0.1) == {"received": 1}

    asyncio.run(scenario())
