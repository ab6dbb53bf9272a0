"""The stack's dependency graph: order, waves, closure, dependants, cycles named, and health as
a chain (a dependant of an unhealthy service is unusable, with the chain in its message)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest
from onex_scenario.dependencies import find_cycle
from onex_services.catalog import kind_graph, parse_kinds
from onex_services.chain import broken_link, check_in_chain, unusable_message
from onex_services.graph import DependencyCycleError, DependencyError, ServiceGraph
from onex_services.models import HealthResult, HealthStatus, ServiceEndpoint

pytestmark = pytest.mark.unit

STACK = {"kafka": (), "postgres": (), "redis": (), "connect": ("kafka",)}


def test_independent_services_start_in_one_wave_and_a_dependant_after() -> None:
    graph = ServiceGraph.build(STACK, {"app": ["connect", "postgres"]})
    assert graph.layers() == [["kafka", "postgres", "redis"], ["connect"], ["app"]]
    assert graph.order() == ["kafka", "postgres", "redis", "connect", "app"]
    assert graph.closure(["app"]) == ["kafka", "postgres", "connect", "app"]
    assert graph.dependants("kafka") == ["connect", "app"]
    assert graph.layers(["redis", "connect"]) == [["connect", "redis"]]


def test_a_cycle_is_refused_with_its_chain_named() -> None:
    with pytest.raises(DependencyCycleError) as caught:
        ServiceGraph.build(STACK, {"kafka": ["app"], "app": ["connect"]})
    assert str(caught.value) == "dependency cycle: app -> connect -> kafka -> app"
    assert find_cycle({"a": ["a"]}) == ["a", "a"]
    assert find_cycle({"a": ["b"], "b": []}) is None


def test_an_edge_to_an_unknown_service_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(DependencyError, match=r"redis depends on 'cache'.*known: connect"):
        ServiceGraph.build(STACK, {"redis": ["cache"]})


def test_the_registered_kinds_form_the_graph_and_connect_brings_kafka() -> None:
    graph = kind_graph()
    assert graph.needs["connect"] == ("kafka",)
    assert parse_kinds("connect") == ["kafka", "connect"]
    assert "connect" not in parse_kinds(None)  # on demand: not in a default stack


def _result(kind: str, error: str | None = None) -> HealthResult:
    status = HealthStatus.UNHEALTHY if error else HealthStatus.HEALTHY
    return HealthResult(
        kind=kind, endpoint="x", status=status, latency_ms=1, attempts=1, error=error
    )


def test_a_dependant_of_an_unhealthy_service_is_unusable_with_the_chain() -> None:
    endpoints = [
        ServiceEndpoint(kind=kind, backend="process", host="127.0.0.1", port=port, url=f"u{port}")
        for kind, port in (("kafka", 1), ("connect", 2), ("app", 3), ("redis", 4))
    ]
    graph = ServiceGraph.build(STACK, {"app": ["connect"]})
    probed: list[tuple[str, dict[str, str]]] = []

    async def check(endpoint: ServiceEndpoint, under: Mapping[str, str]) -> HealthResult:
        probed.append((endpoint.kind, dict(under)))
        error = "probe produce timed out after 5 s" if endpoint.kind == "kafka" else None
        return _result(endpoint.kind, error)

    results = asyncio.run(check_in_chain(endpoints, check, graph))
    assert sorted(kind for kind, _ in probed) == ["kafka", "redis"]  # no probe of dependants
    assert results["redis"].healthy
    assert unusable_message("connect", results["connect"]) == (
        "connect unusable: depends on kafka (unhealthy: probe produce timed out after 5 s)"
    )
    assert unusable_message("app", results["app"]) == (
        "app unusable: depends on connect -> kafka (unhealthy: probe produce timed out after 5 s)"
    )


def test_a_dependant_is_probed_with_the_client_strings_of_what_it_needs() -> None:
    endpoints = [
        ServiceEndpoint(kind="kafka", backend="p", host="h", port=1, url="h:1"),
        ServiceEndpoint(kind="connect", backend="p", host="h", port=2, url="http://h:2"),
    ]
    seen: dict[str, dict[str, str]] = {}

    async def check(endpoint: ServiceEndpoint, under: Mapping[str, str]) -> HealthResult:
        seen[endpoint.kind] = dict(under)
        return _result(endpoint.kind)

    results = asyncio.run(check_in_chain(endpoints, check, ServiceGraph.build(STACK)))
    assert seen == {"kafka": {}, "connect": {"kafka": "h:1"}}
    assert broken_link("connect", results, ServiceGraph.build(STACK)) is None
