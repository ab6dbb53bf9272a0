"""Endpoints given through the environment, as the service manager uses them.

Each registered kind's endpoint variable (its vocabulary's `endpoint_env`, e.g.
`ONEX_KAFKA_BOOTSTRAP_SERVERS` or `ONEX_DB_URL`) points the harness at a service that already
runs; those are used as the `external` backend and never stopped by the harness.

The variables are read and validated by `onex_scenario.env_overrides` (the one place that reads
`ONEX_*` overrides); this module only turns the values into host, port and client string: a URL
for kinds whose vocabulary names URL schemes, `host:port[,host:port...]` for the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from onex_scenario.env_overrides import connection_overrides_from_env
from onex_scenario.errors import EnvOverrideError

from onex_services.catalog import kind_spec, kind_specs
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


def parse_endpoint(kind: ServiceKind, value: str, source: str) -> GivenEndpoint:
    """Read one endpoint string of `kind`; `source` (the variable name) goes into errors."""
    value = value.strip()
    spec = kind_spec(kind)
    words = spec.vocabulary
    example = words.endpoint_example
    if not words.url_schemes:
        first = value.split(",")[0].strip()
        host, sep, port_text = first.rpartition(":")
        if not sep or not host or not port_text.isdigit():
            raise EndpointConfigError(
                f"{source}={value!r}: expected host:port[,host:port...], e.g. {example}"
            )
        return GivenEndpoint(kind, host.strip("[]"), int(port_text), value, source)
    parts = urlsplit(value)
    if parts.scheme not in words.url_schemes or not parts.hostname:
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
    found: dict[ServiceKind, GivenEndpoint] = {}
    for kind, spec in kind_specs().items():
        field = spec.vocabulary.endpoint_field
        value = getattr(overrides.for_kind(kind).connection, field) if field else None
        if value:
            found[kind] = parse_endpoint(kind, str(value), spec.env_var)
    return found
