"""What a step or expectation handler is given and what it gives back.

A step type is one handler class: it names its action, the pydantic model it takes and an async
`run(spec, ctx)`. Handlers are registered under the entry-point group `onex.step_handlers`
(see `onex_runner.handler_registry`); the built-in ones are registered the same way, by
onex-runner's own pyproject. A handler never sees a dict: it gets an instance of its model, with
`${steps.<id>.<field>}` references already resolved.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from onex_registry import BaseOnexRegistry
from onex_scenario import ScenarioConfigModel
from onex_services.polling import Clock
from pydantic import BaseModel

if TYPE_CHECKING:
    from onex_runner.app_process import AppUnderTest
    from onex_runner.fault_api import FaultHandler
    from onex_runner.fault_ledger import FaultLedger
    from onex_runner.held_services import RegistryExternalServiceManager
    from onex_runner.service_state import NamespaceState

SpecT = TypeVar("SpecT", bound=BaseModel)


class StepFailure(Exception):
    """An expectation did not hold: the message says expected against actual.

    `actual` is what was found, when there is one, so a report can show it beside the expected
    value (as a diff)."""

    def __init__(self, message: str, actual: Any = None) -> None:
        super().__init__(message)
        self.actual = actual


@dataclass
class StepContext:
    """Everything of the run a handler may use.

    `services` is the run's handle on the service stack (what fault steps will act on); it is
    made on first use, so a run on mocks never starts a service manager.
    """

    scenario: ScenarioConfigModel
    registry: BaseOnexRegistry
    node: object | None
    namespace: str
    outputs: Mapping[str, Mapping[str, Any]]
    """Outputs of the steps that ran before, by step id (what `${steps.<id>...}` reads)."""
    clock: Clock
    correlation_id: str
    """The correlation id of this step (or, for expectations, of the run)."""
    _services: Callable[[], RegistryExternalServiceManager] = field(repr=False)
    app: AppUnderTest | None = None
    """The scenario's app under test once it runs (`app:`), for `http` steps."""
    step_id: str = ""
    """The id of the step being run ("" for expectations)."""
    faults: FaultLedger | None = None
    """The scenario's faults: what is on, and what heals it (see onex_runner.fault_ledger)."""
    fault_handlers: Mapping[str, FaultHandler] = field(default_factory=dict)
    """Fault actions by name (entry points `fault.<action>` of `onex.step_handlers`)."""
    state: NamespaceState | None = None
    """The namespace's state on the real services (snapshots, checkpoints); None when the
    scenario uses none."""

    @property
    def tools(self) -> Mapping[str, object]:
        return self.registry.tools

    @property
    def services(self) -> RegistryExternalServiceManager:
        return self._services()

    def timeout(self, service: str, name: str, given: float | None) -> float:
        """`given` when the file set it, else the `name` deadline of `service`'s profile."""
        if given is not None:
            return given
        return float(getattr(self.scenario.timeouts(service), name))


@dataclass(frozen=True)
class StepOutcome:
    """What a step produced: `output` is what reports show and `${steps.<id>.output}` reads;
    `fields` are more values later steps may reference (`${steps.<id>.offset}`)."""

    output: Any = None
    correlation_id: str | None = None
    events: tuple[dict[str, Any], ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)


class StepHandler(ABC, Generic[SpecT]):
    """One step action. `model` is the type `run` receives: the step's action value when that is
    a model (`publish:` gives a `ModelPublishSpec`), else the step itself (`call`, `wait`); for a
    package's action, the file's spec validated into `model` when the step runs."""

    action: ClassVar[str]
    model: ClassVar[type[BaseModel]]

    @abstractmethod
    async def run(self, spec: SpecT, ctx: StepContext) -> StepOutcome: ...


class ExpectationHandler(ABC, Generic[SpecT]):
    """One kind of top-level expectation (`expect: - <kind>: ...`); `check` returns what was
    found (shown in reports) or raises `StepFailure`."""

    kind: ClassVar[str]
    model: ClassVar[type[BaseModel]]

    @abstractmethod
    async def check(self, spec: SpecT, ctx: StepContext) -> Any: ...
