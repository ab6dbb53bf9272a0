"""Typed errors of the tools. Real and mock tools raise the same classes for the same situation,
so a scenario can expect an error and get the same one in both modes."""

from __future__ import annotations


class OnexToolError(Exception):
    """Base class of every error a tool, factory or resolver raises."""


class ToolConnectionError(OnexToolError):
    """A real tool could not reach its service. It never falls back to an in-memory fake."""

    def __init__(self, tool: str, endpoint: str, cause: str) -> None:
        super().__init__(f"{tool} could not reach {endpoint}: {cause}")
        self.tool = tool
        self.endpoint = endpoint
        self.cause = cause


class NotConnectedError(OnexToolError):
    """A method that needs the connection was called before `connect()` or after `close()`."""


class UnknownTopicError(OnexToolError):
    """The topic does not exist (the broker runs with auto.create.topics.enable=false)."""

    def __init__(self, topic: str) -> None:
        super().__init__(f"unknown topic {topic!r}: create it first (topics are not auto-created)")
        self.topic = topic


class TopicAlreadyExistsError(OnexToolError):
    """`create_topic` named a topic that exists."""


class InvalidTopicNameError(OnexToolError):
    """A topic name breaks Kafka's rules (legal characters, length, '.' and '..')."""


class MessageTooLargeError(OnexToolError):
    """The encoded record is larger than the broker's message.max.bytes."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"message of {size} bytes exceeds the broker limit of {limit} bytes")
        self.size = size
        self.limit = limit


class ValueNotSerializableError(OnexToolError):
    """A value cannot be encoded as JSON; raised before anything is sent."""


class WrongTypeError(OnexToolError):
    """A key-value command met a key that holds another type (Redis' WRONGTYPE)."""

    def __init__(self, key: str, wanted: str) -> None:
        super().__init__(f"key {key!r} does not hold a {wanted}")
        self.key = key
        self.wanted = wanted


class NotSupportedByMockError(OnexToolError):
    """The in-memory fake cannot model this behaviour; use the real service instead."""

    def __init__(self, tool: str, what: str) -> None:
        super().__init__(f"{what} is not supported by the mock {tool}; run this in real mode")


class InvalidDependencyModeError(OnexToolError, ValueError):
    """A dependency mode that is neither 'real' nor 'mock'."""


class RegistryRequiredError(OnexToolError):
    """A tool was built outside a registry while strict mode is on."""


class UnknownToolKindError(OnexToolError):
    """No factory is registered for a service kind."""
