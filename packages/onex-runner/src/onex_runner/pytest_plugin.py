"""pytest plugin (entry point `pytest11: onex`): scenario files as test items, and every fixture.

`scenario_*.yaml` files are collected; each item carries the mode plan made for it at collection
(`--force-dependency-mode` and ONEX_FORCE_DEPENDENCY_MODE applied), its effective tier as a marker
(`-m unit` selects what runs on mocks) and `requires_*` markers for the services it runs real.
The run uses the same plan; nothing decides a mode a second time. All items of a session share one
runner, so one lease on the shared service stack; under xdist every worker has its own namespace.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from onex_registry import BaseOnexRegistry, EventBus, KeyValueStore, RegistryResolver, SqlStore
from onex_registry.errors import InvalidDependencyModeError
from onex_registry.factories import discover_factories
from onex_scenario import (
    DependencyModeEnum,
    LoadedScenario,
    ModePlan,
    ScenarioConfigModel,
    ScenarioLoader,
    ScenarioValidationError,
)
from onex_scenario.project_settings import (
    ProjectSettings,
    ProjectSettingsError,
    load_project_settings,
)
from onex_services.catalog import all_kinds, kind_spec, kind_specs
from onex_services.models import ServiceEndpoint

from onex_runner.engine import RunOptions, ScenarioRunner
from onex_runner.history import history_path, recorded_durations
from onex_runner.results import ModelScenarioResult, OutcomeEnum
from onex_runner.sharding import ShardSpecError, path_key, shard_from, take_shard
from onex_runner.snapshots import append_jsonl, compare_golden

# The one plugin a project gets from `pytest11` (no conftest line): scenario items and the
# registry fixtures here, the real-server fixtures and markers (real_kafka, requires_*,
# services_optional) and the fixtures for the project's own clients (kafka_topic, postgres_dsn,
# redis_prefix) from onex-services.
pytest_plugins = ["onex_services.pytest_fixtures", "onex_services.client_fixtures"]

_RUNNER = pytest.StashKey[ScenarioRunner]()
_LOOP = pytest.StashKey[asyncio.AbstractEventLoop]()
_LOADER = pytest.StashKey[ScenarioLoader]()
_RESOLVER = pytest.StashKey[RegistryResolver]()
_SETTINGS = pytest.StashKey[ProjectSettings]()
MARKERS = {
    "unit": "fast tests with mock dependencies only",
    "integration": "tests against real services the harness started or was pointed at",
    "mixed": "scenarios with some real and some mock services",
    "e2e": "end-to-end flows across processes with real services",
    "requires_kafka": "needs a real Kafka broker",
    "requires_postgres": "needs a real PostgreSQL server",
    "requires_redis": "needs a real Redis server",
    "requires_all_services": "needs Kafka, PostgreSQL and Redis",
}


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
    _resolver(config)  # a bad flag or ONEX_FORCE_DEPENDENCY_MODE is a usage error, up front
    if config.getoption("--reuse-services"):
        import os

        os.environ["ONEX_REUSE"] = "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """CI shards: `--onex-shard I/N` (else $ONEX_SHARD) keeps shard I of N, balanced by the
    durations in the run history (onex_runner.sharding, the same split as `onex run --shard`).
    A scenario item is known by its file, other tests by their node id."""
    try:
        shard = shard_from(config.getoption("--onex-shard"))
    except ShardSpecError as exc:
        raise pytest.UsageError(str(exc)) from None
    if shard is None:
        return
    root = Path(str(config.rootpath))

    def key(item: pytest.Item) -> str:
        return path_key(item.path, root) if isinstance(item, ScenarioItem) else item.nodeid

    keep = take_shard(items, key, shard, recorded_durations(history_path()))
    kept = {id(item) for item in keep}
    drop = [item for item in items if id(item) not in kept]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _settings(config: pytest.Config) -> ProjectSettings:
    """[tool.onex] of the project pytest runs in (read once per session)."""
    if _SETTINGS not in config.stash:
        try:
            config.stash[_SETTINGS] = load_project_settings(Path(str(config.rootpath)))
        except ProjectSettingsError as exc:
            raise pytest.UsageError(str(exc)) from None
    return config.stash[_SETTINGS]


def _options(config: pytest.Config) -> RunOptions:
    forced = config.getoption("--force-dependency-mode")
    return RunOptions(
        force_mode=DependencyModeEnum(forced) if forced else None,
        skip_preconditions=bool(config.getoption("--skip-preconditions")),
        # The command line, else ONEX_SERVICES_BACKEND, else [tool.onex] backend.
        backend=config.getoption("--onex-backend") or _settings(config).backend,
    )


def _resolver(config: pytest.Config) -> RegistryResolver:
    """The session's resolver: it reads the flag and ONEX_FORCE_DEPENDENCY_MODE once."""
    if _RESOLVER not in config.stash:
        try:
            config.stash[_RESOLVER] = RegistryResolver(
                force_mode=config.getoption("--force-dependency-mode")
            )
        except InvalidDependencyModeError as exc:
            raise pytest.UsageError(str(exc)) from None
    return config.stash[_RESOLVER]


