"""Tool factories: one per kind of service, each knowing its real class and its mock.

The built-in ones are registered like a user's: through the entry-point group
`onex.tool_factories` (name = service kind, value = a BaseToolFactory subclass) in
onex-registry's pyproject.toml, so the kind names live in the registry's vocabulary there.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import ClassVar

from onex_scenario import DependencyModeEnum

from onex_registry.errors import OnexToolError, UnknownToolKindError
from onex_registry.guard import building_tools
from onex_registry.tools.kafka_bus import KafkaEventBus
from onex_registry.tools.kv import InMemoryKeyValueStore, RedisKeyValueStore
from onex_registry.tools.memory_bus import InMemoryEventBus
from onex_registry.tools.sql import InMemorySqlStore, PostgresSqlStore

ENTRY_POINT_GROUP = "onex.tool_factories"


def qualified_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


class BaseToolFactory:
    """Builds the real or the mock implementation of one kind of tool.

    A subclass names its two classes; its `kind` (the service kind it serves) is the name of
    its entry point, set when it is discovered (a subclass may also name it itself).
    """

    kind: str = ""
    real_class: ClassVar[type]
    mock_class: ClassVar[type]

    def planned_class(self, mode: DependencyModeEnum) -> type:
        return self.real_class if mode is DependencyModeEnum.REAL else self.mock_class

    def build(self, mode: DependencyModeEnum, *, endpoint: str | None, namespace: str) -> object:
        """Instantiate the tool for `mode`. Real mode needs an endpoint; there is no fallback."""
        with building_tools():
            if mode is DependencyModeEnum.REAL:
                if not endpoint:
                    raise OnexToolError(
                        f"{type(self).__name__}: real mode needs an endpoint for {self.kind}; "
                        "none was given (is the service started?)"
                    )
                return self.build_real(endpoint, namespace)
            return self.build_mock(namespace)

    def build_real(self, endpoint: str, namespace: str) -> object:
        """`real_class(endpoint, namespace)`; override for a constructor of another shape."""
        return self.real_class(endpoint, namespace)

    def build_mock(self, namespace: str) -> object:
        """`mock_class(namespace)`; override for a constructor of another shape."""
        return self.mock_class(namespace)


class EventBusToolFactory(BaseToolFactory):
    """real → KafkaEventBus, mock → InMemoryEventBus."""

    real_class = KafkaEventBus
    mock_class = InMemoryEventBus


class KeyValueStoreToolFactory(BaseToolFactory):
    """real → RedisKeyValueStore, mock → InMemoryKeyValueStore."""

    real_class = RedisKeyValueStore
    mock_class = InMemoryKeyValueStore


class SqlStoreToolFactory(BaseToolFactory):
    """real → PostgresSqlStore (schema = namespace), mock → InMemorySqlStore."""

    real_class = PostgresSqlStore
    mock_class = InMemorySqlStore


def discover_factories() -> dict[str, BaseToolFactory]:
    """Every factory of the `onex.tool_factories` entry points (the built-in ones included); a
    user's entry point of the same name as a built-in one replaces it."""
    found: dict[str, BaseToolFactory] = {}
    builtin = [e for e in entry_points(group=ENTRY_POINT_GROUP) if _is_builtin(e.value)]
    users = [e for e in entry_points(group=ENTRY_POINT_GROUP) if not _is_builtin(e.value)]
    for entry in [*builtin, *users]:
        loaded = entry.load()
        if not (isinstance(loaded, type) and issubclass(loaded, BaseToolFactory)):
            raise OnexToolError(
                f"entry point {entry.name} = {entry.value} in {ENTRY_POINT_GROUP} is not a "
                "BaseToolFactory subclass"
            )
        factory = loaded()
        factory.kind = factory.kind or entry.name
        found[entry.name] = factory
    return found


def _is_builtin(target: str) -> bool:
    return target.startswith(f"{__name__}:")


def factory_for(kind: str, factories: Mapping[str, BaseToolFactory]) -> BaseToolFactory:
    try:
        return factories[kind]
    except KeyError:
        raise UnknownToolKindError(
            f"no tool factory for service kind {kind!r}; known: {', '.join(sorted(factories))}"
        ) from None
