"""Server settings of the stack: where they come from, how each kind writes them, fingerprints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from onex_scenario.project_settings import load_project_settings
from onex_services import server_settings
from onex_services.errors import SettingError

pytestmark = pytest.mark.unit


def test_the_project_table_and_the_variables_give_each_kind_its_names() -> None:
    project = {"kafka": {"auto.create.topics.enable": True, "num.partitions": 3}}
    env = {
        "ONEX_KAFKA_SERVER_NUM_PARTITIONS": "2",  # over the file
        "ONEX_POSTGRES_SERVER_WORK_MEM": "64MB",
        "ONEX_REDIS_SERVER_MAXMEMORY_POLICY": "allkeys-lru",
        "ONEX_REDIS_SERVER": "/usr/bin/redis-server",  # another variable, not a setting
    }
    assert server_settings.resolve(project, env) == {
        "kafka": {"auto.create.topics.enable": "true", "num.partitions": "2"},
        "postgres": {"work_mem": "64MB"},
        "redis": {"maxmemory-policy": "allkeys-lru"},
    }


def test_a_profile_lies_under_the_projects_own_settings() -> None:
    env = {"ONEX_KAFKA_PROFILE": "production-like", "ONEX_KAFKA_SERVER_NUM_PARTITIONS": "2"}
    project = {"kafka": {"group.initial.rebalance.delay.ms": 100}}
    kafka = server_settings.resolve(project, env)["kafka"]
    assert kafka["group.initial.rebalance.delay.ms"] == "100"  # the project's own wins
    assert kafka["offsets.topic.num.partitions"] == "50"  # Kafka's default, back
    assert kafka["num.partitions"] == "2"
    from_file = server_settings.resolve({"kafka": {"profile": "production-like"}}, {})["kafka"]
    assert from_file["broker.session.timeout.ms"] == "9000"
    assert "profile" not in from_file
    tuned = server_settings.resolve({}, {"ONEX_KAFKA_PROFILE": "tuned"})
    assert server_settings.fingerprint(tuned) == ""  # the harness's own: the default stack


@pytest.mark.parametrize(
    ("project", "env", "message"),
    [
        (
            {},
            {"ONEX_KAFKA_PROFILE": "fast"},
            "ONEX_KAFKA_PROFILE: no kafka profile 'fast' \\(known: tuned, production-like\\)",
        ),
        ({"mysql": {"x": 1}}, {}, r"\[tool.onex.servers\].mysql: no service kind 'mysql'"),
        ({"kafka": {"a b": 1}}, {}, "is not a setting name"),
        ({"kafka": {"x": [1]}}, {}, "expected text, a number or true/false"),
        (
            {},
            {"ONEX_REDIS_SERVER_SAVE": "1\nrequirepass x"},
            "ONEX_REDIS_SERVER_SAVE: a value must",
        ),
    ],
)
def test_unusable_settings_are_refused_by_name(
    project: dict[str, dict[str, object]], env: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingError, match=message):
        server_settings.resolve(project, env)


def test_the_fingerprint_tells_settings_apart_and_is_empty_for_the_defaults() -> None:
    one = {"kafka": {"num.partitions": "2"}}
    assert server_settings.fingerprint({}) == server_settings.fingerprint({"kafka": {}}) == ""
    assert server_settings.fingerprint(one) == server_settings.fingerprint(
        {"kafka": {"num.partitions": "2"}}
    )
    assert server_settings.fingerprint(one) != server_settings.fingerprint(
        {"kafka": {"num.partitions": "3"}}
    )


def test_each_kind_writes_its_config_lines() -> None:
    kafka = server_settings.config_block("kafka", {"num.partitions": "2"})
    postgres = server_settings.config_block("postgres", {"application_name": "it's"})
    redis = server_settings.config_block("redis", {"save": "900 1"})
    assert kafka.splitlines()[-1] == "num.partitions=2"
    assert postgres.splitlines()[-1] == "application_name = 'it''s'"
    assert redis.splitlines()[-1] == "save 900 1"
    assert server_settings.config_block("redis", {}) == ""


def test_compose_overrides_lay_the_settings_over_each_service() -> None:
    stack = {"services": {"redis": {"command": ["--port", "6379"]}, "postgres": {}, "kafka": {}}}
    settings = {
        "kafka": {"auto.create.topics.enable": "true"},
        "postgres": {"work_mem": "64MB"},
        "redis": {"save": "900 1", "requirepass": "a$b"},
    }
    services = server_settings.compose_overrides(stack, settings)["services"]
    assert services["kafka"] == {"environment": {"KAFKA_AUTO_CREATE_TOPICS_ENABLE": "true"}}
    assert services["postgres"] == {"command": ["-cwork_mem=64MB"]}
    assert services["redis"] == {
        "command": ["--port", "6379", "--requirepass", "a$$b", "--save", "900", "1"]
    }
    assert server_settings.compose_overrides(stack, {}) == {}


def test_the_settings_are_read_from_tool_onex_servers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.onex.servers.kafka]\n"auto.create.topics.enable" = true\n"num.partitions" = 2\n'
    )
    monkeypatch.chdir(tmp_path)
    assert load_project_settings().servers == {
        "kafka": {"auto.create.topics.enable": True, "num.partitions": 2}
    }
    assert server_settings.resolve(environ={}) == {
        "kafka": {"auto.create.topics.enable": "true", "num.partitions": "2"}
    }


def test_a_stack_dir_keeps_the_settings_it_was_started_with(tmp_path: Path) -> None:
    settings = {"redis": {"maxmemory-policy": "allkeys-lru"}}
    assert server_settings.read(tmp_path) == {}
    server_settings.write(tmp_path, settings)
    assert server_settings.read(tmp_path) == settings
    assert oct((tmp_path / server_settings.FILE).stat().st_mode & 0o777) == "0o600"


def test_compose_refuses_a_secured_kafka_it_would_start_as_a_plaintext_broker() -> None:
    # Dropped on the way, a secured broker asked of compose would start as a PLAINTEXT one and
    # every test claiming SASL_SSL would pass against the wrong thing.
    stack: dict[str, Any] = {"services": {"kafka": {}}}
    with pytest.raises(SettingError) as caught:
        server_settings.compose_overrides(
            stack, {"kafka": {"security": "sasl_ssl", "num.partitions": "2"}}
        )
    assert "ONEX_KAFKA_SECURITY" in caught.value.summary
    assert "process backend only" in caught.value.summary


def test_compose_gives_a_clusters_settings_to_every_broker_of_it() -> None:
    # A cluster is compose services of its own (kinds/kafka/compose_cluster.py), each labelled
    # as Kafka's: the project's settings reach all of them, `brokers` none (it is the harness's).
    label = {"labels": {"org.onex.kind": "kafka"}}
    stack: dict[str, Any] = {"services": {"kafka": label, "kafka-2": label, "redis": {}}}
    overrides = server_settings.compose_overrides(
        stack, {"kafka": {"brokers": "3", "num.partitions": "2"}}
    )
    assert overrides == {
        "services": {
            name: {"environment": {"KAFKA_NUM_PARTITIONS": "2"}} for name in ("kafka", "kafka-2")
        }
    }
    plain = {"kafka": {"brokers": "1", "security": "plaintext"}}
    assert server_settings.compose_overrides(stack, plain) == {}
