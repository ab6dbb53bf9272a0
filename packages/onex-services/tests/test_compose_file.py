"""A stack's compose file is written from the kinds' compose fragments: one service per kind it
runs, with the port, labels and image choice every service shares; a stack that grows keeps the
ports and secrets of the services it runs already (unit tier: no Docker engine needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_services.backends.compose import ComposeBackend
from onex_services.backends.compose_file import compose_document, fragment, kinds_in
from onex_services.catalog import kind_spec, kind_specs
from onex_services.errors import BackendUnavailableError
from onex_services.settings import Paths

pytestmark = pytest.mark.unit
WITH_COMPOSE = [kind for kind, spec in kind_specs().items() if spec.compose is not None]


def test_every_kind_with_a_fragment_is_one_service_with_the_shared_parts() -> None:
    services = compose_document(WITH_COMPOSE)["services"]
    assert list(services) == WITH_COMPOSE
    for kind, service in services.items():
        spec = kind_spec(kind)
        assert service["image"].startswith(f"${{{spec.image_env}:-")
        assert service["labels"]["org.onex.harness"] == "true"
        if service.get("network_mode") == "host":  # it listens on the host's loopback itself
            assert "ports" not in service
        else:
            assert service["ports"][0].startswith(f"127.0.0.1:${{{spec.port_env}:?}}:")
            assert all(port.startswith("127.0.0.1:") for port in service["ports"])
        assert service["healthcheck"]["test"][0] in {"CMD-SHELL", "CMD"}


def test_a_kinds_extra_ports_and_details_come_from_the_stacks_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a fragment adds from the values made when its kind joined the stack (Kafka's proxy
    slots: published listeners, the slots in the record) is written and recorded as such."""
    for kind in WITH_COMPOSE:
        monkeypatch.setenv(kind_spec(kind).image_env, f"example/{kind}:test")
    with_more = [k for k in WITH_COMPOSE if fragment(k).more_ports or fragment(k).details]
    if not with_more:
        pytest.skip("no registered fragment publishes more ports or records more details")
    backend = ComposeBackend(Paths.from_env())
    _, values = backend._write_env(tmp_path, with_more)
    services = compose_document(with_more, values)["services"]
    for kind in with_more:
        part = fragment(kind)
        more = part.more_ports(values) if part.more_ports else []
        assert services[kind].get("ports", [])[1:] == more
        record = backend._record(kind, values, "p", tmp_path / "compose.env", tmp_path, {})
        for key, value in (part.details(values) if part.details else {}).items():
            assert record.details[key] == value


def test_a_kind_without_a_fragment_is_refused_by_name() -> None:
    without = [kind for kind, spec in kind_specs().items() if spec.compose is None]
    if not without:
        pytest.skip("every registered kind has a compose fragment here")
    with pytest.raises(BackendUnavailableError, match=f"{without[0]} has no compose service"):
        compose_document(without[:1])


def test_a_growing_stack_keeps_the_values_of_the_services_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for kind in WITH_COMPOSE:  # an image named: no engine is asked whether a local one exists
        monkeypatch.setenv(kind_spec(kind).image_env, f"example/{kind}:test")
    backend = ComposeBackend(Paths.from_env())
    first, *others = WITH_COMPOSE
    _, before = backend._write_env(tmp_path, [first])
    assert kinds_in(tmp_path) == [first]
    _, after = backend._write_env(tmp_path, others)
    assert kinds_in(tmp_path) == WITH_COMPOSE
    kept = [kind_spec(first).port_env, *fragment(first).secrets]
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}
    assert (tmp_path / "compose.env").stat().st_mode & 0o077 == 0


def test_a_stack_dir_without_its_compose_file_gets_one_to_be_stopped_with(tmp_path: Path) -> None:
    (tmp_path / "compose.env").write_text("ONEX_OWNER=1\n")
    ComposeBackend(Paths.from_env())._client("onex-old", tmp_path / "compose.env", WITH_COMPOSE)
    assert kinds_in(tmp_path) == WITH_COMPOSE


