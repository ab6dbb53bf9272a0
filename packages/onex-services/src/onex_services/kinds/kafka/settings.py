"""The Kafka kind's settings, from the environment.

| variable | default | what |
|---|---|---|
| `ONEX_KAFKA_VERSION` | `KAFKA_VERSION` below | Kafka release to install and run |
| `ONEX_KAFKA_HEAP_MAX` | `512m` | the broker JVM's `-Xmx`, both backends; at least `128m` |
"""

from __future__ import annotations

import os
import re

from onex_services.errors import SettingError

KAFKA_VERSION = "4.1.2"
SCALA_VERSION = "2.13"
KAFKA_HEAP_MAX = "512m"
_HEAP = re.compile(r"^(\d+)([mg])$")
# The broker's -Xms in infra/process/kafka/jvm.options and the Kafka kind's compose fragment.
_HEAP_MIN_MB = 128


def kafka_version() -> str:
    return os.environ.get("ONEX_KAFKA_VERSION") or KAFKA_VERSION


def kafka_heap_max() -> str:
    """`ONEX_KAFKA_HEAP_MAX` (for example `256m` in CI), checked: `<digits>m` or `<digits>g`."""
    value = os.environ.get("ONEX_KAFKA_HEAP_MAX", "").strip().lower() or KAFKA_HEAP_MAX
    found = _HEAP.match(value)
    if found is None:
        raise SettingError(f"ONEX_KAFKA_HEAP_MAX={value!r}: expected a size such as 256m or 1g")
    megabytes = int(found.group(1)) * (1024 if found.group(2) == "g" else 1)
    if megabytes < _HEAP_MIN_MB:
        raise SettingError(
            f"ONEX_KAFKA_HEAP_MAX={value!r}: at least {_HEAP_MIN_MB}m (the broker's initial heap)"
        )
    return value
