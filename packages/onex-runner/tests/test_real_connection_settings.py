"""A scenario's `connection:` settings pointing at the live stack's real address are used and
probed: the scenario passes and its pre-condition names that endpoint (the dead-address side is
in test_preconditions_remembered.py)."""

from __future__ import annotations

from typing import Any

import pytest
from onex_runner import OutcomeEnum, PreConditionStatusEnum
from onex_services.models import ServiceEndpoint

pytestmark = pytest.mark.integration


async def test_connection_settings_at_the_live_stack_are_used_and_pass(
    write_scenario: Any,
    run_scenarios: Any,
    real_kafka: ServiceEndpoint,
    real_postgres: ServiceEndpoint,
) -> None:
    path = write_scenario(
        "given_address", tier="integration", dependency_mode="real",
        external_services={
            "kafka": {"kind": "kafka", "connection": {"bootstrap_servers": real_kafka.url}},
            "postgres": {"kind": "postgres", "connection": {"url": real_postgres.url}},
        },
        resources={"kafka": {"topics": [{"name": "given"}]}},
        steps=[
            {"id": "send", "publish": {"topic": "given", "key": "k", "value": {"n": 1}}},
            {"id": "got", "expect_event": {"topic": "given", "key": "k", "within": "20s"}},
        ],
    )  # fmt: skip
    [result], runner = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.PASSED, result.message
    by_service = {s.service: s for s in result.preconditions.services}
    assert by_service["kafka"].status is PreConditionStatusEnum.HEALTHY
    assert by_service["kafka"].endpoint == real_kafka.url
    assert by_service["postgres"].status is PreConditionStatusEnum.HEALTHY
    assert runner.probes.probes[("kafka", real_kafka.url)] == 1
    assert runner.probes.probes[("kafka", "harness")] == 0  # the harness's own path not taken
