"""`onex state diff A B` on recorded states; `onex state show` on a namespace of the live stack."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg
import pytest
from click.testing import CliRunner
from onex_runner.state_cli import state
from onex_services.models import ServiceEndpoint


def _record(name: str, after: dict[str, object]) -> str:
    return json.dumps({"name": name, "state": {"before": {}, "after": after}})


@pytest.mark.unit
def test_diff_of_two_snapshot_records_prints_each_path_and_exits_1(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(_record("s", {"postgres": {"tables": {"t": {"row_count": 1}}}}) + "\n")
    second.write_text(
        _record("other", {})
        + "\n"
        + _record("s", {"postgres": {"tables": {"t": {"row_count": 2}}}})
    )
    result = CliRunner().invoke(state, ["diff", str(first), str(second), "--scenario", "s"])
    assert result.exit_code == 1, result.output
    assert "postgres.tables.t.row_count: 1 → 2" in result.output
    same = CliRunner().invoke(state, ["diff", str(first), str(first)])
    assert same.exit_code == 0
    assert "the states are the same" in same.output


@pytest.mark.unit
def test_diff_of_a_file_that_is_not_a_state_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(state, ["diff", str(bad), str(bad)])
    assert result.exit_code == 2
    assert "neither JSON lines nor JSON" in result.output
    assert "Traceback" not in result.output


@pytest.mark.integration
def test_show_prints_the_live_tables_of_a_namespace(real_postgres: ServiceEndpoint) -> None:
    namespace = "onex_state_cli_show"

    async def prepare(sql: str) -> None:
        conn = await asyncpg.connect(real_postgres.url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(prepare(
        f"DROP SCHEMA IF EXISTS {namespace} CASCADE; CREATE SCHEMA {namespace};"
        f"CREATE TABLE {namespace}.t (id int, token text);"
        f"INSERT INTO {namespace}.t VALUES (1, 'tk-1')"
    ))  # fmt: skip
    try:
        result = CliRunner().invoke(state, ["show", namespace])
        assert result.exit_code == 0, result.output
        shown = json.loads(result.output)
        assert shown["postgres"]["tables"]["t"]["rows"] == [{"id": 1, "token": "***"}]
    finally:
        asyncio.run(prepare(f"DROP SCHEMA {namespace} CASCADE"))