def _runner(config: pytest.Config) -> tuple[ScenarioRunner, asyncio.AbstractEventLoop]:
    if _RUNNER not in config.stash:
        config.stash[_RUNNER] = ScenarioRunner(_options(config))
        config.stash[_LOOP] = asyncio.new_event_loop()
    return config.stash[_RUNNER], config.stash[_LOOP]


def pytest_unconfigure(config: pytest.Config) -> None:
    if _RUNNER in config.stash:
        loop = config.stash[_LOOP]
        loop.run_until_complete(config.stash[_RUNNER].close())
        loop.close()


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in {".yaml", ".yml"} and file_path.name.startswith("scenario_"):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        config = self.config
        if _LOADER not in config.stash:
            config.stash[_LOADER] = ScenarioLoader(base_dirs=_settings(config).bases)
        try:
            loaded = config.stash[_LOADER].load(self.path)
        except ScenarioValidationError as exc:
            raise self.CollectError(str(exc)) from None
        modes = _resolver(config).plan(loaded.scenario)
        item = ScenarioItem.from_parent(self, name=loaded.scenario.name, loaded=loaded, modes=modes)
        for marker in markers_of(modes):
            item.add_marker(marker)
        yield item


def markers_of(plan: ModePlan) -> list[str]:
    """The effective tier, and `requires_<kind>` for every registered kind the plan runs real."""
    marks = [plan.tier.value]
    real = {s.kind for s in plan.services.values() if s.mode is DependencyModeEnum.REAL}
    marks += [f"requires_{kind}" for kind in sorted(real & set(kind_specs()))]
    if set(all_kinds()) <= real:  # the default stack's kinds (on-demand ones left out)
        marks.append("requires_all_services")
    return marks


class ScenarioFailed(Exception):
    def __init__(self, result: ModelScenarioResult) -> None:
        super().__init__(result.message)
        self.result = result


class ScenarioItem(pytest.Item):
    def __init__(self, *, loaded: LoadedScenario, modes: ModePlan, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loaded = loaded
        self.modes = modes

    def runtest(self) -> None:
        runner, loop = _runner(self.config)
        result = loop.run_until_complete(runner.run(self.loaded, modes=self.modes))
        problem = compare_golden(result, update=bool(self.config.getoption("--update-snapshots")))
        if problem and result.outcome is OutcomeEnum.PASSED:
            result.outcome, result.message = OutcomeEnum.FAILED, problem
        append_jsonl(result, _settings(self.config).reports / "snapshots.jsonl")
        self.user_properties.append(("tools", [t["instantiated_class"] for t in result.tools]))
        if result.outcome is OutcomeEnum.SKIPPED:
            pytest.skip(result.message)
        if result.outcome is not OutcomeEnum.PASSED:
            raise ScenarioFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if not isinstance(excinfo.value, ScenarioFailed):
            return str(super().repr_failure(excinfo))
        result = excinfo.value.result
        lines = [f"scenario {result.name} {result.outcome}: {result.message}"]
        for step in [*result.steps, *result.expectations]:
            mark = "✓" if step.outcome is OutcomeEnum.PASSED else "✗"
            lines.append(f"  {mark} {step.id} ({step.action}) {step.message}")
        lines += [
            f"  tool {t['service']}: {t['mode']} {t['instantiated_class']}" for t in result.tools
        ]
        for service in result.preconditions.services:
            lines.append(f"  service {service.service}: {service.status} {service.error or ''}")
        if result.leftovers:
            lines.append(f"  leftovers: {result.leftovers}")
        if result.log_tail:
            lines.append(result.log_tail)
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario {self.name}"


# The fixture's tools are those of a scenario that declares one service per registered kind a
# tool factory serves (named by its kind) and no mode: mocks by default, real under a force.
def _fixture_kinds() -> list[str]:
    factories = discover_factories()
    return [kind for kind in all_kinds() if kind in factories]


def fixture_scenario(name: str) -> ScenarioConfigModel:
    return ScenarioConfigModel.model_validate(
        {
            "name": name.replace("[", "_").replace("]", "").replace("-", "_")[:60],
            "tier": "unit",
            "external_services": {kind: {"kind": kind} for kind in _fixture_kinds()},
        }
    )


@pytest.fixture
def onex_mode_plan(request: pytest.FixtureRequest) -> ModePlan:
    """The mode plan behind `onex_registry`: mock by default; `--force-dependency-mode` or
    ONEX_FORCE_DEPENDENCY_MODE make it real (its tier then reads "integration (declared unit)")."""
    return _resolver(request.config).plan(fixture_scenario(request.node.name))


@pytest.fixture
async def onex_registry(
    request: pytest.FixtureRequest, onex_mode_plan: ModePlan
) -> AsyncIterator[BaseOnexRegistry]:
    """Kafka, PostgreSQL and Redis tools for a plain test, as `onex_mode_plan` says: real ones come
    from the shared stack, in a namespace of this test."""
    import uuid

    resolver = _resolver(request.config)
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
