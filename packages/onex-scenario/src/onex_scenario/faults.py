"""The vocabulary of fault injection that scenario files use, and the settings it needs.

A `fault` step names a `target` (an external service of the scenario) and an `action`. Service
faults change a whole server (a kill is felt by everyone connected to it), so a scenario that uses
one must run on a stack of its own: `isolation: private`. Network faults (a proxy's toxics, see
docs/faults.md) touch one scenario's connections only and need no private stack.

`limits:` sets resource limits of the scenario's own servers (PostgreSQL `max_connections`, Redis
`maxmemory` and its policy, Kafka client quotas); they too change a whole server, so they also
need `isolation: private`.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

_MODEL = ConfigDict(extra="forbid", frozen=True)

SERVICE_FAULTS: tuple[str, ...] = ("kill", "pause", "resume", "restart")
"""Fault actions that act on a whole server (its process or container)."""
HEAL = "heal"
"""The action that ends earlier faults on a target before their `for:` ran out."""


class IsolationEnum(StrEnum):
    """Whose services a scenario runs on."""

    SHARED = "shared"
    """The run's shared stack, one namespace per scenario (the default)."""
    PRIVATE = "private"
    """A stack of its own (own state dir, own ports), started for it and torn down after it."""


class ModelPostgresLimits(BaseModel):
    model_config = _MODEL

    max_connections: int | None = Field(
        default=None, ge=3, le=10_000, description="The server's max_connections (a restart)."
    )


class ModelRedisLimits(BaseModel):
    model_config = _MODEL

    maxmemory: str | None = Field(
        default=None,
        pattern=r"^[0-9]+(b|kb|mb|gb)?$",
        description="Redis `maxmemory`, e.g. 2mb (CONFIG SET on the private server).",
    )
    maxmemory_policy: str | None = Field(
        default=None,
        pattern=r"^(noeviction|allkeys-lru|allkeys-lfu|allkeys-random|volatile-lru|volatile-lfu|"
        r"volatile-random|volatile-ttl)$",
        description="What Redis does at `maxmemory` (noeviction: writes fail with OOM).",
    )


class ModelKafkaLimits(BaseModel):
    model_config = _MODEL

    producer_byte_rate: int | None = Field(
        default=None, ge=1024, description="Default client quota: bytes/s each producer may send."
    )
    consumer_byte_rate: int | None = Field(
        default=None, ge=1024, description="Default client quota: bytes/s each consumer may fetch."
    )


class ModelLimits(BaseModel):
    """Resource limits of the scenario's own servers, by kind (needs `isolation: private`)."""

    model_config = _MODEL

    postgres: ModelPostgresLimits = Field(default_factory=ModelPostgresLimits)
    redis: ModelRedisLimits = Field(default_factory=ModelRedisLimits)
    kafka: ModelKafkaLimits = Field(default_factory=ModelKafkaLimits)

    def kinds(self) -> list[str]:
        """The kinds with at least one limit set (each section is named by its kind)."""
        return [kind for kind in type(self).model_fields if getattr(self, kind).model_fields_set]
