"""Seeded states: `start_from` must name a state; on the real stack the seed schema is built
once however many scenarios start from it at once, and each gets its own copy."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from onex_runner import OutcomeEnum, RunOptions, ScenarioRunner
from onex_scenario.errors import ScenarioValidationError
from onex_scenario.loader import ScenarioLoader
from onex_services.models import ServiceEndpoint


@pytest.mark.unit
def test_start_from_an_undefined_state_is_an_error_at_load(write_scenario: Any) -> None:
    path = write_scenario("bad_start", states={"known": {}}, start_from="unknown")
    with pytest.raises(ScenarioValidationError) as raised:
        ScenarioLoader().load(path)
    assert "start_from names unknown, which `states` does not define (defined: known)" in str(
        raised.value
    )


@pytest.mark.integration
async def test_the_seed_is_built_once_and_copied_for_each_scenario(
    write_scenario: Any, tmp_path: Path, real_postgres: ServiceEndpoint
) -> None:
    table = f"t_{uuid.uuid4().hex[:8]}"  # a seed of its own: built by this test, not before
    sql = tmp_path / "integration" / "seed.sql"
    sql.parent.mkdir(exist_ok=True)
    sql.write_text(f"CREATE TABLE {table} (id int PRIMARY KEY);\nINSERT INTO {table} VALUES (7);\n")
    path = write_scenario(
        "seeded", tier="integration", dependency_mode="real", node=None,
        external_services={"postgres": {"kind": "postgres"}},
        states={"seven": {"postgres": {"seed": [str(sql)]}}},
        start_from="seven",
        expect=[{"row": {"table": table, "where": {"id": 7}, "count": 1}}],
    )  # fmt: skip
    loaded = ScenarioLoader().load(path)
    runners = [ScenarioRunner(RunOptions()) for _ in range(3)]
    try:
        results = await asyncio.gather(*(r.run(loaded) for r in runners for _ in range(2)))
    finally:
        for runner in runners:
            await runner.close()
    assert [r.outcome for r in results] == [OutcomeEnum.PASSED] * 6, [r.message for r in results]
    seeded = [r.state["seeded"]["postgres"] for r in results]
    assert sum("(built now)" in s for s in seeded) == 1, seeded
    assert len({s.split()[2] for s in seeded}) == 1  # one seed schema for all
    assert len({r.namespace for r in results}) == 6  # each scenario its own copy
