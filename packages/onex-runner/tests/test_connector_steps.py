"""The connector steps: `connector` creates, pauses, resumes and deletes a connector of the
scenario's Kafka Connect service, `expect_connector` waits for its state and its tasks'; the
mock tier runs them on the in-memory worker, the integration tier on the real one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from onex_runner import OutcomeEnum, RunOptions, ScenarioRunner
from onex_runner.connectors import InMemoryConnectWorker, namespaced_config
from onex_scenario.loader import ScenarioLoader

STEPS: list[dict[str, Any]] = [
    {
        "id": "make",
        "connector": {
            "action": "create",
            "name": "lines",
            "config": {
                "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
                "tasks.max": 1,
                "topic": "lines",
                "topic.creation.default.replication.factor": 1,
                "topic.creation.default.partitions": 1,
            },
            "files": {"file": ["one", "two"]},
        },
    },
    {"id": "up", "expect_connector": {"name": "lines", "tasks": 1, "within": "30s"}},
    {"id": "pause", "connector": {"action": "pause", "name": "lines"}},
    {"id": "paused", "expect_connector": {"name": "lines", "state": "PAUSED", "within": "20s"}},
    {"id": "resume", "connector": {"action": "resume", "name": "lines"}},
    {"id": "again", "expect_connector": {"name": "lines", "state": "RUNNING", "within": "20s"}},
    {"id": "drop", "connector": {"action": "delete", "name": "lines"}},
]


async def _run(tmp_path: Path, tier: str, steps: list[dict[str, Any]]) -> Any:
    document = {
        "name": f"connector_steps_{tier}",
        "tier": tier,
        "dependency_mode": "real" if tier == "integration" else "mock",
        "external_services": {"connect": {"kind": "connect"}},
        "steps": steps,
    }
    path = tmp_path / tier / f"scenario_connector_steps_{tier}.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    runner = ScenarioRunner(RunOptions())
    try:
        return await runner.run(ScenarioLoader().load(path))
    finally:
        await runner.close()


@pytest.mark.unit
async def test_the_steps_run_on_the_in_memory_worker(tmp_path: Path) -> None:
    result = await _run(tmp_path, "unit", STEPS)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    [tool] = result.tools
    assert tool["instantiated_class"] == "onex_runner.connectors.InMemoryConnectWorker"


@pytest.mark.unit
async def test_a_state_that_never_comes_fails_with_what_was_found(tmp_path: Path) -> None:
    steps = [
        STEPS[0],
        {"id": "never", "expect_connector": {"name": "lines", "state": "PAUSED", "within": "0.3s"}},
    ]
    result = await _run(tmp_path, "unit", steps)
    assert result.outcome is OutcomeEnum.FAILED
    failed = result.steps[-1]
    assert "connector lines: expected state PAUSED" in failed.message
    assert "'state': 'RUNNING'" in failed.message


@pytest.mark.unit
async def test_names_and_topics_are_in_the_namespace() -> None:
    worker = InMemoryConnectWorker("onex_t_gw0")
    assert await worker.create("c", {"topic": "orders"}, {}) == "onex_t_gw0.c"
    assert worker.configs["c"]["topic"] == "onex_t_gw0.orders"
    assert namespaced_config({"topics": "a, onex_t_gw0.b"}, "onex_t_gw0")["topics"] == (
        "onex_t_gw0.a,onex_t_gw0.b"
    )


@pytest.mark.integration
@pytest.mark.requires_connect  # the scenario inside asks for Connect, which the test cannot see
async def test_the_steps_run_on_the_real_worker_the_harness_started(tmp_path: Path) -> None:
    result = await _run(tmp_path, "integration", STEPS)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    [tool] = result.tools
    assert (tool["mode"], tool["instantiated_class"]) == (
        "real",
        "onex_runner.connectors.ConnectWorkerClient",
    )
    assert result.leftovers == []
