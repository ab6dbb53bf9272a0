"""pytest fixtures for a project's own clients (aiokafka, asyncpg, redis-py, ...) on real servers.

Each kind may provide one, under the entry-point group `onex.kind_fixtures` (see
`catalog.client_fixtures`); the harness's kinds provide:

    kafka_topic("orders", partitions=3)  -> "<ns>.orders", created on the real broker
    kafka_topic.group("billing")         -> "<ns>.billing", a consumer group id cleanup removes
    kafka_topic.client_options           -> SASL/TLS keyword arguments for aiokafka clients
    postgres_dsn                         -> a DSN whose search_path is the run's schema <ns>
    redis_prefix.key("cart:1")           -> "<ns>:cart:1"; .prefix, .url

Everything lives in the run's namespace (`onex_namespace`: one per run and xdist worker), so
parallel workers and other runs never meet. The namespace is claimed when first used (a run
that dies is reclaimed by the next start) and cleaned by the kinds' janitors when the session
ends; a leftover after that cleanup is an error of the session, not a silent pass. The servers
come from the shared stack like `real_kafka` does, so a missing service FAILS the test.

The fixtures are synchronous on purpose: they work in sync tests, in pytest-asyncio and anyio
tests alike (`run_sync` runs their admin calls beside a running loop).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint
from typing import TYPE_CHECKING, Any

import pytest

from onex_services.catalog import client_fixtures, fixture_name
from onex_services.namespaces import cleanup_namespace, verify_clean
from onex_services.pytest_fixtures import ServicesHolder, run_sync

if TYPE_CHECKING:
    from onex_services.models import ServiceEndpoint, ServiceKind


class RunNamespace:
    """The run namespace's use by the client fixtures: which servers it is on, and its cleanup."""

    def __init__(self, namespace: str, holder: ServicesHolder) -> None:
        self.namespace = namespace
        self._holder = holder
        self.used: dict[ServiceKind, ServiceEndpoint] = {}

    def use(self, endpoint: ServiceEndpoint) -> ServiceEndpoint:
        """Claim the namespace on `endpoint`'s server before anything is made there."""
        if endpoint.kind not in self.used:
            self.used[endpoint.kind] = endpoint
            self._holder.manager.claims.claim(
                self.namespace, self.used.values(), label="pytest client fixtures"
            )
            from onex_services.mark_keeper import keeper
            from onex_services.server_marks import marks_wanted

            if marks_wanted():  # where machines share servers: a marker kept renewed
                urls = {kind: used.url for kind, used in self.used.items()}
                keeper().hold(self.namespace, urls)
        return endpoint

    def cleanup(self) -> list[str]:
        """Remove the namespace from every server it was used on; return what is still left."""
        if not self.used:
            return []
        targets = {kind: endpoint.url for kind, endpoint in self.used.items()}
        run_sync(cleanup_namespace(self.namespace, targets))
        left = run_sync(verify_clean(self.namespace, targets))
        from onex_services.mark_keeper import keeper

        keeper().let_go(self.namespace)
        if not left:
            self._holder.manager.claims.release(self.namespace)
        return left


@pytest.fixture(scope="session")
def onex_run_namespace(
    onex_namespace: str, onex_services: ServicesHolder
) -> Iterator[RunNamespace]:
    """The run namespace as the client fixtures use it; cleaned when the session ends."""
    run = RunNamespace(onex_namespace, onex_services)
    yield run
    left = run.cleanup()
    if left:
        pytest.fail(f"cleanup of namespace {onex_namespace} left: {', '.join(left)}", False)


def _client_fixture(name: str, entry: EntryPoint) -> Any:
    kind = entry.name

    def client_fixture(request: pytest.FixtureRequest, onex_run_namespace: RunNamespace) -> Any:
        # The kind's real server (a session fixture like this one); its builder is loaded only
        # now, so that a run which uses no client fixture never imports the kind's module.
        endpoint = onex_run_namespace.use(request.getfixturevalue(fixture_name(kind)))
        build: Callable[[str, str], object] = entry.load()
        return build(endpoint.url, onex_run_namespace.namespace)

    client_fixture.__doc__ = f"{name}: {kind}'s client fixture in the run's namespace."
    return pytest.fixture(scope="session", name=name)(client_fixture)


# One session fixture per kind's client fixture (kafka_topic, ...): pytest finds them as
# attributes of this plugin module.
for _name, _entry in client_fixtures().items():
    globals()[_name] = _client_fixture(_name, _entry)
