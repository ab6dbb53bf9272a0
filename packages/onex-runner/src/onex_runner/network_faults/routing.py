"""Routing a scenario's connections through proxies of its own, for its network faults.

When a scenario has network fault steps on a real service, the run starts Toxiproxy (an
on-demand kind), claims the namespace on it (so a run killed from here on leaves proxies the
reaper removes), makes a proxy `<namespace>.<service>` for each such service and gives the
scenario's tools the proxy's address instead of the service's. Cleanup and the namespace
janitors keep using the direct address: a partition of the scenario never blocks its cleanup.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from onex_scenario import ScenarioConfigModel
from onex_scenario.steps import ModelFaultStep
from onex_services.catalog import kind_spec
from onex_services.kinds.toxiproxy import KIND as PROXY_KIND
from onex_services.kinds.toxiproxy.proxies import NamespaceProxies
from onex_services.models import ServiceKind

from onex_runner.held_services import RegistryExternalServiceManager
from onex_runner.network_faults.network import NETWORK_ACTIONS


@dataclass
class Routed:
    """The endpoints the scenario's tools take (proxied where faulted)."""

    endpoints: dict[str, str]
    helpers: dict[str, str] = field(default_factory=dict)
    """Kind → client string of the services the routing started (cleaned up like the others)."""


def network_fault_targets(scenario: ScenarioConfigModel) -> list[str]:
    """Services the scenario's steps put network faults on, in file order."""
    found: list[str] = []
    for step in scenario.steps:
        fault = step.fault if isinstance(step, ModelFaultStep) else None
        if fault is not None and fault.action in NETWORK_ACTIONS and fault.target not in found:
            found.append(fault.target)
    return found


def _upstream(url: str, has_scheme: bool) -> tuple[str, int]:
    if has_scheme:
        parts = urlsplit(url)
        return parts.hostname or "127.0.0.1", int(parts.port or 0)
    host, _, port = url.split(",", maxsplit=1)[0].rpartition(":")
    return host, int(port)


async def route_faulted(
    scenario: ScenarioConfigModel,
    namespace: str,
    endpoints: dict[str, str],
    services: RegistryExternalServiceManager,
    lock: asyncio.Lock,
) -> Routed:
    """`endpoints` (service name → client string) with each network-faulted real service
    behind a proxy of this namespace; unchanged when the scenario has no such fault."""
    targets = [name for name in network_fault_targets(scenario) if name in endpoints]
    if not targets:
        return Routed(dict(endpoints))
    async with lock:
        started = await services.ensure([PROXY_KIND])
    api = started[ServiceKind(PROXY_KIND)].url
    kinds = {str(scenario.external_services[name].kind) for name in targets}
    services.claim_namespace(namespace, [*kinds, PROXY_KIND])
    proxies = NamespaceProxies(api, namespace)
    services.proxies[namespace] = proxies  # where the network fault handlers find them
    routed = dict(endpoints)
    for name in targets:
        kind = str(scenario.external_services[name].kind)
        spec = kind_spec(kind)
        url = endpoints[name]
        upstream = _upstream(url, bool(spec.vocabulary.url_schemes))
        details = services.details_of(kind, *upstream)
        route = await proxies.route(
            name, url, spec.vocabulary, details, upstream, needs_slots=spec.proxied_by_slots
        )
        routed[name] = route.url
    return Routed(routed, {PROXY_KIND: api})
