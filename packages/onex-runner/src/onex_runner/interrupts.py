"""Ctrl-C for a run: the first SIGINT stops it cleanly, the second ends the process at once.

The first one stops starting scenarios and cancels the steps of those that run; their cleanup
still runs (with its deadlines, see `onex_runner.cleanup`) and their results are kept, marked
interrupted. The second one calls the hard-exit hook (which writes the reports of what finished)
and ends the process without waiting for anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_SHUTDOWN_S = 2.0
"""How long tasks still running when a run returns may take to unwind before the loop closes."""


class Interrupted(Exception):
    """The body of a scenario was stopped by the run's interrupt."""


class BodyCancelled(Exception):
    """The body's own task was cancelled from inside (a client library), not by this run."""


class RunInterrupt:
    """Shared by the CLI (which feeds it signals) and the runner (which obeys it)."""

    def __init__(self) -> None:
        self.count = 0
        self.hard_exit: Callable[[], None] | None = None
        # One event per loop: `onex run --compare-modes` runs two loops one after the other.
        self._events: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}

    @property
    def requested(self) -> bool:
        return self.count > 0

    def request(self) -> None:
        """One SIGINT: the first stops the run, the second calls `hard_exit`."""
        self.count += 1
        if self.count == 1:
            for event in self._events.values():
                event.set()
        elif self.hard_exit is not None:
            self.hard_exit()

    def _wakeup(self) -> asyncio.Event:
        loop = asyncio.get_running_loop()
        if loop not in self._events:
            self._events = {loop: asyncio.Event()}  # earlier loops have ended
        return self._events[loop]

    async def guard(self, body: Awaitable[T]) -> T:
        """Await `body`, cancelling it and raising `Interrupted` if the run is interrupted."""
        if self.requested:
            raise Interrupted("interrupted before it started")
        task = asyncio.ensure_future(body)
        stop = asyncio.ensure_future(self._wakeup().wait())
        try:
            await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if task.done():
            if task.cancelled():
                raise BodyCancelled("asyncio.CancelledError raised inside the scenario")
            return task.result()
        task.cancel()
        # The body unwinds on its own cancellation (tools it holds are closed by the cleanup).
        await asyncio.wait({task}, timeout=_SHUTDOWN_S)
        raise Interrupted("interrupted by SIGINT")

    @contextlib.contextmanager
    def on_sigint(self) -> Iterator[None]:
        """Route SIGINT to `request` while the running loop runs the block."""
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, self.request)
        except (NotImplementedError, RuntimeError, ValueError):  # no signals here (a thread)
            yield
            return
        try:
            yield
        finally:
            loop.remove_signal_handler(signal.SIGINT)


def run_to_end(main: Coroutine[Any, Any, T]) -> T:
    """Like `asyncio.run`, but leftover tasks get a bounded time to unwind.

    `asyncio.run` waits for every task it cancels; a client that ignores cancellation (a
    producer retrying a dead broker) would hold the process forever after the run ended.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(main)
    finally:
        try:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.wait(pending, timeout=_SHUTDOWN_S))
            loop.run_until_complete(
                asyncio.wait({loop.create_task(loop.shutdown_asyncgens())}, timeout=_SHUTDOWN_S)
            )
        finally:
            asyncio.set_event_loop(None)
            loop.close()
