"""The scenario file as pydantic models: `ScenarioConfigModel` and its parts.

All models forbid unknown keys and are frozen. Sequences are tuples so a loaded scenario cannot be
changed by accident. Cross-field rules (unique step ids, references to earlier steps, tiers that
agree with dependency modes, ...) live in `onex_scenario.checks` and run after field validation;
they are reported as one `scenario_semantics` error whose context lists every problem with its
key path, which the loader maps back to file:line:col.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from onex_scenario.app_models import ModelAppSpec
from onex_scenario.durations import Duration
from onex_scenario.errors import KeyPath, format_key_path
from onex_scenario.faults import IsolationEnum, ModelLimits
from onex_scenario.names import (
    BootstrapServers,
    Identifier,
    NodeImportPath,
    ScenarioName,
    ServiceName,
    Tag,
    TopicName,
    YamlValue,
)
from onex_scenario.state_models import ModelSnapshotSettings, OnFailureEnum
from onex_scenario.steps import ModelExpectation, ModelPublishSpec, ModelStep
from onex_scenario.vocabulary import UnknownKindError, known_kinds_text, vocabulary

_MODEL = ConfigDict(extra="forbid", frozen=True)


class DependencyModeEnum(StrEnum):
    """Whether a dependency is the real service or an in-memory fake."""

    REAL = "real"
    MOCK = "mock"


def _registered_kind(kind: str) -> str:
    try:
        vocabulary(kind)
    except UnknownKindError:
        # Reported like an enum's error (one message with "did you mean"), see `issues`.
        raise PydanticCustomError(
            "enum", "Input should be {expected}", {"expected": known_kinds_text()}
        ) from None
    return kind


ServiceKindName = Annotated[str, AfterValidator(_registered_kind)]
"""What kind of service an external dependency is: a name from `onex_scenario.vocabulary`
(the registered `onex.service_kinds` and the described-only `tcp` and `http`)."""


class TierEnum(StrEnum):
    """Test tier; the nox session of the same name runs the scenario."""

    UNIT = "unit"
    INTEGRATION = "integration"
    MIXED = "mixed"
    E2E = "e2e"


class ModelConnectionConfig(BaseModel):
    """Connection settings of one service; every field is optional (unset = harness decides).

    Which fields apply depends on the service kind (its `KindVocabulary`); the environment
    (each kind's `ONEX_*` prefix) overrides them, see `onex_scenario.env_overrides`.
    """

    model_config = _MODEL

    bootstrap_servers: BootstrapServers | None = None
    security_protocol: str | None = None
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None
    client_id: str | None = None
    url: str | None = None
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    user: str | None = None
    password: str | None = None
    database: str | None = None
    db: int | None = Field(default=None, ge=0, description="Redis database number")
    token: str | None = None


class ModelRetryPolicy(BaseModel):
    """How often and how patiently a health check is retried (exponential backoff)."""

    model_config = _MODEL

    attempts: int = Field(default=5, ge=1, le=1000)
    initial_backoff: Duration = 0.2
    max_backoff: Duration = 5.0
    multiplier: float = Field(default=2.0, ge=1.0, le=10.0)

    @model_validator(mode="after")
    def _ordered(self) -> ModelRetryPolicy:
        if self.max_backoff < self.initial_backoff:
            raise PydanticCustomError(
                "backoff_order",
                "max_backoff ({maximum}s) must not be smaller than initial_backoff ({initial}s)",
                {"maximum": self.max_backoff, "initial": self.initial_backoff},
            )
        return self


class ModelExternalServiceConfig(BaseModel):
    """One dependency of the node under test.

    `dependency_mode` set here overrides the scenario's mode for this service only; that is how a
    mixed scenario keeps e.g. Redis a mock while Kafka is real.
    """

    model_config = _MODEL

    kind: ServiceKindName = Field(
        description="A registered service kind (see `onex services kinds`), or tcp or http."
    )
    required: bool = Field(
        default=True,
        description="A required real service that is down fails (or skips) the scenario.",
    )
    dependency_mode: DependencyModeEnum | None = None
    connection: ModelConnectionConfig = Field(default_factory=ModelConnectionConfig)
    health_check_timeout: Duration | None = Field(
        default=None, description="Overrides timeout_profiles.<service>.health_check."
    )
    retry: ModelRetryPolicy = Field(default_factory=ModelRetryPolicy)
    depends_on: tuple[ServiceName, ...] = Field(
        default=(),
        description="Other services of this scenario this one needs usable first, besides "
        "what its kind needs (Kafka Connect needs Kafka); a cycle is refused.",
    )


class ModelTimeoutProfile(BaseModel):
    """Deadlines for one service, in seconds. The key `default` applies to unlisted services."""

    model_config = _MODEL

    health_check: Duration = 30.0
    connect: Duration = 10.0
    publish_ack: Duration = 10.0
    consume: Duration = 10.0
    query: Duration = 10.0
    step: Duration = 30.0
    cleanup: Duration = 30.0


class ModelKafkaTopic(BaseModel):
    """A topic created for the scenario, in the run's namespace (`<namespace>.<name>`)."""

    model_config = _MODEL

    name: TopicName
    partitions: int = Field(default=1, ge=1, le=1000)
    replication_factor: int = Field(default=1, ge=1, le=10)
    configs: dict[str, str | int | float | bool] = Field(default_factory=dict)


class ModelKafkaResources(BaseModel):
    model_config = _MODEL

    topics: tuple[ModelKafkaTopic, ...] = ()


class ModelPostgresResources(BaseModel):
    """SQL run in the scenario's own schema: `schema` first, then each `seed` file in order.

    Paths are relative to the file that names them; the loader makes them absolute and checks
    that they exist.
    """

    model_config = _MODEL

    schema_file: str | None = Field(default=None, alias="schema")
    seed: tuple[str, ...] = ()


class ModelRedisResources(BaseModel):
    """Keys written before the steps run (un-prefixed; the harness adds the run's prefix).

    A scalar becomes a string value, a list a Redis list, a mapping a hash.
    """

    model_config = _MODEL

    seed: dict[str, YamlValue] = Field(default_factory=dict)

    @field_validator("seed")
    @classmethod
    def _redis_values(cls, seed: dict[str, YamlValue]) -> dict[str, YamlValue]:
        for key, value in seed.items():
            if not _redis_value(value):
                raise PydanticCustomError(
                    "redis_value",
                    "seed key {key}: expected a string, number, a non-empty list of them or a "
                    "non-empty mapping of them, got {value}",
                    {"key": repr(key), "value": repr(value)[:60]},
                )
        return seed


def _redis_value(value: object) -> bool:
    scalar = (str, int, float)
    if isinstance(value, scalar):
        return True
    # Redis has no empty list or hash: a key holding one does not exist.
    if isinstance(value, list):
        return bool(value) and all(isinstance(item, scalar) for item in value)
    if isinstance(value, dict):
        return bool(value) and all(isinstance(item, scalar) for item in value.values())
    return False


class ModelResources(BaseModel):
    """What the harness creates before the steps and removes afterwards (by namespace)."""

    model_config = _MODEL

    kafka: ModelKafkaResources = Field(default_factory=ModelKafkaResources)
    postgres: ModelPostgresResources = Field(default_factory=ModelPostgresResources)
    redis: ModelRedisResources = Field(default_factory=ModelRedisResources)


class ModelSeedKafka(BaseModel):
    """Records produced into the scenario's topics (which `resources` creates) when it starts."""

    model_config = _MODEL

    records: tuple[ModelPublishSpec, ...] = ()


class ModelSeededState(BaseModel):
    """A named starting state (docs/state.md, "Seeded states"): SQL files, Redis data, Kafka
    records. The SQL is run once per stack into a seed schema, and each scenario that starts
    from the state gets a copy of it; the Redis data and the records are written per scenario."""

    model_config = _MODEL

    postgres: ModelPostgresResources = Field(default_factory=ModelPostgresResources)
    redis: ModelRedisResources = Field(default_factory=ModelRedisResources)
    kafka: ModelSeedKafka = Field(default_factory=ModelSeedKafka)


DEFAULT_PROFILE = "default"


def _schema_without_tier(schema: dict[str, Any]) -> None:
    # `tier` may come from the folder name, so editors must not demand it.
    required = schema.get("required")
    if isinstance(required, list) and "tier" in required:
        required.remove("tier")


class ScenarioConfigModel(BaseModel):
    """One scenario: what to run, against which dependencies, and what must come out."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="ONEX scenario",
        json_schema_extra=_schema_without_tier,
    )

    extends: str | None = Field(
        default=None,
        description="A named base (base:kafka_real) or a path relative to this file.",
    )
    name: ScenarioName
    description: str = ""
    tags: tuple[Tag, ...] = ()
    tier: TierEnum = Field(
        description="unit, integration, mixed or e2e; taken from the folder name when absent."
    )
    dependency_mode: DependencyModeEnum = DependencyModeEnum.MOCK
    node: NodeImportPath | None = Field(
        default=None, description="The node under test, 'package.module:ClassName'."
    )
    external_services: dict[ServiceName, ModelExternalServiceConfig] = Field(default_factory=dict)
    app: ModelAppSpec | None = Field(
        default=None, description="The team's own program, started as a process for the run."
    )
    skip_if_services_unavailable: bool = False
    timeout_profiles: dict[ServiceName, ModelTimeoutProfile] = Field(default_factory=dict)
    cleanup_after: bool = True
    isolation: IsolationEnum = Field(
        default=IsolationEnum.SHARED,
        description="private: a stack of its own for this scenario (needed by service faults "
        "such as kill, pause, restart, and by limits); shared: the run's stack (default).",
    )
    limits: ModelLimits = Field(
        default_factory=ModelLimits,
        description="Resource limits of the scenario's own servers (needs isolation: private).",
    )
    servers: dict[str, dict[str, str | int | float | bool]] = Field(
        default_factory=dict,
        description="Server settings of the scenario's own stack by kind, laid over "
        "[tool.onex.servers] (needs isolation: private), e.g. {kafka: {brokers: 3}}.",
    )
    resources: ModelResources = Field(default_factory=ModelResources)
    steps: tuple[ModelStep, ...] = ()
    expect: tuple[ModelExpectation, ...] = ()
    metadata: dict[str, YamlValue] = Field(default_factory=dict)
    compare_ignore: tuple[str, ...] = Field(
        default=(),
        description="Paths that `onex run --compare-modes` does not compare, e.g. $.id or "
        "steps.place.output.created_at (see onex_scenario.compare_paths).",
    )
    snapshot: ModelSnapshotSettings = Field(default_factory=ModelSnapshotSettings)
    strict_resources: bool = Field(
        default=False,
        description="A connection of the namespace left open after the scenario fails it "
        "(by default it is a warning). See docs/state.md.",
    )
    states: dict[Identifier, ModelSeededState] = Field(
        default_factory=dict, description="Named seeded states (docs/state.md)."
    )
    start_from: Identifier | None = Field(
        default=None, description="The seeded state (of `states`) the scenario starts from."
    )
    on_failure: OnFailureEnum = Field(
        default=OnFailureEnum.KEEP,
        description="restore: a failed scenario's state is rolled back to its latest checkpoint "
        "(or the state before the steps).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> ScenarioConfigModel:
        from onex_scenario.checks import scenario_problems

        problems = scenario_problems(self)
        if problems:
            raise PydanticCustomError(
                "scenario_semantics",
                "{detail}",
                {
                    "detail": "; ".join(
                        f"{_dotted(path)}: {message}" for path, message in problems
                    ),
                    "problems": problems,
                },
            )
        return self

    @model_validator(mode="after")
    def _known_start(self) -> ScenarioConfigModel:
        if self.start_from is not None and self.start_from not in self.states:
            raise PydanticCustomError(
                "start_from",
                "start_from names {name}, which `states` does not define (defined: {known})",
                {"name": self.start_from, "known": ", ".join(sorted(self.states)) or "none"},
            )
        return self

    def timeouts(self, service: str) -> ModelTimeoutProfile:
        """Deadlines for `service`: its profile (or `default`, or built-in defaults), with the
        service's own `health_check_timeout` applied on top."""
        profile = self.timeout_profiles.get(service) or self.timeout_profiles.get(
            DEFAULT_PROFILE, ModelTimeoutProfile()
        )
        config = self.external_services.get(service)
        if config is not None and config.health_check_timeout is not None:
            profile = profile.model_copy(update={"health_check": config.health_check_timeout})
        return profile


def _dotted(path: KeyPath) -> str:
    return format_key_path(path)
