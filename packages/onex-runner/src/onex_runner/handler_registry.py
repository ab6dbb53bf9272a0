"""The handlers of step actions and expectation kinds, keyed by action or kind.

`HandlerRegistry.from_entry_points()` loads every entry point of the group `onex.step_handlers`:
a name is a step action (`call`, `publish`, a package's own) or `expect.<kind>` for a top-level
expectation, and its value is a `StepHandler` or `ExpectationHandler` subclass, built with no
arguments, or `fault.<action>` for a fault action (a `FaultHandler`, see onex_runner.fault_api).
`register_step` / `register_expectation` / `register_fault` are the public API that loader
uses; a test or an embedding program may call them too. A broken entry point is an error that
names it.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any

from onex_registry import OnexToolError
from onex_scenario import STEP_HANDLER_GROUP

from onex_runner.fault_api import FAULT_PREFIX, FaultHandler
from onex_runner.step_api import ExpectationHandler, StepHandler

EXPECTATION_PREFIX = "expect."
"""Entry-point names of expectation handlers: `expect.output`, `expect.event`, ..."""


class HandlerRegistryError(OnexToolError):
    """A handler that cannot be registered (wrong type, a name registered twice, import error)."""


class HandlerRegistry:
    def __init__(self) -> None:
        self._steps: dict[str, StepHandler[Any]] = {}
        self._expectations: dict[str, ExpectationHandler[Any]] = {}
        self.faults: dict[str, FaultHandler] = {}
        """Fault actions by name."""

    @classmethod
    def from_entry_points(cls) -> HandlerRegistry:
        registry = cls()
        for entry in entry_points(group=STEP_HANDLER_GROUP):
            registry._load(entry)
        return registry

    def register_step(self, handler: StepHandler[Any]) -> None:
        _add(self._steps, "step action", handler.action, handler)

    def register_expectation(self, handler: ExpectationHandler[Any]) -> None:
        _add(self._expectations, "expectation kind", handler.kind, handler)

    def register_fault(self, handler: FaultHandler) -> None:
        _add(self.faults, "fault action", handler.action, handler)

    def step(self, action: str) -> StepHandler[Any]:
        """The handler of `action`, or an error saying that there is none."""
        handler = self._steps.get(action)
        if handler is None:
            raise HandlerRegistryError(
                f"no handler is registered for step action {action!r} "
                f"(registered: {', '.join(sorted(self._steps))})"
            )
        return handler

    def expectation(self, kind: str) -> ExpectationHandler[Any]:
        handler = self._expectations.get(kind)
        if handler is None:
            raise HandlerRegistryError(
                f"no handler is registered for expectation kind {kind!r} "
                f"(registered: {', '.join(sorted(self._expectations))})"
            )
        return handler

    @property
    def step_actions(self) -> list[str]:
        return sorted(self._steps)

    def _load(self, entry: EntryPoint) -> None:
        where = f"entry point {entry.name} = {entry.value} ({STEP_HANDLER_GROUP})"
        try:
            loaded = entry.load()
        except Exception as exc:
            raise HandlerRegistryError(f"{where}: cannot import: {exc}") from exc
        if isinstance(loaded, type) and issubclass(loaded, StepHandler):
            if entry.name != loaded.action:
                raise HandlerRegistryError(f"{where}: names action {loaded.action!r}")
            self.register_step(loaded())
        elif isinstance(loaded, type) and issubclass(loaded, FaultHandler):
            if entry.name != FAULT_PREFIX + loaded.action:
                raise HandlerRegistryError(
                    f"{where}: a fault handler's name must be {FAULT_PREFIX}{loaded.action}"
                )
            self.register_fault(loaded())
        elif isinstance(loaded, type) and issubclass(loaded, ExpectationHandler):
            if entry.name != EXPECTATION_PREFIX + loaded.kind:
                raise HandlerRegistryError(
                    f"{where}: an expectation handler's name must be "
                    f"{EXPECTATION_PREFIX}{loaded.kind}"
                )
            self.register_expectation(loaded())
        else:
            raise HandlerRegistryError(
                f"{where}: expected a StepHandler, ExpectationHandler or FaultHandler subclass"
            )


def _add(table: dict[str, Any], what: str, key: str, handler: object) -> None:
    """Register `handler` under `key`; the same class again is a no-op, another is an error."""
    present = table.get(key)
    if present is not None and type(present) is not type(handler):
        raise HandlerRegistryError(
            f"{what} {key!r} has two handlers: {_name(type(present))} and {_name(type(handler))}"
        )
    table[key] = handler


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"
