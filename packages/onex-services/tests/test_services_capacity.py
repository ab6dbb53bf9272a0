"""The capacity check before a run, on the real servers: a run that fits says nothing; one that
would go past PostgreSQL's connections, Redis's clients or the cluster's partitions gets one
warning line per limit, with the numbers; a server it cannot read is a note, not a failure."""

from __future__ import annotations

import re

import pytest
from onex_scenario import ScenarioConfigModel
from onex_services import ServiceEndpoint
from onex_services.capacity import capacity_warnings
from onex_services.catalog import kind_spec
from onex_services.errors import SettingError
from onex_services.kinds.kafka.capacity import partition_limit

pytestmark = pytest.mark.integration


def _scenario(partitions: int) -> ScenarioConfigModel:
    return ScenarioConfigModel.model_validate(
        {
            "name": f"capacity_{partitions}",
            "tier": "integration",
            "dependency_mode": "real",
            "external_services": {kind: {"kind": kind} for kind in ("kafka", "postgres", "redis")},
            "resources": {"kafka": {"topics": [{"name": "orders", "partitions": partitions}]}},
        }
    )


@pytest.fixture
def urls(
    real_kafka: ServiceEndpoint, real_postgres: ServiceEndpoint, real_redis: ServiceEndpoint
) -> dict[str, str]:
    return {ep.kind: ep.url for ep in (real_kafka, real_postgres, real_redis)}


async def _in_use(kind: str, url: str) -> int:
    spec = kind_spec(kind).capacity
    assert spec is not None, kind
    reader = spec.reader(url)
    try:
        return (await reader.read()).in_use
    finally:
        await reader.close()


async def test_a_run_that_fits_gets_no_warning(urls: dict[str, str]) -> None:
    one = [_scenario(3)]
    assert await capacity_warnings(urls, 1, dict.fromkeys(urls, one)) == []


async def test_a_run_past_each_limit_gets_one_warning_per_server(
    urls: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    partitions_now = await _in_use("kafka", urls["kafka"])
    # Room for 1,000 more partitions: other tests of the tier may make a few meanwhile.
    limit = partitions_now + 1000
    monkeypatch.setenv("ONEX_KAFKA_PARTITION_LIMIT", str(limit))
    monkeypatch.setenv("ONEX_NAMESPACE_MARKS", "0")
    many = [_scenario(600)] * 6000  # 6,000 at once: past max_connections and maxclients too
    lines = await capacity_warnings(urls, 6000, dict.fromkeys(urls, many))
    assert len(lines) == 3, lines
    by_kind = {line.split()[3]: line for line in lines}
    assert "this run may take 3600000 partitions (6000 scenario(s) at once)" in by_kind["kafka"]
    assert re.search(rf"only \d+ of {limit} are free \(\d+ in use;", by_kind["kafka"])
    assert "limit: ONEX_KAFKA_PARTITION_LIMIT" in by_kind["kafka"]
    assert "12003 connections" in by_kind["postgres"]
    assert "limit: max_connections" in by_kind["postgres"]
    assert "12002 clients" in by_kind["redis"]
    assert "limit: maxclients" in by_kind["redis"]
    assert all(line.startswith("warning: capacity of ") for line in lines)
    # Two scenarios of 600 partitions do not fit in about 1,000 free ones at once, but one by one.
    assert len(await capacity_warnings(urls, 2, {"kafka": [_scenario(600)] * 2})) == 1
    assert await capacity_warnings(urls, 1, {"kafka": [_scenario(600)] * 2}) == []


async def test_a_server_that_cannot_be_read_is_a_note() -> None:
    lines = await capacity_warnings(
        {"redis": "redis://127.0.0.1:9/0"}, 1, {"redis": [_scenario(1)]}
    )
    assert len(lines) == 1
    assert lines[0].startswith("note: capacity of redis not checked: ")


def test_a_bad_partition_limit_is_a_setting_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEX_KAFKA_PARTITION_LIMIT", "lots")
    with pytest.raises(SettingError, match="ONEX_KAFKA_PARTITION_LIMIT='lots': expected a whole"):
        partition_limit()
