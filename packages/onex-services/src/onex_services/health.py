"""Deep health with retries: exponential backoff with jitter up to a timeout, results as models.

The cache is short and honest: only healthy results are kept (so a recovery is seen at the next
check), for `cache_ttl` seconds at most, and a cached result is used only while the service's
port still accepts connections and an optional liveness check (the process is alive) passes, so a
crash is seen at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from onex_scenario.redaction import redact_url

from onex_services.chain import check_in_chain
from onex_services.models import (
    HealthResult,
    HealthStatus,
    ServiceEndpoint,
    ServiceKind,
)
from onex_services.polling import Pace, wait_until
from onex_services.ports import port_accepts_async
from onex_services.probes import Probe, make_probe

DEFAULT_TIMEOUT_S = 10.0
ATTEMPT_TIMEOUT_S = 5.0
LIVENESS_POLL_S = 0.1
Liveness = Callable[[], bool]


@dataclass(frozen=True)
class Backoff(Pace):
    """The probe's pace: min(cap, first * 2**n) before attempt n+1, times a random factor in
    [0.5, 1], so probes started together spread out."""

    first_s: float = 0.05
    factor: float = 2.0
    cap_s: float = 1.0
    jitter: bool = True


class HealthChecker:
    """Runs deep probes against endpoints; keep one per event loop and `close()` it."""

    def __init__(
        self,
        *,
        cache_ttl: float = 1.0,
        backoff: Pace | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._cache_ttl = cache_ttl
        self._backoff = backoff or Backoff()
        self._rng = rng or random.Random()
        self._probes: dict[tuple[ServiceKind, str], Probe] = {}
        self._cache: dict[tuple[ServiceKind, str], HealthResult] = {}

    async def check(
        self,
        endpoint: ServiceEndpoint,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        use_cache: bool = True,
        liveness: Liveness | None = None,
        on_attempt: Callable[[int, str | None], None] | None = None,
        dependencies: Mapping[ServiceKind, str] | None = None,
    ) -> HealthResult:
        """Probe until healthy or `timeout_s` seconds passed; never raises for an unhealthy service.

        `liveness` (e.g. "the process is alive") is checked before every retry: when it turns
        false the check ends at once instead of waiting out the timeout. `on_attempt` hears of
        each attempt before it runs, with the previous attempt's error (a start-up display).
        `dependencies` are the client strings of the kinds this one depends on, for a probe that
        checks its result there (Kafka Connect reads its records back from Kafka).
        """
        key = (endpoint.kind, endpoint.url)
        if use_cache:
            cached = await self._cached(key, endpoint, liveness)
            if cached is not None:
                return cached
        probe = self._probes.get(key)
        if probe is None:
            probe = self._probes[key] = make_probe(endpoint.kind, endpoint.url, dependencies)
        started = time.perf_counter()
        deadline = time.monotonic() + timeout_s
        attempts = 0
        error = "not checked"

        async def usable() -> bool:
            nonlocal attempts, error
            attempts += 1
            if on_attempt is not None:
                on_attempt(attempts, None if attempts == 1 else error)
            attempt_s = max(0.5, min(deadline - time.monotonic(), ATTEMPT_TIMEOUT_S))
            try:
                await _watched(probe.run(attempt_s), liveness)
            except Exception as exc:  # noqa: BLE001 - any client error means "not usable (yet)"
                error = _describe(exc)
                return False
            return True

        def exited() -> None:
            nonlocal error
            self._cache.pop(key, None)
            if liveness is not None and not liveness():
                error = f"the process exited ({error})"
                raise ProcessExitedError(error)

        try:
            healthy = await wait_until(
                usable, timeout_s, pace=self._backoff, give_up=exited, rng=self._rng
            )
        except ProcessExitedError:
            healthy = False
        if not healthy:
            return _result(endpoint, HealthStatus.UNHEALTHY, started, attempts, error)
        result = _result(endpoint, HealthStatus.HEALTHY, started, attempts, None)
        self._cache[key] = result
        return result

    async def check_all(
        self,
        endpoints: Sequence[ServiceEndpoint],
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        use_cache: bool = True,
        known: Mapping[ServiceKind, HealthResult] | None = None,
    ) -> list[HealthResult]:
        """One round over several services, results in the order given: independent ones
        concurrently, a dependant after what it depends on, and not probed at all (unusable,
        the chain named) when one of those is unhealthy, or is among the `known` results of
        services found down without a probe (see `chain`)."""

        async def one(endpoint: ServiceEndpoint, under: Mapping[ServiceKind, str]) -> HealthResult:
            return await self.check(
                endpoint, timeout_s=timeout_s, use_cache=use_cache, dependencies=under
            )

        found = await check_in_chain(endpoints, one, known=known)
        return [found[endpoint.kind] for endpoint in endpoints]

    async def close(self) -> None:
        probes, self._probes = list(self._probes.values()), {}
        await asyncio.gather(*(probe.close() for probe in probes))

    async def _cached(
        self, key: tuple[ServiceKind, str], endpoint: ServiceEndpoint, liveness: Liveness | None
    ) -> HealthResult | None:
        cached = self._cache.get(key)
        if cached is None or time.time() - cached.checked_at > self._cache_ttl:
            return None
        if (liveness is not None and not liveness()) or not await port_accepts_async(
            endpoint.host, endpoint.port
        ):
            self._cache.pop(key, None)
            return None
        return cached.model_copy(update={"cached": True})


async def probe_once(
    endpoints: Sequence[ServiceEndpoint],
    *,
    timeout_s: float = 5.0,
    known: Mapping[ServiceKind, HealthResult] | None = None,
) -> dict[ServiceKind, HealthResult]:
    """A fresh deep probe of each endpoint (no cache), by kind; the probes are closed after.
    `known`: results of services found down without a probe (see `check_all`)."""
    checker = HealthChecker()
    try:
        results = await checker.check_all(
            endpoints, timeout_s=timeout_s, use_cache=False, known=known
        )
    finally:
        await checker.close()
    return {result.kind: result for result in results}


class ProcessExitedError(Exception):
    """The service's process exited while a probe was talking to it."""


async def _watched(attempt: Coroutine[Any, Any, None], liveness: Liveness | None) -> None:
    """Run a probe attempt; when the process dies meanwhile, stop at once instead of waiting
    for the attempt's timeout (a probe can hang on a half-dead server)."""
    if liveness is None:
        await attempt
        return
    task = asyncio.ensure_future(attempt)
    try:
        while True:
            done, _pending = await asyncio.wait({task}, timeout=LIVENESS_POLL_S)
            if done:
                task.result()
                return
            if not liveness():
                raise ProcessExitedError("the process exited during the probe")
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _result(
    endpoint: ServiceEndpoint,
    status: HealthStatus,
    started: float,
    attempts: int,
    error: str | None,
) -> HealthResult:
    return HealthResult(
        kind=endpoint.kind,
        endpoint=redact_url(endpoint.url),
        status=status,
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
        attempts=attempts,
        error=error,
    )


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
