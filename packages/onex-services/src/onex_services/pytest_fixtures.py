"""pytest plugin: a real server of every registered kind for tests, from the shared stack.

Fixtures (session-scoped):
    real_<kind>     a `ServiceEndpoint` per registered kind (`KindSpec.fixture_name`), e.g.
                    real_kafka (.bootstrap_servers), real_postgres (.dsn), real_redis (.redis_url)
    onex_services   the `ServicesHolder` of this process (`.endpoint(kind)`, `.manager`)
    onex_namespace  a namespace for this run and xdist worker (see `namespaces`)

Function-scoped: onex_test_namespace, a clean namespace per test (see `pytest_namespaces`).

Markers: `requires_<kind>` per registered kind, and `requires_all_services`.

The first fixture used in a process acquires a lease on the shared stack for every service the
collected tests ask for (by fixture or by `requires_*` marker), so a cold start brings them up in
parallel once; every pytest-xdist worker attaches to the same stack. The lease is released when
the session ends; the last one out stops the stack unless it is kept (`ONEX_REUSE=1`, or a stack
started beforehand with `onex services start`).

A fixture FAILS the test when its service cannot be had; that is the point of a real test. A test
marked `@pytest.mark.services_optional` is skipped instead.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from onex_services import pytest_namespaces, pytest_states
from onex_services.catalog import (
    all_kinds,
    client_fixtures,
    fixture_name,
    kind_names,
    marker_name,
)
from onex_services.errors import ServiceError
from onex_services.namespaces import namespace_for

if TYPE_CHECKING:
    from onex_services.leases import Lease
    from onex_services.manager import ToolServiceManager
    from onex_services.models import ServiceEndpoint, ServiceKind

# Light on purpose, like the runner's plugin: a kind is known here by its entry-point name, and
# the manager, the models and the kinds' modules are imported when a fixture is first set up.
T = TypeVar("T")
FIXTURE_KINDS = {fixture_name(kind): kind for kind in kind_names()} | {
    name: entry.name for name, entry in client_fixtures().items()
}
"""A fixture's name → the kind it needs: `real_<kind>`, and each kind's client fixture (which
asks for its server at setup, so it is not in the test's fixture closure by itself)."""
ALL_SERVICES_MARKER = "requires_all_services"
MARKER_KINDS: dict[str, tuple[ServiceKind, ...]] = {
    marker_name(kind): (kind,) for kind in kind_names()
}
"""`requires_<kind>` → its kind; `requires_all_services` means the default stack's kinds
(`catalog.all_kinds`, which loads the specs: looked up only for a test that has the marker)."""
OPTIONAL_MARKER = "services_optional"
_HOLDER: pytest.StashKey[ServicesHolder] = pytest.StashKey()


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, also when the calling thread runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        loop_running = False
    else:
        loop_running = True
    if not loop_running:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class ServicesHolder:
    """This process's lease on the shared stack, taken on first use and kept for the session.

    A failure is kept as well, so that a stack that cannot start is tried once, not once per test.
    """

    def __init__(self, manager: ToolServiceManager | None = None) -> None:
        self._manager = manager
        self.wanted: set[ServiceKind] = set()
        self.leases: list[Lease] = []
        self.endpoints: dict[ServiceKind, ServiceEndpoint] = {}
        self.failures: dict[ServiceKind, ServiceError] = {}

    @property
    def manager(self) -> ToolServiceManager:
        """The service manager, made on first use (reading the settings of the environment)."""
        if self._manager is None:
            from onex_services.manager import ToolServiceManager

            self._manager = ToolServiceManager()
        return self._manager

    def endpoint(self, kind: ServiceKind) -> ServiceEndpoint:
        """The endpoint of `kind`, acquiring the stack first if needed; raises `ServiceError`."""
        if kind in self.endpoints:
            return self.endpoints[kind]
        if kind in self.failures:
            raise self.failures[kind]
        kinds = sorted(self.wanted - set(self.endpoints) - set(self.failures) | {kind})
        try:
            lease = run_sync(self.manager.acquire(kinds, label="pytest"))
        except ServiceError as exc:
            if kinds == [kind]:
                self.failures[kind] = exc
                raise
            # One kind the session wants may be out of reach (one the backend cannot serve, say)
            # while this one is not: ask for this one alone; the others get their own try.
            try:
                lease = run_sync(self.manager.acquire([kind], label="pytest"))
            except ServiceError as alone:
                self.failures[kind] = alone
                raise
        self.leases.append(lease)
        self.endpoints.update(lease.endpoints)
        return self.endpoints[kind]

    def release(self) -> None:
        leases, self.leases = self.leases, []
        for lease in leases:
            run_sync(self.manager.release(lease))


def _holder(config: pytest.Config) -> ServicesHolder:
    return config.stash[_HOLDER]


def _kinds_of(item: pytest.Item) -> set[ServiceKind]:
    kinds = {
        FIXTURE_KINDS[name] for name in getattr(item, "fixturenames", ()) if name in FIXTURE_KINDS
    }
    for marker, marked in MARKER_KINDS.items():
        if item.get_closest_marker(marker) is not None:
            kinds.update(marked)
    if item.get_closest_marker(ALL_SERVICES_MARKER) is not None:
        kinds.update(all_kinds())
    if pytest_namespaces.FIXTURE in getattr(item, "fixturenames", ()):
        kinds.update(pytest_namespaces.kinds_for(item))
    return kinds


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        pytest_states.INI,
        "states file of @pytest.mark.onex_state (relative to this configuration file)",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", pytest_states.MARKER_HELP)
    config.addinivalue_line(
        "markers",
        f"{OPTIONAL_MARKER}: skip, instead of fail, when a real service the test uses is missing",
    )
    for kind in kind_names():
        config.addinivalue_line("markers", f"{marker_name(kind)}: needs a real {kind} server")
    config.addinivalue_line("markers", f"{ALL_SERVICES_MARKER}: needs every default stack kind")
    config.stash[_HOLDER] = ServicesHolder()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    # Each test carries the marker of every kind it needs, by fixture too, before `-m` selects:
    # `-m "not requires_connect"` leaves out what a backend cannot serve (the compose tier).
    for item in items:
        for kind in sorted(_kinds_of(item)):
            if item.get_closest_marker(marker_name(kind)) is None:
                item.add_marker(marker_name(kind))


def pytest_collection_finish(session: pytest.Session) -> None:
    # What the selected tests need: one acquisition at the first fixture brings it all up.
    wanted = _holder(session.config).wanted
    for item in session.items:
        wanted.update(_kinds_of(item))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker(OPTIONAL_MARKER) is None:
        return
    holder = _holder(item.config)
    for kind in sorted(_kinds_of(item)):
        try:
            holder.endpoint(kind)
        except ServiceError as exc:
            reason = f"{kind} is not available: {exc.summary}"
        else:
            continue
        pytest.skip(reason)


def pytest_sessionfinish(session: pytest.Session) -> None:
    holder = session.config.stash.get(_HOLDER, None)
    if holder is not None:
        holder.release()


def _endpoint(request: pytest.FixtureRequest, kind: ServiceKind) -> ServiceEndpoint:
    try:
        return _holder(request.config).endpoint(kind)
    except ServiceError as exc:
        error = exc
    pytest.fail(f"real {kind} is required but cannot be had:\n{error}", pytrace=False)


def _real_fixture(kind: ServiceKind) -> Any:
    def real_server(request: pytest.FixtureRequest) -> ServiceEndpoint:
        return _endpoint(request, kind)

    real_server.__doc__ = f"A real {kind} server, from the shared stack or the environment."
    return pytest.fixture(scope="session", name=fixture_name(kind))(real_server)


# One session fixture per registered kind (real_kafka, ...); pytest finds them as attributes of
# this plugin module.
for _kind in kind_names():
    globals()[fixture_name(_kind)] = _real_fixture(_kind)


@pytest.fixture(scope="session")
def onex_services(request: pytest.FixtureRequest) -> ServicesHolder:
    """This process's holder of leases: `.endpoint(kind)`, `.manager` (status, health)."""
    return _holder(request.config)


@pytest.fixture(scope="session")
def onex_namespace() -> str:
    """A namespace unique to this test run and xdist worker, valid for topics, schemas, keys."""
    return namespace_for()


# The per-test namespace's fixtures are found as attributes of this plugin module too.
_onex_namespace_pools = pytest_namespaces._onex_namespace_pools
_onex_namespace_seeds = pytest_namespaces._onex_namespace_seeds
onex_test_namespace = pytest_namespaces.onex_test_namespace
