"""The one place where `ONEX_KAFKA_*`, `ONEX_DB_*`, `ONEX_REDIS_*` and `ONEX_API_*` are read.

Precedence, highest first (each layer only replaces the fields it sets):

1. overrides given by the caller (the CLI of the runner),
2. `ONEX_*` environment variables (`ENV_OVERRIDES`),
3. the scenario file,
4. its bases, nearest first,
5. the model defaults.

An override applies to every service of its kind (`ONEX_DB_*` → postgres, `ONEX_API_*` → http).
Empty variables count as unset. onex-services reads the same endpoint variables
(`ONEX_KAFKA_BOOTSTRAP_SERVERS`, `ONEX_DB_URL`, `ONEX_REDIS_URL`) to attach to running services;
`connection_overrides_from_env` gives it the parsed, validated values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from onex_scenario.checks import connection_problems
from onex_scenario.durations import Duration, parse_duration
from onex_scenario.errors import EnvOverrideError, ValidationIssue
from onex_scenario.issues import error_message
from onex_scenario.models import (
    ModelConnectionConfig,
    ModelExternalServiceConfig,
    ScenarioConfigModel,
    ServiceKindEnum,
)

ENVIRONMENT = "<environment>"
HEALTH_CHECK_TIMEOUT = "health_check_timeout"

_PREFIXES: dict[ServiceKindEnum, str] = {
    ServiceKindEnum.KAFKA: "ONEX_KAFKA_",
    ServiceKindEnum.POSTGRES: "ONEX_DB_",
    ServiceKindEnum.REDIS: "ONEX_REDIS_",
    ServiceKindEnum.HTTP: "ONEX_API_",
}
_FIELDS: dict[ServiceKindEnum, dict[str, str]] = {
    ServiceKindEnum.KAFKA: {
        "BOOTSTRAP_SERVERS": "bootstrap_servers",
        "SECURITY_PROTOCOL": "security_protocol",
        "SASL_MECHANISM": "sasl_mechanism",
        "SASL_USERNAME": "sasl_username",
        "SASL_PASSWORD": "sasl_password",
        "CLIENT_ID": "client_id",
    },
    ServiceKindEnum.POSTGRES: {
        "URL": "url",
        "HOST": "host",
        "PORT": "port",
        "USER": "user",
        "PASSWORD": "password",
        "NAME": "database",
    },
    ServiceKindEnum.REDIS: {
        "URL": "url",
        "HOST": "host",
        "PORT": "port",
        "DB": "db",
        "PASSWORD": "password",
    },
    ServiceKindEnum.HTTP: {"URL": "url", "TOKEN": "token"},
}

ENV_OVERRIDES: dict[str, tuple[ServiceKindEnum, str]] = {
    **{
        _PREFIXES[kind] + suffix: (kind, field)
        for kind, fields in _FIELDS.items()
        for suffix, field in fields.items()
    },
    **{
        prefix + "HEALTH_CHECK_TIMEOUT": (kind, HEALTH_CHECK_TIMEOUT)
        for kind, prefix in _PREFIXES.items()
    },
}
"""Every variable read here → (service kind, connection field or `health_check_timeout`)."""

_MODEL = ConfigDict(extra="forbid", frozen=True)


class ModelServiceOverride(BaseModel):
    """What one layer overrides for all services of one kind (unset fields are None)."""

    model_config = _MODEL

    connection: ModelConnectionConfig = Field(default_factory=ModelConnectionConfig)
    health_check_timeout: Duration | None = None

    @property
    def is_empty(self) -> bool:
        return self.health_check_timeout is None and not _set_fields(self.connection)


class ConnectionOverrides(BaseModel):
    """Overrides per service kind; `ConnectionOverrides()` overrides nothing."""

    model_config = _MODEL

    kafka: ModelServiceOverride = Field(default_factory=ModelServiceOverride)
    postgres: ModelServiceOverride = Field(default_factory=ModelServiceOverride)
    redis: ModelServiceOverride = Field(default_factory=ModelServiceOverride)
    http: ModelServiceOverride = Field(default_factory=ModelServiceOverride)
    tcp: ModelServiceOverride = Field(default_factory=ModelServiceOverride)

    @property
    def is_empty(self) -> bool:
        """True when no kind has anything overridden."""
        return all(self.for_kind(kind).is_empty for kind in ServiceKindEnum)

    def for_kind(self, kind: ServiceKindEnum) -> ModelServiceOverride:
        """The override for services of `kind`."""
        override: ModelServiceOverride = getattr(self, kind.value)
        return override

    def over(self, lower: ConnectionOverrides) -> ConnectionOverrides:
        """This layer on top of `lower`: fields set here win, the rest come from `lower`."""
        update: dict[str, ModelServiceOverride] = {}
        for kind in ServiceKindEnum:
            mine, theirs = self.for_kind(kind), lower.for_kind(kind)
            connection = theirs.connection.model_copy(update=_set_fields(mine.connection))
            timeout = (
                mine.health_check_timeout
                if mine.health_check_timeout is not None
                else theirs.health_check_timeout
            )
            update[kind.value] = ModelServiceOverride(
                connection=connection, health_check_timeout=timeout
            )
        return ConnectionOverrides(**update)


def _set_fields(connection: ModelConnectionConfig) -> dict[str, object]:
    return {
        name: value
        for name in type(connection).model_fields
        if (value := getattr(connection, name)) is not None
    }


def connection_overrides_from_env(environ: Mapping[str, str] | None = None) -> ConnectionOverrides:
    """Parse the `ONEX_*` override variables (`ENV_OVERRIDES`) of `environ` (default os.environ).

    Raises `EnvOverrideError` (a `ScenarioValidationError`) naming each variable whose value is
    unusable, e.g. `ONEX_DB_PORT=abc` or an `ONEX_REDIS_URL` that is not a redis:// URL.
    """
    env = os.environ if environ is None else environ
    fields: dict[ServiceKindEnum, dict[str, str]] = {}
    variables: dict[tuple[ServiceKindEnum, str], str] = {}
    timeouts: dict[ServiceKindEnum, float] = {}
    issues: list[ValidationIssue] = []
    for variable, (kind, field) in ENV_OVERRIDES.items():
        value = env.get(variable, "").strip()
        if not value:
            continue
        if field == HEALTH_CHECK_TIMEOUT:
            try:
                timeouts[kind] = parse_duration(value)
            except ValueError as exc:
                issues.append(_env_issue(variable, str(exc)))
            continue
        fields.setdefault(kind, {})[field] = value
        variables[(kind, field)] = variable
    layers: dict[str, ModelServiceOverride] = {}
    for kind in ServiceKindEnum:
        values = fields.get(kind, {})
        try:
            connection = ModelConnectionConfig.model_validate(values)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                field = str(error["loc"][0]) if error["loc"] else ""
                variable = variables.get((kind, field), _PREFIXES.get(kind, "ONEX_"))
                issues.append(_env_issue(variable, error_message(error)))
            continue
        for field, message in connection_problems(kind.value, dict(values)):
            issues.append(_env_issue(variables[(kind, field)], message))
        layers[kind.value] = ModelServiceOverride(
            connection=connection, health_check_timeout=timeouts.get(kind)
        )
    if issues:
        raise EnvOverrideError(issues)
    return ConnectionOverrides(**layers)


def _env_issue(variable: str, message: str) -> ValidationIssue:
    return ValidationIssue(ENVIRONMENT, 0, 0, variable, message)


def apply_overrides(
    scenario: ScenarioConfigModel, overrides: ConnectionOverrides
) -> ScenarioConfigModel:
    """`scenario` with `overrides` applied to every external service of the matching kind."""
    if overrides.is_empty:
        return scenario
    services: dict[str, ModelExternalServiceConfig] = {}
    changed = False
    for name, service in scenario.external_services.items():
        override = overrides.for_kind(service.kind)
        if override.is_empty:
            services[name] = service
            continue
        update: dict[str, object] = {
            "connection": service.connection.model_copy(update=_set_fields(override.connection))
        }
        if override.health_check_timeout is not None:
            update["health_check_timeout"] = override.health_check_timeout
        services[name] = service.model_copy(update=update)
        changed = True
    if not changed:
        return scenario
    return scenario.model_copy(update={"external_services": services})
