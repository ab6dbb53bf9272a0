"""pytest plugin (entry point `pytest11: onex`): scenario files as test items, and every fixture.

`scenario_*.yaml` files are collected as items (see `scenario_items`): each carries the mode plan
made for it at collection, its effective tier as a marker (`-m unit` selects what runs on mocks)
and `requires_*` markers for the services it runs real. All items of a session share one runner,
so one lease on the shared service stack; under xdist every worker has its own namespace.

Light on purpose: every pytest run in a project that installs the harness loads this module,
including runs that never touch a scenario or a service. At import it takes pytest and the
standard library only; the scenario models, the registry and the service clients are imported by
the hook or fixture that needs them (a scenario file met in collection, a harness fixture set up,
a forced mode or a shard asked for), mostly through `pytest_session`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from onex_scenario.switches import FORCE_ENV

if TYPE_CHECKING:
    import asyncio

    from onex_registry import BaseOnexRegistry, EventBus, KeyValueStore, RegistryResolver, SqlStore
    from onex_scenario import ModePlan, ScenarioLoader
    from onex_scenario.project_settings import ProjectSettings
    from onex_services.models import ServiceEndpoint

    from onex_runner.engine import ScenarioRunner

# Annotated rather than subscripted, so that the types stay names for the type checker only.
RUNNER: pytest.StashKey[ScenarioRunner] = pytest.StashKey()
LOOP: pytest.StashKey[asyncio.AbstractEventLoop] = pytest.StashKey()
LOADER: pytest.StashKey[ScenarioLoader] = pytest.StashKey()
RESOLVER: pytest.StashKey[RegistryResolver] = pytest.StashKey()
SETTINGS: pytest.StashKey[ProjectSettings] = pytest.StashKey()

# The one plugin a project gets from `pytest11` (no conftest line): scenario items and the
# registry fixtures here, the real-server fixtures and markers (real_kafka, requires_*,
# services_optional) and the fixtures for the project's own clients (kafka_topic, postgres_dsn,
# redis_prefix) from onex-services. Both are light at import too.
pytest_plugins = ["onex_services.pytest_fixtures", "onex_services.client_fixtures"]

MARKERS = {
    "unit": "fast tests with mock dependencies only",
    "integration": "tests against real services the harness started or was pointed at",
    "mixed": "scenarios with some real and some mock services",
    "e2e": "end-to-end flows across processes with real services",
}
"""The tier markers; `requires_<kind>` (one per registered kind) and `requires_all_services`
come from onex_services.pytest_fixtures."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("onex", "ONEX Scenario Harness")
    group.addoption(
        "--force-dependency-mode",
        choices=["real", "mock"],
        default=None,
        help="run every dependency in this mode",
    )
    group.addoption(
        "--skip-preconditions",
        action="store_true",
        help="do not health-check services (results are marked)",
    )
    group.addoption(
        "--onex-backend",
        choices=["auto", "process", "compose", "external"],
        default=None,
        help="service backend for real dependencies",
    )
    group.addoption(
        "--reuse-services",
        action="store_true",
        help="keep the service stack running after the session (ONEX_REUSE=1)",
    )
    group.addoption(
        "--onex-shard",
        metavar="I/N",
        default=None,
        help="run only shard I of N, balanced by the run history (default $ONEX_SHARD)",
    )
    group.addoption(
        "--update-snapshots",
        action="store_true",
        help="write golden scenario snapshots instead of comparing them",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    if config.getoption("--force-dependency-mode") or os.environ.get(FORCE_ENV):
        from onex_runner.pytest_session import resolver

        resolver(config)  # a bad flag or ONEX_FORCE_DEPENDENCY_MODE is a usage error, up front
    if config.getoption("--reuse-services"):
        os.environ["ONEX_REUSE"] = "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """CI shards: `--onex-shard I/N` (else $ONEX_SHARD) keeps shard I of N, balanced by the
    durations in the run history (onex_runner.sharding, the same split as `onex run --shard`).
    A scenario item is known by its file, other tests by their node id."""
    from onex_runner.sharding import ShardSpecError, path_key, shard_from, take_shard

    try:
        shard = shard_from(config.getoption("--onex-shard"))
    except ShardSpecError as exc:
        raise pytest.UsageError(str(exc)) from None
    if shard is None:
        return
    from onex_runner.history import history_path, recorded_durations
    from onex_runner.scenario_items import ScenarioItem

    root = Path(str(config.rootpath))

    def key(item: pytest.Item) -> str:
        return path_key(item.path, root) if isinstance(item, ScenarioItem) else item.nodeid

    keep = take_shard(items, key, shard, recorded_durations(history_path()))
    kept = {id(item) for item in keep}
    drop = [item for item in items if id(item) not in kept]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_unconfigure(config: pytest.Config) -> None:
    if RUNNER in config.stash:
        loop = config.stash[LOOP]
        loop.run_until_complete(config.stash[RUNNER].close())
        loop.close()


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in {".yaml", ".yml"} and file_path.name.startswith("scenario_"):
        from onex_runner.scenario_items import ScenarioFile

        return ScenarioFile.from_parent(parent, path=file_path)
    return None


@pytest.fixture
def onex_mode_plan(request: pytest.FixtureRequest) -> ModePlan:
    """The mode plan behind `onex_registry`: mock by default; `--force-dependency-mode` or
    ONEX_FORCE_DEPENDENCY_MODE make it real (its tier then reads "integration (declared unit)")."""
    from onex_runner.pytest_session import fixture_scenario, resolver

    return resolver(request.config).plan(fixture_scenario(request.node.name))


@pytest.fixture
async def onex_registry(
    request: pytest.FixtureRequest, onex_mode_plan: ModePlan
) -> AsyncIterator[BaseOnexRegistry]:
    """Kafka, PostgreSQL and Redis tools for a plain test, as `onex_mode_plan` says: real ones come
    from the shared stack, in a namespace of this test."""
    import uuid

    from onex_services.catalog import kind_spec

    from onex_runner.pytest_session import fixture_scenario
    from onex_runner.pytest_session import resolver as session_resolver

    resolver = session_resolver(request.config)
    scenario = fixture_scenario(request.node.name)
    endpoints: dict[str, str] = {}
    real: dict[str, ServiceEndpoint] = {}
    for service in resolver.real_tool_services(onex_mode_plan):
        fixture = kind_spec(onex_mode_plan.services[service].kind).fixture_name
        real[service] = request.getfixturevalue(fixture)
        endpoints[service] = real[service].url
    namespace = f"onex_fx_{uuid.uuid4().hex[:10]}"
    if endpoints:
        # Reclaimed by the next start if this test's process dies before its cleanup.
        claims = request.getfixturevalue("onex_services").manager.claims
        claims.claim(namespace, real.values())
    registry = resolver.build(
        resolver.resolve(scenario, plan=onex_mode_plan, namespace=namespace, endpoints=endpoints)
    )
    await registry.connect_all()
    try:
        yield registry
    finally:
        await registry.event_bus.delete_namespace_topics()
        await registry.close_all()
        if endpoints:
            from onex_services.namespaces import cleanup_namespace

            await cleanup_namespace(namespace, endpoints)
            claims.release(namespace)


@pytest.fixture
def event_bus(onex_registry: BaseOnexRegistry) -> EventBus:
    return onex_registry.event_bus


@pytest.fixture
def kv_store(onex_registry: BaseOnexRegistry) -> KeyValueStore:
    return onex_registry.kv_store


@pytest.fixture
def sql_store(onex_registry: BaseOnexRegistry) -> SqlStore:
    return onex_registry.sql_store
