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


class BusError(OnexToolError):
    """Base of the event bus's errors: real and mock raise the same subclass for one situation."""


class UnknownTopicError(BusError):
    """The topic does not exist (the broker runs with auto.create.topics.enable=false)."""

    def __init__(self, topic: str) -> None:
        super().__init__(f"unknown topic {topic!r}: create it first (topics are not auto-created)")
        self.topic = topic


class TopicAlreadyExistsError(BusError):
    """`create_topic` named a topic that exists."""


class InvalidTopicNameError(BusError):
    """A topic name breaks Kafka's rules (legal characters, length, '.' and '..')."""


class MessageTooLargeError(BusError):
    """The encoded record is larger than the broker's message.max.bytes."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"message of {size} bytes exceeds the broker limit of {limit} bytes")
        self.size = size
        self.limit = limit


class ValueNotSerializableError(BusError):
    """A value cannot be encoded as JSON; raised before anything is sent."""


class KvError(OnexToolError):
    """Base of the key-value store's errors, raised alike by Redis and the mock."""


class WrongTypeError(KvError):
    """A key-value command met a key that holds another type (Redis' WRONGTYPE)."""

    def __init__(self, key: str, wanted: str) -> None:
        super().__init__(f"key {key!r} does not hold a {wanted}")
        self.key = key
        self.wanted = wanted


class NotSupportedByMockError(OnexToolError):
    """The in-memory fake does not model this construct (named in `what`); use real mode.

    Raised only for what the mock does not model, never for an application's own error: those
    get the protocol's taxonomy (e.g. `SqlError` subclasses), as the real tool raises them."""

    def __init__(self, tool: str, what: str) -> None:
        super().__init__(f"{what} is not supported by the mock {tool}; run this in real mode")
        self.tool = tool
        self.what = what


class KvValueTypeError(KvError, TypeError):
    """A value that is not a `str`: refused before anything is sent (redis-py would stringify
    an int silently and refuse a dict, so both tools check it themselves)."""

    def __init__(self, value: object) -> None:
        super().__init__(f"value must be str, got {type(value).__name__}")


class KvConnectionLost(KvError):
    """The connection to Redis broke during a command."""


class InvalidDependencyModeError(OnexToolError, ValueError):
    """A dependency mode that is neither 'real' nor 'mock'."""


class RegistryRequiredError(OnexToolError):
    """A tool was built outside a registry while strict mode is on."""


class UnknownToolKindError(OnexToolError):
    """No factory is registered for a service kind."""
