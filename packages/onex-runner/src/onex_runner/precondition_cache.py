"""Pre-conditions probed concurrently and once per run: a failed service is remembered.

A dead broker used to be paid for by every scenario (each probe waits out its retries). Here a
service that failed its pre-condition is remembered for the run, and later scenarios that need
it get the same verdict at once. The one exception: a service the harness manages whose record
in the stack state has changed since (restarted by this run or by another process) is probed
again, because the run repaired it.

Endpoints named by a scenario's `connection:` settings (onex_runner.connections) are probed
directly and concurrently; the harness's own services go through the service manager, which
starts them when its backend may. When a required service is down, the others of the scenario
are not started or probed at all: the scenario cannot pass anyway.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

from onex_scenario import ScenarioConfigModel
from onex_scenario.vocabulary import vocabulary
from onex_services import ServiceEndpoint, ServiceKind
from onex_services.catalog import kind_graph
from onex_services.chain import unusable_message
from onex_services.errors import ServiceError
from onex_services.health import HealthChecker
from onex_services.models import HealthResult
from onex_services.ports import port_accepts_async

from onex_runner.connections import ConnectionRefusedSetting, GivenConnection, given_connection
from onex_runner.held_services import RegistryExternalServiceManager

HARNESS = "harness"
"""The address part of a target for a service the harness provides (not given by the scenario)."""
_LISTEN_TRIES = 5
"""Connection attempts (0.2 s each) before a given address counts as "nothing listens there"."""

Target = tuple[str, str]


@dataclass(frozen=True)
class ServiceVerdict:
    """What the pre-condition found for one service of one scenario."""

    endpoint: str | None = None  # the client string, when usable
    error: str | None = None
    latency_ms: float | None = None
    attempts: int = 0
    checked: bool = True  # False: not probed, another required service is down
    remembered: bool = False  # an earlier scenario's failure, not probed again


_NOT_CHECKED = ServiceVerdict(
    checked=False, error="not checked: another required service of the scenario is unavailable"
)


class ServiceProbes:
    """Probes the real services of a run's scenarios and remembers the ones that failed."""

    def __init__(
        self, services: Callable[[], RegistryExternalServiceManager], lock: asyncio.Lock
    ) -> None:
        self._services = services
        # The service manager's file lock guards other processes, not coroutines of this one.
        self._lock = lock
        self._failed: dict[Target, tuple[Hashable, ServiceVerdict]] = {}
        self._inflight: dict[Target, asyncio.Future[ServiceVerdict]] = {}
        self.probes: Counter[Target] = Counter()
        """How often each target was really probed (not answered from memory)."""

    async def verdicts(
        self, scenario: ScenarioConfigModel, names: Sequence[str]
    ) -> dict[str, ServiceVerdict]:
        verdicts: dict[str, ServiceVerdict] = {}
        given: dict[str, GivenConnection] = {}
        harness: list[str] = []
        for name in names:
            try:
                connection = given_connection(name, scenario.external_services[name])
            except ConnectionRefusedSetting as exc:
                verdicts[name] = ServiceVerdict(error=str(exc))
                continue
            if connection is None:
                harness.append(name)
            else:
                given[name] = connection
        found = await asyncio.gather(
            *(self._given(scenario, name, connection) for name, connection in given.items())
        )
        verdicts.update(zip(given, found, strict=True))
        if _required_down(scenario, verdicts):
            return {**verdicts, **dict.fromkeys(harness, _NOT_CHECKED)}
        verdicts.update(await self._harness(scenario, harness))
        return verdicts

    # -- endpoints a scenario names ---------------------------------------------------------

    async def _given(
        self, scenario: ScenarioConfigModel, name: str, connection: GivenConnection
    ) -> ServiceVerdict:
        target = (str(scenario.external_services[name].kind), connection.url)
        remembered = self._recall(target, None)
        if remembered is not None:
            return remembered
        running = self._inflight.get(target)
        if running is None:  # scenarios running at once share one probe of the same endpoint
            running = self._inflight[target] = asyncio.ensure_future(
                self._probe_given(scenario, name, connection)
            )
            running.add_done_callback(lambda _: self._inflight.pop(target, None))
        verdict = await asyncio.shield(running)
        if verdict.error is not None:
            self._failed.setdefault(target, (None, verdict))
        return verdict

    async def _probe_given(
        self, scenario: ScenarioConfigModel, name: str, connection: GivenConnection
    ) -> ServiceVerdict:
        kind = str(scenario.external_services[name].kind)
        self.probes[(kind, connection.url)] += 1
        where = f"{kind} at {connection.address} (external_services.{name}.connection)"
        if not await _listens(connection):
            return ServiceVerdict(
                error=f"{where}: nothing listens there (connection refused)",
                attempts=_LISTEN_TRIES,
            )
        checker = HealthChecker()
        try:
            timeout = scenario.timeouts(name).health_check
            result = await checker.check(connection.endpoint, timeout_s=timeout, use_cache=False)
        finally:
            await checker.close()
        if result.healthy:
            return ServiceVerdict(
                endpoint=connection.url, latency_ms=result.latency_ms, attempts=result.attempts
            )
        return ServiceVerdict(
            error=f"{where} is not usable: {result.error}",
            latency_ms=result.latency_ms,
            attempts=result.attempts,
        )

    # -- the harness's own services ---------------------------------------------------------

    async def _harness(
        self, scenario: ScenarioConfigModel, names: Sequence[str]
    ) -> dict[str, ServiceVerdict]:
        kind_of = {name: str(scenario.external_services[name].kind) for name in names}
        by_kind: dict[str, ServiceVerdict] = {}
        async with self._lock:  # waiting here may mean another scenario just probed: recall
            for kind in sorted(set(kind_of.values())):
                remembered = self._recall((kind, HARNESS), self._fingerprint(kind))
                if remembered is not None:
                    by_kind[kind] = remembered
            todo = sorted(set(kind_of.values()) - set(by_kind))
            if todo:
                timeout = max(scenario.timeouts(name).health_check for name in names)
                by_kind.update(await self._ensure(todo, chain_timeout_s=timeout))
        return {name: by_kind[kind] for name, kind in kind_of.items()}

    async def _ensure(
        self, kinds: Sequence[str], *, chain_timeout_s: float = 5.0
    ) -> dict[str, ServiceVerdict]:
        services = self._services()
        for kind in kinds:
            self.probes[(kind, HARNESS)] += 1
        try:
            endpoints = await services.ensure([ServiceKind(kind) for kind in kinds])
        except ServiceError as exc:
            if len(kinds) > 1:  # one failure should not hide which of the others work
                return {
                    k: v
                    for kind in kinds
                    for k, v in (
                        await self._ensure([kind], chain_timeout_s=chain_timeout_s)
                    ).items()
                }
            verdict = ServiceVerdict(error=str(exc))
            self._failed[(kinds[0], HARNESS)] = (self._fingerprint(kinds[0]), verdict)
            return {kinds[0]: verdict}
        # A kind that depends on others is usable only when its whole chain is: probe it, the
        # dependencies first (an attach to a running stack probes nothing otherwise).
        chain = await _chain_health(endpoints, kinds, chain_timeout_s)
        verdicts: dict[str, ServiceVerdict] = {}
        for kind in kinds:
            health = chain.get(kind) or services.health.get(ServiceKind(kind))
            endpoint = endpoints[ServiceKind(kind)]
            if health is not None and not health.healthy:
                verdicts[kind] = ServiceVerdict(
                    error=unusable_message(kind, health),
                    latency_ms=health.latency_ms,
                    attempts=health.attempts,
                )
                continue
            verdicts[kind] = ServiceVerdict(
                endpoint=endpoint.url,
                latency_ms=health.latency_ms if health else None,
                attempts=health.attempts if health else 0,
            )
        return verdicts

    def _fingerprint(self, kind: str) -> Hashable:
        """What the stack state says of `kind` now; a change means someone repaired it."""
        try:
            state = self._services().manager.current()
        except (ServiceError, OSError, ValueError):
            return None
        if state is None:
            return None
        record = state.services.get(ServiceKind(kind))
        if record is None:
            return state.stack_id
        return (state.stack_id, record.port, record.started_at)

    def _recall(self, target: Target, fingerprint: Hashable) -> ServiceVerdict | None:
        entry = self._failed.get(target)
        if entry is None:
            return None
        if entry[0] != fingerprint:  # repaired since: probe again
            del self._failed[target]
            return None
        return ServiceVerdict(error=entry[1].error, attempts=0, latency_ms=0.0, remembered=True)


