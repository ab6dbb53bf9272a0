"""Steps and expectations of a scenario.

A step is a mapping with an `id` and exactly one action key (`call`, `publish`, `expect_event`,
`expect_row`, `expect_key`, `wait`, `fault`, `http` (a request to the app under test), or an
action an installed package adds through the entry-point group `onex.step_handlers`; such a
step is a `ModelExtensionStep`, whose spec the package's handler validates with its own model
when the step runs). The action key selects the
model through a callable discriminator, so a broken step yields one error about that step, not
one per possible action. Strings may hold `${steps.<id>.<field>}` references; they stay as
written until the runner resolves them with `onex_scenario.references.resolve_references`.
"""

from __future__ import annotations

from enum import StrEnum
from importlib.metadata import entry_points
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from onex_scenario.durations import Duration
from onex_scenario.expected import Expected
from onex_scenario.http_models import ModelHttpSpec
from onex_scenario.names import (
    Identifier,
    KeyText,
    ServiceName,
    StepId,
    TableName,
    TopicName,
    YamlValue,
)

_MODEL = ConfigDict(extra="forbid", frozen=True)


class MatchModeEnum(StrEnum):
    """How an expected value is compared with the actual one (see `onex_scenario.matching`)."""

    EXACT = "exact"
    PARTIAL = "partial"
    CONTAINS = "contains"
    TYPE = "type"


class _Checked(BaseModel):
    """An expected value; `value_given` tells "value: null" apart from no value at all."""

    model_config = _MODEL

    @property
    def value_given(self) -> bool:
        """True when the file set `value` (then it is compared, even when it is null)."""
        return "value" in self.model_fields_set


class ModelPublishSpec(BaseModel):
    """Produce one message. The topic is written without the run's namespace prefix."""

    model_config = _MODEL

    topic: TopicName
    key: KeyText | None = None
    value: YamlValue = None
    headers: dict[str, str] = Field(default_factory=dict)
    correlation_id: str | None = Field(
        default=None, description="Fixed correlation id; by default the runner generates one."
    )


class ModelEventExpectation(_Checked):
    """An event must arrive on `topic` (un-prefixed) within `within` seconds."""

    topic: TopicName
    key: KeyText | None = None
    value: Expected = None
    headers: dict[str, str] | None = None
    match: MatchModeEnum = MatchModeEnum.PARTIAL
    within: Duration | None = Field(
        default=None, description="Deadline; defaults to the kafka timeout profile's `consume`."
    )
    correlation_id: str | None = None


class ModelRowExpectation(BaseModel):
    """Rows of `table` selected by `where` must match `equals` (and number `count`, if given)."""

    model_config = _MODEL

    table: TableName
    where: dict[str, YamlValue] = Field(default_factory=dict)
    equals: dict[str, Expected] | None = None
    match: MatchModeEnum = MatchModeEnum.PARTIAL
    count: int | None = Field(default=None, ge=0)
    within: Duration | None = None


class ModelKeyExpectation(_Checked):
    """A cache key (un-prefixed) must hold a matching value, or be absent (`exists: false`).

    A string is compared as its JSON value when it is JSON; a list as a list, a hash as a mapping.
    """

    key: KeyText
    value: Expected = None
    ttl: Expected = Field(
        default=None,
        description="The key's time to live in seconds (null when it has none), compared like "
        "`value`: e.g. {$le: 900}; {$type: null} requires no expiry.",
    )
    match: MatchModeEnum = MatchModeEnum.PARTIAL
    exists: bool = True
    within: Duration | None = None


class ModelOutputExpectation(BaseModel):
    """The return value of a `call` step must match `value`."""

    model_config = _MODEL

    step: StepId
    value: Expected
    match: MatchModeEnum = MatchModeEnum.PARTIAL


