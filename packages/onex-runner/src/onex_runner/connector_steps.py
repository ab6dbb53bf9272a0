"""Scenario steps on Kafka Connect connectors, one handler each (`onex.step_handlers`):

    - id: feed
      connector: {action: create, name: orders-file, config: {...}, files: {file: [...]}}
    - id: running
      expect_connector: {name: orders-file, state: RUNNING, tasks: 1, within: 20s}

`connector` creates, deletes, pauses or resumes one connector of the scenario's Connect service
(names and topics in the run's namespace, see `connectors`); `expect_connector` waits until the
connector and its tasks are in the state asked for, or fails with what they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from onex_registry import OnexToolError
from onex_scenario.durations import Duration
from pydantic import BaseModel, ConfigDict, Field

from onex_runner.connectors import ConnectorState, ConnectorWorker
from onex_runner.step_api import StepContext, StepFailure, StepHandler, StepOutcome

POLL_S = 0.2
ConfigValue = str | int | float | bool


class ModelConnectorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Literal["create", "delete", "pause", "resume"]
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
    config: dict[str, ConfigValue] = Field(default_factory=dict)
    files: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Config keys set to a fresh file holding these lines (e.g. a file source's "
        "`file`), written where the worker can read them.",
    )
    service: str | None = Field(default=None, description="The Connect service (default: the one).")


class ModelExpectConnectorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    state: str = "RUNNING"
    tasks: int | None = Field(
        default=None, ge=0, description="How many tasks, all in `task_state`."
    )
    task_state: str | None = Field(default=None, description="Default: the same as `state`.")
    within: Duration = 20.0
    service: str | None = None


def _worker(ctx: StepContext, service: str | None) -> ConnectorWorker:
    if service is not None:
        tool = ctx.registry.tool(service)
        if not isinstance(tool, ConnectorWorker):
            raise OnexToolError(f"service {service!r} is not a Kafka Connect service")
        return tool
    found = [tool for tool in ctx.tools.values() if isinstance(tool, ConnectorWorker)]
    if len(found) != 1:
        raise OnexToolError(
            f"a connector step needs exactly one Kafka Connect service (kind: connect) in "
            f"external_services, found {len(found)}; name it with `service:`"
        )
    return found[0]


def _text(config: Mapping[str, ConfigValue]) -> dict[str, str]:
    return {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in config.items()
    }


class ConnectorStep(StepHandler[ModelConnectorSpec]):
    action = "connector"
    model = ModelConnectorSpec

    async def run(self, spec: ModelConnectorSpec, ctx: StepContext) -> StepOutcome:
        worker = _worker(ctx, spec.service)
        if spec.action == "create":
            full = await worker.create(spec.name, _text(spec.config), spec.files)
            return StepOutcome(output={"created": full}, fields={"connector": full})
        await getattr(worker, spec.action)(spec.name)
        return StepOutcome(output={spec.action.removesuffix("e") + "ed": spec.name})


class ExpectConnectorStep(StepHandler[ModelExpectConnectorSpec]):
    action = "expect_connector"
    model = ModelExpectConnectorSpec

    async def run(self, spec: ModelExpectConnectorSpec, ctx: StepContext) -> StepOutcome:
        worker = _worker(ctx, spec.service)
        deadline = ctx.clock.monotonic() + float(spec.within)
        last: ConnectorState | str = "no status yet"
        while True:
            try:
                last = await worker.status(spec.name)
            except OnexToolError as exc:
                last = str(exc)
            if isinstance(last, ConnectorState) and _holds(spec, last):
                return StepOutcome(output=last.model_dump(mode="json"))
            if ctx.clock.monotonic() >= deadline:
                break
            await ctx.clock.sleep(POLL_S)
        wanted = _wanted(spec)
        actual = last.model_dump(mode="json") if isinstance(last, ConnectorState) else last
        raise StepFailure(
            f"connector {spec.name}: expected {wanted} within {float(spec.within):g} s, "
            f"found {actual}",
            actual=actual,
        )


def _holds(spec: ModelExpectConnectorSpec, found: ConnectorState) -> bool:
    task_state = spec.task_state or spec.state
    if found.state != spec.state:
        return False
    if spec.tasks is not None and len(found.tasks) != spec.tasks:
        return False
    return all(task == task_state for task in found.tasks)


def _wanted(spec: ModelExpectConnectorSpec) -> str:
    tasks = "" if spec.tasks is None else f" with {spec.tasks} task(s)"
    return f"state {spec.state}{tasks}, tasks {spec.task_state or spec.state}"
