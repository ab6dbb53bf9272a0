"""Fixtures that hand each contract test one implementation: the mock (unit tier) or the real
tool against a service the harness started (integration tier). Both are built by the factories,
as a registry would build them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from onex_registry import (
    EventBus,
    EventBusToolFactory,
    InMemoryBroker,
    InMemoryEventBus,
    KeyValueStore,
    KeyValueStoreToolFactory,
    SqlStore,
    SqlStoreToolFactory,
    building_tools,
)
from onex_scenario import DependencyModeEnum
from onex_services import ServiceEndpoint

MOCK = pytest.param("mock", marks=pytest.mark.unit, id="mock")


def real(kind: str) -> Any:
    return pytest.param(
        "real",
        marks=[pytest.mark.integration, getattr(pytest.mark, f"requires_{kind}")],
        id="real",
    )


def fresh_namespace() -> str:
    return f"onex_ct_{uuid.uuid4().hex[:12]}"


BusMaker = Callable[[], Awaitable[EventBus]]


@pytest.fixture(params=[MOCK, real("kafka")])
async def make_bus(request: pytest.FixtureRequest) -> AsyncIterator[BusMaker]:
    """Makes connected buses that share one namespace (and, for the mock, one broker)."""
    namespace = fresh_namespace()
    broker = InMemoryBroker()
    endpoint: ServiceEndpoint | None = (
        request.getfixturevalue("real_kafka") if request.param == "real" else None
    )
    made: list[EventBus] = []

    async def make() -> EventBus:
        if endpoint is None:
            with building_tools():
                bus: EventBus = InMemoryEventBus(namespace, broker=broker)
        else:
            built = EventBusToolFactory().build(
                DependencyModeEnum.REAL, endpoint=endpoint.bootstrap_servers, namespace=namespace
            )
            assert isinstance(built, EventBus)
            bus = built
        await bus.connect()
        made.append(bus)
        return bus

    yield make
    if made:
        await (await make()).delete_namespace_topics()
    for bus in made:
        await bus.close()
    if endpoint is not None:
        from onex_services.kinds.kafka.janitor import ToolKafkaResourceManager

        manager = ToolKafkaResourceManager(endpoint.bootstrap_servers, namespace)
        try:
            await manager.cleanup()
            assert await manager.verify_clean() == []
        finally:
            await manager.close()


@pytest.fixture
async def bus(make_bus: BusMaker) -> EventBus:
    return await make_bus()


@pytest.fixture(params=[MOCK, real("redis")])
async def kv(request: pytest.FixtureRequest) -> AsyncIterator[KeyValueStore]:
    namespace = fresh_namespace()
    mode = DependencyModeEnum(request.param)
    url = request.getfixturevalue("real_redis").redis_url if request.param == "real" else None
    store = KeyValueStoreToolFactory().build(mode, endpoint=url, namespace=namespace)
    assert isinstance(store, KeyValueStore)
    await store.connect()
    yield store
    for key in await store.scan():
        await store.delete(key)
    assert await store.scan() == []
    await store.close()


@pytest.fixture(params=[MOCK, real("postgres")])
async def sql(request: pytest.FixtureRequest) -> AsyncIterator[SqlStore]:
    schema = fresh_namespace()
    mode = DependencyModeEnum(request.param)
    dsn = request.getfixturevalue("real_postgres").dsn if request.param == "real" else None
    store = SqlStoreToolFactory().build(mode, endpoint=dsn, namespace=schema)
    assert isinstance(store, SqlStore)
    await store.connect()
    yield store
    if request.param == "real":
        await store.execute(f'DROP SCHEMA "{schema}" CASCADE')
    await store.close()


_FIDELITY: dict[str, dict[str, str]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Record each contract case's outcome per implementation for the fidelity table."""
    if "test_contract_" not in report.nodeid or report.when not in {"setup", "call"}:
        return
    if report.when == "setup" and report.passed:
        return
    case, _, impl = report.nodeid.rpartition("[")
    impl = impl.rstrip("]")
    kind = "real" if impl.startswith("real") else "mock"
    rest = impl.removeprefix(kind).lstrip("-")
    name = case.split("::")[-1] + (f"[{rest}]" if rest else "")
    outcome = "xfail" if hasattr(report, "wasxfail") else report.outcome
    _FIDELITY.setdefault(name, {})[kind] = outcome


def pytest_sessionfinish(session: pytest.Session) -> None:
    import json
    import os
    from pathlib import Path

    target = os.environ.get("ONEX_FIDELITY_OUT")
    if target and _FIDELITY:
        path = Path(target)
        merged: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
        for case, outcomes in _FIDELITY.items():
            merged.setdefault(case, {}).update(outcomes)
        path.write_text(json.dumps(merged, indent=2, sort_keys=True))