class ModelLeaderOf(BaseModel):
    """A partition of one of the scenario's topics (un-prefixed), whose leader a fault hits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topic: TopicName
    partition: int = Field(default=0, ge=0)


class ModelFaultSpec(BaseModel):
    """A fault on one service of the scenario (`target`, a name in `external_services`).

    `action` names the fault (`latency`, `down`, `kill`, ..., or `heal`; see docs/faults.md),
    `params` its settings. With `for` the fault is removed by itself after that long (the next
    steps run meanwhile); without it, it holds until a `heal` step on the same target. Every
    fault is removed when the scenario ends, whatever its outcome.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    target: ServiceName
    action: Identifier
    duration: Duration | None = Field(
        default=None,
        alias="for",
        description="How long the fault holds (e.g. 2s); without it, until a `heal` step.",
    )
    params: dict[str, YamlValue] = Field(default_factory=dict)
    leader_of: ModelLeaderOf | None = Field(
        default=None,
        description="A service fault on the broker that leads this partition of a topic of the "
        "scenario when the step runs (a cluster of brokers; docs/faults.md).",
    )


class _StepBase(BaseModel):
    model_config = _MODEL

    id: StepId
    description: str = ""
    timeout: Duration | None = Field(
        default=None, description="Deadline of this step; defaults to the timeout profile's `step`."
    )


class ModelCallStep(_StepBase):  # type: ignore[no-redef]  # alias "kwargs" vs **kwargs
    """Call a method of the node under test (sync or async); its return value is `output`."""

    call: Identifier
    args: tuple[YamlValue, ...] = ()
    # keyword_args in Python, `kwargs` in YAML: the pydantic mypy plugin's __init__ has **kwargs.
    keyword_args: dict[str, YamlValue] = Field(default_factory=dict, alias="kwargs")


class ModelPublishStep(_StepBase):
    publish: ModelPublishSpec


class ModelExpectEventStep(_StepBase):
    expect_event: ModelEventExpectation


class ModelExpectRowStep(_StepBase):
    expect_row: ModelRowExpectation


class ModelExpectKeyStep(_StepBase):
    expect_key: ModelKeyExpectation


class ModelWaitStep(_StepBase):
    wait: Duration


class ModelFaultStep(_StepBase):
    fault: ModelFaultSpec


class ModelHttpStep(_StepBase):
    http: ModelHttpSpec


class ModelExtensionStep(_StepBase):
    """A step whose action an installed package adds (entry-point group `onex.step_handlers`).

    The file's spec is kept as written (`spec`); the package's handler validates it with its own
    pydantic model when the run is planned, so its errors name this step.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    @model_validator(mode="after")
    def _one_action(self) -> ModelExtensionStep:
        if len(self.model_extra or {}) != 1:
            raise PydanticCustomError(
                "step_action", "a step needs an id and exactly one action key"
            )
        return self

    @property
    def action(self) -> str:
        return next(iter(self.model_extra or {}))

    @property
    def spec(self) -> Any:
        return (self.model_extra or {})[self.action]


STEP_ACTIONS: tuple[str, ...] = (
    "call",
    "publish",
    "expect_event",
    "expect_row",
    "expect_key",
    "wait",
    "fault",
    "http",
)
"""The action keys of a step, in documentation order."""

EXPECTATION_KINDS: tuple[str, ...] = ("output", "event", "row", "key")
"""The keys of a top-level `expect:` item."""

STEP_HANDLER_GROUP = "onex.step_handlers"
"""The entry-point group of step and expectation handlers (names: an action, `expect.<kind>`, or
`fault.<action>` for a fault action)."""
FAULT_ACTION_PREFIX = "fault."
_STEP_BASE_KEYS = frozenset(_StepBase.model_fields)
_EXTENSION = "extension"


def extension_actions() -> tuple[str, ...]:
    """Step actions that installed packages add: names in `onex.step_handlers` that are not built
    in. Reads entry-point metadata only; no handler is imported here."""
    names = {entry.name for entry in entry_points(group=STEP_HANDLER_GROUP)}
    return tuple(
        sorted(
            n
            for n in names
            if n not in STEP_ACTIONS and not n.startswith(("expect.", FAULT_ACTION_PREFIX))
        )
    )


def known_step_actions() -> tuple[str, ...]:
    """Every action a step may have here: the built-in ones, then those of installed packages."""
    return (*STEP_ACTIONS, *extension_actions())


class _KeySelector:
    """Discriminator: the one key of `keys` that a mapping (or a validated model) has."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self._wanted = frozenset(keys)
        self._by_model: dict[type[BaseModel], str | None] = {}

    def __call__(self, value: Any) -> str | None:
        if isinstance(value, dict):
            found = [key for key in value if key in self._wanted]
            return found[0] if len(found) == 1 else None
        if isinstance(value, BaseModel):
            model = type(value)
            if model not in self._by_model:
                found = [key for key in self.keys if key in model.model_fields]
                self._by_model[model] = found[0] if len(found) == 1 else None
            return self._by_model[model]
        return None

    def of_model(self, model: BaseModel) -> str:
        key = self(model)
        if key is None:  # pragma: no cover - each step/expectation model has exactly one
            raise AssertionError(f"{type(model).__name__} has no single key of {self.keys}")
        return key


