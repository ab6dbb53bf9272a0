"""A stack's compose file, written from the compose fragments of the kinds it runs.

There is no committed stack file that could drift from the kinds: each stack's file is written
into its stack dir when it starts, with one service per kind (`KindSpec.compose`), so a kind
from any package, the harness's own or a user's, is in it the moment it is registered. Rendering
takes well under a millisecond (`docs/services.md`), beside the seconds of `compose up`.

What is the same for every service is added here: the image choice (`ONEX_IMAGE_<KIND>`, else
the official image), the labels a reaper finds stacks by, the host port published on 127.0.0.1
only, and the healthcheck's pace. A kind whose server runs as several containers (a Kafka
cluster) has a service per member (its fragment's `services`); the `org.onex.kind` label says
whose each service is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from onex_services.catalog import kind_spec
from onex_services.errors import BackendUnavailableError
from onex_services.kinds.spec import ComposeFragment
from onex_services.models import ServiceKind

COMPOSE_FILE = "compose.yml"
LABELS = {
    "org.onex.harness": "true",
    "org.onex.owner": "${ONEX_OWNER:-unknown}",
    "org.onex.run-id": "${ONEX_RUN_ID:-unknown}",
}
KIND_LABEL = "org.onex.kind"
HEALTH_PACE = {"interval": "1s", "timeout": "3s", "retries": 60}
HEADER = (
    "# Written by the compose backend from the kinds' compose fragments (onex_services.kinds);\n"
    "# secrets and ports come from compose.env beside it. Regenerated at every start.\n"
)


def fragment(kind: ServiceKind) -> ComposeFragment:
    """The kind's compose fragment, or a clear refusal for a kind that has none."""
    found = kind_spec(kind).compose
    if found is None:
        raise BackendUnavailableError(
            f"{kind} has no compose service", fix="use --backend process for it"
        )
    return found


def compose_document(
    kinds: Iterable[ServiceKind], values: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The compose model of a stack running `kinds` (as `docker compose` reads it); `values`
    are the stack's env values, which a fragment's `more_ports` reads."""
    chosen = list(kinds)
    services: dict[str, dict[str, Any]] = {}
    for kind in chosen:
        services.update(_services(kind, values or {}))
    for kind in chosen:  # so that `down` stops a dependant before what it needs
        deps = kind_spec(kind).depends_on
        needs = [name for dep in deps for name in named_services(services, dep)]
        for name in named_services(services, kind):
            if needs:
                services[name]["depends_on"] = needs
    return {"name": "${COMPOSE_PROJECT_NAME:-onex}", "services": services}


def named_services(services: Mapping[str, Mapping[str, Any]], kind: str) -> list[str]:
    """The services of `kind` among `services` (by label; a file of an older harness: by name)."""
    return [
        name
        for name, service in services.items()
        if service.get("labels", {}).get(KIND_LABEL, name) == kind
    ]


def services_of(stack_dir: Path, kinds: Iterable[ServiceKind]) -> list[str]:
    """The compose services of `kinds` in the stack's compose file (a kind's own name when the
    file does not hold it)."""
    held = _held(stack_dir)
    return [name for kind in kinds for name in (named_services(held, kind) or [str(kind)])]


def write_compose_file(
    stack_dir: Path, kinds: Iterable[ServiceKind], values: Mapping[str, str] | None = None
) -> Path:
    """Write the stack's compose file for `kinds` into `stack_dir`; return its path."""
    path = stack_dir / COMPOSE_FILE
    text = yaml.safe_dump(compose_document(kinds, values), sort_keys=False, width=1000)
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def kinds_in(stack_dir: Path) -> list[ServiceKind]:
    """The kinds the stack's compose file holds now (none before its first start)."""
    found: dict[str, None] = {}
    for name, service in _held(stack_dir).items():
        found[service.get("labels", {}).get(KIND_LABEL, name)] = None
    return [ServiceKind(kind) for kind in found]


def _held(stack_dir: Path) -> dict[str, dict[str, Any]]:
    path = stack_dir / COMPOSE_FILE
    if not path.is_file():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    services: dict[str, dict[str, Any]] = document.get("services") or {}
    return services


def _services(kind: ServiceKind, values: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The kind's services: one, or one per member where its fragment makes several."""
    service = _service(kind, values)
    part = fragment(kind)
    return part.services(service, values) if part.services is not None else {kind: service}


def _service(kind: ServiceKind, values: Mapping[str, str]) -> dict[str, Any]:
    spec = kind_spec(kind)
    part = fragment(kind)
    host_port = f"${{{spec.port_env}:?}}"
    inside = str(part.container_port) if part.container_port is not None else host_port
    service: dict[str, Any] = {
        "image": f"${{{spec.image_env}:-{part.image}}}",
        "labels": {**LABELS, KIND_LABEL: str(kind)},
    }
    if part.command:
        service["command"] = list(part.command)
    if part.environment:
        service["environment"] = dict(part.environment)
    if part.volumes:
        service["volumes"] = list(part.volumes)
    if part.network_mode is not None:
        service["network_mode"] = part.network_mode  # publishes nothing: it listens on the host
    else:
        more = part.more_ports(values) if part.more_ports is not None else []
        service["ports"] = [f"127.0.0.1:{host_port}:{inside}", *more]
    test = (
        ["CMD-SHELL", part.healthcheck]
        if isinstance(part.healthcheck, str)
        else ["CMD", *part.healthcheck]
    )
    health: dict[str, Any] = {"test": test, **HEALTH_PACE}
    if part.start_period is not None:
        health["start_period"] = part.start_period
    service["healthcheck"] = health
    return service
