"""The committed list of known divergences between the mocks and the real services, and the
comparison the differential tests make with it: an outcome pair that differs is accepted only
when its (protocol, operation) is listed."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

FILE = "known_divergences.toml"


@dataclass(frozen=True)
class KnownDivergence:
    protocol: str
    operation: str
    real: str
    mock: str
    why: str


@cache
def known_divergences() -> tuple[KnownDivergence, ...]:
    text = resources.files("onex_registry").joinpath(FILE).read_text(encoding="utf-8")
    entries = tomllib.loads(text).get("divergence", [])
    return tuple(KnownDivergence(**{k: str(v) for k, v in e.items()}) for e in entries)


@dataclass(frozen=True)
class Outcome:
    """What one call did: its value, or the class name of the error it raised."""

    value: Any = None
    error: str | None = None

    def __str__(self) -> str:
        return f"raised {self.error}" if self.error else f"returned {self.value!r}"


class Divergence(AssertionError):
    """The mock and the real service disagreed on an operation that is not a known divergence."""


def compare(protocol: str, operation: str, real: Outcome, mock: Outcome) -> bool:
    """True when both agree; False when they differ in a listed way; Divergence otherwise."""
    if real == mock:
        return True
    if any(d.protocol == protocol and d.operation == operation for d in known_divergences()):
        return False
    raise Divergence(
        f"{protocol}.{operation}: real {real}, mock {mock}. Fix the mock, or list it in "
        f"onex_registry/{FILE} with why it stays."
    )
