"""Is the app under test ready? One probe (HTTP path, TCP port or log line), polled to a deadline.

Each poll first asks whether the process still runs: an app that exited is reported at once,
with its exit code, instead of after the whole deadline. The probes are cheap (one request, one
connect, or reading what the log gained since the last poll) so probing adds little to the
app's own start-up (benchmarks/bench_app_start.py measures it).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path

from onex_scenario import ModelAppReadiness
from onex_services.ports import port_accepts_async

from onex_runner.http_client import request


class NotReady(Exception):
    """The app did not become ready; `str()` says what was probed and what was seen last."""


class LogScanner:
    """Finds a line matching a pattern in a growing log file, reading each byte once."""

    def __init__(self, path: Path, pattern: str) -> None:
        self.path = path
        self.pattern = re.compile(pattern)
        self._offset = 0
        self._partial = b""

    def found(self) -> bool:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
        except OSError:
            return False
        self._offset += len(chunk)
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        # A last line without its newline yet counts too: "listening" may be flushed alone.
        return any(
            self.pattern.search(line.decode("utf-8", errors="replace"))
            for line in (*lines, self._partial)
        )


class Readiness:
    """The probe of one app: `ready()` answers one poll, `describe()` names what it waits for."""

    def __init__(
        self, spec: ModelAppReadiness, *, base_url: str, host: str, port: int, log: Path
    ) -> None:
        self.spec = spec
        self.base_url = base_url
        self.host = host
        self.port = port if spec.tcp in (None, True) else int(spec.tcp or port)
        self.last = "no answer yet"
        self._log = LogScanner(log, spec.log) if spec.log is not None else None

    def describe(self) -> str:
        if self.spec.http is not None:
            return f"GET {self.base_url}{self.spec.http} to answer {self.spec.status}"
        if self.spec.tcp not in (None, False):
            return f"port {self.host}:{self.port} to accept a connection"
        return f"a log line matching {self.spec.log!r}"

    async def ready(self) -> bool:
        if self.spec.http is not None:
            try:
                answer = await request(self.base_url, "GET", self.spec.http, timeout_s=1.0)
            except OSError as exc:
                self.last = f"{type(exc).__name__}: {exc}"
                return False
            self.last = f"status {answer.status}"
            return answer.status == self.spec.status
        if self._log is not None:
            return self._log.found()
        accepted = await port_accepts_async(self.host, self.port, timeout_s=0.5)
        self.last = "accepted" if accepted else "connection refused"
        return accepted


async def wait_ready(
    readiness: Readiness, exited: Callable[[], int | None], *, timeout_s: float, interval_s: float
) -> float:
    """Poll until ready; the seconds it took. `exited()` gives the exit code once the process
    ended. Raises NotReady, saying why, at the deadline or when the process exits first."""
    started = time.monotonic()
    deadline = started + timeout_s
    while True:
        code = exited()
        if code is not None:
            raise NotReady(f"it exited with code {code} before it was ready")
        if await readiness.ready():
            return time.monotonic() - started
        if time.monotonic() >= deadline:
            raise NotReady(
                f"not ready within {timeout_s:g}s: waited for {readiness.describe()} "
                f"(last: {readiness.last})"
            )
        await asyncio.sleep(interval_s)
