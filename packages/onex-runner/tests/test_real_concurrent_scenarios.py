"""Scenarios run at once (`onex run -n 2`) share one runner and one cold-started stack of real
services, and each works in its own namespace."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from onex_runner import OutcomeEnum, RunOptions, ScenarioRunner
from onex_scenario.loader import ScenarioLoader

pytestmark = [pytest.mark.integration, pytest.mark.requires_all_services]


@pytest.fixture
def own_run_dir() -> Iterator[Path]:
    """A run dir of this test's own under /tmp (PostgreSQL's user must traverse the path, which
    pytest's tmp_path under /root does not allow), removed after the test."""
    run_dir = Path(f"/tmp/onex-concurrency-{uuid.uuid4().hex[:8]}")
    yield run_dir
    shutil.rmtree(run_dir, ignore_errors=True)


async def test_two_real_scenarios_at_once_both_pass_in_separate_namespaces(
    write_scenario: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, own_run_dir: Path
) -> None:
    # A stack of its own, started cold: both scenarios ask for it at the same moment.
    monkeypatch.setenv("ONEX_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("ONEX_RUN_DIR", str(own_run_dir))
    monkeypatch.setenv("ONEX_SERVICES_BACKEND", "process")
    monkeypatch.setenv("ONEX_REUSE", "0")
    paths = [
        write_scenario(
            f"concurrent_{n}", tier="integration", dependency_mode="real",
            external_services={
                "kafka": {"kind": "kafka"}, "postgres": {"kind": "postgres"},
                "redis": {"kind": "redis"},
            },
            resources={"kafka": {"topics": [{"name": "same"}]}},
            steps=[
                {"id": "send", "publish": {"topic": "same", "key": "k", "value": {"from": n}}},
                {"id": "got", "expect_event": {"topic": "same", "value": {"from": n},
                                               "within": "10s"}},
            ],
        )
        for n in (1, 2)
    ]  # fmt: skip
    runner = ScenarioRunner(RunOptions())
    loader = ScenarioLoader()
    try:
        results = await asyncio.gather(*(runner.run(loader.load(p)) for p in paths))
    finally:
        await runner.close()
    assert [r.outcome for r in results] == [OutcomeEnum.PASSED, OutcomeEnum.PASSED], [
        r.message for r in results
    ]
    assert results[0].namespace != results[1].namespace
    classes = {t["instantiated_class"].rsplit(".", 1)[-1] for r in results for t in r.tools}
    assert classes == {"KafkaEventBus", "PostgresSqlStore", "RedisKeyValueStore"}
