"""Plain data of the service manager: kinds, endpoints, health results, state records.

Endpoints carry only strings and ints so that the runner can hand them to `onex_registry`, which
does not import this package.
"""

from __future__ import annotations

import time
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ServiceKind(StrEnum):
    """The services the harness knows how to run and probe."""

    KAFKA = "kafka"
    POSTGRES = "postgres"
    REDIS = "redis"


ALL_KINDS: tuple[ServiceKind, ...] = (ServiceKind.KAFKA, ServiceKind.POSTGRES, ServiceKind.REDIS)


class HealthStatus(StrEnum):
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"


class RunState(StrEnum):
    """What `status` sees without a deep probe: is the process (or port) there."""

    RUNNING = "running"
    DOWN = "down"


class ServiceEndpoint(BaseModel):
    """Where a service answers and the one string its client takes.

    `url` is `host:port` bootstrap servers for Kafka, a `postgresql://` DSN for PostgreSQL and a
    `redis://` URL for Redis; the properties below name it for the reader.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ServiceKind
    backend: str
    host: str
    port: int
    url: str

    @property
    def bootstrap_servers(self) -> str:
        self._expect(ServiceKind.KAFKA)
        return self.url

    @property
    def dsn(self) -> str:
        self._expect(ServiceKind.POSTGRES)
        return self.url

    @property
    def redis_url(self) -> str:
        self._expect(ServiceKind.REDIS)
        return self.url

    def _expect(self, kind: ServiceKind) -> None:
        if self.kind is not kind:
            raise AttributeError(f"a {self.kind.value} endpoint has no {kind.value} client string")


class HealthResult(BaseModel):
    """Outcome of one deep probe (with its retries) of one service."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ServiceKind
    endpoint: str
    status: HealthStatus
    latency_ms: float
    attempts: int
    error: str | None = None
    checked_at: float = Field(default_factory=time.time)
    cached: bool = False

    @property
    def healthy(self) -> bool:
        return self.status is HealthStatus.HEALTHY


class ProcessRef(BaseModel):
    """A process as /proc showed it right after we started it (see `procfs`).

    The start time (clock ticks after boot, from /proc/<pid>/stat) tells it from a later process
    that reused the pid; the command line and the executable are checked as well before any
    signal is sent, so a record can only ever name the very process the harness started.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    pid: int
    start_ticks: int
    cmdline: tuple[str, ...]
    exe: str


class ServiceRecord(BaseModel):
    """One running service of a stack, as kept in the state file.

    `details` holds what a backend needs beyond the common fields (the compose project, a
    controller port, a data directory), as plain strings.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ServiceKind
    backend: str
    host: str
    port: int
    url: str
    process: ProcessRef | None = None
    container: str | None = None
    log_path: str | None = None
    started_at: float = Field(default_factory=time.time)
    details: dict[str, str] = Field(default_factory=dict)

    @property
    def endpoint(self) -> ServiceEndpoint:
        return ServiceEndpoint(
            kind=self.kind, backend=self.backend, host=self.host, port=self.port, url=self.url
        )


class ServiceStatus(BaseModel):
    """A row of `onex services status`: the record plus what was seen just now."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ServiceKind
    backend: str
    endpoint: str
    state: RunState
    pid: int | None = None
    container: str | None = None
    uptime_s: float | None = None
    log_path: str | None = None
    health: HealthResult | None = None
