"""Endpoints given through the environment, as the service manager uses them.

`ONEX_KAFKA_BOOTSTRAP_SERVERS` (`host:port[,host:port...]`), `ONEX_DB_URL` (a `postgresql://`
DSN) and `ONEX_REDIS_URL` (a `redis://` or `rediss://` URL) point the harness at services that
already run; those are used as the `external` backend and never stopped by the harness.

The variables are read and validated by `onex_scenario.env_overrides` (the one place that reads
`ONEX_*` overrides); this module only turns the values into host, port and client string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from onex_scenario.env_overrides import connection_overrides_from_env
from onex_scenario.errors import EnvOverrideError

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
    """Endpoints set in the environment, by kind (empty values count as unset).

    Raises `EndpointConfigError` naming the variable when a value cannot be used.
    """
    try:
        overrides = connection_overrides_from_env(environ)
    except EnvOverrideError as exc:
        raise EndpointConfigError(str(exc)) from None
    raw = {
        ServiceKind.KAFKA: overrides.kafka.connection.bootstrap_servers,
        ServiceKind.POSTGRES: overrides.postgres.connection.url,
        ServiceKind.REDIS: overrides.redis.connection.url,
    }
    return {
        kind: parse_endpoint(kind, str(value), CATALOG[kind].env_var)
        for kind, value in raw.items()
        if value
    }
