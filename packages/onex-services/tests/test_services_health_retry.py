"""Retries with backoff, honest results and a cache that hides neither failure nor recovery.

The probes here are stand-ins for the client libraries: what is tested is the retry and cache
logic around them (the real probes run in the integration tier).
"""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator

import pytest
from onex_services.health import Backoff, HealthChecker
from onex_services.models import HealthStatus, ServiceEndpoint

pytestmark = pytest.mark.unit


class ScriptedProbe:
    kind = "redis"

    def __init__(self, outcomes: list[Exception | None]) -> None:
        self.url = "redis://127.0.0.1:1/0"
        self.outcomes = outcomes
        self.calls = 0

    async def run(self, timeout_s: float) -> None:
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome

    async def close(self) -> None:
        return None


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def _endpoint(port: int) -> ServiceEndpoint:
    return ServiceEndpoint(
        kind="redis",
        backend="process",
        host="127.0.0.1",
        port=port,
        url=f"redis://127.0.0.1:{port}/0",
    )


def _checker(probe: ScriptedProbe, endpoint: ServiceEndpoint) -> HealthChecker:
    checker = HealthChecker(backoff=Backoff(first_s=0.001, cap_s=0.002), rng=random.Random(1))
    checker._probes[(endpoint.kind, endpoint.url)] = probe
    return checker


def test_backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() -> None:
    backoff = Backoff(first_s=0.1, cap_s=1.0)
    rng = random.Random(7)
    for attempt, ceiling in [(0, 0.1), (1, 0.2), (2, 0.4), (3, 0.8), (4, 1.0), (9, 1.0)]:
        delay = backoff.pause(attempt, rng)
        assert ceiling / 2 <= delay <= ceiling


async def test_transient_failures_are_retried_and_counted(listening_port: int) -> None:
    endpoint = _endpoint(listening_port)
    probe = ScriptedProbe([ConnectionRefusedError("refused"), TimeoutError(), None])
    result = await _checker(probe, endpoint).check(endpoint, timeout_s=5)
    assert result.status is HealthStatus.HEALTHY
    assert result.attempts == 3
    assert result.error is None


async def test_a_service_that_never_answers_is_unhealthy_with_the_last_error(
    listening_port: int,
) -> None:
    endpoint = _endpoint(listening_port)
    probe = ScriptedProbe([ConnectionRefusedError("refused")] * 10_000)
    result = await _checker(probe, endpoint).check(endpoint, timeout_s=0.05)
    assert result.status is HealthStatus.UNHEALTHY
    assert result.attempts > 1
    assert result.error == "ConnectionRefusedError: refused"


async def test_a_dead_process_ends_the_retries_at_once(listening_port: int) -> None:
    endpoint = _endpoint(listening_port)
    probe = ScriptedProbe([ConnectionRefusedError("refused")] * 100)
    result = await _checker(probe, endpoint).check(endpoint, timeout_s=30, liveness=lambda: False)
    assert result.attempts == 1
    assert "process exited" in (result.error or "")


async def test_cache_serves_a_recent_healthy_result_while_the_port_answers(
    listening_port: int,
) -> None:
    endpoint = _endpoint(listening_port)
    probe = ScriptedProbe([])
    checker = _checker(probe, endpoint)
    first = await checker.check(endpoint)
    second = await checker.check(endpoint)
    assert (first.cached, second.cached, probe.calls) == (False, True, 1)


async def test_cache_never_hides_a_failure_when_the_port_closed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        endpoint = _endpoint(server.getsockname()[1])
        probe = ScriptedProbe([None, ConnectionRefusedError("gone")] + [ConnectionError()] * 999)
        checker = _checker(probe, endpoint)
        assert (await checker.check(endpoint)).healthy
    after = await checker.check(endpoint, timeout_s=0.02)
    assert after.status is HealthStatus.UNHEALTHY
    assert not after.cached


async def test_failures_are_not_cached_so_a_recovery_shows_at_once(listening_port: int) -> None:
    endpoint = _endpoint(listening_port)
    probe = ScriptedProbe([ConnectionRefusedError("down")] * 3)
    checker = _checker(probe, endpoint)
    assert not (await checker.check(endpoint, timeout_s=0.001)).healthy
    probe.outcomes.clear()
    recovered = await checker.check(endpoint)
    assert recovered.healthy
    assert not recovered.cached