async def _chain_health(
    endpoints: Mapping[ServiceKind, ServiceEndpoint], kinds: Sequence[str], timeout_s: float
) -> dict[ServiceKind, HealthResult]:
    """Deep probes of the chains under those of `kinds` that depend on other kinds (nothing
    when none does: a scenario on kafka, postgres and redis pays no extra probe)."""
    needs = kind_graph().needs
    if not any(needs.get(kind) for kind in kinds):
        return {}
    checker = HealthChecker()
    try:
        results = await checker.check_all(list(endpoints.values()), timeout_s=timeout_s)
    finally:
        await checker.close()
    return {result.kind: result for result in results}


def _required_down(scenario: ScenarioConfigModel, verdicts: dict[str, ServiceVerdict]) -> bool:
    return any(
        verdict.error is not None and scenario.external_services[name].required
        for name, verdict in verdicts.items()
    )


async def _listens(connection: GivenConnection) -> bool:
    """Whether anything accepts connections at (one of) the given address(es), with a few quick
    tries for a service that is just starting; a deep probe follows when it does."""
    endpoint = connection.endpoint
    addresses = (
        [a.rpartition(":") for a in connection.url.split(",")]
        if not vocabulary(endpoint.kind).url_schemes  # host:port[,host:port...]
        else [(endpoint.host, ":", str(endpoint.port))]
    )
    for _ in range(_LISTEN_TRIES):
        for host, _sep, port in addresses:
            if port.isdigit() and await port_accepts_async(host, int(port)):
                return True
        await asyncio.sleep(0.05)
    return False
