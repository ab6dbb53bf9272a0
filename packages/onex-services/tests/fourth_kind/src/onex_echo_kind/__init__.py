"""The echo kind: everything the harness needs to know about it, in one module.

It provides what `docs/services.md` ("Adding a service kind") lists: a vocabulary (`ONEX_ECHO_URL`,
`tcp://` URLs), an installer (nothing to install: the server is Python), a process starter, a
deep probe (random bytes round-trip), a namespace janitor (names `<namespace>/...`), a client URL
and, through the harness, the `real_echo` fixture and the `requires_echo` marker. No compose
fragment: the compose backend says it cannot run it, and `auto` picks the process backend.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from onex_scenario.vocabulary import KindVocabulary
from onex_services.backends.process_kit import check_ports_free, spawn
from onex_services.kinds.spec import (
    InstalledItem,
    Installer,
    KindSpec,
    ProcessStart,
    Progress,
)
from onex_services.models import ServiceRecord
from onex_services.namespaces import validate_namespace
from onex_services.ports import free_port
from onex_services.probes import ProbeError
from onex_services.settings import Paths

from onex_echo_kind.client import request

KIND = "echo"

VOCABULARY = KindVocabulary(
    name=KIND,
    title="TCP echo server",
    env_prefix="ONEX_ECHO_",
    env_fields={"URL": "url"},
    endpoint_field="url",
    url_schemes=("tcp",),
    endpoint_example="tcp://127.0.0.1:7007",
    client_attribute="echo_url",
)


class EchoProbe:
    """Send random bytes, expect the same back."""

    kind = KIND

    def __init__(self, url: str) -> None:
        self.url = url

    async def run(self, timeout_s: float) -> None:
        sent = uuid.uuid4().hex
        got = await request(self.url, f"ECHO {sent}", timeout_s)
        if got != sent:
            raise ProbeError(f"echo returned {got!r} for {sent!r}")

    async def close(self) -> None:
        """Each round uses its own connection."""


class EchoJanitor:
    """The names `<namespace>/...` a run left on the server."""

    def __init__(self, url: str, namespace: str) -> None:
        self.url = url
        self.prefix = validate_namespace(namespace) + "/"

    async def cleanup(self) -> list[str]:
        left = await self.verify_clean()
        await request(self.url, f"DROP {self.prefix}")
        return left

    async def verify_clean(self) -> list[str]:
        names = (await request(self.url, f"LIST {self.prefix}")).split()
        return [f"echo name {name}" for name in names]

    async def close(self) -> None:
        """Each call uses its own connection."""


def _install(paths: Paths, progress: Progress) -> list[InstalledItem]:
    return [InstalledItem(KIND, f"{sys.executable} -m onex_echo_kind.server")]


async def _start(start: ProcessStart) -> ServiceRecord:
    home = start.stack_dir / KIND
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "echo.log"
    port = start.ports["port"] if start.ports is not None else free_port()
    check_ports_free(KIND, (port,), log_path)
    ref = spawn(
        [sys.executable, "-m", "onex_echo_kind.server", str(port)],
        log_path=log_path,
        cwd=home,
        ledger=start.ledger,
    )
    return await start.started(ref, port, log_path, {})


SPEC = KindSpec(
    vocabulary=VOCABULARY,
    default_port=7007,
    client_url=lambda host, port, password: f"tcp://{host}:{port}",
    installer=Installer(check=lambda paths: None, missing_packages=list, install=_install),
    start_process=_start,
    make_probe=EchoProbe,
    janitor=EchoJanitor,
    server_program=lambda: Path(sys.executable),
)
