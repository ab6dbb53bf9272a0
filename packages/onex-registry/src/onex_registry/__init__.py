"""Tool protocols, real and mock tools, factories and the registry resolver.

Part of the ONEX Scenario Harness: `RegistryResolver.resolve()` decides the mode of every
declared dependency, `RegistryResolver.build()` instantiates the tools into a `BaseOnexRegistry`
and writes an audit record naming the class actually built. See docs/registry.md.
"""

from typing import TYPE_CHECKING

from onex_scenario.lazy import lazy_exports

if TYPE_CHECKING:
    from onex_registry.errors import (
        BusError,
        InvalidDependencyModeError,
        InvalidTopicNameError,
        KvConnectionLost,
        KvError,
        KvValueTypeError,
        MessageTooLargeError,
        NotConnectedError,
        NotSupportedByMockError,
        OnexToolError,
        RegistryRequiredError,
        ToolConnectionError,
        TopicAlreadyExistsError,
        UnknownToolKindError,
        UnknownTopicError,
        ValueNotSerializableError,
        WrongTypeError,
    )
    from onex_registry.factories import (
        BaseToolFactory,
        EventBusToolFactory,
        KeyValueStoreToolFactory,
        SqlStoreToolFactory,
        discover_factories,
    )
    from onex_registry.guard import building_tools
    from onex_registry.models import (
        ConsumedMessage,
        ModelRegistryResolutionContext,
        ModelToolAuditRecord,
        ModelToolResolution,
        PublishResult,
        ToolHealth,
    )
    from onex_registry.protocols import EventBus, KeyValueStore, SqlStore
    from onex_registry.registry import BaseOnexRegistry, parse_mode, requires_registry
    from onex_registry.resolver import RegistryResolver
    from onex_registry.sql_errors import (
        ArgumentCountError,
        CheckViolation,
        ConnectionLost,
        DataTypeMismatch,
        DuplicateObject,
        ForeignKeyViolation,
        IntegrityViolation,
        InvalidTransactionState,
        InvalidValue,
        NotNullViolation,
        SqlError,
        SqlSyntaxError,
        TransactionAborted,
        UndefinedColumn,
        UndefinedFunction,
        UndefinedObject,
        UndefinedTable,
        UniqueViolation,
    )
    from onex_registry.tools.kafka_bus import KafkaEventBus
    from onex_registry.tools.kv import InMemoryKeyValueStore, RedisKeyValueStore
    from onex_registry.tools.memory_bus import InMemoryBroker, InMemoryEventBus
    from onex_registry.tools.sql import InMemorySqlStore, PostgresSqlStore

# Imported on first use (see onex_scenario.lazy): importing the package stays cheap.
__getattr__, __dir__ = lazy_exports(__name__, __file__)

__version__ = "0.1.0"

__all__ = [
    "ArgumentCountError",
    "BaseOnexRegistry",
    "BaseToolFactory",
    "BusError",
    "CheckViolation",
    "ConnectionLost",
    "ConsumedMessage",
    "DataTypeMismatch",
    "DuplicateObject",
    "EventBus",
    "EventBusToolFactory",
    "ForeignKeyViolation",
    "InMemoryBroker",
    "InMemoryEventBus",
    "InMemoryKeyValueStore",
    "InMemorySqlStore",
    "IntegrityViolation",
    "InvalidDependencyModeError",
    "InvalidTopicNameError",
    "InvalidTransactionState",
    "InvalidValue",
    "KafkaEventBus",
    "KeyValueStore",
    "KeyValueStoreToolFactory",
    "KvConnectionLost",
    "KvError",
    "KvValueTypeError",
    "MessageTooLargeError",
    "ModelRegistryResolutionContext",
    "ModelToolAuditRecord",
    "ModelToolResolution",
    "NotConnectedError",
    "NotNullViolation",
    "NotSupportedByMockError",
    "OnexToolError",
    "PostgresSqlStore",
    "PublishResult",
    "RedisKeyValueStore",
    "RegistryRequiredError",
    "RegistryResolver",
    "SqlError",
    "SqlStore",
    "SqlStoreToolFactory",
    "SqlSyntaxError",
    "ToolConnectionError",
    "ToolHealth",
    "TopicAlreadyExistsError",
    "TransactionAborted",
    "UndefinedColumn",
    "UndefinedFunction",
    "UndefinedObject",
    "UndefinedTable",
    "UniqueViolation",
    "UnknownToolKindError",
    "UnknownTopicError",
    "ValueNotSerializableError",
    "WrongTypeError",
    "building_tools",
    "discover_factories",
    "parse_mode",
    "requires_registry",
]
