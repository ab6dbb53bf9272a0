"""Network faults on real services, through the scenario's own Toxiproxy proxies.

Each test runs a scenario against the harness's stack with a real Toxiproxy (the on-demand
kind, started by the run; `real_toxiproxy` fails the test when it cannot be had) and checks:
the scenario's connections pass its proxy (a `down` cuts them, `up` restores them), the toxics
are on its proxy while held and gone after `heal`, and nothing of the namespace is left on
Toxiproxy after the run.
"""

from __future__ import annotations

from typing import Any

import pytest
from onex_runner import OutcomeEnum
from onex_services.kinds.toxiproxy.api import ToxiproxyClient
from onex_services.models import ServiceEndpoint

pytestmark = pytest.mark.integration

NODE = "nodes.faulty:FaultyNode"


async def _left_on(proxy: ServiceEndpoint, namespace: str) -> list[str]:
    return [
        p.name for p in await ToxiproxyClient(proxy.url).proxies() if p.name.startswith(namespace)
    ]


def _outputs(result: Any) -> dict[str, Any]:
    return {step.id: step.output for step in result.steps}


async def test_a_postgres_partition_cuts_only_the_scenarios_connections(
    write_scenario: Any,
    run_scenarios: Any,
    real_postgres: ServiceEndpoint,
    real_toxiproxy: ServiceEndpoint,
) -> None:
    path = write_scenario(
        "pg_partition", tier="integration", dependency_mode="real", node=NODE,
        external_services={"postgres": {"kind": "postgres"}},
        steps=[
            {"id": "before", "call": "sql_ping"},
            {"id": "cut", "fault": {"target": "postgres", "action": "down"}},
            {"id": "during", "call": "sql_ping", "kwargs": {"limit_s": 3}},
            {"id": "back", "fault": {"target": "postgres", "action": "up"}},
            {"id": "after", "call": "sql_ping", "kwargs": {"tries": 3}},
        ],
    )  # fmt: skip
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    seen = _outputs(result)
    assert seen["before"] == {"ok": True}
    assert seen["during"]["ok"] is False, seen["during"]
    assert seen["after"] == {"ok": True}
    [postgres] = [t for t in result.tools if t["service"] == "postgres"]
    assert str(real_postgres.port) not in postgres["endpoint"]  # the tool took the proxy's port
    assert await _left_on(real_toxiproxy, result.namespace) == []


async def test_toxics_are_on_the_scenarios_proxy_until_healed(
    write_scenario: Any,
    run_scenarios: Any,
    real_redis: ServiceEndpoint,
    real_toxiproxy: ServiceEndpoint,
) -> None:
    api = real_toxiproxy.url
    path = write_scenario(
        "redis_toxics", tier="integration", dependency_mode="real", node=NODE,
        external_services={"redis": {"kind": "redis"}},
        steps=[
            {"id": "slow", "fault": {"target": "redis", "action": "latency",
                                     "params": {"ms": 50, "jitter": 5, "stream": "both"}}},
            {"id": "thin", "fault": {"target": "redis", "action": "bandwidth",
                                     "params": {"rate": 1000}}},
            {"id": "sliced", "fault": {"target": "redis", "action": "slicer"}},
            {"id": "ping", "call": "kv_ping"},
            {"id": "held", "call": "proxies", "kwargs": {"api": api}},
            {"id": "heal", "fault": {"target": "redis", "action": "heal"}},
            {"id": "healed", "call": "proxies", "kwargs": {"api": api}},
        ],
    )  # fmt: skip
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    seen = _outputs(result)
    assert seen["ping"] == {"ok": True}  # slow, thin and sliced, but it works
    assert seen["held"] == {
        "redis": {
            "enabled": True,
            "toxics": [
                "bandwidth:downstream",
                "latency:downstream",
                "latency:upstream",
                "slicer:downstream",
            ],
        }
    }
    assert seen["heal"]["healed"] == ["sliced", "thin", "slow"]
    assert seen["healed"] == {"redis": {"enabled": True, "toxics": []}}
    assert await _left_on(real_toxiproxy, result.namespace) == []


async def test_a_fault_left_held_is_removed_when_the_scenario_fails(
    write_scenario: Any,
    run_scenarios: Any,
    real_redis: ServiceEndpoint,
    real_toxiproxy: ServiceEndpoint,
) -> None:
    path = write_scenario(
        "redis_reset_then_fail", tier="integration", dependency_mode="real", node=NODE,
        external_services={"redis": {"kind": "redis"}},
        steps=[
            {"id": "reset", "fault": {"target": "redis", "action": "reset_peer"}},
            {"id": "ping", "call": "kv_ping", "kwargs": {"limit_s": 3}},
            {"id": "boom", "call": "no_such_method"},
        ],
    )  # fmt: skip
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.ERROR, result.message
    assert _outputs(result)["ping"]["ok"] is False
    assert await _left_on(real_toxiproxy, result.namespace) == []


async def test_every_kafka_byte_of_the_scenario_passes_its_proxy(
    write_scenario: Any,
    run_scenarios: Any,
    real_kafka: ServiceEndpoint,
    real_toxiproxy: ServiceEndpoint,
) -> None:
    """The client bootstraps through the proxy and its metadata names the proxy's port (the
    broker's proxy-slot listener advertises it): with the proxy down, a client that had fetched
    metadata and connected cannot publish, and after `up` it can again. A client that went to
    the broker's own port after bootstrap would publish through the partition. On a cluster
    (ONEX_KAFKA_BROKERS=3) the scenario has a proxy per broker, whichever leads the topic."""
    path = write_scenario(
        "kafka_partition", tier="integration", dependency_mode="real", node=NODE,
        external_services={"kafka": {"kind": "kafka"}},
        resources={"kafka": {"topics": [{"name": "pings"}]}},
        steps=[
            {"id": "before", "call": "send", "args": ["pings"]},
            {"id": "cut", "fault": {"target": "kafka", "action": "down"}},
            {"id": "during", "call": "send", "args": ["pings"], "kwargs": {"limit_s": 4}},
            {"id": "back", "fault": {"target": "kafka", "action": "up"}},
            {"id": "after", "call": "send", "args": ["pings"], "kwargs": {"limit_s": 30}},
            {"id": "got", "expect_event": {"topic": "pings", "within": "20s"}},
        ],
        timeout_profiles={"default": {"step": "60s"}},
    )  # fmt: skip
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    seen = _outputs(result)
    assert seen["before"] == {"ok": True}
    assert seen["during"]["ok"] is False, seen["during"]
    assert seen["after"] == {"ok": True}
    [kafka] = [t for t in result.tools if t["service"] == "kafka"]
    assert kafka["endpoint"] != real_kafka.url
    # One proxy address per broker: none of the cluster's brokers is reached past a proxy.
    assert len(kafka["endpoint"].split(",")) == len(real_kafka.url.split(","))
    assert await _left_on(real_toxiproxy, result.namespace) == []
