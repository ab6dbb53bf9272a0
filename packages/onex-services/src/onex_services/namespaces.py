"""Namespaces: what keeps parallel runs apart on shared services, and what cleanup may touch.

A namespace is `onex_<run>_<worker>` (lower-case letters, digits, underscores, starting with a
letter, at most 40 characters), so the same string is a valid Kafka topic prefix, PostgreSQL
identifier and Redis key prefix. What a namespace holds on a server is its kind's janitor's
business (`KindSpec.janitor`: topics and groups `<ns>.<name>`, a schema `<ns>`, keys
`<ns>:<name>`...); each selects by exact prefix or exact name, never by substring, so it can
only ever touch its own namespace. `cleanup_namespace` and `verify_clean` run every janitor.
"""

from __future__ import annotations

import functools
import os
import re
import uuid
from collections.abc import Mapping

from onex_services.catalog import kind_spec

NAMESPACE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class NamespaceError(ValueError):
    """A namespace or resource name that cannot be used safely."""


def _clean(part: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", part.lower()).strip("_")


@functools.cache
def _process_run_id() -> str:
    """A run id for this process when neither ONEX_RUN_ID nor pytest-xdist gives one."""
    return uuid.uuid4().hex[:8]


def namespace_for(run_id: str | None = None, worker: str | None = None) -> str:
    """The namespace of this run and worker.

    `run_id` defaults to `ONEX_RUN_ID`, else pytest-xdist's shared `PYTEST_XDIST_TESTRUNUID`
    (first 8 characters), else an id fixed for this process; `worker` defaults to
    `PYTEST_XDIST_WORKER` (`gw0`, `gw1`...) or `main`.
    """
    run = (
        run_id
        or os.environ.get("ONEX_RUN_ID")
        or os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8]
        or _process_run_id()
    )
    who = worker or os.environ.get("PYTEST_XDIST_WORKER") or "main"
    run_part, worker_part = _clean(run)[:20], _clean(who)[:12]
    if not run_part or not worker_part:
        raise NamespaceError(f"cannot make a namespace from run {run!r} and worker {who!r}")
    namespace = f"onex_{run_part}_{worker_part}"
    return validate_namespace(namespace)


def validate_namespace(namespace: str) -> str:
    if not NAMESPACE_RE.fullmatch(namespace):
        raise NamespaceError(
            f"namespace {namespace!r} is not usable: expected lower-case letters, digits and "
            "underscores, starting with a letter, at most 40 characters"
        )
    return namespace


async def verify_clean(namespace: str, endpoints: Mapping[str, str]) -> list[str]:
    """What is left of `namespace` on the given servers (kind → client string; empty = clean)."""
    leftovers: list[str] = []
    for kind, url in endpoints.items():
        janitor = kind_spec(kind).janitor(url, namespace)
        try:
            leftovers.extend(await janitor.verify_clean())
        finally:
            await janitor.close()
    return leftovers


async def cleanup_namespace(namespace: str, endpoints: Mapping[str, str]) -> list[str]:
    """Remove everything of `namespace` on the given servers (kind → client string); return
    what was removed."""
    removed: list[str] = []
    for kind, url in endpoints.items():
        janitor = kind_spec(kind).janitor(url, namespace)
        try:
            removed.extend(await janitor.cleanup())
        finally:
            await janitor.close()
    return removed
