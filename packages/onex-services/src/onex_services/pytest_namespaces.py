"""Fixtures of a clean namespace per test (part of the services' pytest plugin).

    onex_test_namespace   function scope: a `ScopedNamespace` of its own for every test (a Kafka
                          topic prefix, a PostgreSQL schema and a DSN whose search_path is it, a
                          Redis key prefix), empty before the test and dropped after it

Behind it, a `NamespacePool` per process (each xdist worker has its own) keeps the admin
connections open for the session (see `namespace_pool`).

The namespace covers every registered kind that has a `namespace_admin` (Kafka, PostgreSQL and
Redis), or, when the test has `requires_<kind>` markers, those kinds only. See docs/services.md,
"A clean namespace per test". A test marked `@pytest.mark.onex_state("name")` starts from that
seeded state instead (`pytest_states`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from onex_services import pytest_states
from onex_services.catalog import kind_specs

if TYPE_CHECKING:
    from onex_services.models import ServiceKind
    from onex_services.namespace_pool import NamespacePool, ScopedNamespace

FIXTURE = "onex_test_namespace"


def default_kinds() -> tuple[ServiceKind, ...]:
    """The kinds a test namespace covers when no marker narrows it."""
    return tuple(kind for kind, spec in kind_specs().items() if spec.namespace_admin is not None)


def kinds_for(item: pytest.Item) -> tuple[ServiceKind, ...]:
    """The kinds of `item`'s namespace: those its `requires_*` markers name, else the default."""
    marked = [kind for kind, spec in kind_specs().items() if item.get_closest_marker(spec.marker)]
    everything = item.get_closest_marker("requires_all_services") is not None
    return tuple(kind_specs()) if everything else tuple(marked) or default_kinds()


if TYPE_CHECKING:
    from onex_services.pytest_states import Seeds

    Pools = dict[tuple[ServiceKind, ...], NamespacePool]


@pytest.fixture(scope="session")
def _onex_namespace_pools() -> Iterator[Pools]:
    """This process's namespace pools (one per set of kinds), closed when the session ends,
    before the services' lease is released."""
    pools: Pools = {}
    try:
        yield pools
    finally:
        while pools:
            pools.popitem()[1].close()


@pytest.fixture(scope="session")
def _onex_namespace_seeds(_onex_namespace_pools: Pools) -> Iterator[Seeds]:
    """The seeders of the pools (see `pytest_states`), closed on their pool's loop before the
    pools close."""
    seeds: Seeds = {}
    try:
        yield seeds
    finally:
        while seeds:
            kinds, kept = seeds.popitem()
            _onex_namespace_pools[kinds].run(kept.close())


@pytest.fixture
def onex_test_namespace(
    request: pytest.FixtureRequest, _onex_namespace_pools: Pools, _onex_namespace_seeds: Seeds
) -> Iterator[ScopedNamespace]:
    """A namespace of this test's own on the real services, dropped after the test: empty at
    the start, or holding the seeded state of the test's `onex_state` marker."""
    from onex_services.namespace_pool import NamespacePool
    from onex_services.pytest_fixtures import _endpoint, _holder

    chosen = pytest_states.chosen_state(request)
    kinds = kinds_for(request.node)
    pool = _onex_namespace_pools.get(kinds)
    if pool is None:
        endpoints = {kind: _endpoint(request, kind) for kind in kinds}
        claims = _holder(request.config).manager.claims
        pool = _onex_namespace_pools[kinds] = NamespacePool(endpoints, claims=claims)
    namespace = pool.open()
    try:
        if chosen is not None:
            pytest_states.seed(request, chosen, pool, _onex_namespace_seeds, kinds, namespace)
        yield namespace
    finally:
        pool.drop(namespace)
