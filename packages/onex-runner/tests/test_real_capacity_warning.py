"""`onex run` checks capacity before it starts the scenarios: pointed at a Kafka cluster with
fewer free partitions than the run's topics take, it prints one warning line naming the limit,
and still runs (and passes) the scenario."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from onex_runner.cli import run
from onex_services.models import ServiceEndpoint

pytestmark = [pytest.mark.integration, pytest.mark.requires_kafka]


def test_a_run_past_the_partition_limit_is_warned_before_it_starts(
    real_kafka: ServiceEndpoint, write_scenario: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEX_KAFKA_BOOTSTRAP_SERVERS", real_kafka.url)
    monkeypatch.setenv("ONEX_SERVICES_BACKEND", "external")
    monkeypatch.setenv("ONEX_KAFKA_PARTITION_LIMIT", "1")  # every cluster already holds more
    path = write_scenario(
        "over_capacity", tier="integration", dependency_mode="real",
        external_services={"kafka": {"kind": "kafka"}},
        resources={"kafka": {"topics": [{"name": "orders", "partitions": 3}]}},
        steps=[{"id": "send", "publish": {"topic": "orders", "key": "k", "value": {"n": 1}}}],
    )  # fmt: skip
    outcome = CliRunner().invoke(run, [str(path), "--snapshots", "-"])
    text = " ".join(outcome.output.split())  # the console wraps long lines
    assert "warning: capacity of kafka at " in text, outcome.output
    assert "this run may take 4 partitions (1 scenario(s) at once)" in text  # 3 + the marker
    assert "limit: ONEX_KAFKA_PARTITION_LIMIT" in text
    assert outcome.exit_code == 0, outcome.output