def test_a_dependant_depends_on_what_it_needs_in_the_same_stack() -> None:
    """So that `down` stops a dependant (Kafka Connect) before what it needs."""
    for kind in WITH_COMPOSE:
        needs = [dep for dep in kind_spec(kind).depends_on if dep in WITH_COMPOSE]
        services = compose_document([*needs, kind])["services"]
        assert services[kind].get("depends_on", []) == needs
        assert "depends_on" not in compose_document([kind])["services"][kind]


def test_a_kafka_cluster_is_a_service_per_broker_of_one_quorum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ONEX_KAFKA_BROKERS=3 under compose: three combined brokers, each publishing and
    advertising a port of its own, voters of one quorum, with the process cluster's replication
    defaults; the record lists them as members (kinds/kafka/compose_cluster.py)."""
    from onex_services import members, server_settings
    from onex_services.kinds.kafka.cluster import replication_settings
    from onex_services.kinds.kafka.compose_cluster import container_environment

    monkeypatch.setenv("ONEX_IMAGE_KAFKA", "example/kafka:test")
    server_settings.write(tmp_path, {"kafka": {"brokers": "3"}})
    backend = ComposeBackend(Paths.from_env())
    _, values = backend._write_env(tmp_path, ["kafka"])
    services = compose_document(["kafka"], values)["services"]
    assert list(services) == ["kafka", "kafka-2", "kafka-3"]
    assert kinds_in(tmp_path) == ["kafka"]
    ports = [values["ONEX_KAFKA_PORT"], values["ONEX_KAFKA_PORT_2"], values["ONEX_KAFKA_PORT_3"]]
    assert len(set(ports)) == 3
    for node, service in enumerate(services.values(), start=1):
        env = service["environment"]
        assert env["KAFKA_NODE_ID"] == str(node)
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093"
        assert env["KAFKA_INTER_BROKER_LISTENER_NAME"] == "INTERNAL"
        variable = "ONEX_KAFKA_PORT" if node == 1 else f"ONEX_KAFKA_PORT_{node}"
        assert f"PLAINTEXT://127.0.0.1:${{{variable}:?}}" in env["KAFKA_ADVERTISED_LISTENERS"]
        assert service["ports"][0] == f"127.0.0.1:${{{variable}:?}}:${{{variable}:?}}"
        assert variable in service["healthcheck"]["test"][1]
        assert container_environment(replication_settings(3)).items() <= env.items()
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        assert service["labels"]["org.onex.kind"] == "kafka"
    ids = {name: f"id-{name}" for name in services}
    record = backend._record("kafka", values, "p", tmp_path / "compose.env", tmp_path, ids)
    assert record.url == ",".join(f"127.0.0.1:{port}" for port in ports)
    listed = members.members(record)
    assert [(m.name, m.port, m.container) for m in listed] == [
        (f"broker-{n}", int(port), f"id-{name}")
        for n, (port, name) in enumerate(zip(ports, services, strict=True), start=1)
    ]
    assert record.container == "id-kafka"
    assert record.details["brokers"] == "3"
    # Every broker's proxy slots, as on the process cluster (kinds/kafka/proxy_slots.py).
    third = values["ONEX_KAFKA_SLOT_PAIRS_3"].split(",")[0].split(">")[0]
    assert record.details["node3_proxy0_port"] == third


def test_a_single_kafka_stays_one_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from onex_services import members

    monkeypatch.setenv("ONEX_IMAGE_KAFKA", "example/kafka:test")
    backend = ComposeBackend(Paths.from_env())
    _, values = backend._write_env(tmp_path, ["kafka"])
    assert list(compose_document(["kafka"], values)["services"]) == ["kafka"]
    record = backend._record("kafka", values, "p", tmp_path / "compose.env", tmp_path, {})
    assert members.members(record) == []
    assert "," not in record.url
