"""The one place where the `ONEX_*` connection overrides of every kind are read.

Each kind's vocabulary (`onex_scenario.vocabulary`) names its prefix and variables, e.g.
`ONEX_DB_*` for PostgreSQL; `env_overrides()` lists them all.

Precedence, highest first (each layer only replaces the fields it sets):

1. overrides given by the caller (the CLI of the runner),
2. `ONEX_*` environment variables (`env_overrides()`),
3. the scenario file,
4. its bases, nearest first,
5. the model defaults.

An override applies to every service of its kind. Empty variables count as unset. onex-services
reads the same endpoint variables (each vocabulary's `endpoint_env`) to attach to running services;
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
)
from onex_scenario.vocabulary import vocabularies, vocabulary

ENVIRONMENT = "<environment>"
HEALTH_CHECK_TIMEOUT = "health_check_timeout"


def env_overrides() -> dict[str, tuple[str, str]]:
    """Every variable read here → (service kind, connection field or `health_check_timeout`),
    from each kind's vocabulary (`<prefix><suffix>` plus `<prefix>HEALTH_CHECK_TIMEOUT`)."""
    found: dict[str, tuple[str, str]] = {}
    for kind, words in vocabularies().items():
        if not words.env_prefix:
            continue
        for suffix, field in words.env_fields.items():
            found[words.env_prefix + suffix] = (kind, field)
        found[words.env_prefix + "HEALTH_CHECK_TIMEOUT"] = (kind, HEALTH_CHECK_TIMEOUT)
    return found


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

    kinds: dict[str, ModelServiceOverride] = Field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """True when no kind has anything overridden."""
        return all(override.is_empty for override in self.kinds.values())

    def for_kind(self, kind: str) -> ModelServiceOverride:
        """The override for services of `kind` (empty when nothing is overridden)."""
        return self.kinds.get(kind) or ModelServiceOverride()

    def over(self, lower: ConnectionOverrides) -> ConnectionOverrides:
        """This layer on top of `lower`: fields set here win, the rest come from `lower`."""
        update: dict[str, ModelServiceOverride] = {}
        for kind in sorted({*self.kinds, *lower.kinds}):
            mine, theirs = self.for_kind(kind), lower.for_kind(kind)
            connection = theirs.connection.model_copy(update=_set_fields(mine.connection))
            timeout = (
                mine.health_check_timeout
                if mine.health_check_timeout is not None
                else theirs.health_check_timeout
            )
            update[kind] = ModelServiceOverride(connection=connection, health_check_timeout=timeout)
        return ConnectionOverrides(kinds=update)


def _set_fields(connection: ModelConnectionConfig) -> dict[str, object]:
    return {
        name: value
        for name in type(connection).model_fields
        if (value := getattr(connection, name)) is not None
    }


def connection_overrides_from_env(environ: Mapping[str, str] | None = None) -> ConnectionOverrides:
    """Parse the `ONEX_*` override variables (`env_overrides()`) of `environ` (default os.environ).

    Raises `EnvOverrideError` (a `ScenarioValidationError`) naming each variable whose value is
    unusable, e.g. `ONEX_DB_PORT=abc` or an `ONEX_REDIS_URL` that is not a redis:// URL.
    """
    env = os.environ if environ is None else environ
    fields: dict[str, dict[str, str]] = {}
    variables: dict[tuple[str, str], str] = {}
    timeouts: dict[str, float] = {}
    issues: list[ValidationIssue] = []
    for variable, (kind, field) in env_overrides().items():
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
    for kind in sorted({*fields, *timeouts}):
        values = fields.get(kind, {})
        try:
            connection = ModelConnectionConfig.model_validate(values)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                field = str(error["loc"][0]) if error["loc"] else ""
                variable = variables.get((kind, field), vocabulary(kind).env_prefix)
                issues.append(_env_issue(variable, error_message(error)))
            continue
        for field, message in connection_problems(kind, dict(values)):
            issues.append(_env_issue(variables[(kind, field)], message))
        layers[kind] = ModelServiceOverride(
            connection=connection, health_check_timeout=timeouts.get(kind)
        )
    if issues:
        raise EnvOverrideError(issues)
    return ConnectionOverrides(kinds=layers)


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
