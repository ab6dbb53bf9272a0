"""The proxies of one scenario: its connections to a service go through a proxy of its own.

A proxy is named `<namespace>.<service>` (the Toxiproxy janitor and the reaper remove exactly
the proxies of a namespace, by that prefix), so the toxics a scenario adds slow or cut only its
own connections; other scenarios, xdist workers and processes keep theirs.

A service may offer fixed proxy slots in its record's details (`proxy_slots`, "L>P,..."): the
proxy must listen on P and forward to L. Kafka needs that: its broker tells clients where to
connect next, so a listener of its own (L) advertises the proxy's port (P) and a client's
metadata keeps it behind the proxy. On a cluster a slot is one such pair per broker
("L>P+L>P+L>P,..."): the scenario takes a proxy for each, named `<namespace>.<service>` and
`<namespace>.<service>.<k>`, and a fault acts on all of them. A slot is free when no proxy
listens on its ports; taking it is proxy creates that Toxiproxy refuses when a port is held (so
two runs never share one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from onex_scenario.vocabulary import KindVocabulary

from onex_services.errors import ServiceError
from onex_services.kinds.toxiproxy.api import ToxiproxyClient, ToxiproxyError
from onex_services.namespaces import validate_namespace
from onex_services.ports import free_port

PROXY_SLOTS = "proxy_slots"
"""The record detail of a service's proxy slots: `listen>advertised` port pairs, comma-separated."""
LOOPBACK = "127.0.0.1"


def proxy_name(namespace: str, service: str) -> str:
    return f"{validate_namespace(namespace)}.{service}"


def parse_slots(text: str) -> list[tuple[int, int]]:
    """`"L>P,L>P"` → [(L, P), ...]: the port a proxy forwards to, the port it listens on."""
    pairs: list[tuple[int, int]] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        upstream, _, listen = item.partition(">")
        pairs.append((int(upstream), int(listen)))
    return pairs


def format_slots(pairs: list[tuple[int, int]]) -> str:
    return ",".join(f"{upstream}>{listen}" for upstream, listen in pairs)


def parse_slot_groups(text: str) -> list[list[tuple[int, int]]]:
    """`"L>P+L>P,L>P+L>P"` → per slot, its pair on each broker (one pair on a single one)."""
    return [parse_slots(group.replace("+", ",")) for group in text.split(",") if group.strip()]


def format_slot_groups(groups: list[list[tuple[int, int]]]) -> str:
    return ",".join(format_slots(group).replace(",", "+") for group in groups)


def readdress(url: str, host: str, port: int, vocabulary: KindVocabulary, *more: int) -> str:
    """`url` pointing at `host:port` instead: a URL's netloc keeps its user and password; a
    `host:port[,...]` list (Kafka's bootstrap servers) becomes that address and those of the
    `more` ports (a cluster's other proxies)."""
    if not vocabulary.url_schemes:
        return ",".join(f"{host}:{each}" for each in (port, *more))
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True)
class Route:
    """One service of the scenario behind its proxy."""

    service: str
    proxies: tuple[str, ...]
    """Its proxies: one, or one per broker of a cluster's slot."""
    url: str
    """What the scenario's client takes now: the service's client string, at the proxy."""


