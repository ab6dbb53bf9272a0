"""A scenario's `connection:` settings: the endpoint they name, or a refusal that says why.

Settings are never ignored. The address fields (Kafka `bootstrap_servers`; PostgreSQL and Redis
`url`, or `host`/`port`/`user`/`password`/`database`/`db`) make the scenario use that service
instead of the harness's own, and the pre-condition probes exactly that endpoint. Fields the
harness's tools cannot honour (SASL, TLS, a client id) are refused with the field named.
The `ONEX_KAFKA_*`, `ONEX_DB_*` and `ONEX_REDIS_*` variables reach here through the loader,
which layers them over the file's settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from onex_scenario import ModelConnectionConfig, ModelExternalServiceConfig
from onex_scenario.redaction import redact_url
from onex_services import ServiceKind
from onex_services.models import ServiceEndpoint

_USED: dict[str, frozenset[str]] = {
    "kafka": frozenset({"bootstrap_servers"}),
    "postgres": frozenset({"url", "host", "port", "user", "password", "database"}),
    "redis": frozenset({"url", "host", "port", "db", "password"}),
}
"""The connection fields the harness's tools honour, per kind."""

_ADDRESS = frozenset({"bootstrap_servers", "url", "host", "port"})
"""Fields that name where the service is; without one, the settings cannot be used."""
_DEFAULT_PORT = {"postgres": 5432, "redis": 6379}
_DEFAULT_HOST = "127.0.0.1"


class ConnectionRefusedSetting(ValueError):
    """A `connection:` field that the harness cannot honour (it would otherwise be ignored)."""


@dataclass(frozen=True)
class GivenConnection:
    """The endpoint a scenario's settings name: `url` for the client, `address` for messages
    (the URL with its password redacted, or Kafka's bootstrap servers)."""

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
        name for name in type(connection).model_fields if getattr(connection, name) is not None
    }
    if not given or kind not in _USED:
        return None
    unusable = sorted(given - _USED[kind])
    if unusable:
        fields = ", ".join(f"external_services.{service}.connection.{name}" for name in unusable)
        raise ConnectionRefusedSetting(
            f"{fields}: not supported by the harness's {kind} tools (it would be ignored); "
            f"supported: {', '.join(sorted(_USED[kind]))}"
        )
    if not given & _ADDRESS:
        fields = ", ".join(
            f"external_services.{service}.connection.{name}" for name in sorted(given)
        )
        raise ConnectionRefusedSetting(
            f"{fields}: no address to use them with (the harness's own {kind} has credentials "
            "of its own); set url, or host and port, as well"
        )
    if kind == "kafka":
        servers = str(connection.bootstrap_servers)
        host, _, port = servers.split(",", maxsplit=1)[0].rpartition(":")
        return GivenConnection(_endpoint(kind, host, int(port), servers), servers)
    url = _url_from_parts(kind, connection)
    parts = urlsplit(url)
    address = parts.hostname or _DEFAULT_HOST
    number = parts.port or _DEFAULT_PORT[kind]
    return GivenConnection(_endpoint(kind, address, number, url), redact_url(url))


def _url_from_parts(kind: str, connection: ModelConnectionConfig) -> str:
    """The client URL: `url` if given, with each field that is also set taking its place
    (so `ONEX_DB_PASSWORD` beside `ONEX_DB_URL` is used, not dropped), else built from them."""
    base = urlsplit(connection.url or "")
    host = connection.host or base.hostname or _DEFAULT_HOST
    port = connection.port or base.port or _DEFAULT_PORT[kind]
    password = connection.password or (unquote(base.password) if base.password else None)
    secret = f":{quote(password, safe='')}" if password else ""
    path = base.path.lstrip("/")
    query = f"?{base.query}" if base.query else ""  # sslmode=… and the like stay
    if kind == "postgres":
        user = connection.user or (unquote(base.username) if base.username else "postgres")
        database = connection.database or unquote(path) or "postgres"
        scheme = base.scheme or "postgresql"
        user_part = quote(user, safe="")
        return f"{scheme}://{user_part}{secret}@{host}:{port}/{quote(database, safe='')}{query}"
    auth = f"{secret}@" if secret else ""
    db = connection.db if connection.db is not None else int(path) if path.isdigit() else 0
    return f"{base.scheme or 'redis'}://{auth}{host}:{port}/{db}{query}"


def _endpoint(kind: str, host: str, port: int, url: str) -> ServiceEndpoint:
    return ServiceEndpoint(
        kind=ServiceKind(kind), backend="external", host=host, port=port, url=url
    )
