"""What the runner does about a scenario's service state, around its steps and its cleanup.

- before the steps (resources created): a snapshot of the namespace, and, with
  `on_failure: restore`, a checkpoint `start` to roll back to;
- after the steps, before the cleanup: a snapshot, its diff against the first, and the roll
  back of a failed scenario;
- after the cleanup (the tools are closed by then): the connections the namespace still holds
  on each server, a warning, or a failure with `strict_resources: true`; and the server
  processes' resident memory (process backend).

Nothing here may fail or hang the scenario by itself: every call has the cleanup's deadline,
and a problem becomes a warning line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from onex_registry import BaseOnexRegistry
from onex_scenario import ScenarioConfigModel
from onex_scenario.state_models import OnFailureEnum
from onex_scenario.steps import ModelPublishSpec
from onex_services.catalog import kind_specs
from onex_services.state_values import StateLimits

from onex_runner.service_state import NamespaceState, StateReaders, leaks
from onex_runner.state_diff import state_diff
from onex_runner.state_steps import with_real_tools_closed

START_CHECKPOINT = "start"
T = TypeVar("T")


class StateWatch:
    def __init__(
        self,
        readers: StateReaders,
        scenario: ScenarioConfigModel,
        namespace: str,
        endpoints: Mapping[str, str],
        *,
        deadline_s: float,
        server_memory: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        settings = scenario.snapshot
        self.scenario = scenario
        self.state = NamespaceState(
            readers,
            namespace,
            dict(endpoints),
            StateLimits(rows=settings.rows, keys=settings.keys, value_chars=settings.value_chars),
        )
        self.deadline_s = deadline_s
        self._server_memory = server_memory
        self.before: dict[str, Any] | None = None
        self.after: dict[str, Any] | None = None
        self.resources: dict[str, Any] = {}
        self.restored: list[str] = []
        self.warnings: list[str] = []
        self.leaks: list[str] = []
        self.seeded: dict[str, Any] = {}
        """What the seeded state (`start_from`) put into the namespace, by kind."""
        self.start_records: Sequence[ModelPublishSpec] = ()
        """The Kafka records the seeded state produced (the replay log keeps them)."""

    async def _bounded(self, label: str, call: Callable[[], Awaitable[T]]) -> T | None:
        try:
            return await asyncio.wait_for(call(), self.deadline_s)
        except TimeoutError:
            self.warnings.append(f"state: {label}: no answer within {self.deadline_s:g}s")
        except Exception as exc:  # noqa: BLE001 - a state read must not end the scenario
            self.warnings.append(f"state: {label}: {type(exc).__name__}: {exc}")
        return None

    async def start(self) -> None:
        if self.scenario.snapshot.enabled:
            self.before = await self._bounded("snapshot before the steps", self.state.snapshot)
        if self.scenario.on_failure is OnFailureEnum.RESTORE:
            await self.state.checkpoint(START_CHECKPOINT)

    async def finish(self, failed: bool, registry: BaseOnexRegistry | None = None) -> None:
        """After the steps: the second snapshot; a failed scenario rolled back when asked (with
        the run's real tools closed meanwhile, see `with_real_tools_closed`)."""
        if self.scenario.snapshot.enabled and self.before is not None:
            self.after = await self._bounded("snapshot after the steps", self.state.snapshot)
        if failed and self.scenario.on_failure is OnFailureEnum.RESTORE:
            name = self.state.latest_checkpoint
            if name is not None:

                def restore() -> Awaitable[list[str]]:
                    if registry is None:
                        return self.state.restore(name)
                    return with_real_tools_closed(registry, lambda: self.state.restore(name))

                done = await self._bounded(f"restore of {name}", restore)
                self.restored = [f"restored to checkpoint {name}", *(done or [])]
        await self._bounded("dropping the checkpoints", self.state.close)

    async def check_resources(self) -> None:
        """After the cleanup closed the tools: what the namespace still holds is a leak."""
        held = await self._bounded("resource check", self.state.held_connections)
        self.resources = {kind: counts for kind, counts in (held or {}).items() if counts}
        specs = kind_specs()
        for kind, part in (self.after or self.before or {}).items():
            size = specs[kind].namespace_size if kind in specs else None
            found = size(part) if size is not None and isinstance(part, Mapping) else None
            if found is not None:  # the namespace's size while it was in use
                self.resources[kind] = found
        if self._server_memory is not None:
            self.resources["server_rss_mb"] = self._server_memory()
        self.leaks = leaks(self.resources)
        if self.leaks and not self.scenario.strict_resources:
            self.warnings.extend(f"resource leak: {line}" for line in self.leaks)

    @property
    def failure(self) -> str:
        """The scenario's failure message when leaks fail it (`strict_resources: true`)."""
        if self.leaks and self.scenario.strict_resources:
            return "resource leak (strict_resources): " + "; ".join(self.leaks)
        return ""

    def record(self) -> dict[str, Any]:
        """What the scenario result keeps (`ModelScenarioResult.state`)."""
        record: dict[str, Any] = {
            "resources": self.resources,
            "cost_ms": round(self.state.cost_ms, 2),
        }
        if self.before is not None:
            record["before"] = self.before
        if self.after is not None and self.before is not None:
            record["after"] = self.after
            record["diff"] = state_diff(self.before, self.after)
        if self.restored:
            record["restored"] = self.restored
        if self.seeded:
            record["seeded"] = self.seeded
        if self.start_records:
            record["start_records"] = [
                r.model_dump(mode="json", exclude_defaults=True) for r in self.start_records
            ]
        return record


def server_memory(records: Mapping[str, Any]) -> dict[str, Any]:
    """Resident memory (MiB) of each server process of the stack the harness started; kinds
    run by compose or elsewhere have no process here and are left out."""
    import psutil

    found: dict[str, Any] = {}
    for kind, record in sorted(records.items()):
        process = getattr(record, "process", None)
        if process is None:
            continue
        try:
            found[kind] = round(psutil.Process(process.pid).memory_info().rss / 2**20, 1)
        except (psutil.Error, OSError):
            found[kind] = None
    return found
