"""A clean namespace per test, made and dropped in milliseconds.

What made a per-test namespace slow was the connections, not the work: a new PostgreSQL
connection costs more than creating and dropping a schema, and a Redis SCAN plus DEL from the
client is a round trip per batch of keys. So a `NamespacePool` (one per process; each
pytest-xdist worker has its own) keeps one admin connection per service for its whole life
(`KindSpec.namespace_admin`), on a private event loop, so those connections outlive any event
loop a test or a fixture runs. The loop runs only during a call, in the caller's thread (no
thread hand-over, which costs milliseconds on a loaded machine), or in a short-lived thread when
the caller's thread already runs a loop (an async fixture). A test's namespace is created on
them before the test and dropped on them after it. A kind whose drops are cheap only in batches
(Kafka: one topic listing and one deletion request for many namespaces) is dropped every
`batch` namespaces and when the pool closes; until then its claim (see `claims`) stays, so a
crash leaves nothing that the next start does not reclaim. A kind without an admin falls back
to its janitor, one connection per call.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import itertools
import operator
import threading
import uuid
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from onex_scenario.redaction import SecretUrl
from onex_scenario.vocabulary import vocabulary

from onex_services.catalog import kind_spec
from onex_services.claims import NamespaceClaims
from onex_services.kinds.spec import KindSpec, NamespaceAdmin
from onex_services.models import ServiceEndpoint, ServiceKind
from onex_services.namespaces import validate_namespace
from onex_services.server_marks import MarkWriters, marks_wanted

T = TypeVar("T")
DEFAULT_BATCH = 16
CALL_TIMEOUT_S = 60.0
"""Every admin call has a deadline; a server that stops answering fails the test, not hangs it."""


@dataclass(frozen=True)
class ScopedNamespace:
    """One test's namespace: its name, and per kind the client string to use (confined to the
    namespace where the server can do that, e.g. a DSN with `search_path`) and the prefix its
    names start with (`<ns>.` topics, the schema `<ns>`, `<ns>:` keys)."""

    name: str
    urls: Mapping[ServiceKind, str]
    prefixes: Mapping[ServiceKind, str]

    def __repr__(self) -> str:
        # pytest prints a failing test's `onex_test_namespace`; its DSNs hold passwords.
        urls = {kind: SecretUrl(url) for kind, url in self.urls.items()}
        return f"ScopedNamespace(name={self.name!r}, urls={urls!r}, prefixes={self.prefixes!r})"

    def url(self, kind: ServiceKind) -> str:
        return self.urls[kind]

    def prefix(self, kind: ServiceKind) -> str:
        return self.prefixes[kind]

    def __getattr__(self, name: str) -> Any:
        """A kind's own reader's names (`KindVocabulary.namespace_handles`): `ns.dsn` and
        `ns.schema` for PostgreSQL, `ns.topic(name)` for Kafka, `ns.key(name)` for Redis."""
        if not name.startswith("_"):  # `vars`: an object being copied has no fields yet
            for kind in vars(self).get("urls", {}):
                handle = vocabulary(kind).namespace_handles.get(name)
                if handle == "url":
                    return self.urls[kind]
                if handle == "prefix":
                    return self.prefixes[kind]
                if handle == "name":
                    return functools.partial(operator.add, self.prefixes[kind])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


class _JanitorAdmin:
    """A kind without a `namespace_admin`: its janitor, one per namespace and call."""

    batch_drops = False

    def __init__(self, spec: KindSpec, url: str) -> None:
        self.spec, self.url = spec, url

    async def create(self, namespace: str) -> None:
        validate_namespace(namespace)

    async def drop(self, namespaces: Iterable[str]) -> None:
        for namespace in namespaces:
            janitor = self.spec.janitor(self.url, namespace)
            try:
                await janitor.cleanup()
            finally:
                await janitor.close()

    async def leftovers(self, namespace: str) -> list[str]:
        janitor = self.spec.janitor(self.url, namespace)
        try:
            return await janitor.verify_clean()
        finally:
            await janitor.close()

    def scoped_url(self, namespace: str) -> str:
        return self.url

    def prefix(self, namespace: str) -> str:
        return namespace

    async def close(self) -> None:
        """Nothing held between calls."""


def admin_for(kind: ServiceKind, url: str) -> NamespaceAdmin:
    spec = kind_spec(kind)
    return spec.namespace_admin(url) if spec.namespace_admin else _JanitorAdmin(spec, url)


class NamespacePool:
    """Per-test namespaces on the services of `endpoints`, over admin connections kept open."""

    def __init__(
        self,
        endpoints: Mapping[ServiceKind, ServiceEndpoint],
        *,
        claims: NamespaceClaims | None = None,
        batch: int = DEFAULT_BATCH,
    ) -> None:
        self.endpoints = dict(endpoints)
        self.claims = claims
        self.batch = max(1, batch)
        self._token = uuid.uuid4().hex[:8]
        self._counter = itertools.count(1)
        self._admins = {kind: admin_for(kind, ep.url) for kind, ep in self.endpoints.items()}
        self._pending: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()
        urls = {kind: endpoint.url for kind, endpoint in self.endpoints.items()}
        self._marks = MarkWriters(urls) if marks_wanted() else None

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        timed = asyncio.wait_for(coro, CALL_TIMEOUT_S)
        with self._lock:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return self._loop.run_until_complete(timed)
            with concurrent.futures.ThreadPoolExecutor(1, "onex-namespace-pool") as thread:
                return thread.submit(self._loop.run_until_complete, timed).result()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the pool's loop, where its connections live (a seeder's, say)."""
        return self._call(coro)

    def _next_name(self) -> str:
        # A random token per pool: a name reused from a crashed run with the same run id would
        # not be a clean state (and creating its schema would fail).
        return validate_namespace(f"onex_t{self._token}_{next(self._counter)}")

    def open(self) -> ScopedNamespace:
        """A new namespace on every service of the pool, claimed, created and empty."""
        name = self._next_name()
        if self.claims is not None:
            self.claims.claim(name, self.endpoints.values(), label="test namespace")
        try:
            self._call(self._gather(admin.create(name) for admin in self._admins.values()))
            if self._marks is not None:  # where machines share the servers (`server_marks`)
                self._call(self._marks.write(name))
        except BaseException:
            self._call(self._drop(self._admins.values(), [name]))
            self._release([name])
            raise
        return ScopedNamespace(
            name=name,
            urls={kind: admin.scoped_url(name) for kind, admin in self._admins.items()},
            prefixes={kind: admin.prefix(name) for kind, admin in self._admins.items()},
        )

    def drop(self, namespace: ScopedNamespace | str) -> None:
        """Drop everything of the namespace now, except on kinds that drop in batches: those
        go with the batch (at the latest when the pool closes)."""
        name = namespace if isinstance(namespace, str) else namespace.name
        now = [admin for admin in self._admins.values() if not admin.batch_drops]
        self._call(self._drop(now, [name]))
        if len(now) == len(self._admins):
            self._release([name])
            return
        self._pending.append(name)
        if len(self._pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Drop the pending namespaces on the batching kinds, then release their claims."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        later = [admin for admin in self._admins.values() if admin.batch_drops]
        self._call(self._drop(later, pending))
        self._release(pending)

    def leftovers(self, name: str) -> list[str]:
        """What is left of namespace `name` on every service of the pool (empty when clean)."""
        found = self._call(self._gather(a.leftovers(name) for a in self._admins.values()))
        return [line for lines in found for line in lines]

    def close(self) -> None:
        """Flush the pending drops and close every admin connection; the pool is done."""
        if self._loop.is_closed():
            return
        try:
            self.flush()
        finally:
            closing = [admin.close() for admin in self._admins.values()]
            if self._marks is not None:
                closing.append(self._marks.close())
            self._call(self._gather(closing))
            self._loop.close()

    def _release(self, names: Iterable[str]) -> None:
        if self.claims is not None:
            for name in names:
                self.claims.release(name)

    @staticmethod
    async def _gather(calls: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
        return list(await asyncio.gather(*calls))

    @staticmethod
    async def _drop(admins: Iterable[NamespaceAdmin], names: list[str]) -> None:
        await asyncio.gather(*(admin.drop(names) for admin in admins))
