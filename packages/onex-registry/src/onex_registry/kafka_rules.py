"""Kafka's rules that the real broker enforces and the mock must enforce the same way."""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable, Mapping
from typing import Any

from onex_scenario.names import topic_name_problem

from onex_registry.errors import InvalidTopicNameError, ValueNotSerializableError

# The broker's default message.max.bytes (Kafka 4.x), the limit the mock enforces too.
MAX_MESSAGE_BYTES = 1_048_588
# Per-record overhead the broker counts besides key, value and headers (record batch header).
RECORD_OVERHEAD_BYTES = 61
CORRELATION_HEADER = "correlation_id"


_random = random.Random()
_getrandbits = _random.getrandbits
# Version 4 and the RFC 4122 variant: clear those bits, then set them.
_UUID4_CLEAR = ~(0xF << 76) & ~(0x3 << 62)
_UUID4_SET = (0x4 << 76) | (0x2 << 62)


def new_correlation_id() -> str:
    """A random version-4 UUID as text. Correlation ids trace, they do not protect anything, so
    a fast PRNG is enough (uuid.uuid4() reads the OS entropy pool on every call)."""
    text = "%032x" % (_getrandbits(128) & _UUID4_CLEAR | _UUID4_SET)  # "%" is the fastest here
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def check_topic_name(name: str) -> None:
    """Raise InvalidTopicNameError where Kafka's `Topic.validate` would refuse the name."""
    problem = topic_name_problem(name)
    if problem is not None:
        raise InvalidTopicNameError(problem)


@functools.lru_cache(maxsize=4096)
def check_namespaced_topic(namespace: str, topic: str) -> str:
    """Check the name as the user wrote it and as the broker will see it; return the latter."""
    check_topic_name(topic)
    full = f"{namespace}.{topic}"
    check_topic_name(full)
    return full


def _refuse(value: object) -> object:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _build_encoder() -> Callable[[Any], str]:
    """Compact JSON without NaN, built once.

    `json.JSONEncoder.encode` builds a new C encoder on every call, which is most of the cost of
    a mock publish. This keeps one. Circular references are not tracked (markers=None): the
    encoder then recurses until RecursionError, which `encode_value` reports as a cycle.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator (e.g. PyPy): the standard, slower path
        encoder = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
        return encoder.encode
    iterencode = make(
        None, _refuse, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, False
    )
    return lambda value: "".join(iterencode(value, 0))


_encode_json = _build_encoder()


def encode_value(value: Any) -> bytes:
    """JSON-encode a record value, with a clear error for what JSON cannot hold."""
    try:
        return _encode_json(value).encode()
    except RecursionError as exc:
        raise ValueNotSerializableError(
            f"value of type {type(value).__name__} cannot be sent as JSON: it contains itself"
            " (or nests deeper than Python's recursion limit)"
        ) from exc
    except (TypeError, ValueError) as exc:
        raise ValueNotSerializableError(
            f"value of type {type(value).__name__} cannot be sent as JSON: {exc}"
        ) from exc


def decode_value(raw: bytes | None) -> Any:
    """Decode a JSON record value; a record that is not JSON comes back as text."""
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


Headers = tuple[tuple[str, bytes], ...]


def encode_headers(headers: Mapping[str, str | bytes] | None, correlation_id: str) -> Headers:
    """Header values travel as bytes, like on the wire; the correlation id is always one.

    A tuple of tuples of str and bytes: immutable, and the garbage collector stops tracking it,
    which matters for a mock that holds hundreds of thousands of records."""
    if not headers:
        return ((CORRELATION_HEADER, correlation_id.encode()),)
    encoded = [
        (name, value if isinstance(value, bytes) else value.encode())
        for name, value in headers.items()
        if name != CORRELATION_HEADER
    ]
    encoded.append((CORRELATION_HEADER, correlation_id.encode()))
    return tuple(encoded)


def record_size(key: bytes | None, value: bytes, headers: Headers) -> int:
    """Bytes the broker counts against message.max.bytes for a single-record batch."""
    size = RECORD_OVERHEAD_BYTES + len(value)
    if key is not None:
        size += len(key)
    for name, data in headers:
        size += (len(name) if name.isascii() else len(name.encode())) + len(data)
    return size


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 hash (the Java client's `Utils.murmur2`), as a signed 32-bit int."""
    length = len(data)
    seed = 0x9747B28C
    m = 0x5BD1E995
    r = 24
    h = (seed ^ length) & 0xFFFFFFFF
    length4 = length // 4
    for i in range(length4):
        i4 = i * 4
        k = (
            (data[i4] & 0xFF)
            + ((data[i4 + 1] & 0xFF) << 8)
            + ((data[i4 + 2] & 0xFF) << 16)
            + ((data[i4 + 3] & 0xFF) << 24)
        )
        k = (k * m) & 0xFFFFFFFF
        k ^= (k >> r) & 0xFFFFFFFF
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    extra = length % 4
    if extra >= 3:
        h ^= (data[(length & ~3) + 2] & 0xFF) << 16
    if extra >= 2:
        h ^= (data[(length & ~3) + 1] & 0xFF) << 8
    if extra >= 1:
        h ^= data[length & ~3] & 0xFF
        h = (h * m) & 0xFFFFFFFF
    h ^= (h >> 13) & 0xFFFFFFFF
    h = (h * m) & 0xFFFFFFFF
    h ^= (h >> 15) & 0xFFFFFFFF
    return h - (1 << 32) if h & 0x80000000 else h


def partition_for_key(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner picks for a keyed record."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions
