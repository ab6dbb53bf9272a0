"""The app under test: the team's own program, started as a process for the scenario.

```yaml
app:
  command: [python, -m, orders_service]     # or one string, split like a shell would
  env:
    KAFKA_BOOTSTRAP_SERVERS: ${services.kafka.bootstrap_servers}
    DATABASE_URL: ${services.postgres.dsn}       # its search_path is the run's schema
    REDIS_URL: ${services.redis.url}
    KEY_PREFIX: ${services.redis.prefix}
    TOPIC_PREFIX: ${namespace}.
    PORT: ${app.port}
  ready: {http: /healthz, timeout: 20s}      # or {tcp: true}, or {log: "listening on"}
```

The runner starts it after the scenario's resources exist, waits until it is ready, hands its
base URL to `http` steps and stops it (SIGTERM to its process group, SIGKILL after
`stop_timeout`) before the namespace is cleaned. Its output goes to a log file that is kept,
and its tail shown, when the scenario does not pass.
"""

from __future__ import annotations

import shlex
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from onex_scenario.durations import Duration

_MODEL = ConfigDict(extra="forbid", frozen=True)


def _argv(value: object) -> object:
    """A command string is split like a shell would split it (no shell runs it)."""
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError as exc:
            raise PydanticCustomError(
                "command", "cannot split the command: {error}", {"error": str(exc)}
            ) from None
    return value


Command = Annotated[tuple[str, ...], BeforeValidator(_argv), Field(min_length=1)]


class ModelAppReadiness(BaseModel):
    """When the app counts as ready: exactly one of `http`, `tcp` or `log`."""

    model_config = _MODEL

    http: str | None = Field(
        default=None,
        pattern=r"^/",
        description="A path on the app's base URL that must answer with `status`.",
    )
    status: int = Field(default=200, ge=100, le=599, description="The status `http` expects.")
    tcp: bool | int | None = Field(
        default=None,
        description="true: the app's port accepts a connection; a number: that port does.",
    )
    log: str | None = Field(
        default=None,
        description="A Python regular expression a line of the app's output must match.",
        json_schema_extra={"format": "regex"},
    )
    timeout: Duration = Field(default=30.0, description="Deadline from the start to ready.")
    interval: Duration = Field(default=0.02, description="Pause between two probes.")

    @model_validator(mode="after")
    def _one_probe(self) -> ModelAppReadiness:
        given = [
            name for name in ("http", "tcp", "log") if getattr(self, name) not in (None, False)
        ]
        if len(given) != 1:
            raise PydanticCustomError(
                "app_ready",
                "expected exactly one of http, tcp, log (got {given})",
                {"given": ", ".join(given) or "none"},
            )
        port = self.tcp
        if isinstance(port, int) and not isinstance(port, bool) and not 1 <= port <= 65535:
            raise PydanticCustomError("app_ready", "tcp: a port is 1 to 65535")
        return self


class ModelAppSpec(BaseModel):
    """The program to start, its environment, and how to tell that it is ready."""

    model_config = _MODEL

    name: str = Field(default="app", pattern=r"^[A-Za-z0-9_.-]{1,40}$", description="For logs.")
    command: Command = Field(description="The program and its arguments (placeholders allowed).")
    cwd: str | None = Field(
        default=None, description="Working folder, relative to the project root (the default)."
    )
    env: dict[str, str] = Field(
        default_factory=dict,
        description="Variables for the app; values may use ${services.<name>.<field>}, "
        "${namespace} and ${app.port|host|base_url}.",
    )
    inherit_env: bool = Field(
        default=True, description="Start from the harness's environment (else from env alone)."
    )
    port: int | None = Field(
        default=None, ge=1, le=65535, description="A fixed port; by default a free one."
    )
    host: str = "127.0.0.1"
    depends_on: tuple[str, ...] = Field(
        default=(),
        description="Services of the scenario the app needs besides those its command, cwd and "
        "env name (those it depends on anyway); it is a node of the service graph under them.",
    )
    ready: ModelAppReadiness | None = Field(
        default=None, description="Readiness probe; without one the app counts as ready at once."
    )
    stop_timeout: Duration = Field(
        default=10.0, description="Grace after SIGTERM before the app's process group is killed."
    )
    log_lines: int = Field(
        default=30, ge=0, le=1000, description="Lines of the log shown when the scenario fails."
    )
