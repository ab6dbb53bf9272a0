"""Markers kept alive: a namespace this process holds for long (a run's scenario namespace, the
client fixtures' run namespace) has its server-side marker (`server_marks`) written when it is
taken, and renewed before the marker's lease runs out, until it is let go.

Another machine's reaper (`shared_reap`) takes a marked namespace for a gone run once
`renewed_at + lease_s` has passed; renewing every third of the lease leaves two renewals' slack
for a slow server. The renewals run on a daemon thread of their own with its own event loop, so
they go on whatever the holder's code does (a sync pytest fixture between tests, a long
blocking step). A renewal that fails is reported on stderr and tried again at the next tick; the
namespace stays live until its lease runs out for real. The creation time stays the first one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
import threading
from collections.abc import Mapping

from onex_services.models import ServiceKind
from onex_services.server_marks import NamespaceMark, mark_namespace, new_mark

WRITE_TIMEOUT_S = 30.0
RENEWALS_PER_LEASE = 3


class MarkKeeper:
    """The markers of the namespaces this process holds (one keeper per process: `keeper()`)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._start_lock = threading.Lock()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._start_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="onex-mark-keeper", daemon=True
                )
                thread.start()
                self._loop = loop
            return self._loop

    def _submit(
        self, namespace: str, urls: Mapping[ServiceKind, str], first: NamespaceMark | None
    ) -> concurrent.futures.Future[NamespaceMark]:
        return asyncio.run_coroutine_threadsafe(
            self._hold(namespace, dict(urls), first), self._running_loop()
        )

    def hold(
        self,
        namespace: str,
        urls: Mapping[ServiceKind, str],
        first: NamespaceMark | None = None,
    ) -> NamespaceMark:
        """Write the namespace's marker on `urls` now (`first`, else a new one for this run)
        and keep it renewed; holding it again (more servers, say) replaces the renewals."""
        return self._submit(namespace, urls, first).result(WRITE_TIMEOUT_S)

    async def hold_async(
        self,
        namespace: str,
        urls: Mapping[ServiceKind, str],
        first: NamespaceMark | None = None,
    ) -> NamespaceMark:
        """`hold` for a caller on an event loop (it waits without blocking that loop)."""
        future = asyncio.wrap_future(self._submit(namespace, urls, first))
        return await asyncio.wait_for(future, WRITE_TIMEOUT_S)

    def let_go(self, namespace: str) -> None:
        """Stop renewing the namespace's marker (it was dropped, or is left to its lease)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._cancel, namespace)

    def held(self) -> list[str]:
        return sorted(self._tasks)

    def _cancel(self, namespace: str) -> None:
        task = self._tasks.pop(namespace, None)
        if task is not None:
            task.cancel()

    async def _hold(
        self, namespace: str, urls: dict[ServiceKind, str], first: NamespaceMark | None
    ) -> NamespaceMark:
        previous = self._tasks.pop(namespace, None)
        if previous is not None:
            previous.cancel()
        mark = first or new_mark()
        await mark_namespace(namespace, urls, mark)
        self._tasks[namespace] = asyncio.create_task(self._renew(namespace, urls, mark))
        return mark

    @staticmethod
    async def _renew(namespace: str, urls: dict[ServiceKind, str], mark: NamespaceMark) -> None:
        while True:
            await asyncio.sleep(mark.lease_s / RENEWALS_PER_LEASE)
            renewed = new_mark(mark.run_id, created_at=mark.created_at)
            renewed = renewed.model_copy(update={"lease_s": mark.lease_s})
            try:
                await mark_namespace(namespace, urls, renewed)
            except Exception as exc:  # noqa: BLE001 - a failed renewal is retried at the next tick
                print(
                    f"onex: could not renew the marker of namespace {namespace}: "
                    f"{type(exc).__name__}: {exc}",
                    file=sys.stderr,
                )
                continue
            mark = renewed


_KEEPER = MarkKeeper()


def keeper() -> MarkKeeper:
    """This process's keeper of namespace markers."""
    return _KEEPER