class NamespaceProxies:
    """The proxies of one namespace on one Toxiproxy (`api_url`)."""

    def __init__(self, api_url: str, namespace: str) -> None:
        self.api = ToxiproxyClient(api_url)
        self.namespace = validate_namespace(namespace)
        self.routes: dict[str, Route] = {}
        self._toxics: dict[str, list[str]] = {}

    async def route(
        self,
        service: str,
        url: str,
        vocabulary: KindVocabulary,
        details: Mapping[str, str],
        upstream: tuple[str, int],
        *,
        needs_slots: bool = False,
    ) -> Route:
        """A proxy for `service` (at `upstream`), and the client string that goes through it.
        `needs_slots`: the kind's clients follow the server's advertised addresses, so only a
        proxy slot keeps them behind the proxy; a server without free ones is refused."""
        name = proxy_name(self.namespace, service)
        slots = parse_slot_groups(details.get(PROXY_SLOTS, ""))
        if needs_slots and not slots:
            raise ServiceError(
                f"{service} has no proxy slots, so network faults on it would reach only the "
                "client's first connection",
                cause="its clients connect where the server's metadata says, and this server "
                "(not started by the harness, or ONEX_KAFKA_PROXY_SLOTS=0) advertises no proxy",
                fix="run the scenario on the harness's own broker (process backend), with "
                "ONEX_KAFKA_PROXY_SLOTS of 1 or more",
            )
        if slots:
            made = await self._take_slot(name, upstream[0], slots, service)
        else:
            made = [
                await self.api.create_proxy(
                    name, f"{LOOPBACK}:{free_port()}", f"{upstream[0]}:{upstream[1]}"
                )
            ]
        ports = [info.listen_port for info in made]
        route = Route(
            service,
            tuple(info.name for info in made),
            readdress(url, LOOPBACK, ports[0], vocabulary, *ports[1:]),
        )
        self.routes[service] = route
        return route

    async def _take_slot(
        self, name: str, host: str, slots: list[list[tuple[int, int]]], service: str
    ) -> list[Any]:
        """A proxy for each broker of the first free slot (its first one named `name`)."""
        taken = {proxy.listen_port for proxy in await self.api.proxies()}
        last: Exception | None = None
        for group in slots:
            if any(listen_port in taken for _, listen_port in group):
                continue
            made: list[Any] = []
            try:
                for index, (upstream_port, listen_port) in enumerate(group):
                    own = name if index == 0 else f"{name}.{index + 1}"
                    made.append(
                        await self.api.create_proxy(
                            own, f"{LOOPBACK}:{listen_port}", f"{host}:{upstream_port}"
                        )
                    )
            except ToxiproxyError as exc:  # taken meanwhile by another run: the next one
                last = exc
                for info in made:
                    await self.api.delete_proxy(info.name)
            else:
                return made
        raise ServiceError(
            f"no free proxy slot for {service}: its {len(slots)} proxy listeners are all in use",
            cause=str(last) if last else "every slot's port has a proxy of another scenario",
            fix="run fewer fault scenarios at once on this stack",
        )

    def proxy_of(self, service: str) -> str:
        """The names of the service's proxies, for a report."""
        return ", ".join(self._route(service).proxies)

    def _route(self, service: str) -> Route:
        route = self.routes.get(service)
        if route is None:
            raise ServiceError(
                f"{service} is not behind a proxy in namespace {self.namespace}",
                cause="network faults act on the proxy the run made for the scenario",
                fix=f"declare the fault in the scenario's steps with target {service}",
            )
        return route

    async def add_toxic(
        self,
        service: str,
        toxic: str,
        toxic_type: str,
        attributes: dict[str, Any],
        stream: str,
        toxicity: float = 1.0,
    ) -> None:
        """The toxic on every proxy of the service (each broker's of a cluster)."""
        self._toxics.setdefault(service, []).append(toxic)
        for proxy in self._route(service).proxies:
            await self.api.add_toxic(
                proxy, toxic, toxic_type, attributes, stream=stream, toxicity=toxicity
            )

    async def remove_toxic(self, service: str, toxic: str) -> None:
        for proxy in self._route(service).proxies:
            try:
                await self.api.remove_toxic(proxy, toxic)
            except ToxiproxyError as exc:
                if exc.status != 404:
                    raise
        held = self._toxics.get(service, [])
        if toxic in held:
            held.remove(toxic)

    async def set_enabled(self, service: str, enabled: bool) -> None:
        for proxy in self._route(service).proxies:
            await self.api.set_enabled(proxy, enabled)

    async def remove_all(self) -> list[str]:
        """Every proxy of this namespace, whoever made it (what is gone already is fine)."""
        removed: list[str] = []
        for proxy in await self.api.proxies():
            if proxy.name.startswith(self.namespace + "."):
                try:
                    await self.api.delete_proxy(proxy.name)
                except ToxiproxyError as exc:
                    if exc.status != 404:
                        raise
                removed.append(proxy.name)
        self.routes.clear()
        self._toxics.clear()
        return removed
