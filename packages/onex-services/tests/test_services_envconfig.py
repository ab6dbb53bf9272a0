"""Endpoints given in the environment are read in one place, with clear errors."""

from __future__ import annotations

import pytest
from onex_services.catalog import kind_specs, parse_kinds
from onex_services.envconfig import EndpointConfigError, given_endpoints, parse_endpoint
from onex_services.models import ServiceKind

pytestmark = pytest.mark.unit


def test_kafka_bootstrap_list_uses_the_first_broker_as_host_and_port() -> None:
    given = parse_endpoint("kafka", "kafka-1:19092,kafka-2:19092", "VAR")
    assert (given.host, given.port, given.url) == ("kafka-1", 19092, "kafka-1:19092,kafka-2:19092")


def test_postgres_url_keeps_the_whole_dsn_and_defaults_the_port() -> None:
    given = parse_endpoint("postgres", "postgresql://u:secret@db/app", "ONEX_DB_URL")
    assert (given.host, given.port, given.url) == ("db", 5432, "postgresql://u:secret@db/app")


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("kafka", "localhost", "expected host:port"),
        ("kafka", "host:port", "expected host:port"),
        ("postgres", "mysql://db:3306/x", "postgresql://"),
        ("redis", "127.0.0.1:6379", "redis://"),
        ("redis", "redis://h:notaport/0", "port is not a number"),
    ],
)
def test_unreadable_values_name_the_variable_and_the_expected_form(
    kind: ServiceKind, value: str, expected: str
) -> None:
    with pytest.raises(EndpointConfigError, match=expected) as info:
        parse_endpoint(kind, value, "THE_VAR")
    assert "THE_VAR" in str(info.value)


def test_given_endpoints_reads_only_set_and_non_empty_variables() -> None:
    env = {"ONEX_REDIS_URL": "redis://cache:6380/2", "ONEX_DB_URL": "  "}
    found = given_endpoints(env)
    assert list(found) == ["redis"]
    assert found["redis"].port == 6380
    assert found["redis"].source == "ONEX_REDIS_URL"


def test_parse_kinds_keeps_catalog_order_and_rejects_unknown_names() -> None:
    assert parse_kinds("redis, kafka") == ["kafka", "redis"]
    # Every registered kind, by name, but the on-demand ones (Kafka Connect, Toxiproxy).
    assert parse_kinds(None) == sorted(k for k, spec in kind_specs().items() if not spec.on_demand)
    assert "toxiproxy" in kind_specs()
    assert "toxiproxy" not in parse_kinds(None)
    assert parse_kinds("toxiproxy") == ["toxiproxy"]
    assert {"kafka", "postgres", "redis"} <= set(parse_kinds(None))
    assert parse_kinds(["all"]) == parse_kinds(None)
    with pytest.raises(ValueError, match="unknown service 'mongo'"):
        parse_kinds("kafka,mongo")
