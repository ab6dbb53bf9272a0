"""Where the service manager keeps things, and the environment variables that move them.

| variable | default | what |
|---|---|---|
| `ONEX_STATE_DIR` | `~/.cache/onex/state` | lock and state file of the shared stack |
| `ONEX_CACHE_DIR` | `$XDG_CACHE_HOME/onex` or `~/.cache/onex` | Kafka jars and other downloads |
| `ONEX_RUN_DIR` | `/tmp/onex-<uid>` | data directories and logs of running services |
| `ONEX_REUSE` | unset | `1` keeps the stack running after its last user leaves |
| `ONEX_SERVICES_BACKEND` | `auto` | `auto`, `process`, `compose` or `external` |
| `ONEX_DISCOVER` | `1` | `0` stops using services found on their default local ports |
| `ONEX_START_TIMEOUT_S` | `60` | seconds from start to all-healthy before it is an error |
| `ONEX_NAMESPACE_LEASE_S` | `0` | a namespace claim's lease (see `claims`) |
| `ONEX_NAMESPACE_MARKS` | `1` if external | `1` marks test namespaces on the servers |

The Kafka kind's own variables (`ONEX_KAFKA_VERSION`, `ONEX_KAFKA_HEAP_MAX`) are read in
`kinds/kafka/settings.py`.

The run directory is not under the home directory on purpose: PostgreSQL runs as the `postgres`
user when we are root and must be able to traverse the path to its data directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from onex_services.errors import SettingError

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
START_TIMEOUT_S = 60.0
# For a namespace owner on this host the pid check is the proof; a lease adds a margin on top of
# it only when asked for (an owner that the pid check cannot see needs one: see `claims`).
NAMESPACE_LEASE_S = 0.0


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def _cache_root() -> Path:
    explicit = os.environ.get("ONEX_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "onex"


@dataclass(frozen=True)
class Paths:
    """The three directories of the service manager, read from the environment once."""

    state_dir: Path
    cache_dir: Path
    run_dir: Path

    @classmethod
    def from_env(cls) -> Paths:
        cache = _cache_root()
        state = Path(os.environ.get("ONEX_STATE_DIR") or cache / "state")
        run = Path(os.environ.get("ONEX_RUN_DIR") or f"/tmp/onex-{os.getuid()}")
        return cls(state_dir=state, cache_dir=cache, run_dir=run)


def start_timeout_s() -> float:
    """`ONEX_START_TIMEOUT_S`: seconds from start to all-healthy, a positive number."""
    return _seconds("ONEX_START_TIMEOUT_S", START_TIMEOUT_S, allow_zero=False)


def namespace_lease_s() -> float:
    """`ONEX_NAMESPACE_LEASE_S`: seconds a namespace claim holds without renewal (0 or more)."""
    return _seconds("ONEX_NAMESPACE_LEASE_S", NAMESPACE_LEASE_S, allow_zero=True)


def _seconds(name: str, default: float, *, allow_zero: bool) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value > 0 or (allow_zero and value == 0)):  # NaN is neither
        expected = (
            "a number of seconds, 0 or more" if allow_zero else "a positive number of seconds"
        )
        raise SettingError(f"{name}={raw!r}: expected {expected}")
    return value
