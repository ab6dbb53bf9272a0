"""Redis seed data as the docs say (list → LIST, mapping → HASH) and key expectations on them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from onex_registry import building_tools
from onex_registry.tools.kv import InMemoryKeyValueStore
from onex_runner import OutcomeEnum
from onex_runner.redis_values import read_key, write_seed
from onex_scenario import ScenarioValidationError
from onex_scenario.loader import ScenarioLoader
from scenario_runs import run_scenario

SEED = {
    "price:ABC": "9.50",
    "count": 3,
    "queue:new": ["o-1", "o-2", 3],
    "order:o-0": {"status": "accepted", "qty": 2},
}


@pytest.mark.unit
async def test_seeds_become_strings_lists_and_hashes() -> None:
    with building_tools():
        kv = InMemoryKeyValueStore("ns")
    await kv.connect()
    for key, value in SEED.items():
        await write_seed(kv, key, value)
    assert [await kv.key_type(key) for key in SEED] == ["string", "string", "list", "hash"]
    assert await kv.get("count") == "3"
    assert await kv.lrange("queue:new") == ["o-1", "o-2", "3"]
    assert await kv.hgetall("order:o-0") == {"status": "accepted", "qty": "2"}
    assert await read_key(kv, "queue:new") == (True, ["o-1", "o-2", 3])
    assert await read_key(kv, "order:o-0") == (True, {"status": "accepted", "qty": 2})
    assert await read_key(kv, "absent") == (False, None)


def scenario(
    write_scenario: Any, name: str, expect: list[dict[str, Any]], mode: str = "mock"
) -> Path:
    path: Path = write_scenario(
        name,
        tier="unit" if mode == "mock" else "integration",
        dependency_mode=mode,
        external_services={"redis": {"kind": "redis"}},
        resources={"redis": {"seed": SEED}},
        steps=[{"id": "bump", "call": "bump"}],
        expect=expect,
    )
    return path


MODES = [
    pytest.param("mock", marks=pytest.mark.unit, id="mock"),
    pytest.param("real", marks=[pytest.mark.integration, pytest.mark.requires_redis], id="real"),
]


@pytest.mark.parametrize("mode", MODES)
async def test_key_expectations_read_lists_hashes_and_ttls(write_scenario: Any, mode: str) -> None:
    path = scenario(
        write_scenario,
        f"seeded_{mode}",
        [
            {"key": {"key": "queue:new", "value": ["o-1", "o-2", 3], "match": "exact"}},
            {"key": {"key": "queue:new", "value": {"$len": 3}}},
            {"key": {"key": "order:o-0", "value": {"status": "accepted", "qty": {"$ge": 2}}}},
            {"key": {"key": "count", "value": 3, "ttl": {"$type": "null"}}},
        ],
        mode,
    )
    result = await run_scenario(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    store = "InMemoryKeyValueStore" if mode == "mock" else "RedisKeyValueStore"
    assert [t["instantiated_class"].rsplit(".", 1)[-1] for t in result.tools] == [store]


@pytest.mark.unit
async def test_a_wrong_list_or_ttl_is_reported(write_scenario: Any) -> None:
    path = scenario(
        write_scenario,
        "seeded_wrong",
        [
            {"key": {"key": "queue:new", "value": ["o-1"]}},
            {"key": {"key": "count", "ttl": {"$le": 900}}},
        ],
    )
    result = await run_scenario(path)
    assert result.outcome is OutcomeEnum.FAILED
    assert [e.message for e in result.expectations] == [
        "expect[0] key: key 'queue:new': $: expected a list of 1 items, got 3 items: "
        '["o-1", "o-2", 3]',
        "expect[1] key: key 'count': ttl: $: expected a value at most 900, got null",
    ]


@pytest.mark.unit
def test_empty_seed_lists_are_refused_when_loading(write_scenario: Any) -> None:
    path = write_scenario("empty", resources={"redis": {"seed": {"q": []}}})
    with pytest.raises(ScenarioValidationError, match="non-empty list"):
        ScenarioLoader().load(path)
