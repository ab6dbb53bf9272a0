"""The endpoint a scenario's `connection:` settings name (unit tier)."""

from __future__ import annotations

from typing import Any

import pytest
from onex_runner.connections import ConnectionRefusedSetting, given_connection
from onex_scenario import ModelExternalServiceConfig

pytestmark = pytest.mark.unit


def _config(kind: str, **connection: Any) -> ModelExternalServiceConfig:
    return ModelExternalServiceConfig.model_validate({"kind": kind, "connection": connection})


def test_no_address_means_the_harness_provides_the_service() -> None:
    assert given_connection("kafka", _config("kafka")) is None


def test_kafka_bootstrap_servers_are_the_endpoint() -> None:
    given = given_connection("bus", _config("kafka", bootstrap_servers="h1:9092,h2:9093"))
    assert given is not None
    assert given.url == "h1:9092,h2:9093"
    assert (given.endpoint.host, given.endpoint.port) == ("h1", 9092)


def test_postgres_and_redis_urls_are_built_from_parts_with_the_password_kept_out_of_messages() -> (
    None
):
    pg = given_connection(
        "db", _config("postgres", host="db.local", port=6543, user="me", password="p@ss",
                      database="orders"),
    )  # fmt: skip
    assert pg is not None
    assert pg.url == "postgresql://me:p%40ss@db.local:6543/orders"
    assert "p%40ss" not in pg.address
    redis = given_connection("cache", _config("redis", port=6380, db=2))
    assert redis is not None
    assert redis.url == "redis://127.0.0.1:6380/2"
    url = given_connection("db", _config("postgres", url="postgresql://u:s@10.0.0.9/x"))
    assert url is not None
    assert (url.endpoint.host, url.endpoint.port) == ("10.0.0.9", 5432)


def test_fields_the_tools_cannot_honour_are_refused_by_name() -> None:
    with pytest.raises(ConnectionRefusedSetting, match=r"connection\.client_id"):
        given_connection("bus", _config("kafka", bootstrap_servers="h:1", client_id="x"))


def test_credentials_without_an_address_are_refused() -> None:
    with pytest.raises(ConnectionRefusedSetting, match="no address"):
        given_connection("db", _config("postgres", password="secret"))


def test_a_field_set_beside_the_url_takes_its_place_in_it() -> None:
    given = given_connection(
        "db", _config("postgres", url="postgresql://u:old@db.local:6000/x", password="new")
    )
    assert given is not None
    assert given.url == "postgresql://u:new@db.local:6000/x"
