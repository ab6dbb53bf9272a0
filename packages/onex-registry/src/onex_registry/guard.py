"""Tools are meant to be built by a registry, so the audit record is never bypassed.

A factory marks the construction with a context variable; a tool built without that mark emits a
RuntimeWarning, or raises RegistryRequiredError in strict mode (ONEX_STRICT_REGISTRY=1).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from onex_registry.errors import RegistryRequiredError

_BUILDING: ContextVar[bool] = ContextVar("onex_registry_building", default=False)
STRICT_ENV = "ONEX_STRICT_REGISTRY"


@contextmanager
def building_tools() -> Iterator[None]:
    """Mark tool constructions inside this block as done on behalf of a registry."""
    token = _BUILDING.set(True)
    try:
        yield
    finally:
        _BUILDING.reset(token)


def strict_mode() -> bool:
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def check_built_by_registry(tool_class: str) -> None:
    """Called by every tool's constructor."""
    if _BUILDING.get():
        return
    message = (
        f"{tool_class} was instantiated outside a registry; build tools through "
        "RegistryResolver/BaseOnexRegistry so the audit record names what ran"
    )
    if strict_mode():
        raise RegistryRequiredError(message)
    warnings.warn(message, RuntimeWarning, stacklevel=3)
