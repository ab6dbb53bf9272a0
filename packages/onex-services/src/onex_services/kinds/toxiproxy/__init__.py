"""Toxiproxy (a TCP proxy that injects network faults), everything the harness knows about it.

- vocabulary: `ONEX_TOXIPROXY_URL`, the client string is its API's `http://host:port`;
- installer: `go install` of the pinned server and CLI into the cache (`install`);
- process starter: `server -host 127.0.0.1 -port <port> -proxy-metrics` (byte counters per proxy
  at `/metrics`, which the tests read to prove traffic went through a proxy);
- probe: a proxy in front of the API itself, `GET /version` through it, then the proxy deleted;
- janitor: proxies named `<ns>.<service>` (see `onex_services.faults`; never a substring);
- compose: `onex/toxiproxy:local`, the same `go install`ed binaries copied into the base image,
  run in the host's network: a proxy is made while the stack runs, on a port chosen then, which
  a container could not publish after it started; on the host it listens on 127.0.0.1 as the
  process does, and reaches every service of the stack (containers' published ports, and the
  servers of kinds that run as processes beside the stack) at the addresses clients use.

It is an on-demand kind: not one of "all services"; a run starts it when a scenario declares
network faults, or `onex services start toxiproxy` does.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path

from onex_scenario.vocabulary import KindVocabulary

from onex_services.backends.process_kit import check_ports_free, spawn
from onex_services.kinds.spec import (
    ComposeFragment,
    InstalledItem,
    Installer,
    Janitor,
    KindSpec,
    Probe,
    ProcessStart,
    Progress,
)
from onex_services.kinds.toxiproxy.api import ToxiproxyClient, ToxiproxyError
from onex_services.kinds.toxiproxy.install import (
    TOXIPROXY_VERSION,
    find_go,
    find_server,
    install_toxiproxy,
    server_program,
    toxiproxy_version,
)
from onex_services.models import ServiceRecord
from onex_services.namespaces import validate_namespace
from onex_services.ports import free_port
from onex_services.probes import HEALTH_PREFIX, ProbeError
from onex_services.settings import Paths

KIND = "toxiproxy"

VOCABULARY = KindVocabulary(
    name=KIND,
    title="Toxiproxy",
    env_prefix="ONEX_TOXIPROXY_",
    env_fields={"URL": "url"},
    endpoint_field="url",
    url_schemes=("http",),
    endpoint_example="http://127.0.0.1:8474",
)


def _check(paths: Paths) -> None:
    find_server(paths.cache_dir)


def _missing_packages() -> list[str]:
    try:
        find_go()
    except Exception:  # noqa: BLE001 - any reason Go is unusable means: install it
        return ["golang-go"]
    return []


def _install(paths: Paths, progress: Progress) -> list[InstalledItem]:
    target = install_toxiproxy(paths, progress)
    return [InstalledItem(KIND, f"{toxiproxy_version()} ({target})")]


async def _start(start: ProcessStart) -> ServiceRecord:
    server = find_server(start.paths.cache_dir)
    home = start.stack_dir / KIND
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "toxiproxy.log"
    port = start.ports["port"] if start.ports is not None else free_port()
    check_ports_free(KIND, (port,), log_path)
    argv = [str(server), "-host", "127.0.0.1", "-port", str(port), "-proxy-metrics"]
    ref = spawn(argv, log_path=log_path, cwd=home, ledger=start.ledger)
    return await start.started(ref, port, log_path, {"version": toxiproxy_version()})


def _client_url(host: str, port: int, password: str | None = None) -> str:
    return f"http://{host}:{port}"


class ToxiproxyProbe:
    """A proxy `onex-health.<hex>` in front of the API, `GET /version` through it, deleted."""

    kind = KIND

    def __init__(self, url: str) -> None:
        self.url = url

    async def run(self, timeout_s: float) -> None:
        await asyncio.wait_for(self._round(timeout_s), timeout_s)

    async def _round(self, timeout_s: float) -> None:
        api = ToxiproxyClient(self.url, timeout_s)
        name = f"{HEALTH_PREFIX}.{uuid.uuid4().hex[:12]}"
        proxy = await api.create_proxy(name, "127.0.0.1:0", f"{api.host}:{api.port}")
        try:
            through = ToxiproxyClient(f"http://127.0.0.1:{proxy.listen_port}", timeout_s)
            direct, proxied = await api.version(), await through.version()
            if direct != proxied:
                raise ProbeError(f"GET /version through proxy {name}: {proxied!r}, not {direct!r}")
        finally:
            await api.delete_proxy(name)

    async def close(self) -> None:
        """Each round opens and closes its own connections."""


class ToxiproxyJanitor:
    """The proxies of one namespace: named `<ns>.<service>` (the exact prefix `<ns>.`)."""

    def __init__(self, url: str, namespace: str) -> None:
        self.api = ToxiproxyClient(url)
        self.prefix = validate_namespace(namespace) + "."

    async def _mine(self) -> list[str]:
        return [p.name for p in await self.api.proxies() if p.name.startswith(self.prefix)]

    async def cleanup(self) -> list[str]:
        removed: list[str] = []
        for name in await self._mine():
            try:
                await self.api.delete_proxy(name)
            except ToxiproxyError as exc:
                if exc.status != 404:  # gone meanwhile is what we wanted
                    raise
            removed.append(f"toxiproxy proxy {name}")
        return removed

    async def verify_clean(self) -> list[str]:
        return [f"toxiproxy proxy {name}" for name in await self._mine()]

    async def close(self) -> None:
        """Each call opens and closes its own connection."""


def _probe(url: str) -> Probe:
    return ToxiproxyProbe(url)


def _janitor(url: str, namespace: str) -> Janitor:
    return ToxiproxyJanitor(url, namespace)


def _server_program() -> Path | None:
    return server_program()


def _prepare_image(context: Path, paths: Paths) -> None:
    """The image takes the server and CLI the installer built; VERSION is in the recipe's
    hash, so another pinned version rebuilds the image (binaries are hashed by size)."""
    server = find_server(paths.cache_dir)
    shutil.copy2(server, context / "server")
    shutil.copy2(server.with_name("cli"), context / "cli")
    (context / "VERSION").write_text(toxiproxy_version() + "\n", encoding="utf-8")


def _compose_url(host: str, port: int, values: Mapping[str, str]) -> str:
    return _client_url(host, port)


COMPOSE = ComposeFragment(
    image=f"ghcr.io/shopify/toxiproxy:{TOXIPROXY_VERSION.removeprefix('v')}",
    local_image="onex/toxiproxy:local",
    client_url=_compose_url,
    command=("-host", "127.0.0.1", "-port", "${ONEX_TOXIPROXY_PORT:?}", "-proxy-metrics"),
    # No shell in the official image: the CLI itself asks the API (it exits 1 when none answers).
    healthcheck=("/toxiproxy-cli", "-h", "http://127.0.0.1:${ONEX_TOXIPROXY_PORT:?}", "list"),
    network_mode="host",
    prepare_image=_prepare_image,
)


SPEC = KindSpec(
    vocabulary=VOCABULARY,
    default_port=8474,
    client_url=_client_url,
    installer=Installer(check=_check, missing_packages=_missing_packages, install=_install),
    start_process=_start,
    make_probe=_probe,
    janitor=_janitor,
    server_program=_server_program,
    compose=COMPOSE,
    on_demand=True,
)
