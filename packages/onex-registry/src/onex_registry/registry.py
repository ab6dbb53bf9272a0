"""BaseOnexRegistry: the tools a node gets, and the record of what they really were."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from onex_scenario import DependencyModeEnum

from onex_registry.errors import InvalidDependencyModeError, OnexToolError
from onex_registry.models import ModelToolAuditRecord
from onex_registry.protocols import EventBus, KeyValueStore, SqlStore


def parse_mode(value: str | DependencyModeEnum) -> DependencyModeEnum:
    """'real' or 'mock' (any case), or a clear error naming the accepted values."""
    if isinstance(value, DependencyModeEnum):
        return value
    try:
        return DependencyModeEnum(str(value).strip().lower())
    except ValueError:
        raise InvalidDependencyModeError(
            f"invalid dependency mode {value!r}: expected 'real' or 'mock'"
        ) from None


class BaseOnexRegistry:
    """Holds the instantiated tools of one node, keyed by service name."""

    def __init__(
        self,
        dependency_mode: str | DependencyModeEnum = DependencyModeEnum.MOCK,
        *,
        tools: Mapping[str, object] | None = None,
        audit: list[ModelToolAuditRecord] | None = None,
    ) -> None:
        self.dependency_mode = parse_mode(dependency_mode)
        self.tools: dict[str, object] = dict(tools or {})
        self.audit: list[ModelToolAuditRecord] = list(audit or [])

    def tool(self, service: str) -> object:
        try:
            return self.tools[service]
        except KeyError:
            raise OnexToolError(
                f"no tool for service {service!r}; this registry has {sorted(self.tools)}"
            ) from None

    def service_of(self, tool: object) -> str:
        """The service name `tool` is held under (e.g. to read that service's deadlines)."""
        for name, held in self.tools.items():
            if held is tool:
                return name
        raise OnexToolError(f"{type(tool).__name__} is not a tool of this registry")

    def _only(self, protocol: type, what: str) -> Any:
        found = [t for t in self.tools.values() if isinstance(t, protocol)]
        if len(found) != 1:
            raise OnexToolError(f"expected exactly one {what} in the registry, found {len(found)}")
        return found[0]

    @property
    def event_bus(self) -> EventBus:
        bus: EventBus = self._only(EventBus, "event bus")
        return bus

    @property
    def kv_store(self) -> KeyValueStore:
        store: KeyValueStore = self._only(KeyValueStore, "key-value store")
        return store

    @property
    def sql_store(self) -> SqlStore:
        store: SqlStore = self._only(SqlStore, "SQL store")
        return store

    async def connect_all(self) -> None:
        for tool in self.tools.values():
            await tool.connect()  # type: ignore[attr-defined]

    async def close_all(self) -> None:
        for tool in self.tools.values():
            await tool.close()  # type: ignore[attr-defined]


_Node = TypeVar("_Node", bound=type)


def requires_registry(node_class: _Node) -> _Node:
    """Class decorator: the node's constructor must receive a BaseOnexRegistry first.

    A node that built its own tools would bypass the mode switch and the audit record.
    """
    original: Callable[..., None] = node_class.__init__  # type: ignore[misc]
    parameters = list(inspect.signature(original).parameters)
    if len(parameters) < 2:
        raise TypeError(f"{node_class.__name__}.__init__ must take a registry argument")

    @functools.wraps(original)
    def checked_init(self: object, *args: Any, **kwargs: Any) -> None:
        registry = args[0] if args else kwargs.get(parameters[1])
        if not isinstance(registry, BaseOnexRegistry):
            raise TypeError(
                f"{node_class.__name__} requires a BaseOnexRegistry, got {type(registry).__name__}"
            )
        original(self, *args, **kwargs)

    node_class.__init__ = checked_init  # type: ignore[misc]
    node_class.__onex_requires_registry__ = True  # type: ignore[attr-defined]
    return node_class
