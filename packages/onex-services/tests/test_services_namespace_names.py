"""Namespace names are valid everywhere they are used and never collide across workers."""

from __future__ import annotations

import re

import pytest
from onex_services.kinds.kafka.janitor import ToolKafkaResourceManager
from onex_services.kinds.redis import RedisPrefixManager
from onex_services.namespaces import NamespaceError, namespace_for, validate_namespace

pytestmark = pytest.mark.unit
PG_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
KAFKA_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")


def test_namespace_comes_from_run_id_and_xdist_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONEX_RUN_ID", raising=False)
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "0123456789abcdef")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert namespace_for() == "onex_01234567_gw1"


def test_workers_of_one_run_get_different_namespaces() -> None:
    assert namespace_for("run1", "gw0") != namespace_for("run1", "gw1")


@pytest.mark.parametrize(
    ("run_id", "worker"), [("Run-42/x!", "gw0"), ("x" * 80, "worker.with.dots"), ("A B", "main")]
)
def test_odd_inputs_still_give_names_valid_for_kafka_postgres_and_redis(
    run_id: str, worker: str
) -> None:
    namespace = namespace_for(run_id, worker)
    assert PG_IDENTIFIER.fullmatch(namespace)
    assert KAFKA_TOPIC.fullmatch(f"{namespace}.orders")
    assert len(namespace) <= 40


def test_names_that_cannot_be_made_safe_are_refused() -> None:
    with pytest.raises(NamespaceError):
        namespace_for("---", "gw0")
    with pytest.raises(NamespaceError, match="not usable"):
        validate_namespace("Has-Upper")


def test_topics_and_keys_are_prefixed_once() -> None:
    kafka = ToolKafkaResourceManager("127.0.0.1:1", "onex_a_gw0")
    assert kafka.topic("orders") == "onex_a_gw0.orders"
    assert kafka.topic("onex_a_gw0.orders") == "onex_a_gw0.orders"
    redis = RedisPrefixManager("redis://127.0.0.1:1/0", "onex_a_gw0")
    assert redis.key("cart:1") == "onex_a_gw0:cart:1"
    with pytest.raises(NamespaceError, match="not valid"):
        kafka.topic("bad name")
