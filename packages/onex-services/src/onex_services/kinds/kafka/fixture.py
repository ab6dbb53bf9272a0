"""Kafka's client fixture `kafka_topic` (entry point `onex.kind_fixtures`, see client_fixtures):
a factory of topics in the run's namespace on the real broker."""

from __future__ import annotations

from typing import Any

from onex_services.pytest_fixtures import run_sync


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


def kafka_topic(bootstrap_servers: str, namespace: str) -> KafkaTopics:
    """A factory of topics in the run's namespace on the real broker (see client_fixtures)."""
    return KafkaTopics(bootstrap_servers, namespace)
