"""pytest fixtures for a project's own clients (aiokafka, asyncpg, redis-py, ...) on real servers.

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

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from onex_services.namespaces import cleanup_namespace, verify_clean
from onex_services.pytest_fixtures import ServicesHolder, run_sync

if TYPE_CHECKING:
    from onex_services.kinds.redis import RedisPrefixManager
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


class KafkaTopics:
    """`kafka_topic(name, partitions=1)`: the namespaced topic, created once per run."""

    def __init__(self, bootstrap_servers: str, namespace: str) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.namespace = namespace
        self._created: dict[str, int] = {}

    @property
    def client_options(self) -> dict[str, Any]:
        """The SASL and TLS keyword arguments of a project's own aiokafka clients for this
        broker, as the environment sets them (docs/scale.md):
        `AIOKafkaProducer(bootstrap_servers=..., **kafka_topic.client_options)`."""
        from onex_services.kinds.kafka.security import client_options

        return client_options(self.bootstrap_servers)

    def group(self, name: str) -> str:
        """A consumer group id in the namespace (the session's cleanup deletes it)."""
        from onex_services.kinds.kafka.janitor import ToolKafkaResourceManager

        return ToolKafkaResourceManager(self.bootstrap_servers, self.namespace).group(name)

    def __call__(
        self,
        name: str,
        partitions: int = 1,
        *,
        replication_factor: int | None = None,
        config: dict[str, str] | None = None,
    ) -> str:
        """Create `<ns>.<name>` (unless this run made it already) and return its full name."""
        from onex_services.kinds.kafka.janitor import ToolKafkaResourceManager, TopicSpec

        admin = ToolKafkaResourceManager(self.bootstrap_servers, self.namespace)
        full = admin.topic(name)
        made = self._created.get(full)
        if made is not None:
            if made != partitions:
                raise ValueError(
                    f"topic {full} was created with {made} partitions in this run; "
                    f"asked for {partitions} now (use another name)"
                )
            return full

        async def create() -> None:
            try:
                spec = TopicSpec(name, partitions, replication_factor, dict(config or {}))
                await admin.create_topics([spec])
            finally:
                await admin.close()

        run_sync(create())
        self._created[full] = partitions
        return full


@pytest.fixture(scope="session")
def kafka_topic(real_kafka: ServiceEndpoint, onex_run_namespace: RunNamespace) -> KafkaTopics:
    """A factory of topics in the run's namespace on the real broker (see the module doc)."""
    endpoint = onex_run_namespace.use(real_kafka)
    return KafkaTopics(endpoint.url, onex_run_namespace.namespace)


@pytest.fixture(scope="session")
def postgres_dsn(real_postgres: ServiceEndpoint, onex_run_namespace: RunNamespace) -> str:
    """A DSN of the real PostgreSQL whose search_path is the run's schema (created, and dropped
    with everything in it when the session ends)."""
    endpoint = onex_run_namespace.use(real_postgres)
    from onex_services.kinds.postgres import PostgresSchemaManager

    schema = PostgresSchemaManager(endpoint.url, onex_run_namespace.namespace)

    async def create() -> None:
        try:
            await schema.create()
        finally:
            await schema.close()

    run_sync(create())
    from onex_services.kinds.postgres_schemas import scoped_dsn

    return scoped_dsn(endpoint.url, onex_run_namespace.namespace)


@dataclass(frozen=True)
class RedisPrefix:
    """The run's key prefix on the real Redis: `key(name)` is `<ns>:<name>`."""

    url: str
    namespace: str

    @property
    def prefix(self) -> str:
        return self._keys().prefix

    def key(self, name: str) -> str:
        return self._keys().key(name)

    def _keys(self) -> RedisPrefixManager:
        from onex_services.kinds.redis import RedisPrefixManager

        return RedisPrefixManager(self.url, self.namespace)

    def __str__(self) -> str:
        return self.prefix


@pytest.fixture(scope="session")
def redis_prefix(real_redis: ServiceEndpoint, onex_run_namespace: RunNamespace) -> RedisPrefix:
    """The run's Redis key prefix and the server's URL; its keys are deleted at session end."""
    endpoint = onex_run_namespace.use(real_redis)
    return RedisPrefix(url=endpoint.url, namespace=onex_run_namespace.namespace)
