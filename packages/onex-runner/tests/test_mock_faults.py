"""Network faults on mocks: the in-memory bus, key-value store and SQL store take the faults
they model (a connection error, a delay) and refuse the others by name."""

from __future__ import annotations

from typing import Any

import pytest
from onex_runner import OutcomeEnum, RunOptions
from onex_scenario import DependencyModeEnum

pytestmark = pytest.mark.unit

NODE = "nodes.faulty:FaultyNode"
SERVICES = {
    "kafka": {"kind": "kafka"},
    "postgres": {"kind": "postgres"},
    "redis": {"kind": "redis"},
}


def _outputs(result: Any) -> dict[str, Any]:
    return {step.id: step.output for step in result.steps}


@pytest.mark.parametrize(
    ("target", "call", "error"),
    [
        ("kafka", "send", "ToolConnectionError"),
        ("redis", "kv_ping", "KvConnectionLost"),
        ("postgres", "sql_ping", "ConnectionLost"),
    ],
)
@pytest.mark.parametrize("action", ["down", "reset_peer"])
async def test_a_cut_connection_fails_the_calls_until_it_is_healed(
    write_scenario: Any, run_scenarios: Any, target: str, call: str, error: str, action: str
) -> None:
    args = ["t"] if call == "send" else []
    healing = "up" if action == "down" else "heal"
    path = write_scenario(
        f"mock_{action}_{target}", node=NODE, external_services=SERVICES,
        resources={"kafka": {"topics": [{"name": "t"}]}},
        steps=[
            {"id": "before", "call": call, "args": args},
            {"id": "cut", "fault": {"target": target, "action": action}},
            {"id": "during", "call": call, "args": args},
            {"id": "back", "fault": {"target": target, "action": healing}},
            {"id": "after", "call": call, "args": args},
        ],
    )  # fmt: skip
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    seen = _outputs(result)
    assert seen["before"] == {"ok": True}
    assert seen["during"] == {"ok": False, "error": error}
    assert seen["after"] == {"ok": True}
    assert seen["cut"]["details"] == {"on": "mock"}
    back = seen["back"]  # `up` ends the `down` it finds; `heal` every fault on the target
    assert (back["details"]["ended"] if action == "down" else back["healed"]) == ["cut"]


async def test_latency_and_a_timeout_on_a_mock(write_scenario: Any, run_scenarios: Any) -> None:
    path = write_scenario(
        "mock_latency_timeout", node=NODE, external_services=SERVICES,
        steps=[
            {"id": "slow", "fault": {"target": "redis", "action": "latency", "for": "30s",
                                     "params": {"ms": 20, "jitter": 5}}},
            {"id": "slow_ping", "call": "kv_ping"},
            {"id": "stuck", "fault": {"target": "postgres", "action": "timeout",
                                      "params": {"ms": 10}}},
            {"id": "stuck_ping", "call": "sql_ping"},
            {"id": "unstuck", "fault": {"target": "postgres", "action": "heal"}},
            {"id": "held", "fault": {"target": "postgres", "action": "timeout"}},
            {"id": "held_ping", "call": "sql_ping", "kwargs": {"limit_s": 0.2}},
        ],
    )  # fmt: skip
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    seen = _outputs(result)
    assert seen["slow_ping"] == {"ok": True}
    assert seen["stuck_ping"] == {"ok": False, "error": "ConnectionLost"}
    assert seen["held_ping"] == {"ok": False, "error": "TimeoutError"}  # held until the deadline
    assert seen["unstuck"] == {"healed": ["stuck"]}


@pytest.mark.parametrize("action", ["bandwidth", "slicer"])
async def test_what_a_mock_cannot_model_is_refused_by_name(
    write_scenario: Any, run_scenarios: Any, action: str
) -> None:
    """The file says real (so it loads); the run forces mocks: the mock refuses the fault by
    name instead of passing as if it had happened (on a file that says mock, the load refuses)."""
    params = {"rate": 10} if action == "bandwidth" else {}
    path = write_scenario(
        f"mock_refuses_{action}", tier="integration", dependency_mode="real", node=NODE,
        external_services=SERVICES,
        steps=[{"id": "shape", "fault": {"target": "redis", "action": action, "params": params}}],
    )  # fmt: skip
    options = RunOptions(force_mode=DependencyModeEnum.MOCK)
    [result], _ = await run_scenarios(path, options=options)
    assert result.outcome is OutcomeEnum.ERROR
    assert f"the fault '{action}' (it models down, reset_peer, timeout, latency)" in result.message
    assert "is not supported by the mock InMemoryKeyValueStore" in result.message


async def test_a_fault_with_for_heals_itself_while_the_next_steps_run(
    write_scenario: Any, run_scenarios: Any
) -> None:
    path = write_scenario(
        "mock_down_for", node=NODE, external_services=SERVICES,
        steps=[
            {"id": "cut", "fault": {"target": "redis", "action": "down", "for": "1s"}},
            {"id": "during", "call": "kv_ping"},
            {"id": "later", "wait": "3s"},
            {"id": "after", "call": "kv_ping"},
        ],
    )  # fmt: skip
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    seen = _outputs(result)
    assert seen["during"] == {"ok": False, "error": "KvConnectionLost"}
    assert seen["after"] == {"ok": True}
