"""Endpoints given through the environment: the one place that reads them.

`ONEX_KAFKA_BOOTSTRAP_SERVERS` (`host:port[,host:port...]`), `ONEX_DB_URL` (a `postgresql://`
DSN) and `ONEX_REDIS_URL` (a `redis://` or `rediss://` URL) point the harness at services that
already run; those are used as the `external` backend and never stopped by the harness.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from onex_services.catalog import CATALOG
from onex_services.models import ServiceKind


class EndpointConfigError(ValueError):
    """An endpoint variable is set but cannot be read; the message names variable and form."""


@dataclass(frozen=True)
class GivenEndpoint:
    kind: ServiceKind
    host: str
    port: int
    url: str
    source: str


_SCHEMES = {
    ServiceKind.POSTGRES: ("postgresql", "postgres"),
    ServiceKind.REDIS: ("redis", "rediss"),
}


def parse_endpoint(kind: ServiceKind, value: str, source: str) -> GivenEndpoint:
    """Read one endpoint string of `kind`; `source` (the variable name) goes into errors."""
    value = value.strip()
    spec = CATALOG[kind]
    if kind is ServiceKind.KAFKA:
        first = value.split(",")[0].strip()
        host, sep, port_text = first.rpartition(":")
        if not sep or not host or not port_text.isdigit():
            raise EndpointConfigError(
                f"{source}={value!r}: expected host:port[,host:port...], e.g. 127.0.0.1:9092"
            )
        return GivenEndpoint(kind, host.strip("[]"), int(port_text), value, source)
    parts = urlsplit(value)
    if parts.scheme not in _SCHEMES[kind] or not parts.hostname:
        example = (
            "postgresql://user:password@127.0.0.1:5432/db"
            if kind is ServiceKind.POSTGRES
            else "redis://127.0.0.1:6379/0"
        )
        raise EndpointConfigError(f"{source}: expected a URL such as {example}")
    try:
        port = parts.port or spec.default_port
    except ValueError:
        raise EndpointConfigError(f"{source}: the port is not a number") from None
    return GivenEndpoint(kind, parts.hostname, port, value, source)


def given_endpoints(environ: Mapping[str, str] | None = None) -> dict[ServiceKind, GivenEndpoint]:
    """Endpoints set in the environment, by kind (empty values count as unset)."""
    env = os.environ if environ is None else environ
    found: dict[ServiceKind, GivenEndpoint] = {}
    for kind, spec in CATALOG.items():
        raw = env.get(spec.env_var, "").strip()
        if raw:
            found[kind] = parse_endpoint(kind, raw, spec.env_var)
    return found
