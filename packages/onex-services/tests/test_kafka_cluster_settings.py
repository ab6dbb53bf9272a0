"""The broker count is a setting of the harness's own: it comes from ONEX_KAFKA_BROKERS,
`brokers` in [tool.onex.servers.kafka] or a scenario's `servers:`, is part of the stack's
fingerprint, and never reaches a broker's config file; a cluster's brokers replicate."""

from __future__ import annotations

import pytest
from onex_services import server_settings
from onex_services.errors import SettingError
from onex_services.kinds.kafka.cluster import broker_count, replication_settings

pytestmark = pytest.mark.unit


def test_the_variable_sets_the_broker_count_and_changes_the_fingerprint() -> None:
    settings = server_settings.resolve({}, {"ONEX_KAFKA_BROKERS": "3"})
    assert settings == {"kafka": {"brokers": "3"}}
    assert server_settings.fingerprint(settings) != server_settings.fingerprint({})


def test_the_project_table_and_a_scenario_set_it_too_the_scenario_last() -> None:
    project = {"kafka": {"brokers": 3, "num.partitions": 2}}
    assert server_settings.resolve(project, {})["kafka"]["brokers"] == "3"
    laid = server_settings.resolve(project, {}, overlay={"kafka": {"brokers": 1}})
    assert laid["kafka"] == {"brokers": "1", "num.partitions": "2"}


def test_the_broker_count_never_reaches_the_config_file() -> None:
    block = server_settings.config_block("kafka", {"brokers": "3", "num.partitions": "2"})
    assert "num.partitions=2" in block
    assert "brokers" not in block
    assert server_settings.config_block("kafka", {"brokers": "3"}) == ""


@pytest.mark.parametrize("raw", ["0", "6", "three", "-1"])
def test_a_bad_broker_count_is_refused_saying_what_is_expected(raw: str) -> None:
    with pytest.raises(SettingError, match="expected a number of brokers from 1 to 5"):
        broker_count({"brokers": raw})


def test_three_brokers_replicate_three_times_and_need_two_in_sync() -> None:
    assert broker_count({}) == 1
    settings = replication_settings(3)
    assert settings["default.replication.factor"] == "3"
    assert settings["min.insync.replicas"] == "2"
    assert settings["offsets.topic.replication.factor"] == "3"
    assert replication_settings(2)["min.insync.replicas"] == "1"
