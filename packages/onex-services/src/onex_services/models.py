"""Plain data of the service manager: kinds, endpoints, health results, state records.

Endpoints carry only strings and ints so that the runner can hand them to `onex_registry`, which
does not import this package. A record is an endpoint plus how it runs: one model, not twins.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from onex_scenario.redaction import SecretUrl
from onex_scenario.vocabulary import KindName, UnknownKindError, vocabularies, vocabulary
from pydantic import BaseModel, ConfigDict, Field

ServiceKind = KindName
"""A registered kind's name (`onex_services.catalog.kind_specs`); plain text, not an enum, so a
user's package can add a kind through the `onex.service_kinds` entry points."""


class HealthStatus(StrEnum):
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"


class RunState(StrEnum):
    """What `status` sees without a deep probe: is the process (or port) there."""

    RUNNING = "running"
    DOWN = "down"


class ServiceEndpoint(BaseModel):
    """Where a service answers and the one string its client takes (`url`).

    `url` is whatever the kind's client takes (bootstrap servers, a DSN, a URL); the kind's
    vocabulary may give it a reader's name too (`client_attribute`, e.g. `.dsn`), which works
    on an endpoint of that kind only.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ServiceKind
    backend: str
    host: str
    port: int
    url: str

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # pytest prints a failing test's fixtures (`real_postgres = ServiceEndpoint(...)`).
        for name, value in super().__repr_args__():
            yield name, SecretUrl(value) if name == "url" else value

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_"):
            try:
                words = vocabulary(self.__dict__["kind"])
            except (KeyError, UnknownKindError):
                words = None
            if words is not None and name == words.client_attribute:
                return self.__dict__["url"]
            if any(w.client_attribute == name for w in vocabularies().values()):
                raise AttributeError(f"a {self.__dict__.get('kind')} endpoint has no {name}")
        return super().__getattr__(name)  # type: ignore[misc]


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


class ServiceRecord(ServiceEndpoint):
    """One running service of a stack, as kept in the state file: its endpoint plus how it runs.

    `details` holds what a backend needs beyond the common fields (the compose project, a
    controller port, a data directory), as plain strings.
    """

    process: ProcessRef | None = None
    container: str | None = None
    log_path: str | None = None
    started_at: float = Field(default_factory=time.time)
    details: dict[str, str] = Field(default_factory=dict)

    @property
    def endpoint(self) -> ServiceEndpoint:
        """The endpoint alone (what a lease hands out; no process or container details)."""
        return ServiceEndpoint.model_validate(
            self.model_dump(include=set(ServiceEndpoint.model_fields))
        )


class MemberStatus(BaseModel):
    """One process of a many-process server (a cluster's broker) in a status row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    port: int
    pid: int | None = None
    container: str | None = None
    state: RunState


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
    depends_on: tuple[ServiceKind, ...] = ()
    members: tuple[MemberStatus, ...] = ()
    """The processes of a server that runs as several (a cluster's brokers), each as seen now."""
    blocked_by: str | None = None
    """Why a service that runs is down all the same: the chain to a dependency that is down or
    unhealthy (`depends on kafka (down)`); None when nothing under it is broken."""
