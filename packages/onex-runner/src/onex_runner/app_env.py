"""The values of the app's placeholders in one run: endpoint fields, the namespace, the port.

`${services.<name>.<field>}` comes from the endpoint the run uses for that service (the
harness's own stack, or the scenario's `connection:`), split into the fields its kind offers
(`onex_scenario.placeholders.service_fields`); the namespace fields are the run's own: topics
`<ns>.<topic>` (`topic_prefix`), the PostgreSQL schema `<ns>` (`schema`, and `dsn`, whose
search_path is that schema: libpq clients and asyncpg start every connection in it), Redis keys
`<ns>:<key>` (`prefix`), exactly where the harness's expectations look.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from onex_scenario.placeholders import APP, NAMESPACE, SERVICES
from onex_services.kinds.postgres_schemas import scoped_dsn


def service_values(kind: str, url: str, namespace: str) -> dict[str, str]:
    """The placeholder fields of one service of `kind` reached at `url` (its client string)."""
    if kind == "kafka":
        first = url.split(",", maxsplit=1)[0]
        host, _, port = first.rpartition(":")
        return {
            "bootstrap_servers": url,
            "topic_prefix": f"{namespace}.",
            "host": host,
            "port": port,
        }
    parts = urlsplit(url if "://" in url else f"tcp://{url}")
    values = {"url": url, "host": parts.hostname or "", "port": str(parts.port or "")}
    if kind == "postgres":
        values.update(
            dsn=scoped_dsn(url, namespace),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            database=unquote(parts.path.lstrip("/")),
            schema=namespace,
        )
    elif kind == "redis":
        values.update(db=parts.path.lstrip("/") or "0", prefix=f"{namespace}:")
    return values


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
