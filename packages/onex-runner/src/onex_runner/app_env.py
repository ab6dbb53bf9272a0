"""The values of the app's placeholders in one run: endpoint fields, the namespace, the port.

`${services.<name>.<field>}` comes from the endpoint the run uses for that service (the
harness's own stack, or the scenario's `connection:`), split into the fields its kind offers by
the kind itself (`KindSpec.app_values`, for its vocabulary's `app_fields`); the namespace fields
are the run's own (Kafka's `topic_prefix`, PostgreSQL's `schema` and the `dsn` whose search_path
it is, Redis's `prefix`), exactly where the harness's expectations look.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from onex_scenario.placeholders import APP, NAMESPACE, SERVICES
from onex_services.catalog import UnknownServiceKindError, kind_spec


def service_values(kind: str, url: str, namespace: str) -> dict[str, str]:
    """The placeholder fields of one service of `kind` reached at `url` (its client string):
    what its kind spec's `app_values` says, else the string's url, host and port."""
    try:
        fill = kind_spec(kind).app_values
    except UnknownServiceKindError:
        fill = None  # a kind the harness only describes (tcp, http)
    if fill is not None:
        return fill(url, namespace)
    parts = urlsplit(url if "://" in url else f"tcp://{url}")
    return {"url": url, "host": parts.hostname or "", "port": str(parts.port or "")}


def placeholder_values(
    services: Mapping[str, tuple[str, str]], namespace: str, host: str, port: int
) -> dict[str, str]:
    """Every placeholder's value by its dotted name; `services` maps a service name to its
    (kind, client string), for the services that are real in this run."""
    values = {
        NAMESPACE: namespace,
        f"{APP}.host": host,
        f"{APP}.port": str(port),
        f"{APP}.base_url": base_url(host, port),
    }
    for name, (kind, url) in services.items():
        for field, value in service_values(kind, url, namespace).items():
            values[f"{SERVICES}.{name}.{field}"] = value
    return values


def base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"
