"""Service state on the real stack: the snapshot before and after a scenario and its diff
(values cut, secrets redacted in the written snapshot), the connection_leak defect caught by
the resource check (a warning, a failure with strict_resources), checkpoints of all three
services restored by the readers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from onex_runner import OutcomeEnum
from onex_runner.service_state import NamespaceState, StateReaders
from onex_runner.snapshots import append_jsonl
from onex_services.models import ServiceEndpoint
from onex_services.namespaces import cleanup_namespace

from examples.order_pipeline import node as order_node

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
CHECKPOINT_SCENARIO = ROOT / "scenarios" / "integration" / "scenario_checkpoint_restore.yaml"
ORDER_TOPICS = ("orders", "orders.accepted", "orders.rejected")
ACCEPTED_SCENARIO = ROOT / "scenarios" / "integration" / "scenario_order_accepted.yaml"


async def test_the_snapshot_holds_both_states_and_their_diff_without_secrets(
    write_scenario: Any,
    run_scenarios: Any,
    tmp_path: Path,
    real_postgres: ServiceEndpoint,
    real_redis: ServiceEndpoint,
) -> None:
    schema = tmp_path / "integration" / "accounts.sql"
    schema.parent.mkdir(exist_ok=True)
    schema.write_text(
        "CREATE TABLE accounts (id integer PRIMARY KEY, password text, note text);"
        "INSERT INTO accounts VALUES (1, 'hunter2-secret', 'first');"
    )
    path = write_scenario(
        "state_diff", tier="integration", dependency_mode="real", node=None,
        external_services={"postgres": {"kind": "postgres"}, "redis": {"kind": "redis"}},
        resources={"postgres": {"schema": str(schema)}, "redis": {"seed": {"long": "z" * 5000}}},
        snapshot={"value_chars": 64},
        expect=[{"row": {"table": "accounts", "where": {"id": 1}, "equals": {"note": "first"}}}],
    )  # fmt: skip
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    before = result.state["before"]
    assert before["postgres"]["tables"]["accounts"]["row_count"] == 1
    assert before["redis"]["keys"]["long"]["value"].endswith("[truncated: 5000 characters]")
    assert result.state["diff"] == []  # the expectation reads, it writes nothing
    assert result.state["resources"]["postgres"]["connections"] == 0
    written = tmp_path / "snapshots.jsonl"
    append_jsonl(result, written)
    text = written.read_text()
    assert "hunter2-secret" not in text
    assert (
        json.loads(text)["state"]["before"]["postgres"]["tables"]["accounts"]["rows"][0]["password"]
        == "***"
    )


async def test_a_connection_left_open_warns_and_fails_with_strict_resources(
    run_scenarios: Any, monkeypatch: pytest.MonkeyPatch, real_postgres: ServiceEndpoint
) -> None:
    monkeypatch.setenv("ONEX_EXAMPLE_DEFECT", "connection_leak")
    try:
        (warned, strict), _ = await run_scenarios(ACCEPTED_SCENARIO, CHECKPOINT_SCENARIO)
    finally:  # the defect's connections, closed here on the loop that opened them
        leaked, order_node._REPORT_CONNECTIONS[:] = list(order_node._REPORT_CONNECTIONS), []
        for conn in leaked:
            await conn.close()
    assert warned.outcome is OutcomeEnum.PASSED, warned.message
    assert warned.warnings == ["resource leak: postgres: 1 connections of the namespace still open"]
    assert strict.outcome is OutcomeEnum.FAILED
    assert strict.message == (
        "resource leak (strict_resources): postgres: 1 connections of the namespace still open"
    )


async def test_without_the_defect_the_strict_scenario_passes_and_holds_nothing(
    run_scenarios: Any, real_postgres: ServiceEndpoint
) -> None:
    [result], _ = await run_scenarios(CHECKPOINT_SCENARIO)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    assert result.warnings == []
    resources = result.state["resources"]
    assert resources["postgres"]["connections"] == 0
    if real_postgres.backend == "process":
        # Resident memory is read on the process backend only (docs/state.md). In the compose
        # tier the namespace's topic count is missing from the resources too: a known gap of
        # the state snapshot there (see docs/state.md), asserted on the process backend.
        assert resources["kafka"] == {"topics": 3, "partitions": 5}
        assert resources["server_rss_mb"]["kafka"] > 0
    restored = next(s for s in result.steps if s.action == "restore").output
    assert len(restored["done"]) == 3


async def test_readers_checkpoint_and_restore_a_schema_and_keys(
    real_postgres: ServiceEndpoint, real_redis: ServiceEndpoint
) -> None:
    namespace = "onex_state_test_readers"
    endpoints = {"postgres": real_postgres.url, "redis": real_redis.url}
    readers = StateReaders()
    state = NamespaceState(readers, namespace, endpoints)
    conn = await asyncpg.connect(real_postgres.url)
    from redis.asyncio import Redis

    client = Redis.from_url(real_redis.url)
    try:
        await conn.execute(
            f"DROP SCHEMA IF EXISTS {namespace} CASCADE; CREATE SCHEMA {namespace};"
            f"CREATE TABLE {namespace}.t (id serial PRIMARY KEY, v text);"
            f"INSERT INTO {namespace}.t (v) VALUES ('a')"
        )
        await client.set(f"{namespace}:k", "1", ex=500)
        await state.checkpoint("one")
        await conn.execute(f"INSERT INTO {namespace}.t (v) VALUES ('b')")
        await client.delete(f"{namespace}:k")
        await client.set(f"{namespace}:new", "2")
        await state.restore("one")
        rows = await conn.fetch(f"SELECT id, v FROM {namespace}.t ORDER BY id")
        assert [tuple(r) for r in rows] == [(1, "a")]
        # the copied sequence continues where the checkpoint's was: the next id is 2
        assert await conn.fetchval(f"INSERT INTO {namespace}.t (v) VALUES ('c') RETURNING id") == 2
        assert await client.get(f"{namespace}:k") == b"1"
        assert 0 < await client.ttl(f"{namespace}:k") <= 500
        assert await client.exists(f"{namespace}:new") == 0
        await state.close()
        copies = await conn.fetchval(
            "SELECT count(*) FROM pg_namespace WHERE starts_with(nspname, $1)", namespace + "__"
        )
        assert copies == 0  # the checkpoint's copy goes with the scenario
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {namespace} CASCADE")
        await client.delete(f"{namespace}:k", f"{namespace}:new")
        await conn.close()
        await client.aclose()
        await readers.close()


async def test_on_failure_restore_rolls_a_failed_scenario_back_to_its_checkpoint(
    write_scenario: Any,
    run_scenarios: Any,
    tmp_path: Path,
    real_postgres: ServiceEndpoint,
    real_redis: ServiceEndpoint,
    real_kafka: ServiceEndpoint,
) -> None:
    schema = tmp_path / "integration" / "orders.sql"
    schema.parent.mkdir(exist_ok=True)
    schema.write_text((ROOT / "scenarios" / "sql" / "orders.sql").read_text())
    path = write_scenario(
        "rolled_back", tier="integration", dependency_mode="real",
        node="examples.order_pipeline:OrderPipelineNode",
        external_services={k: {"kind": k} for k in ("kafka", "postgres", "redis")},
        resources={"kafka": {"topics": [{"name": n} for n in ORDER_TOPICS]},
                   "postgres": {"schema": str(schema)}},
        cleanup_after=False, on_failure="restore",
        steps=[
            {"id": "empty", "checkpoint": "empty"},
            {"id": "place", "publish": {"topic": "orders", "key": "o-1",
                                        "value": {"id": "o-1", "sku": "A", "qty": 1}}},
            {"id": "process", "call": "process_next", "kwargs": {"timeout_s": 5}},
            {"id": "never", "expect_key": {"key": "missing", "within": "0.2s"}},
        ],
    )  # fmt: skip
    [result], _ = await run_scenarios(path)
    endpoints = {"kafka": real_kafka.url, "postgres": real_postgres.url, "redis": real_redis.url}
    readers = StateReaders()
    try:
        assert result.outcome is OutcomeEnum.FAILED
        assert result.state["restored"][0] == "restored to checkpoint empty"
        assert result.state["after"]["postgres"]["tables"]["orders"]["row_count"] == 1
        now = await NamespaceState(readers, result.namespace, endpoints).snapshot()
        assert now["postgres"]["tables"]["orders"]["row_count"] == 0  # rolled back
        assert now["redis"]["key_count"] == 0
        # the group was born after the checkpoint: reset to the checkpoint's end offsets
        assert now["kafka"]["groups"]["order-pipeline"]["offsets"] == {"orders:0": 0}
    finally:  # kept on purpose (cleanup_after: false): removed here
        await readers.close()
        await cleanup_namespace(result.namespace, endpoints)
