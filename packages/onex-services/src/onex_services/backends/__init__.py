"""Backends by name, and the choice `auto` makes.

`BACKENDS` maps a name to `module:Class`; the class is built with the `Paths` of the manager
(`Class(paths)`). `compose` is `onex_services.backends.compose:ComposeBackend`, a module that
may be absent.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from onex_services.backends.base import Backend
from onex_services.errors import BackendUnavailableError, ServiceError
from onex_services.models import ServiceKind
from onex_services.settings import Paths

AUTO = "auto"
BACKENDS: dict[str, str] = {
    "process": "onex_services.backends.process:ProcessBackend",
    "compose": "onex_services.backends.compose:ComposeBackend",
    "external": "onex_services.backends.external:ExternalBackend",
}

__all__ = [
    "AUTO",
    "BACKENDS",
    "Backend",
    "choose_managed_backend",
    "load_backend",
    "load_backend_or_none",
]


def load_backend(name: str, paths: Paths | None = None) -> Backend:
    """Build the backend called `name`, or raise a message that lists the known ones."""
    target = BACKENDS.get(name)
    if target is None:
        known = ", ".join([AUTO, *BACKENDS])
        raise BackendUnavailableError(f"unknown backend {name!r}", fix=f"use one of: {known}")
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise
        raise BackendUnavailableError(
            f"the {name} backend is not installed",
            cause=f"no module {module_name}",
            fix="use ONEX_SERVICES_BACKEND=process",
        ) from exc
    factory = getattr(module, attr)
    backend: Backend = factory(paths or Paths.from_env())
    return backend


def load_backend_or_none(name: str, paths: Paths | None = None) -> Backend | None:
    """The backend called `name`, or None when it cannot be built here (a stack recorded by a
    backend this installation lacks is then treated as not running)."""
    try:
        return load_backend(name, paths)
    except ServiceError:
        return None


def choose_managed_backend(
    requested: str, kinds: Sequence[ServiceKind], paths: Paths | None = None
) -> tuple[Backend, list[str]]:
    """The backend that will run `kinds`, and why the others were passed over.

    `auto` takes compose when its module exists and a Docker engine answers, else process.
    External endpoints are chosen per service before this (see `ToolServiceManager`).
    """
    if requested != AUTO:
        backend = load_backend(requested, paths)
        backend.check_available(kinds)
        return backend, []
    passed_over: list[str] = []
    for name in ("compose", "process"):
        try:
            backend = load_backend(name, paths)
            backend.check_available(kinds)
        except ServiceError as exc:
            passed_over.append(f"{name}: {exc.summary}")
            last_error = exc
            continue
        return backend, passed_over
    raise BackendUnavailableError(
        "no backend can run " + ", ".join(kinds),
        cause="; ".join(passed_over),
        fix=last_error.fix or "run `onex services install` (or `invoke setup`)",
    )