_STEP_ACTIONS = _KeySelector(STEP_ACTIONS)
_EXPECTATION_KINDS = _KeySelector(EXPECTATION_KINDS)


def _step_action(value: Any) -> str | None:
    if isinstance(value, ModelExtensionStep):
        return _EXTENSION
    found = _STEP_ACTIONS(value)
    if found is None and isinstance(value, dict):
        # Only on this rare path (no built-in action key) are the entry points read.
        others = [key for key in value if key not in _STEP_BASE_KEYS]
        if len(others) == 1 and others[0] in extension_actions():
            return _EXTENSION
    return found


def _expectation_kind(value: Any) -> str | None:
    return _EXPECTATION_KINDS(value)


ModelStep = Annotated[
    Annotated[ModelCallStep, Tag("call")]
    | Annotated[ModelPublishStep, Tag("publish")]
    | Annotated[ModelExpectEventStep, Tag("expect_event")]
    | Annotated[ModelExpectRowStep, Tag("expect_row")]
    | Annotated[ModelExpectKeyStep, Tag("expect_key")]
    | Annotated[ModelWaitStep, Tag("wait")]
    | Annotated[ModelFaultStep, Tag("fault")]
    | Annotated[ModelHttpStep, Tag("http")]
    # Left out of the JSON Schema: editors keep flagging unknown action keys.
    | Annotated[SkipJsonSchema[ModelExtensionStep], Tag(_EXTENSION)],
    Discriminator(
        _step_action,
        custom_error_type="step_action",
        custom_error_message="a step needs an id and exactly one action key",
    ),
]
"""One step; the action key present selects the model."""


class ModelExpectOutput(BaseModel):
    model_config = _MODEL
    output: ModelOutputExpectation


class ModelExpectEvent(BaseModel):
    model_config = _MODEL
    event: ModelEventExpectation


class ModelExpectRow(BaseModel):
    model_config = _MODEL
    row: ModelRowExpectation


class ModelExpectKey(BaseModel):
    model_config = _MODEL
    key: ModelKeyExpectation


ModelExpectation = Annotated[
    Annotated[ModelExpectOutput, Tag("output")]
    | Annotated[ModelExpectEvent, Tag("event")]
    | Annotated[ModelExpectRow, Tag("row")]
    | Annotated[ModelExpectKey, Tag("key")],
    Discriminator(
        _expectation_kind,
        custom_error_type="expectation_kind",
        custom_error_message="an expectation needs exactly one of output, event, row, key",
    ),
]
"""One item of the top-level `expect:` list."""


def step_action(step: ModelStep) -> str:
    """The action key of a validated step ("call", "publish", ..., or a package's action)."""
    if isinstance(step, ModelExtensionStep):
        return step.action
    return _STEP_ACTIONS.of_model(step)


def expectation_kind(expectation: ModelExpectation) -> str:
    """The kind of a validated top-level expectation ("output", "event", "row", "key")."""
    return _EXPECTATION_KINDS.of_model(expectation)
