"""ONEX_* overrides: parsing, validation and the documented precedence."""

from __future__ import annotations

import pytest
from onex_scenario import (
    ConnectionOverrides,
    EnvOverrideError,
    ModelConnectionConfig,
    ModelServiceOverride,
    connection_overrides_from_env,
    env_overrides,
    load_scenarios,
)
from onex_scenario.vocabulary import vocabularies

from conftest import Tree

pytestmark = pytest.mark.unit


def test_endpoint_variables_are_parsed_into_typed_overrides() -> None:
    overrides = connection_overrides_from_env(
        {
            "ONEX_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092,127.0.0.1:9093",
            "ONEX_DB_URL": "postgresql://u:p@127.0.0.1:5432/db",
            "ONEX_DB_PORT": "5433",
            "ONEX_REDIS_URL": "redis://127.0.0.1:6379/0",
            "ONEX_REDIS_DB": "2",
            "ONEX_API_URL": "http://127.0.0.1:8080",
            "ONEX_API_TOKEN": "secret",
            "ONEX_KAFKA_HEALTH_CHECK_TIMEOUT": "45s",
            "ONEX_KAFKA_HOME": "/opt/kafka",  # someone else's variable: ignored here
            "ONEX_REDIS_PASSWORD": "",  # empty counts as unset
        }
    )
    assert (
        overrides.for_kind("kafka").connection.bootstrap_servers == "127.0.0.1:9092,127.0.0.1:9093"
    )
    assert overrides.for_kind("kafka").health_check_timeout == 45.0
    assert overrides.for_kind("postgres").connection.url == "postgresql://u:p@127.0.0.1:5432/db"
    assert overrides.for_kind("postgres").connection.port == 5433
    assert overrides.for_kind("redis").connection.db == 2
    assert overrides.for_kind("redis").connection.password is None
    assert overrides.for_kind("http").connection.token == "secret"
    assert overrides.for_kind("tcp").is_empty
    assert connection_overrides_from_env({}).is_empty


def test_every_documented_variable_maps_to_a_kind_and_field() -> None:
    assert env_overrides()["ONEX_DB_NAME"] == ("postgres", "database")
    assert env_overrides()["ONEX_API_URL"] == ("http", "url")
    prefixes = tuple(w.env_prefix for w in vocabularies().values() if w.env_prefix)
    assert {"ONEX_KAFKA_", "ONEX_DB_", "ONEX_REDIS_", "ONEX_API_"} <= set(prefixes)
    assert all(name.startswith(prefixes) for name in env_overrides())


def test_unusable_values_name_their_variable() -> None:
    with pytest.raises(EnvOverrideError) as caught:
        connection_overrides_from_env(
            {
                "ONEX_DB_PORT": "abc",
                "ONEX_REDIS_URL": "http://x",
                "ONEX_KAFKA_BOOTSTRAP_SERVERS": "localhost",
                "ONEX_API_HEALTH_CHECK_TIMEOUT": "soon",
            }
        )
    assert str(caught.value).splitlines() == [
        "<environment>: ONEX_API_HEALTH_CHECK_TIMEOUT: expected a duration such as 5s, 500ms, 2m, "
        "1h or a number of seconds, got 'soon'",
        "<environment>: ONEX_DB_PORT: expected a valid integer, unable to parse string as an "
        "integer, got 'abc'",
        "<environment>: ONEX_KAFKA_BOOTSTRAP_SERVERS: expected host:port[,host:port...], "
        "e.g. 127.0.0.1:9092, got 'localhost'",
        "<environment>: ONEX_REDIS_URL: expected a redis:// or rediss:// URL, got 'http://x'",
    ]


SCENARIO = """
extends: base:b
name: x
tier: integration
dependency_mode: real
external_services:
  main_db: {kind: postgres, connection: {host: file-host, port: 1111, database: from_file}}
  other_db: {kind: postgres}
  bus: {kind: kafka, health_check_timeout: 20s}
"""


def test_precedence_cli_over_env_over_file_over_base_over_defaults(tree: Tree) -> None:
    tree.write(
        "_bases/b.yaml",
        "external_services:\n"
        "  main_db: {kind: postgres, connection: {user: base-user, database: from_base}}\n",
    )
    tree.write("x.yaml", SCENARIO)
    environ = {
        "ONEX_DB_HOST": "env-host",
        "ONEX_DB_PORT": "2222",
        "ONEX_KAFKA_HEALTH_CHECK_TIMEOUT": "1m",
    }
    cli = ConnectionOverrides(
        kinds={"postgres": ModelServiceOverride(connection=ModelConnectionConfig(port=3333))}
    )
    scenario = tree.load("x.yaml", environ=environ, overrides=cli)
    main = scenario.external_services["main_db"].connection
    assert (main.host, main.port, main.database, main.user, main.password) == (
        "env-host",  # env beats the file
        3333,  # the CLI beats the env
        "from_file",  # the file beats its base
        "base-user",  # the base fills what the file leaves out
        None,  # nobody set it: the default
    )
    other = scenario.external_services["other_db"].connection
    assert (other.host, other.port) == (
        "env-host",
        3333,
    )  # overrides apply to every service of the kind
    assert scenario.external_services["bus"].health_check_timeout == 60.0
    assert scenario.timeouts("bus").health_check == 60.0


def test_without_overrides_the_file_wins(tree: Tree) -> None:
    tree.write("_bases/b.yaml", "description: base\n")
    tree.write("x.yaml", SCENARIO)
    scenario = tree.load("x.yaml", environ={})
    assert scenario.external_services["main_db"].connection.host == "file-host"
    assert scenario.timeouts("bus").health_check == 20.0


def test_bad_environment_stops_a_batch_load_once(tree: Tree) -> None:
    tree.write("unit/x.yaml", "name: x\n")
    with pytest.raises(EnvOverrideError, match="ONEX_REDIS_DB"):
        load_scenarios([tree.root], environ={"ONEX_REDIS_DB": "-1"})


def test_layers_combine_field_by_field() -> None:
    env = ConnectionOverrides(
        kinds={"redis": ModelServiceOverride(connection=ModelConnectionConfig(host="h", port=1))}
    )
    cli = ConnectionOverrides(
        kinds={
            "redis": ModelServiceOverride(
                connection=ModelConnectionConfig(port=2), health_check_timeout=3
            )
        }
    )
    merged = cli.over(env)
    assert (
        merged.for_kind("redis").connection.host,
        merged.for_kind("redis").connection.port,
        merged.for_kind("redis").health_check_timeout,
    ) == ("h", 2, 3.0)
    assert merged.for_kind("kafka").is_empty
