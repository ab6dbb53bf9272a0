"""A scenario's `connection:` settings: the endpoint they name, or a refusal that says why.

Settings are never ignored. The fields that say where a server is (each kind's
`ConnectionUse.address_fields`, e.g. a URL, or host and port) make the scenario use that service
instead of the harness's own, and the pre-condition probes exactly that endpoint. Fields the
harness's tools cannot honour for the kind (SASL, TLS, a client id) are refused with the field
named. Each kind's `ONEX_*` variables reach here through the loader, which layers them over the
file's settings; the kind's spec builds the client URL from the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from onex_scenario import ModelExternalServiceConfig
from onex_scenario.redaction import redact_url
from onex_services import ServiceKind, kind_specs
from onex_services.kinds.connection import ConnectionUse
from onex_services.models import ServiceEndpoint


class ConnectionRefusedSetting(ValueError):
    """A `connection:` field that the harness cannot honour (it would otherwise be ignored)."""


@dataclass(frozen=True)
class GivenConnection:
    """The endpoint a scenario's settings name: `url` for the client, `address` for messages
    (the client string with its password redacted)."""

    endpoint: ServiceEndpoint
    address: str

    @property
    def url(self) -> str:
        return self.endpoint.url


def given_connection(service: str, config: ModelExternalServiceConfig) -> GivenConnection | None:
    """The endpoint named by `config.connection`, None when it names none (the harness's own
    service is used then); raises `ConnectionRefusedSetting` for fields that cannot work."""
    kind = str(config.kind)
    connection = config.connection
    given = {
        name: getattr(connection, name)
        for name in type(connection).model_fields
        if getattr(connection, name) is not None
    }
    use = _connection_use(kind)
    if not given or use is None:
        return None
    unusable = sorted(set(given) - use.fields)
    if unusable:
        fields = ", ".join(f"external_services.{service}.connection.{name}" for name in unusable)
        raise ConnectionRefusedSetting(
            f"{fields}: not supported by the harness's {kind} tools (it would be ignored); "
            f"supported: {', '.join(sorted(use.fields))}"
        )
    if not set(given) & use.address_fields:
        fields = ", ".join(
            f"external_services.{service}.connection.{name}" for name in sorted(given)
        )
        where = ", ".join(sorted(use.address_fields))
        raise ConnectionRefusedSetting(
            f"{fields}: no address to use them with (the harness's own {kind} has credentials "
            f"of its own); set one of {where} as well"
        )
    address = use.address(given)
    endpoint = ServiceEndpoint(
        kind=ServiceKind(kind),
        backend="external",
        host=address.host,
        port=address.port,
        url=address.url,
    )
    return GivenConnection(endpoint, redact_url(address.url))


def _connection_use(kind: str) -> ConnectionUse | None:
    spec = kind_specs().get(kind)
    return spec.connection if spec is not None else None
